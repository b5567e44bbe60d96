/**
 * Which file a notebook's `import ... from 'weir'` loads when the caller does not say.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The engine module that belongs to the running kernel: `engine/index.node.ts` of the source
 * tree when the kernel runs from sources (under tsx), otherwise the `weir.mjs` that the build
 * put next to the kernel's bundle (which may sit in `dist/` or in `dist/chunks/`). Either way
 * the notebook and the host share one engine instance.
 *
 * @param from the URL of the calling module; tests pass another to simulate an install
 * @example
 * defaultWeirModule(); // '/usr/lib/node_modules/weir/dist/weir.mjs'
 */
export function defaultWeirModule(from: string = import.meta.url): string {
  const here = path.dirname(fileURLToPath(from));
  if (/\.[cm]?ts$/.test(from)) return path.resolve(here, '../../engine/index.node.ts');
  const candidates = [path.join(here, 'weir.mjs'), path.join(here, '..', 'weir.mjs')];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`cannot find the weir engine module (looked for ${candidates.join(' and ')})`);
  return found;
}
