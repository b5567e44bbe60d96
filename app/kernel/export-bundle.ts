/**
 * The code of an exported job, `bundle.mjs`: the module of the cell that starts the job with
 * everything it needs from earlier cells, the user's files and npm packages, in one file that
 * imports only Node builtins and `'weir'`, the installed package. It refers to nothing on the
 * machine that exported it, so the job directory can be copied anywhere weir is installed.
 *
 * A bare `'weir'` resolves from where the importing file is, which for a copied directory may
 * be nowhere; `linkExportedBundle` therefore gives the runner a copy whose `'weir'` is the
 * engine module of the running weir, the one its taskmanagers use too.
 */
import { build, type Plugin } from 'esbuild';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NODE_MODULE_BUNDLE } from './job-bundle.ts';

/**
 * Bundles the compiled cell module `cellModulePath` (and what it imports) into `outfile`,
 * keeping `import ... from 'weir'` as a bare import.
 *
 * @param weirModule the engine module the cells were compiled against (their `'weir'`)
 * @example
 * await bundleExportedJob('/tmp/weir-discover-x/cell-3.mjs', '/usr/lib/node_modules/weir/dist/weir.mjs', 'out/job/bundle.mjs', '// fraud alerts');
 */
export async function bundleExportedJob(cellModulePath: string, weirModule: string, outfile: string, banner: string): Promise<void> {
  const weirFile = path.resolve(weirModule);
  const plugin: Plugin = {
    name: 'weir-export',
    setup(b) {
      b.onResolve({ filter: /^weir$/ }, () => ({ path: 'weir', external: true }));
      // Cells import each other, the user's files, packages and the engine by file URL.
      b.onResolve({ filter: /^file:/ }, (args) => {
        const file = fileURLToPath(args.path);
        return file === weirFile ? { path: 'weir', external: true } : { path: file };
      });
    },
  };
  await build({
    entryPoints: [cellModulePath],
    // Module comments in the output then name the cells (`// cell-3.mjs`), not a temp path.
    absWorkingDir: path.dirname(cellModulePath),
    outfile,
    ...NODE_MODULE_BUNDLE,
    sourcesContent: true,
    banner: { js: banner },
    plugins: [plugin],
  });
}

/**
 * Writes a copy of an exported bundle to `outfile` whose `'weir'` import is `weirModule`;
 * resolves with the copy's URL.
 *
 * @example
 * const url = await linkExportedBundle('job/bundle.mjs', defaultWeirModule(), '/tmp/weir-run-x/job.mjs');
 */
export async function linkExportedBundle(bundleFile: string, weirModule: string, outfile: string): Promise<string> {
  const weirUrl = pathToFileURL(path.resolve(weirModule)).href;
  await build({
    ...NODE_MODULE_BUNDLE,
    entryPoints: [bundleFile],
    outfile,
    plugins: [
      {
        name: 'weir-link',
        setup(b) {
          b.onResolve({ filter: /^weir$/ }, () => ({ path: weirUrl, external: true }));
        },
      },
    ],
  });
  return pathToFileURL(outfile).href;
}
