/**
 * The context of one job build: a taskmanager rebuilding a job runs the job's code inside a
 * scope that carries the build's execution host (which captures the job) and its cell-body
 * hook (which hands each cell its captured values). Node carries the scope through every
 * promise and callback the code starts, so two jobs rebuilt at the same time in one process
 * each reach their own context, where one process-wide host would let them capture each
 * other's job. Flink's counterpart is the context environment a program is run with
 * (`StreamExecutionEnvironment.initializeContextEnvironment`, a thread-local factory).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { scopeExecutionHosts, type ExecutionHost } from '../runtime/host.ts';
import type { CellBodyHook } from './cell-body.ts';

/** What the code of one job build reaches instead of the process's services. */
export interface JobBuildContext {
  /** The execution host the build's `env.execute()` calls talk to. */
  host: ExecutionHost;
  /** Answers each cell of the build when its own code starts (engine/process/cell-body.ts). */
  cellBody?: CellBodyHook;
  /** True: the build's `console` output is dropped (it was seen where the job was submitted). */
  silent?: boolean;
}

const builds = new AsyncLocalStorage<JobBuildContext>();
let scoping = false;

/**
 * Runs `build` (and everything it starts) in the context of one job build.
 *
 * @example
 * const imported = runJobBuild({ host, cellBody, silent: true }, () => import(jobModuleUrl));
 */
export function runJobBuild<T>(context: JobBuildContext, build: () => T): T {
  if (!scoping) {
    scopeExecutionHosts(() => builds.getStore()?.host);
    scoping = true;
  }
  return builds.run(context, build);
}

/**
 * The job build the calling code belongs to, if any.
 *
 * @example
 * if (currentJobBuild()?.silent) return;
 */
export function currentJobBuild(): JobBuildContext | undefined {
  return builds.getStore();
}
