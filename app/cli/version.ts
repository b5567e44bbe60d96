/**
 * The version of the installed `weir` package.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reads the version from the `package.json` of the `weir` package this file belongs to,
 * found by walking up from it (it runs as `app/cli/*.ts` and as `dist/*.mjs`).
 *
 * @example
 * weirVersion(); // '0.1.0'
 */
export function weirVersion(from: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(from));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'weir' && pkg.version) return pkg.version;
    } catch {
      // No readable package.json here: keep walking up.
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
