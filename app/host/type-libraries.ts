/**
 * Declaration files for the editor's TypeScript service: the `weir` API (as `tsc -b` emits it
 * under `dist/types/engine`, less its `@internal` declarations) and Node's builtins (`@types/node`), under virtual `node_modules`
 * paths so that `import ... from 'weir'` and `'node:path'` resolve in the editor as they do in
 * the kernel.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypeLibrary } from '../shared/workbench/service.ts';
import { publicDeclarations } from './public-declarations.ts';
import { realPathEscape } from './real-path.ts';

/** The engine layers the public API's declarations reach. */
const ENGINE_LAYERS = ['api', 'plan', 'runtime', 'state', 'checkpoint', 'sql'];

/**
 * The folder of the weir package this code belongs to: the nearest folder above it with a
 * package.json named `weir` (the sources, or `dist/` and `dist/chunks/` of a build).
 */
export function packageRoot(from: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(from));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const name = (createRequire(manifest)('./package.json') as { name?: string }).name;
        if (name === 'weir') return dir;
      } catch {
        // An unreadable manifest is not ours; keep looking.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the weir package folder');
    dir = parent;
  }
}

/**
 * Reads the declaration files. Missing ones are left out (a build without `tsc -b` has no
 * engine declarations; a packaged app has no `@types/node`): the editor then knows less.
 *
 * @example
 * const libs = await typeLibraries();
 * libs.find((l) => l.path === 'file:///node_modules/weir/index.d.ts');
 */
export async function typeLibraries(root: string = packageRoot()): Promise<TypeLibrary[]> {
  await emitEngineDeclarations(root);
  const libraries: TypeLibrary[] = [];
  const engineTypes = path.join(root, 'dist', 'types', 'engine');
  for (const layer of ENGINE_LAYERS) {
    for (const file of await declarationFiles(path.join(engineTypes, layer), root)) {
      // Only the public API: completion must not offer the engine's `@internal` members.
      libraries.push({ path: `file:///node_modules/weir/engine/${path.relative(engineTypes, file).split(path.sep).join('/')}`, content: publicDeclarations(await readFile(file, 'utf8'), file) });
    }
  }
  if (libraries.length > 0) {
    libraries.push({ path: 'file:///node_modules/weir/index.d.ts', content: "export * from './engine/api/index.ts';\n" });
    libraries.push({ path: 'file:///node_modules/weir/package.json', content: '{ "name": "weir", "types": "./index.d.ts" }\n' });
  }
  const require = createRequire(path.join(root, 'package.json'));
  for (const name of ['@types/node', 'undici-types']) {
    let dir: string;
    try {
      dir = path.dirname(require.resolve(`${name}/package.json`));
    } catch {
      continue;
    }
    for (const file of await declarationFiles(dir, dir)) {
      // The folder for older TypeScript versions would declare everything twice.
      if (file.includes(`${path.sep}ts5.`)) continue;
      libraries.push({ path: `file:///node_modules/${name}/${path.relative(dir, file).split(path.sep).join('/')}`, content: await readFile(file, 'utf8') });
    }
    libraries.push({ path: `file:///node_modules/${name}/package.json`, content: await readFile(path.join(dir, 'package.json'), 'utf8') });
  }
  return libraries;
}

/**
 * In a source checkout, runs `tsc -b engine/tsconfig.json` when the engine's declarations are
 * missing or older than its sources (a fresh clone, or after an edit), so the editor knows the
 * API that cells import. An installed package ships them. Failures leave the editor with less.
 */
async function emitEngineDeclarations(root: string): Promise<void> {
  const project = path.join(root, 'engine', 'tsconfig.json');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(project) || !existsSync(tsc)) return;
  const declarations = path.join(root, 'dist', 'types', 'engine', 'api', 'index.d.ts');
  const built = existsSync(declarations) ? statSync(declarations).mtimeMs : 0;
  if (built >= (await newestSource(path.join(root, 'engine')))) return;
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, [tsc, '-b', project], { cwd: root, stdio: 'ignore' });
    child.on('exit', () => resolve());
    child.on('error', () => resolve());
  });
}

async function newestSource(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  let newest = 0;
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path.join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/**
 * The declaration files under `dir` that really are inside `base` (the install, or the types
 * package): their content goes to the page, so a link (a layer folder that is one, too) that
 * leads elsewhere is not read.
 */
async function declarationFiles(dir: string, base: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => realPathEscape(base, file) === undefined)
    .sort();
}
