/**
 * Installs a packed package (`npm pack`'s tarball) into a project the way `npm install` lays it
 * out, without a registry: the tarball is unpacked into `node_modules/<name>`, and its runtime
 * dependencies (and theirs, with the optional ones this platform installed) are linked from the
 * repository's own node_modules. `npm install --offline` would need registry metadata that
 * `npm ci` never caches, so a fresh machine that has only run the README's commands fails it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import path from 'node:path';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/**
 * Unpacks `tarball` into `project/node_modules` and links its dependency closure from
 * `fromModules`; returns the installed package's directory. Throws naming a dependency that
 * `fromModules` lacks (a non-optional one).
 *
 * @example
 * const weirDir = installPacked('/tmp/x/weir-0.1.0.tgz', '/tmp/x/project', path.join(root, 'node_modules'));
 */
export function installPacked(tarball: string, project: string, fromModules: string): string {
  const modules = path.join(project, 'node_modules');
  mkdirSync(modules, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', modules]);
  const unpacked = path.join(modules, 'package');
  const { name } = manifest(unpacked);
  const installed = path.join(modules, name);
  mkdirSync(path.dirname(installed), { recursive: true });
  renameSync(unpacked, installed);

  const pending = [manifest(installed)];
  const linked = new Set<string>([name]);
  while (pending.length > 0) {
    const pkg = pending.pop()!;
    const wanted = [...Object.keys(pkg.dependencies ?? {}).map((d) => [d, false] as const), ...Object.keys(pkg.optionalDependencies ?? {}).map((d) => [d, true] as const)];
    for (const [dep, optional] of wanted) {
      if (linked.has(dep)) continue;
      const source = path.join(fromModules, dep);
      if (!existsSync(source)) {
        if (optional) continue; // another platform's binary
        throw new Error(`${pkg.name} depends on ${dep}, which ${fromModules} lacks: run npm ci`);
      }
      linked.add(dep);
      const target = path.join(modules, dep);
      mkdirSync(path.dirname(target), { recursive: true });
      symlinkSync(source, target, 'dir');
      pending.push(manifest(source));
    }
  }
  return installed;
}
