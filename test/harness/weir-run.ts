/**
 * Running the `weir` command on notebooks in a temp folder, as a test of the CLI does: the
 * folder is made once per `describe`, the bundle (dist/) is built before its tests, and both the
 * folder and anything the runs left in it go after them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** How one `weir` command ended. */
export interface WeirRun {
  /** Exit code, or null when it was killed (the timeout). */
  code: number | null;
  /** Its pid: a notebook's effects in `weir run` itself log this one. */
  pid: number;
  stdout: string;
  stderr: string;
}

/** Options of one `weir` command. */
export interface WeirRunOptions {
  /** Working directory (default: the notebook folder). */
  cwd?: string;
  /** Variables added to this process's environment. */
  env?: Record<string, string>;
  /** Kill it after this long (default 180 s): a run this long has failed. */
  timeoutMs?: number;
}

/**
 * Runs `node bin/weir.mjs ...args` and waits for it to end.
 *
 * @example
 * const r = runWeir(['run', 'n.ts', '--taskmanagers', '2'], { cwd: dir });
 * assert.equal(r.code, 0, r.stderr);
 */
export function runWeir(args: string[], options: WeirRunOptions = {}): WeirRun {
  const child = spawnSync(process.execPath, [path.join(repoRoot, 'bin/weir.mjs'), ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 180_000,
    env: { ...process.env, ...options.env },
  });
  return { code: child.status, pid: child.pid, stdout: child.stdout, stderr: child.stderr };
}

/** A temp folder of notebooks for the tests of one `describe`. */
export interface NotebookFolder {
  /** Its absolute path. */
  readonly dir: string;
  /** Runs `weir ...args` in the folder (or `options.cwd`). */
  weir(args: string[], options?: WeirRunOptions): WeirRun;
  /** Writes a file (a notebook, its data) at a path relative to the folder, making its folders; returns its absolute path. */
  write(file: string, text: string): string;
}

/**
 * Makes a temp folder holding `files` (relative path → text; a path ending in `/` is an empty
 * folder) before the tests of the enclosing `describe`, after building dist/ that `weir` runs
 * from, and removes it after them.
 *
 * @example
 * describe('weir run --param', () => {
 *   const folder = notebookFolder('params', { 'p.ts': NOTEBOOK });
 *   it('...', () => assert.equal(folder.weir(['run', 'p.ts']).code, 0));
 * });
 */
export function notebookFolder(name: string, files: Record<string, string> = {}): NotebookFolder {
  const dir = mkdtempSync(path.join(os.tmpdir(), `weir-${name}-test-`));
  const write = (file: string, text: string): string => {
    const full = path.join(dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
    return full;
  };
  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'pipe' });
    for (const [file, text] of Object.entries(files)) {
      if (file.endsWith('/')) mkdirSync(path.join(dir, file), { recursive: true });
      else write(file, text);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, write, weir: (args, options = {}) => runWeir(args, { ...options, cwd: options.cwd ?? dir }) };
}
