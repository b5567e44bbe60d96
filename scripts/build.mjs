// Builds dist/ with esbuild: `weir.mjs` is the module notebooks import as 'weir' (engine API +
// Node connectors), `cli.mjs` the `weir` command. Code splitting keeps one engine instance
// shared by both, so the runner and the notebook see the same engine.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Builds dist/. Exported so that bin/weir.mjs can build a fresh clone on first use. */
export async function buildDist({ quiet = false } = {}) {
  const started = Date.now();
  await build({
    absWorkingDir: root,
    entryPoints: {
      weir: 'engine/index.node.ts',
      cli: 'app/cli/main.ts',
      jobmanager: 'engine/process/jobmanager/main.ts',
      taskmanager: 'engine/process/taskmanager/main.ts',
    },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: quiet ? 'error' : 'warning',
  });
  if (!quiet) console.log(`built dist/ in ${Date.now() - started} ms`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildDist();
}
