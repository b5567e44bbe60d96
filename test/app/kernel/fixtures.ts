/**
 * Notebooks for kernel tests, written to fresh directories outside the repository (a notebook
 * may live anywhere on disk), with a stand-in for the engine module.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A stand-in for the 'weir' module with the failure shapes of the real engine: an error in a
 * user function surfaces as a `JobExecutionError` whose `cause` is the user's error, thrown from
 * engine code after an asynchronous hop (so no notebook frame is on the outer stack), and a
 * validation error is thrown synchronously from engine code called by the cell. `execute`
 * reports to the execution host like the real `env.execute()`. The host and the hook compiled
 * cells call (`cellBody`) are the real engine's, the ones the kernel under test installs.
 */
export const FAKE_WEIR = `
import { executionHost } from ${JSON.stringify(new URL('../../../engine/runtime/host.ts', import.meta.url).href)};
export { cellBody } from ${JSON.stringify(new URL('../../../engine/process/cell-body.ts', import.meta.url).href)};
export const engineName = 'fake-weir';
export class JobExecutionError extends Error {
  constructor(jobName, cause) {
    super("Job '" + jobName + "' failed in operator 'Map' (uid map-1, subtask 1/1): " + cause.message, { cause });
    this.name = 'JobExecutionError';
  }
}
export async function runMap(jobName, values, fn) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  try {
    return values.map(fn);
  } catch (error) {
    throw new JobExecutionError(jobName, error);
  }
}
// Reports a finished job to the installed host, the way env.execute() does, echoing the
// host's defaults in the report so tests can see them arrive.
export async function execute(jobName) {
  const host = executionHost();
  const defaults = host.defaults ?? {};
  host.note?.('fake job ' + jobName + (host.headless ? ' (headless)' : ''));
  host.onJobFinished?.({
    name: jobName + ':' + (defaults.mode ?? 'no-mode'),
    status: 'FINISHED',
    durationMs: 1,
    operators: [{ uid: 'map-1', name: 'Map', parallelism: defaults.parallelism ?? 1, recordsIn: 3, recordsOut: 3 }],
    checkpoints: [],
    restarts: 0,
  });
}
export function checkParallelism(n) {
  if (n < 1) throw new RangeError('parallelism must be at least 1, got ' + n);
  return n;
}
`;

/** A temporary directory holding a notebook and the files next to it. */
export interface NotebookDir {
  dir: string;
  /** Absolute path of `notebook.ts` in it. */
  notebook: string;
  /** Absolute path of the fake engine module in it. */
  weirModule: string;
  remove(): void;
}

/**
 * Writes `notebook.ts` (and any other `files`, by relative path) into a new temporary directory.
 *
 * @example
 * const nb = notebookDir('// %%\nconsole.log(1);\n', { 'helper.ts': 'export const x = 1;' });
 */
export function notebookDir(notebook: string, files: Record<string, string> = {}): NotebookDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-kernel-test-'));
  const all: Record<string, string> = { 'notebook.ts': notebook, 'fake-weir.mjs': FAKE_WEIR, ...files };
  for (const [name, text] of Object.entries(all)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return {
    dir,
    notebook: path.join(dir, 'notebook.ts'),
    weirModule: path.join(dir, 'fake-weir.mjs'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** 1-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`'${needle}' not found`);
  return index + 1;
}

/** 1-based column of `needle` in the line that contains it. */
export function columnOf(text: string, needle: string): number {
  const line = text.split('\n').find((l) => l.includes(needle))!;
  return line.indexOf(needle) + 1;
}

/**
 * An array on globalThis that notebook cells push to, so tests see what ran and in which order
 * without capturing stdout.
 */
export function probe(name: string): unknown[] {
  const log: unknown[] = [];
  (globalThis as Record<string, unknown>)[name] = log;
  return log;
}
