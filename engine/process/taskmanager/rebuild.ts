/**
 * Rebuilds a job in a taskmanager by running the code that defined it: the notebook cell (or
 * exported bundle) is imported again, with an execution host that lets every other job
 * "finish" at once and captures the one this taskmanager must run. The import of the module
 * never completes for the target job: its `execute()` stays pending, so nothing after it runs.
 */
import { pathToFileURL } from 'node:url';
import { installExecutionHost, type HostDefaults } from '../../runtime/host.ts';
import type { JobClient, JobDefinition } from '../../runtime/job.ts';
import { decodeCapturedValues } from '../captured-values.ts';
import { installCellBodyHook } from '../cell-body.ts';
import { describeJob, ExecuteCalls, isJob } from '../job-identity.ts';
import type { CodeRef } from '../protocol.ts';

/** Counts evaluations in this process, to give each one its own module URL. */
let evaluations = 0;

/** Console methods silenced while the defining code re-runs: its output was seen in the client. */
const SILENCED = ['log', 'info', 'warn', 'error', 'debug', 'table', 'dir'] as const;

/**
 * The rebuild in progress: one at a time per process, since a rebuild installs the process-wide
 * execution host and cell marker (two jobs deployed here at once would capture each other's job).
 */
let previousRebuild: Promise<unknown> = Promise.resolve();
/**
 * How long a rebuild waits for the one before it. Code that waits on something else before it
 * defines its job would otherwise hold up every later deployment here; past this, the next one
 * goes ahead (and may race it, as every rebuild did before they took turns).
 */
const TURN_TIMEOUT_MS = 30_000;

/**
 * Imports `code.moduleUrl` and resolves with the job it defines (matched by name and occurrence).
 * Rebuilds in one process run one after another.
 *
 * @example
 * const job = await rebuildJob(deployment.submission.code, deployment.submission.defaults);
 */
export function rebuildJob(code: CodeRef, defaults: HostDefaults = {}): Promise<JobDefinition> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const turnTimedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, TURN_TIMEOUT_MS);
    timer.unref?.();
  });
  const turn = Promise.race([previousRebuild, turnTimedOut]).finally(() => clearTimeout(timer));
  const run = turn.then(() => rebuildNow(code, code.baseDir ? { ...defaults, baseDir: code.baseDir } : defaults));
  previousRebuild = run.catch(() => undefined);
  return run;
}

async function rebuildNow(code: CodeRef, defaults: HostDefaults): Promise<JobDefinition> {
  const calls = new ExecuteCalls();
  // With the values the client captured, each cell runs only its slice (app/kernel/slice.ts):
  // its side effects (files, timers, assertions, prints) happened once, in the client.
  const values = code.captured === undefined ? undefined : decodeCapturedValues(code.captured);
  const restoreCellHook = installCellBodyHook((cell) => {
    if (code.cell !== undefined) calls.enterCell(cell);
    return values ? { rebuild: true, value: (name) => values.get(`${cell}:${name}`) } : undefined;
  });
  let capture!: (job: JobDefinition) => void;
  const captured = new Promise<JobDefinition>((resolve) => (capture = resolve));
  const saved = SILENCED.map((m) => console[m]);
  for (const m of SILENCED) console[m] = () => {};
  // The code runs in the job's base directory (the notebook's folder), as it did in the
  // client, so its top-level relative paths mean the same here (rebuilds take turns).
  const previousCwd = process.cwd();
  if (defaults.baseDir) process.chdir(defaults.baseDir);
  const restoreHost = installExecutionHost({
    headless: true,
    defaults,
    submitJob(job): JobClient {
      const name = job.graph.name;
      if (isJob(calls.next(name), code)) {
        capture(job);
        return { jobName: name, result: new Promise(() => {}), cancel() {}, metrics: () => [] };
      }
      // Another job of the same code: it ran in the client already; here it ends at once.
      const report = { name, status: 'FINISHED' as const, durationMs: 0, operators: [], checkpoints: [], restarts: 0 };
      return { jobName: name, result: Promise.resolve({ report }), cancel() {}, metrics: () => [] };
    },
  });
  try {
    // A fresh module instance every time: this process may have evaluated the same code for an
    // earlier attempt of the job, and that evaluation is still suspended in its execute().
    const url = new URL(code.moduleUrl.startsWith('file:') ? code.moduleUrl : pathToFileURL(code.moduleUrl).href);
    url.searchParams.set('evaluation', String(++evaluations));
    const imported = import(url.href).then(() => {
      throw new Error(
        `Re-running the code of ${describeJob(code)} did not define it again: graph construction must be deterministic`,
      );
    });
    return await Promise.race([captured, imported]);
  } finally {
    SILENCED.forEach((m, i) => (console[m] = saved[i] as (...args: unknown[]) => void));
    process.chdir(previousCwd);
    restoreCellHook();
    restoreHost();
  }
}

/** Explains the first difference between two plans, or returns undefined when they are equal. */
export function planDifference(expected: unknown, actual: unknown, path = 'plan'): string | undefined {
  if (expected === actual) return undefined;
  if (typeof expected !== 'object' || typeof actual !== 'object' || expected === null || actual === null) {
    return `${path}: the client has ${JSON.stringify(expected)}, the taskmanager ${JSON.stringify(actual)}`;
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const k of keys) {
    const d = planDifference((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}
