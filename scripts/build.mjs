// Builds dist/ with esbuild: `weir.mjs` is the module notebooks import as 'weir' (engine API +
// Node connectors), `cli.mjs` the `weir` command. Code splitting keeps one engine instance
// shared by both, so the runner and the notebook see the same engine.
//
// The workbench adds, in the same Node build, `workbench-host.mjs` (the host in Electron's
// utility process), `kernel.mjs` (a notebook's kernel process) and `electron-main.mjs`; a CommonJS `preload.cjs` (sandboxed preloads
// cannot be modules); and the renderer bundle in `dist/renderer/` (page, CSS, fonts, the chart
// worker, Monaco's workers). Monaco's workers only change with monaco-editor, so they are
// rebuilt only then.
import { build } from 'esbuild';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Packages stay external (node_modules is there at run time), except those whose published ES
 * modules plain Node cannot load: dt-sql-parser's use extension-less directory imports, so it is
 * bundled (its own dependencies, antlr4ng and antlr4-c3, load in Node and stay external).
 */
const bundledPackages = ['dt-sql-parser'];
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const bundled = bundledPackages.some((p) => args.path === p || args.path.startsWith(`${p}/`));
      return bundled ? undefined : { path: args.path, external: true };
    });
  },
};

/** Builds dist/. Exported so that bin/weir.mjs can build a fresh clone on first use. */
export async function buildDist({ quiet = false } = {}) {
  const started = Date.now();
  const logLevel = quiet ? 'error' : 'warning';
  await Promise.all([
    build({
      absWorkingDir: root,
      entryPoints: {
        weir: 'engine/index.node.ts',
        cli: 'app/cli/main.ts',
        jobmanager: 'engine/process/jobmanager/main.ts',
        taskmanager: 'engine/process/taskmanager/main.ts',
        'workbench-host': 'app/main/workbench-host.ts',
        'export-worker': 'app/kernel/export-worker.ts',
        kernel: 'app/kernel/process/main.ts',
        'electron-main': 'app/main/main.ts',
      },
      outdir: 'dist',
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      plugins: [externalPackages],
      sourcemap: 'linked',
      chunkNames: 'chunks/[name]-[hash]',
      logLevel,
    }),
    build({
      absWorkingDir: root,
      entryPoints: { preload: 'app/preload/preload.ts' },
      outdir: 'dist',
      outExtension: { '.js': '.cjs' },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ['electron'],
      logLevel,
    }),
    buildRenderer(logLevel),
  ]);
  if (!quiet) console.log(`built dist/ in ${Date.now() - started} ms`);
}

/** The renderer bundle: DOM only, for Chromium (Electron's and the browser's of web mode). */
async function buildRenderer(logLevel) {
  const outdir = path.join(root, 'dist', 'renderer');
  await mkdir(outdir, { recursive: true });
  await Promise.all([
    build({
      absWorkingDir: root,
      entryPoints: { app: 'app/renderer/main.ts', 'chart.worker': 'app/renderer/charts/chart-worker.ts' },
      outdir: 'dist/renderer',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome120'],
      loader: { '.ttf': 'file' },
      assetNames: 'assets/[name]-[hash]',
      minify: true,
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel,
    }),
    copyFile(path.join(root, 'app', 'renderer', 'index.html'), path.join(outdir, 'index.html')),
    buildMonacoWorkers(outdir, logLevel),
  ]);
}

async function buildMonacoWorkers(outdir, logLevel) {
  const workers = ['editor.worker.js', 'ts.worker.js'].map((f) => path.join(outdir, f));
  const monacoStamp = await mtime(path.join(root, 'node_modules', 'monaco-editor', 'package.json'));
  const built = Math.min(...(await Promise.all(workers.map(mtime))));
  if (built > monacoStamp) return;
  await build({
    absWorkingDir: root,
    entryPoints: {
      'editor.worker': 'monaco-editor/editor/editor.worker.js',
      'ts.worker': 'monaco-editor/languages/features/typescript/ts.worker.js',
    },
    outdir: 'dist/renderer',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    minify: true,
    legalComments: 'none',
    logLevel,
  });
}

async function mtime(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildDist();
}
