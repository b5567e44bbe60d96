/**
 * Rebuilds a job in a taskmanager by running the code that defined it: the notebook cell (or
 * exported bundle) is imported again, in a job build of its own (job-build-scope.ts) whose
 * execution host lets every other job "finish" at once and captures the one this taskmanager
 * must run. The import of the module never completes for the target job: its `execute()` stays
 * pending, so nothing after it runs. Rebuilds of several jobs run at the same time: each one's
 * `env.execute()` and cells reach their own build's context, never another's.
 */
import { pathToFileURL } from 'node:url';
import type { HostDefaults } from '../../runtime/host.ts';
import type { JobClient, JobDefinition } from '../../runtime/job.ts';
import { decodeCapturedValues } from '../captured-values.ts';
import type { CellBodyHook } from '../cell-body.ts';
import { describeJob, ExecuteCalls, isJob } from '../job-identity.ts';
import { runJobBuild, type JobBuildContext } from '../job-build-scope.ts';
import type { CodeRef } from '../protocol.ts';
import { silenceConsoleOfBuilds } from './silent-builds.ts';
import { workingDirectories } from './working-directories.ts';

/** Counts evaluations in this process, to give each one its own module URL. */
let evaluations = 0;

/**
 * Imports `code.moduleUrl` and resolves with the job it defines (matched by name and occurrence).
 *
 * @example
 * const job = await rebuildJob(deployment.submission.code, deployment.submission.defaults);
 */
export async function rebuildJob(code: CodeRef, defaults: HostDefaults = {}): Promise<JobDefinition> {
  const withBase = code.baseDir ? { ...defaults, baseDir: code.baseDir } : defaults;
  // The code runs in the job's base directory (the notebook's folder), as it did in the client,
  // so that its top-level relative paths mean the same here. The working directory is the
  // process's: rebuilds from one folder run together, one from another folder waits for them.
  const release = await workingDirectories.enter(withBase.baseDir);
  const unsilence = silenceConsoleOfBuilds();
  try {
    return await rebuildNow(code, withBase);
  } finally {
    unsilence();
    release();
  }
}

async function rebuildNow(code: CodeRef, defaults: HostDefaults): Promise<JobDefinition> {
  const calls = new ExecuteCalls();
  // With the values the client captured, each cell runs only its slice (app/kernel/slice.ts):
  // its side effects (files, timers, assertions, prints) happened once, in the client.
  const values = code.captured === undefined ? undefined : decodeCapturedValues(code.captured);
  const cellBody: CellBodyHook = (cell) => {
    if (code.cell !== undefined) calls.enterCell(cell);
    return values ? { rebuild: true, value: (name) => values.get(`${cell}:${name}`) } : undefined;
  };
  let capture!: (job: JobDefinition) => void;
  const captured = new Promise<JobDefinition>((resolve) => (capture = resolve));
  const context: JobBuildContext = {
    silent: true,
    cellBody,
    host: {
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
    },
  };
  // A fresh module instance every time: this process may have evaluated the same code for an
  // earlier attempt of the job, and that evaluation is still suspended in its execute().
  const url = new URL(code.moduleUrl.startsWith('file:') ? code.moduleUrl : pathToFileURL(code.moduleUrl).href);
  url.searchParams.set('evaluation', String(++evaluations));
  const imported = runJobBuild(context, () => import(url.href)).then(() => {
    throw new Error(`Re-running the code of ${describeJob(code)} did not define it again: graph construction must be deterministic`);
  });
  return await Promise.race([captured, imported]);
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
