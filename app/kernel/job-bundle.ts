/**
 * The code a worker process runs to rebuild a job: the module of the cell that started the job
 * with everything it imports from earlier cells and the user's files, bundled into one file
 * (DESIGN.md §5). One fresh file per job, so that a taskmanager evaluates it from the start
 * even when it ran an earlier job of the same cell. The engine and packages stay external, so
 * the worker's engine is the one the code talks to.
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Bundles `cellModulePath` and the modules it imports from `outDir` into `outfile`.
 *
 * @example
 * const file = await bundleJobCode('/tmp/weir-kernel-x/cell-4.mjs', '/tmp/weir-kernel-x', '/tmp/weir-kernel-x/job-1.mjs');
 */
export async function bundleJobCode(cellModulePath: string, outDir: string, outfile: string): Promise<string> {
  const root = path.resolve(outDir) + path.sep;
  await build({
    entryPoints: [cellModulePath],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'silent',
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
