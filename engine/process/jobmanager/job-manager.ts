import * as Comlink from 'comlink';
import path from 'node:path';
import { buildJobGraph } from '../../plan/chaining.ts';
import { operatorReports, type SubtaskMetrics } from '../../runtime/metrics.ts';
import type { ProcessLauncher } from '../launcher.ts';
import { ipcEndpoint } from '../rpc/endpoints.ts';
import type { ClusterOptions, FailureInfo, JobManagerApi, JobStatus, JobSubmission, TaskManagerApi, TaskManagerEvents, TaskManagerInfo, TaskManagerResources } from '../protocol.ts';
import { describeError } from '../protocol.ts';
import type { StopOptions } from '../../runtime/job.ts';
import { JobMaster } from '../../checkpoint/job-master/job-master.ts';
import { isTerminal } from '../../checkpoint/job-master/job-state.ts';
import { FsCheckpointStorage } from '../checkpoint/fs-storage.ts';
import { defaultCheckpointDir, jobRunLocation } from '../checkpoint/location.ts';
import { checkReplayAction, combineByName, noSuchReplay, replayNames, type ReplayAction } from '../../runtime/job-replays.ts';
import type { ReplayProgress } from '../../runtime/replay-control.ts';
import { ClusterJobFailure, TaskManagerAttempt, TaskManagerDeployer, TaskManagerLost, type TaskManagerHandle } from './taskmanager-deployer.ts';
import { DEFAULT_HEARTBEAT_SETTINGS, HeartbeatClock, TaskManagerHeartbeat, type HeartbeatSettings, type HeartbeatVerdict } from './heartbeat-monitor.ts';
import { mainThreadCpuMs } from './thread-cpu.ts';

/** One job the jobmanager runs: its lifecycle (the JobMaster) and what the client polls. */
interface JobEntry {
  id: string;
  submission: JobSubmission;
  master: JobMaster;
  deployer: TaskManagerDeployer;
  /** What `status()` answers, but the state and histories, which come from the JobMaster. */
  status: JobStatus;
  previous?: { metrics: SubtaskMetrics[]; at: number };
}

/** The job's replays as its status shows them: each source's progress combined over the taskmanagers running it. */
function refreshReplays(job: JobEntry, attempt: TaskManagerAttempt): void {
  job.status.replays = combineByName([...attempt.replays.values()].flat());
}

/** Starts of one taskmanager before giving up when each dies before answering. */
const TASKMANAGER_START_ATTEMPTS = 3;

/**
 * The jobmanager process's service (Flink's Dispatcher and ResourceManager, for one machine):
 * the taskmanager pool with its heartbeats, and the RPC front. Each submitted job gets a
 * `JobMaster` that deploys onto the pool through a `TaskManagerDeployer` (docs/ARCHITECTURE.md
 * §7); a taskmanager that died is replaced before the next deployment.
 */
/** How long a connection failure to another taskmanager waits for that taskmanager's exit (see onTaskFailure). */
const PEER_LOSS_GRACE_MS = 3000;

export class JobManager implements JobManagerApi {
  private readonly taskManagers: TaskManagerHandle[] = [];
  private readonly jobs = new Map<string, JobEntry>();
  private nextJob = 1;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: HeartbeatSettings;
  private heartbeatClock: HeartbeatClock | undefined;
  private readonly checkpointDir: string;
  private readonly savepointDir: string;

  constructor(
    private readonly options: ClusterOptions,
    private readonly launcher: ProcessLauncher,
  ) {
    const timeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_SETTINGS.timeoutMs;
    this.heartbeat = {
      intervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_SETTINGS.intervalMs,
      timeoutMs,
      // A timeout given without a CPU limit bounds a spinning function too (one timeout, as before).
      runawayCpuMs: options.runawayCpuMs ?? (options.heartbeatTimeoutMs !== undefined ? timeoutMs : DEFAULT_HEARTBEAT_SETTINGS.runawayCpuMs),
    };
    this.checkpointDir = path.resolve(options.checkpointDir ?? defaultCheckpointDir());
    this.savepointDir = path.resolve(options.savepointDir ?? path.join(this.checkpointDir, 'savepoints'));
  }

