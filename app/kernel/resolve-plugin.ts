/**
 * How imports in notebook code are resolved when a cell or helper module is bundled. Every
 * cell is its own module, so anything that must be one instance across cells stays outside
 * the bundle and is imported by absolute URL:
 *
 *   - `weir` → the engine module the kernel was given (one engine for notebook and host);
 *   - node builtins, and `file:` URLs (the earlier cells' modules) → left as they are;
 *   - packages in node_modules → their resolved entry file, by URL, so Node loads them once
 *     (and native addons, which cannot be bundled, keep working);
 *   - the user's own script files → a module compiled once per file (see `UserModuleGraph`).
 *
 * Data files (JSON, text) are bundled: they have no state to share.
 */
import type { Plugin } from 'esbuild';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { UserModuleGraph } from './user-modules.ts';

/** What the resolver needs to know. */
export interface KernelResolveOptions {
  /** URL that `import ... from 'weir'` loads. */
  weirUrl: string;
  /** Where the user's script files get their modules. */
  userModules: UserModuleGraph;
}

const SCRIPT = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const JAVASCRIPT = /\.[cm]?js$/;
/** Marks the plugin's own nested resolve calls, which must fall through to esbuild. */
const NESTED = 'weirKernelNestedResolve';

/**
 * The esbuild plugin that applies these rules.
 *
 * @example
 * await build({ entryPoints: ['cell.ts'], bundle: true, plugins: [kernelResolvePlugin({ weirUrl, userModules })] });
 */
export function kernelResolvePlugin(options: KernelResolveOptions): Plugin {
  return {
    name: 'weir-kernel-resolve',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || (args.pluginData as Record<string, unknown> | undefined)?.[NESTED]) return undefined;
        if (args.path === 'weir') return { path: options.weirUrl, external: true };
        if (args.path.startsWith('file:') || isBuiltin(args.path)) return { path: args.path, external: true };

        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { [NESTED]: true },
        });
        // Failures fall through, so that esbuild reports them with the import's location.
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== 'file') return undefined;
        const file = resolved.path;
        if (!SCRIPT.test(file)) return undefined;
        if (file.split(path.sep).includes('node_modules')) {
          // A package shipped as TypeScript cannot be loaded by Node: bundle it instead.
          return JAVASCRIPT.test(file) ? { path: pathToFileURL(file).href, external: true } : undefined;
        }
        return { path: options.userModules.request(file), external: true };
      });
    },
  };
}
