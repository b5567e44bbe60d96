/**
 * The client's side of a worker-process cluster: starts the jobmanager on the first job, submits
 * jobs to it, and turns its status into the `JobClient` that `env.execute()` awaits. Installed as
 * the execution host's `submitJob` by `weir run` (and the workbench host).
 */
import * as Comlink from 'comlink';
import type { JobClient, JobDefinition, JobResult, JobState, ReplayAction, ReplayProgress, RestartInfo, StopOptions } from '../runtime/job.ts';
import type { HostDefaults, OperatorReport } from '../runtime/host.ts';
import { CheckpointHistory, DETAILED_CHECKPOINTS } from '../checkpoint/checkpoint-history.ts';
import { JobExecutionError } from '../runtime/errors.ts';
import type { ClusterOptions, CodeRef, FailureInfo, JobManagerApi, JobStatus, TaskManagerInfo } from './protocol.ts';
import { NodeProcessLauncher, type ProcessLauncher, type WorkerProcess } from './launcher.ts';
import { ipcEndpoint } from './rpc/endpoints.ts';
import { serveLaunchRequests } from './relayed-launcher.ts';
import { isJobFinishedBeforeStop } from '../checkpoint/job-master/job-master.ts';
import { ExitRace } from './exit-race.ts';

type JobManagerRemote = Comlink.Remote<JobManagerApi & { ready(): Promise<boolean> }>;

/**
 * What stopping one job with a savepoint came to: the savepoint's path, or why there is none
 * (`finished`: the job ended by itself first, its output complete).
 *
 * @example
 * const r: StopResult = { job: 'orders', path: '/data/savepoints/savepoint-orders-7' };
 */
export interface StopResult {
  job: string;
  path?: string;
  error?: string;
  finished?: boolean;
}

/** How often the client polls a running job's status (ms). */
const POLL_MS = 50;

/**
 * A cluster of one jobmanager and N taskmanagers on this machine.
 *
 * @example
 * const cluster = new LocalCluster({ taskManagers: 2 });
 * installExecutionHost({ submitJob: (job) => cluster.submit(job, codeRef()) });
 */
export class LocalCluster {
  private jobManager: { process: WorkerProcess; api: JobManagerRemote; exited: Promise<string>; exit: ExitRace } | undefined;
  /** Jobs submitted and not yet ended: name and jobmanager id. */
  private readonly running = new Map<string, string>();

  constructor(
    private readonly options: ClusterOptions,
    /** The client's environment defaults, which the taskmanagers must apply too. */
    private readonly defaults: HostDefaults = {},
    private readonly launcher: ProcessLauncher = new NodeProcessLauncher(),
    /** Environment variables the jobmanager and taskmanagers get on top of the usual ones. */
    private readonly workerEnv: Record<string, string> = {},
  ) {}

  private start() {
    if (this.jobManager) return this.jobManager;
    const proc = this.launcher.launch('jobmanager', [JSON.stringify(this.options)], this.workerEnv);
    if (this.options.launchTaskManagers === 'parent') {
      // Forked taskmanagers inherit the jobmanager's environment; relayed ones get it here.
      const launcher = this.launcher;
      const workerEnv = this.workerEnv;
      serveLaunchRequests(proc, { launch: (role, args, env) => launcher.launch(role, args, { ...workerEnv, ...env }) });
    }
    const api = Comlink.wrap<JobManagerApi & { ready(): Promise<boolean> }>(ipcEndpoint(proc.ipc, 'jobmanager'));
    const exited = new Promise<string>((resolve) => proc.onExit((code, signal) => resolve(signal ? `killed by ${signal}` : `exited with code ${code}`)));
    this.jobManager = { process: proc, api, exited, exit: new ExitRace(exited) };
    return this.jobManager;
  }