  /** Starts the taskmanagers and the heartbeat and metrics loops. */
  async startCluster(): Promise<void> {
    if (!(this.options.taskManagers >= 1)) throw new Error(`A cluster needs at least one taskmanager, got ${this.options.taskManagers}`);
    await Promise.all(Array.from({ length: this.options.taskManagers }, (_, i) => this.startTaskManager(i)));
    this.heartbeatClock = new HeartbeatClock(this.heartbeat.intervalMs, performance.now());
    this.heartbeatTimer = setInterval(() => this.checkHeartbeats(), this.heartbeat.intervalMs);
    this.metricsTimer = setInterval(() => void this.pollMetrics(), 1000);
  }

  /**
   * Starts taskmanager `id`, and starts it again if it dies before it answers (killed while
   * starting, as by a user or the OOM killer): a lost taskmanager is replaceable. One that dies
   * on every start fails after a few attempts.
   */
  private async startTaskManager(id: number): Promise<TaskManagerHandle> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.launchTaskManager(id);
      } catch (e) {
        if (!(e instanceof TaskManagerLost) || attempt >= TASKMANAGER_START_ATTEMPTS) throw e;
      }
    }
  }

  private async launchTaskManager(id: number): Promise<TaskManagerHandle> {
    const proc = this.launcher.launch('taskmanager', [String(id)]);
    const events: TaskManagerEvents = {
      finished: (tm, attempt, metrics, resources, collected) => this.onTaskManagerFinished(tm, attempt, metrics, resources, collected),
      failed: (tm, attempt, failure) => this.onTaskFailure(tm, attempt, failure),
      acknowledgeCheckpoint: (_tm, attempt, ack) => this.currentAttempt(attempt)?.acknowledge(ack),
      declineCheckpoint: (_tm, attempt, id, reason, counts) => this.currentAttempt(attempt)?.decline(id, reason, counts),
      inputEnded: (tm, attempt) => this.currentAttempt(attempt)?.onInputEnded(tm),
    };
    Comlink.expose(events, ipcEndpoint(proc.ipc, 'tm-events'));
    const api = Comlink.wrap<TaskManagerApi>(ipcEndpoint(proc.ipc, 'taskmanager'));
    const dead = new Promise<never>((_, reject) => proc.onExit((code, signal) => reject(new TaskManagerLost(`taskmanager ${id} (pid ${proc.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`))));
    dead.catch(() => {});
    const handle: TaskManagerHandle = { id, process: proc, api, pid: proc.pid, dataAddress: '', heartbeat: new TaskManagerHeartbeat(this.heartbeat, performance.now()), alive: true, tasks: new Map(), slots: new Map(), startedAt: Date.now(), dead };
    this.taskManagers[id] = handle;
    proc.onExit((code, signal) => this.onTaskManagerExit(handle, code, signal));
    const hello = await Promise.race([api.hello(id), dead]);
    handle.dataAddress = hello.dataAddress;
    handle.heartbeat.answered(performance.now());
    return handle;
  }

  /** The attempt `attempt` names when it is its job's current one; undefined for one that was replaced. */
  private currentAttempt(attempt: string): TaskManagerAttempt | undefined {
    const current = this.jobs.get(attempt.slice(0, attempt.lastIndexOf('@')))?.deployer.current;
    return current?.id === attempt ? current : undefined;
  }

  /**
   * A task failed on taskmanager `tm`. When it failed because its connection to another
   * taskmanager broke, that taskmanager is the cause if it is dying: its exit, usually seen a
   * moment later, fails the attempt naming it (killed by SIGKILL, pid), as the root cause a user
   * needs, instead of the peer's "connection lost". If it lives on for `PEER_LOSS_GRACE_MS`, the
   * connection failure is the cause.
   */
  private onTaskFailure(tm: number, attempt: string, failure: FailureInfo): void {
    const peer = this.taskManagers.find((t) => t && t.id !== tm && t.dataAddress !== '' && failure.message.includes(t.dataAddress));
    if (!peer) return this.onAttemptFailure(attempt, failure);
    const grace = setTimeout(() => this.onAttemptFailure(attempt, failure), PEER_LOSS_GRACE_MS);
    peer.dead.catch(() => {
      clearTimeout(grace);
      // After the exit has failed the attempt naming the peer; a no-op then, and the failure
      // still ends an attempt the peer's exit did not concern.
      setTimeout(() => this.onAttemptFailure(attempt, failure), 0);
    });
  }

  private onAttemptFailure(attempt: string, failure: FailureInfo): void {
    this.currentAttempt(attempt)?.onFailed(failure, this.taskManagers);
  }

  private onTaskManagerExit(tm: TaskManagerHandle, code: number | null, signal: string | null): void {
    if (!tm.alive) return;
    tm.alive = false;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    for (const [attempt, tasks] of tm.tasks) {
      this.onAttemptFailure(attempt, { message: `taskmanager ${tm.id} (pid ${tm.pid}) ${how} while running ${tasks.join(', ')}`, taskManager: tm.id });
    }
  }

  private checkHeartbeats(): void {
    const now = performance.now();
    const credited = this.heartbeatClock!.tick(now);
    for (const tm of this.taskManagers) {
      if (!tm?.alive) continue;
      const cpu = mainThreadCpuMs(tm.pid);
      const verdict = tm.heartbeat.check(credited, cpu, now);
      if (verdict) {
        this.declareLost(tm, verdict);
        continue;
      }
      if (!tm.heartbeat.idle) continue;
      tm.heartbeat.requested(cpu);
      tm.api.heartbeat().then(
        () => tm.heartbeat.answered(performance.now()),
        () => {},
      );
    }
  }

  /**
   * Ends a taskmanager judged lost, and fails its attempts once it is gone (Flink fences a lost
   * taskmanager's tasks before the job restores): until its exit is seen, a process that was only
   * slow could still write or commit beside the restarted attempt.
   */
  private declareLost(tm: TaskManagerHandle, verdict: HeartbeatVerdict): void {
    tm.alive = false;
    const attempts = [...tm.tasks.keys()];
    const tasks = [...tm.tasks.values()].flat();
    const silent = (verdict.silentMs / 1000).toFixed(1);
    // On a machine so loaded that a spinning thread got little CPU, the timeout may come first:
    // a second of CPU without answering still says computing, not waiting.
    const computing = verdict.kind === 'runaway' || verdict.cpuMs >= 1000;
    const cpu = verdict.cpuMs > 0 ? `, its main thread computing for ${(verdict.cpuMs / 1000).toFixed(1)} s of CPU in one turn,` : '';
    const reason = computing ? 'a user function may be stuck in an endless loop' : 'a user function may be blocked (waiting, not computing), or the process was stopped';
    const message = `taskmanager ${tm.id} (pid ${tm.pid}) stopped answering heartbeats for ${silent} s${cpu} while running ${tasks.join(', ')}: ${reason}`;
    tm.process.kill('SIGKILL');
    tm.dead.catch(() => {
      for (const attempt of attempts) this.onAttemptFailure(attempt, { message, taskManager: tm.id });
    });
  }

  /** Replaces dead taskmanagers before a job is scheduled; resolves with the pool. */
  private async ensureTaskManagers(): Promise<readonly TaskManagerHandle[]> {
    await Promise.all(this.taskManagers.map((tm, i) => (tm.alive ? undefined : this.startTaskManager(i))));
    return this.taskManagers;
  }

  async submit(submission: JobSubmission): Promise<string> {
    const id = `job-${this.nextJob++}`;
    const plan = submission.plan;
    const jobGraph = buildJobGraph(plan);
    const n = this.options.taskManagers;
    const maxParallelism = Math.max(...jobGraph.chains.map((c) => c.parallelism));
    const slots = this.options.slots;
    if (slots !== undefined && maxParallelism > n * slots) {
      throw new Error(`Job '${plan.name}' needs ${maxParallelism} slots, but ${n} taskmanagers with ${slots} slots each offer ${n * slots}`);
    }
    // A submission may name its own savepoint folder (the workbench: savepoints/ next to the notebook).
    const location = jobRunLocation(plan.name, { checkpointDir: this.checkpointDir, savepointDir: submission.savepointDir ?? this.savepointDir });
    const storage = new FsCheckpointStorage(location);
    const deployer = new TaskManagerDeployer(id, submission, jobGraph, location, { ensureTaskManagers: () => this.ensureTaskManagers(), ...(this.options.slots !== undefined ? { slots: this.options.slots } : {}) });
    let deployed!: () => void;
    const leftCreated = new Promise<void>((resolve) => (deployed = resolve));
    const master = new JobMaster(plan, deployer, {
      storage,
      ...(submission.fromSavepoint !== undefined ? { restoreFrom: submission.fromSavepoint } : {}),
      ...(submission.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
      ...(submission.allowJobMismatch ? { allowJobMismatch: true } : {}),
      ...(this.options.minRetained !== undefined ? { minRetained: this.options.minRetained } : {}),
      ...(this.options.retainAfterEnd ? { retainAfterEnd: true } : {}),
      taskManagers: n,
      onStateChange: (from) => {
        if (from === 'CREATED') deployed();
      },
    });
    const job: JobEntry = { id, submission, master, deployer, status: { state: 'CREATED', operators: [], taskManagers: n, checkpoints: [], restarts: [] } };
    this.jobs.set(id, job);
    void master.start().then(({ report, failure }) => {
      const info = failure === undefined ? undefined : failure instanceof ClusterJobFailure ? failure.info : { message: describeError(failure).message, cause: describeError(failure) };
      if (info) report.error = info.message;
      try {
        // The records of collect sinks go back to the client, which puts them into the sinks' values.
        const collected = report.status === 'FINISHED' ? deployer.current?.collectedRecords() : undefined;
        if (collected && Object.keys(collected).length > 0) report.collected = collected;
        job.status = { ...job.status, operators: report.operators, report, replays: [], ...(info ? { failure: info } : {}) };
      } catch (error) {
        // Gathering the job's result failed: the job fails saying why; the jobmanager, which runs
        // other jobs, must not die of it (an exception here would end the process with code 1).
        const message = `the jobmanager could not gather the job's result: ${describeError(error).message}`;
        const cause = { ...describeError(error), message };
        const failed = { ...report, status: 'FAILED' as const, error: message };
        delete failed.collected;
        job.status = { ...job.status, operators: report.operators, report: failed, replays: [], failure: { message, cause } };
      }
    });
    // Answer once the job runs (or ended trying): a savepoint asked for right after is then possible.
    await leftCreated;
    return id;
  }

  async status(jobId: string, checkpointsFrom = 0): Promise<JobStatus> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`Unknown job ${jobId}`);
    const master = job.master;
    // Only the checkpoints the client has not seen settle: the whole history is sent once.
    // A job whose result could not be gathered has failed, though its attempt finished.
    const state = job.status.report?.status === 'FAILED' ? 'FAILED' : master.state;
    return { ...job.status, state, checkpoints: master.checkpoints(checkpointsFrom), restarts: master.restarts() };
  }

  async cancel(jobId: string): Promise<void> {
    this.jobs.get(jobId)?.master.cancel();
  }

  async listTaskManagers(): Promise<TaskManagerInfo[]> {
    return Promise.all(
      this.taskManagers.filter(Boolean).map(async (tm) => {
        let usage: Awaited<ReturnType<TaskManagerApi['usage']>> | undefined;
        // A taskmanager stuck in a user's loop does not answer: it is listed without its memory.
        // (Not raced against `tm.dead`: each race would leave a reaction on it, polled for hours.)
        if (tm.alive) usage = await Promise.race([tm.api.usage().catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 500).unref())]);
        let slotsUsed = 0;
        for (const n of tm.slots.values()) slotsUsed += n;
        return {
          id: tm.id,
          pid: tm.pid,
          alive: tm.alive,
          startedAt: tm.startedAt,
          slotsUsed,
          ...(this.options.slots !== undefined ? { slotsTotal: this.options.slots } : {}),
          ...(usage ?? {}),
        };
      }),
    );
  }

  async triggerSavepoint(jobId: string): Promise<string> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`Unknown job ${jobId}`);
    return job.master.triggerSavepoint();
  }

  async stopWithSavepoint(jobId: string, options?: StopOptions): Promise<string> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`Unknown job ${jobId}`);
    return job.master.stopWithSavepoint(options);
  }

  async controlReplay(jobId: string, name: string, action: ReplayAction): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`Unknown job ${jobId}`);
    const names = replayNames(job.submission.plan);
    checkReplayAction(name, action);
    const attempt = job.deployer.current;
    const answers = attempt && job.master.state === 'RUNNING' && !attempt.ended
      ? await Promise.all([...attempt.pending].map((tm) => this.taskManagers[tm]!.api.controlReplay(attempt.id, name, action).then((p) => [tm, p] as const, () => undefined)))
      : [];
    const hits = answers.filter((a) => a?.[1] !== undefined);
    if (hits.length === 0) throw noSuchReplay(job.submission.plan.name, name, names);
    // The job may have ended or restarted while the taskmanagers answered (at max speed a replay
    // ends at once): its final status has no replays, and must keep none.
    if (!attempt || job.deployer.current !== attempt || attempt.ended || isTerminal(job.master.state)) return;
    // The new state shows at once, not only at the next metrics poll.
    for (const [tm, progress] of hits as (readonly [number, ReplayProgress])[]) {
      attempt.replays.set(tm, (attempt.replays.get(tm) ?? []).filter((p) => p.name !== name).concat(progress));
    }
    refreshReplays(job, attempt);
  }

  async shutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.metricsTimer);
    for (const tm of this.taskManagers) {
      tm.alive = false;
      tm.process.kill('SIGTERM');
    }
    // A taskmanager stuck in a user function cannot run its SIGTERM handler: after a grace
    // period the jobmanager exits, and `killTaskManagers` (on exit) ends what is left.
    const exited = Promise.allSettled(this.taskManagers.filter(Boolean).map((tm) => tm.dead));
    void Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]).then(() => process.exit(0));
  }

  /**
   * Kills every taskmanager at once; called when the jobmanager exits (its client has gone, or
   * it shuts down), so that no taskmanager outlives it, not even one stuck in an endless loop
   * that would never notice its parent has gone.
   *
   * @example
   * process.on('exit', () => jobManager.killTaskManagers());
   */
  killTaskManagers(): void {
    for (const tm of this.taskManagers) if (tm) tm.process.kill('SIGKILL');
  }

  private async pollMetrics(): Promise<void> {
    for (const job of this.jobs.values()) {
      const attempt = job.deployer.current;
      if (!attempt || attempt.ended || (job.master.state !== 'RUNNING' && job.master.state !== 'STOPPING')) continue;
      const results = await Promise.all([...attempt.pending].map((tm) => this.taskManagers[tm]!.api.metrics(attempt.id).then((m) => [tm, m] as const, () => undefined)));
      // The job may have ended or restarted while the taskmanagers answered.
      if (job.deployer.current !== attempt || attempt.ended) continue;
      for (const r of results) {
        // A taskmanager that finished meanwhile has reported its final figures already.
        if (!r || !attempt.pending.has(r[0])) continue;
        attempt.metrics.set(r[0], r[1].subtasks);
        attempt.replays.set(r[0], r[1].replays);
      }
      refreshReplays(job, attempt);
      const all = [...attempt.metrics.values()].flat();
      const now = Date.now();
      const previous = job.previous ? { metrics: job.previous.metrics, elapsedMs: now - job.previous.at } : undefined;
      job.status.operators = operatorReports(job.submission.plan, all, previous);
      job.previous = { metrics: all, at: now };
    }
  }

  private onTaskManagerFinished(tm: number, attempt: string, metrics: SubtaskMetrics[], resources: TaskManagerResources, collected?: Record<string, unknown[]>): void {
    this.taskManagers[tm]?.tasks.delete(attempt);
    this.taskManagers[tm]?.slots.delete(attempt);
    const current = this.currentAttempt(attempt);
    if (!current) return;
    current.onFinished(tm, metrics, resources, collected);
    const job = this.jobs.get(attempt.slice(0, attempt.lastIndexOf('@')))!;
    refreshReplays(job, current);
  }
}
