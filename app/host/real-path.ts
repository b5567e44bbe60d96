/**
 * Where a path really leads: the one check behind every file the host opens, writes or makes
 * for a client (notebooks, saved outputs, savepoint and export directories). A path that is
 * inside the served folder as written may still lead out of it on disk, through a symbolic link
 * anywhere along it; and writing through a link that leads nowhere creates its target, wherever
 * that is. So the real path of the file, or of its deepest existing part for one yet to be
 * made, must be inside the folder's real path, and no part of it may be a dangling link.
 */
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Why a path does not stay inside the folder on disk. */
export type RealPathEscape = 'leads out of it' | 'leads nowhere';

/**
 * Why `full` leaves the folder `root` on disk, or undefined when it stays inside. Errors other
 * than a missing file (a loop of links, a file used as a folder) are thrown as they are.
 *
 * @example
 * symlinkSync('/tmp', '/nb/out');
 * realPathEscape('/nb', '/nb/out/x.ts');    // 'leads out of it'
 * realPathEscape('/nb', '/nb/new/dir/x.ts'); // undefined: /nb is the deepest existing part
 */
export function realPathEscape(root: string, full: string): RealPathEscape | undefined {
  const realRoot = realpathSync(root);
  let existing = path.resolve(full);
  for (;;) {
    let real: string;
    try {
      real = realpathSync(existing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // It is there, yet its real path is not: a link that leads nowhere.
      if (existsItself(existing)) return 'leads nowhere';
      const parent = path.dirname(existing);
      if (parent === existing) return 'leads out of it';
      existing = parent;
      continue;
    }
    const inside = path.relative(realRoot, real);
    return inside.startsWith('..') || path.isAbsolute(inside) ? 'leads out of it' : undefined;
  }
}

/** Whether `file` itself exists (a link is not followed). */
function existsItself(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