  /**
   * Submits a job whose code is `code` (or will be, once bundled); the plan is the job's graph.
   * `onAccepted` learns the jobmanager's id of the job (taskmanagers tag its output with it).
   */
  submit(
    job: JobDefinition,
    code: CodeRef | Promise<CodeRef>,
    restore: { fromSavepoint?: string; allowNonRestoredState?: boolean; allowJobMismatch?: boolean; savepointDir?: string } = {},
    onAccepted?: (clusterJobId: string) => void,
  ): JobClient {
    const jm = this.start();
    let latest: OperatorReport[] = [];
    // Filled in from each poll's new and changed entries; the jobmanager sends each settled one once.
    const checkpoints = new CheckpointHistory(Math.max(DETAILED_CHECKPOINTS, job.graph.checkpointing?.retained ?? 0, this.options.minRetained ?? 0));
    let restarts: RestartInfo[] = [];
    let state: JobState = 'CREATED';
    let replays: ReplayProgress[] = [];
    let jobId: string | undefined;
    let accept!: (id: string) => void;
    const accepted = new Promise<string>((resolve) => (accept = resolve));
    let cancelRequested = false;
    // Marked, so that `weir run` can tell a lost jobmanager from a failed job and say how to resume.
    const jmDied = (how: string) => Object.assign(new JobExecutionError(job.graph.name, undefined, new Error(`the jobmanager ${how}`)), { jobManagerLost: true });
    const result = (async (): Promise<JobResult> => {
      jobId = await jm.exit.race(jm.api.submit({ plan: job.graph, code: await code, defaults: this.defaults, ...restore }), jmDied);
      this.running.set(jobId, job.graph.name);
      accept(jobId);
      onAccepted?.(jobId);
      if (cancelRequested) void jm.api.cancel(jobId);
      for (;;) {
        const status: JobStatus = await jm.exit.race(jm.api.status(jobId, checkpoints.unsettledFrom()), jmDied);
        latest = status.operators;
        checkpoints.merge(status.checkpoints);
        restarts = status.restarts;
        state = status.state;
        replays = status.replays ?? [];
        if (status.report) {
          this.running.delete(jobId);
          if (status.state === 'FAILED') throw failureError(job, status.failure, status.report);
          return { report: status.report };
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();
    return {
      jobName: job.graph.name,
      result,
      cancel: () => {
        cancelRequested = true;
        if (jobId) void jm.api.cancel(jobId);
      },
      metrics: () => latest,
      checkpoints: (fromId) => checkpoints.from(fromId),
      restarts: () => restarts.slice(),
      state: () => state,
      triggerSavepoint: () => this.withJobId(job, accepted, result, (id) => jm.api.triggerSavepoint(id)),
      stopWithSavepoint: (stop?: StopOptions) => this.withJobId(job, accepted, result, (id) => jm.api.stopWithSavepoint(id, stop)),
      replays: () => replays.map((r) => ({ ...r })),
      controlReplay: async (name: string, action: ReplayAction) => {
        if (!jobId) throw new Error(`Job '${job.graph.name}' has not started yet: no replay '${name}' runs in it`);
        await jm.api.controlReplay(jobId, name, action);
        // The next status poll brings the new state; this call's caller may want it at once.
        replays = (await jm.api.status(jobId, checkpoints.lastId + 1)).replays ?? replays;
      },
    };
  }

  /** Runs a savepoint call once the jobmanager has accepted the job (its code may still be bundling). */
  private async withJobId(job: JobDefinition, accepted: Promise<string>, result: Promise<JobResult>, call: (id: string) => Promise<string>): Promise<string> {
    const ended = result.then(
      () => undefined,
      () => undefined,
    );
    const jobId = await Promise.race([accepted, ended]);
    if (jobId === undefined) throw new Error(`Job '${job.graph.name}' ended before it could take a savepoint`);
    return call(jobId);
  }

  /**
   * Takes a savepoint of every running job and stops it (Flink's stop-with-savepoint); resolves
   * with the savepoint paths.
   */
  async stopAllWithSavepoint(stop?: StopOptions): Promise<StopResult[]> {
    const jm = this.jobManager;
    if (!jm) return [];
    return Promise.all(
      [...this.running].map(([id, name]) =>
        jm.api.stopWithSavepoint(id, stop).then(
          (p) => ({ job: name, path: p }),
          (e: unknown) => ({ job: name, error: e instanceof Error ? e.message : String(e), ...(isJobFinishedBeforeStop(e) ? { finished: true } : {}) }),
        ),
      ),
    );
  }

  /**
   * The cluster's taskmanagers with their slots in use and memory; empty before the first job
   * started the cluster, or when its jobmanager does not answer.
   *
   * @example
   * for (const tm of await cluster.taskManagers()) console.log(tm.id, tm.pid, tm.rssBytes);
   */
  async taskManagers(): Promise<TaskManagerInfo[]> {
    const jm = this.jobManager;
    if (!jm) return [];
    return jm.exit.race(jm.api.listTaskManagers(), () => new Error('the jobmanager is gone')).catch(() => []);
  }

  /** Stops the jobmanager and its taskmanagers; waits until the jobmanager has exited. */
  async shutdown(): Promise<void> {
    const jm = this.jobManager;
    if (!jm) return;
    this.jobManager = undefined;
    await Promise.race([jm.api.shutdown().catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
    const timer = setTimeout(() => jm.process.kill('SIGKILL'), 2000);
    await jm.exited;
    clearTimeout(timer);
  }
}

/**
 * Whether a job's failure is the loss of the jobmanager (killed, crashed) rather than of the job:
 * its retained checkpoints are then the way to resume.
 *
 * @example
 * client.result.catch((e) => { if (isJobManagerLoss(e)) console.error('resume from the last checkpoint'); });
 */
export function isJobManagerLoss(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { jobManagerLost?: unknown }).jobManagerLost === true;
}

/** The error `execute()` rejects with when the cluster reports a failure. */
function failureError(job: JobDefinition, failure: FailureInfo | undefined, report: JobResult['report']): JobExecutionError {
  const cause = new Error(failure?.cause?.message ?? failure?.message ?? 'unknown failure');
  if (failure?.cause) {
    cause.name = failure.cause.name;
    if (failure.cause.stack) cause.stack = failure.cause.stack;
  }
  const error = new JobExecutionError(job.graph.name, failure?.operator, cause);
  report.error = error.message;
  return Object.assign(error, { report, taskManager: failure?.taskManager });
}
