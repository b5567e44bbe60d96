/**
 * The client's side of a worker-process cluster: starts the jobmanager on the first job, submits
 * jobs to it, and turns its status into the `JobClient` that `env.execute()` awaits. Installed as
 * the execution host's `submitJob` by `weir run` (and the workbench host).
 */
import * as Comlink from 'comlink';
import type { JobClient, JobDefinition, JobResult, ReplayAction, ReplayProgress } from '../runtime/job.ts';
import type { HostDefaults, OperatorReport } from '../runtime/host.ts';
import type { CheckpointStats } from '../runtime/checkpoint-stats.ts';
import { JobExecutionError } from '../runtime/errors.ts';
import type { ClusterOptions, CodeRef, FailureInfo, JobManagerApi, JobStatus } from './protocol.ts';
import { NodeProcessLauncher, type ProcessLauncher, type WorkerProcess } from './launcher.ts';
import { ipcEndpoint } from './rpc/endpoints.ts';
import { serveLaunchRequests } from './relayed-launcher.ts';

type JobManagerRemote = Comlink.Remote<JobManagerApi & { ready(): Promise<boolean> }>;

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
  private jobManager: { process: WorkerProcess; api: JobManagerRemote; exited: Promise<string> } | undefined;
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
    this.jobManager = { process: proc, api, exited };
    return this.jobManager;
  }

  /**
   * Submits a job whose code is `code` (or will be, once bundled); the plan is the job's graph.
   * `onAccepted` learns the jobmanager's id of the job (taskmanagers tag its output with it).
   */
  submit(
    job: JobDefinition,
    code: CodeRef | Promise<CodeRef>,
    restore: { fromSavepoint?: string; allowNonRestoredState?: boolean; allowJobMismatch?: boolean } = {},
    onAccepted?: (clusterJobId: string) => void,
  ): JobClient {
    const jm = this.start();
    let latest: OperatorReport[] = [];
    let checkpoints: CheckpointStats[] = [];
    let restarts: { at: number; cause: string }[] = [];
    let replays: ReplayProgress[] = [];
    let jobId: string | undefined;
    let accept!: (id: string) => void;
    const accepted = new Promise<string>((resolve) => (accept = resolve));
    let cancelRequested = false;
    const jmDied = jm.exited.then((how) => {
      throw new JobExecutionError(job.graph.name, undefined, new Error(`the jobmanager ${how}`));
    });
    const result = (async (): Promise<JobResult> => {
      jobId = await Promise.race([jm.api.submit({ plan: job.graph, code: await code, defaults: this.defaults, ...restore }), jmDied]);
      this.running.set(jobId, job.graph.name);
      accept(jobId);
      onAccepted?.(jobId);
      if (cancelRequested) void jm.api.cancel(jobId);
      for (;;) {
        const status: JobStatus = await Promise.race([jm.api.status(jobId), jmDied]);
        latest = status.operators;
        checkpoints = status.checkpoints;
        restarts = status.restarts;
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
      checkpoints: () => checkpoints.slice(),
      restarts: () => restarts.slice(),
      triggerSavepoint: () => this.withJobId(job, accepted, result, (id) => jm.api.triggerSavepoint(id)),
      stopWithSavepoint: () => this.withJobId(job, accepted, result, (id) => jm.api.stopWithSavepoint(id)),
      replays: () => replays.map((r) => ({ ...r })),
      controlReplay: async (name: string, action: ReplayAction) => {
        if (!jobId) throw new Error(`Job '${job.graph.name}' has not started yet: no replay '${name}' runs in it`);
        await jm.api.controlReplay(jobId, name, action);
        // The next status poll brings the new state; this call's caller may want it at once.
        replays = (await jm.api.status(jobId)).replays ?? replays;
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
  async stopAllWithSavepoint(): Promise<{ job: string; path?: string; error?: string }[]> {
    const jm = this.jobManager;
    if (!jm) return [];
    return Promise.all(
      [...this.running].map(([id, name]) =>
        jm.api.stopWithSavepoint(id).then(
          (p) => ({ job: name, path: p }),
          (e: unknown) => ({ job: name, error: e instanceof Error ? e.message : String(e) }),
        ),
      ),
    );
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
