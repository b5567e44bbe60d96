/**
 * The code a worker process runs to rebuild a job: the module of the cell that started the job
 * with everything it imports from earlier cells and the user's files, bundled into one file
 * (docs/ARCHITECTURE.md §5). One fresh file per job, so that a taskmanager evaluates it from the start
 * even when it ran an earlier job of the same cell. The engine and packages stay external, so
 * the worker's engine is the one the code talks to.
 */
import { build, type BuildOptions } from 'esbuild';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What every bundle of notebook code shares: one ES module for Node 20, with an inline source
 * map so that stack traces in workers point into the notebook.
 *
 * @example
 * await build({ ...NODE_MODULE_BUNDLE, entryPoints: ['cell-3.mjs'], outfile: 'job.mjs' });
 */
export const NODE_MODULE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'silent',
} as const satisfies BuildOptions;

/**
 * Bundles `cellModulePath` and the modules it imports from `outDir` into `outfile`.
 *
 * @example
 * const file = await bundleJobCode('/tmp/weir-kernel-x/cell-4.mjs', '/tmp/weir-kernel-x', '/tmp/weir-kernel-x/job-1.mjs');
 */
export async function bundleJobCode(cellModulePath: string, outDir: string, outfile: string): Promise<string> {
  const root = path.resolve(outDir) + path.sep;
  await build({
    ...NODE_MODULE_BUNDLE,
    entryPoints: [cellModulePath],
    outfile,
    plugins: [
      {
        name: 'weir-job-bundle',
        setup(b) {
          b.onResolve({ filter: /^file:/ }, (args) => {
            const file = fileURLToPath(args.path);
            // Modules the kernel compiled (cells, the user's files) are inlined; the engine and
            // packages are imported by URL, as the cells do.
            return file.startsWith(root) ? { path: file } : { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return pathToFileURL(outfile).href;
}
