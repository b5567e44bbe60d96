import * as Comlink from 'comlink';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildJobGraph, type JobGraphSpec } from '../../plan/chaining.ts';
import { operatorReports, type SubtaskMetrics } from '../../runtime/metrics.ts';
import type { JobReport } from '../../runtime/host.ts';
import type { ProcessLauncher, WorkerProcess } from '../launcher.ts';
import { ipcEndpoint } from '../rpc/endpoints.ts';
import type {
  CheckpointLocation,
  ClusterOptions,
  FailureInfo,
  JobManagerApi,
  JobStatus,
  JobSubmission,
  TaskManagerApi,
  TaskManagerEvents,
  TaskManagerResources,
} from '../protocol.ts';
import { describeError } from '../protocol.ts';
import { CheckpointCoordinator } from '../../checkpoint/coordinator.ts';
import { DEFAULT_CHECKPOINT_CONFIG, type CheckpointStats } from '../../checkpoint/types.ts';
import type { StoredCheckpoint } from '../../checkpoint/storage.ts';
import { RestartBackoff } from '../../checkpoint/restart-strategies.ts';
import { FsCheckpointStorage } from '../checkpoint/fs-storage.ts';
import { checkReplayAction, combineByName, noSuchReplay, replayNames, type ReplayAction } from '../../runtime/job-replays.ts';
import type { ReplayProgress } from '../../runtime/replay-control.ts';

interface TaskManagerHandle {
  id: number;
  process: WorkerProcess;
  api: Comlink.Remote<TaskManagerApi>;
  pid: number;
  dataAddress: string;
  lastHeartbeat: number;
  alive: boolean;
  /** Attempt id → names of the tasks it runs, for failure messages. */
  tasks: Map<string, string[]>;
  /** Rejects when the process exits: calls to it race this, so none waits on a dead process. */
  dead: Promise<never>;
}

interface JobState {
  id: string;
  submission: JobSubmission;
  jobGraph: JobGraphSpec;
  status: JobStatus;
  started: number;
  /** Current attempt (0 first, +1 per restart); taskmanagers know it as `<id>@<attempt>`. */
  attempt: number;
  /** Taskmanagers that still run subtasks of the current attempt. */
  pending: Set<number>;
  metrics: Map<number, SubtaskMetrics[]>;
  /** Records of the job's `Sinks.collect()` sinks, by taskmanager, then operator uid. */
  collected: Map<number, Record<string, unknown[]>>;
  /** Progress of the job's replays, by taskmanager, as last polled. */
  replays: Map<number, ReplayProgress[]>;
  resources: TaskManagerResources[];
  previous?: { metrics: SubtaskMetrics[]; at: number };
  cancelled: boolean;
  /** Stopped with a savepoint: ends FINISHED. */
  stopped: boolean;
  storage: FsCheckpointStorage;
  location: CheckpointLocation;
  coordinator?: CheckpointCoordinator;
  backoff: RestartBackoff;
  /** The savepoint the job was started from, until a checkpoint replaces it. */
  initialRestore?: StoredCheckpoint;
  lastCheckpointId: number;
  restarting: boolean;
}

const attemptId = (job: JobState) => `${job.id}@${job.attempt}`;

/** The job's replays as its status shows them: each source's progress combined over the taskmanagers running it. */
function refreshReplays(job: JobState): void {
  job.status.replays = combineByName([...job.replays.values()].flat());
}

/** Starts of one taskmanager before giving up when each dies before answering. */
const TASKMANAGER_START_ATTEMPTS = 3;

/** A taskmanager died while the jobmanager waited on it: a failure to recover from, not a bug. */
class TaskManagerLost extends Error {
  override name = 'TaskManagerLost';
}

/**
 * Schedules jobs onto taskmanager processes and watches them (Flink's JobMaster and
 * ResourceManager, for one machine). Subtask i of every chain goes to taskmanager i mod N, so
 * forward edges stay inside a process. It coordinates checkpoints, and on a failure restarts
 * the job from the latest completed checkpoint as its restart strategy allows, replacing
 * taskmanagers that died.
 */
export class JobManager implements JobManagerApi {
  private readonly taskManagers: TaskManagerHandle[] = [];
  private readonly jobs = new Map<string, JobState>();
  private nextJob = 1;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly checkpointDir: string;
  private readonly savepointDir: string;

  constructor(
    private readonly options: ClusterOptions,
    private readonly launcher: ProcessLauncher,
  ) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 500;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 3000;
    this.checkpointDir = path.resolve(options.checkpointDir ?? path.join(os.tmpdir(), 'weir-checkpoints'));
    this.savepointDir = path.resolve(options.savepointDir ?? path.join(this.checkpointDir, 'savepoints'));
  }

  /** Starts the taskmanagers and the heartbeat and metrics loops. */
  async startCluster(): Promise<void> {
    if (!(this.options.taskManagers >= 1)) throw new Error(`A cluster needs at least one taskmanager, got ${this.options.taskManagers}`);
    await Promise.all(Array.from({ length: this.options.taskManagers }, (_, i) => this.startTaskManager(i)));
    this.heartbeatTimer = setInterval(() => this.checkHeartbeats(), this.heartbeatIntervalMs);
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
      failed: (_tm, attempt, failure) => this.onAttemptFailure(attempt, failure),
      acknowledgeCheckpoint: (_tm, attempt, ack) => this.jobOfAttempt(attempt)?.coordinator?.acknowledge(ack),
      declineCheckpoint: (_tm, attempt, id, reason, counts) => this.jobOfAttempt(attempt)?.coordinator?.decline(id, reason, counts),
    };
    Comlink.expose(events, ipcEndpoint(proc.ipc, 'tm-events'));
    const api = Comlink.wrap<TaskManagerApi>(ipcEndpoint(proc.ipc, 'taskmanager'));
    const dead = new Promise<never>((_, reject) => proc.onExit((code, signal) => reject(new TaskManagerLost(`taskmanager ${id} (pid ${proc.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`))));
    dead.catch(() => {});
    const handle: TaskManagerHandle = { id, process: proc, api, pid: proc.pid, dataAddress: '', lastHeartbeat: Date.now(), alive: true, tasks: new Map(), dead };
    this.taskManagers[id] = handle;
    proc.onExit((code, signal) => this.onTaskManagerExit(handle, code, signal));
    const hello = await Promise.race([api.hello(id), dead]);
    handle.dataAddress = hello.dataAddress;
    handle.lastHeartbeat = Date.now();
    return handle;
  }

  /** The job whose current attempt is `attempt`, or undefined for an attempt that was replaced. */
  private jobOfAttempt(attempt: string): JobState | undefined {
    const job = this.jobs.get(attempt.slice(0, attempt.lastIndexOf('@')));
    return job && attemptId(job) === attempt ? job : undefined;
  }

  private onAttemptFailure(attempt: string, failure: FailureInfo): void {
    const job = this.jobOfAttempt(attempt);
    if (job) this.failJob(job.id, failure);
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
    const now = Date.now();
    for (const tm of this.taskManagers) {
      if (!tm?.alive) continue;
      if (now - tm.lastHeartbeat > this.heartbeatTimeoutMs) {
        tm.alive = false;
        const tasks = [...tm.tasks.values()].flat();
        for (const attempt of tm.tasks.keys()) {
          this.onAttemptFailure(attempt, {
            message: `taskmanager ${tm.id} (pid ${tm.pid}) stopped answering heartbeats for ${((now - tm.lastHeartbeat) / 1000).toFixed(1)} s while running ${tasks.join(', ')}: a user function may be stuck in an endless loop`,
            taskManager: tm.id,
          });
        }
        tm.process.kill('SIGKILL');
        continue;
      }
      tm.api.heartbeat().then(
        () => (tm.lastHeartbeat = Date.now()),
        () => {},
      );
    }
  }

  /** Replaces dead taskmanagers before a job is scheduled. */
  private async ensureTaskManagers(): Promise<void> {
    await Promise.all(this.taskManagers.map((tm, i) => (tm.alive ? undefined : this.startTaskManager(i))));
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
    const location: CheckpointLocation = {
      checkpointDir: this.checkpointDir,
      savepointDir: this.savepointDir,
      // One directory per run, so that a later run of the same notebook never restores this one's state.
      jobName: `${plan.name}-${randomBytes(4).toString('hex')}`,
    };
    const storage = new FsCheckpointStorage(location);
    const checkpointing = plan.checkpointing ?? DEFAULT_CHECKPOINT_CONFIG;
    const restartSpec = plan.restartStrategy ?? { kind: 'none' as const };
    const job: JobState = {
      id,
      submission,
      jobGraph,
      started: Date.now(),
      attempt: 0,
      pending: new Set(),
      metrics: new Map(),
      collected: new Map(),
      replays: new Map(),
      resources: [],
      cancelled: false,
      stopped: false,
      storage,
      location,
      backoff: new RestartBackoff(restartSpec, { clock: () => Date.now() }),
      lastCheckpointId: 0,
      restarting: false,
      status: { state: 'CREATED', operators: [], taskManagers: n, checkpoints: [], restarts: [] },
    };
    this.jobs.set(id, job);
    try {
      if (submission.fromSavepoint) {
        const stored = await storage.load(submission.fromSavepoint);
        this.checkRestorable(job, stored);
        job.initialRestore = stored;
        job.lastCheckpointId = stored.metadata.checkpointId;
      }
      void checkpointing;
      await this.deployAttempt(job, job.initialRestore);
    } catch (e) {
      const failure = { message: describeError(e).message, cause: describeError(e) };
      // A taskmanager lost while deploying is recoverable; a plan that cannot be built is not.
      if (e instanceof TaskManagerLost) this.failJob(id, failure);
      else this.endWithFailure(job, failure);
    }
    return id;
  }

  /** Refuses a savepoint with state for operators the job does not have, unless allowed. */
  private checkRestorable(job: JobState, stored: StoredCheckpoint): void {
    const uids = new Set(job.submission.plan.vertices.map((v) => v.uid));
    const missing = [...new Set(stored.metadata.states.map((s) => s.uid))].filter((uid) => !uids.has(uid));
    if (missing.length && !job.submission.allowNonRestoredState) {
      const names = missing.map((uid) => `'${stored.metadata.operators.find((o) => o.uid === uid)?.name ?? uid}' (uid ${uid})`);
      throw new Error(
        `The savepoint ${stored.location} holds state for ${names.join(', ')}, which the job does not have. ` +
          `Give the operator its old uid with .uid(...), or pass --allow-non-restored-state to drop that state`,
      );
    }
  }

  private async deployAttempt(job: JobState, restore: StoredCheckpoint | undefined): Promise<void> {
    // A taskmanager may have died since the failure that led here: replace it first.
    await this.ensureTaskManagers();
    const n = this.taskManagers.length;
    const assignment = job.jobGraph.chains.map((c) => Array.from({ length: c.parallelism }, (_, s) => s % n));
    const attempt = attemptId(job);
    job.pending.clear();
    job.metrics.clear();
    job.collected.clear();
    job.replays.clear();
    job.status.replays = [];
    for (const tm of this.taskManagers) {
      const names: string[] = [];
      job.jobGraph.chains.forEach((c, ci) => {
        const sites = c.vertices.filter((v) => v.definedAt && v.kind !== 'source' && v.kind !== 'sink').map((v) => `${v.name} defined at ${v.definedAt}`);
        for (let s = 0; s < c.parallelism; s++) {
          if (assignment[ci]![s] !== tm.id) continue;
          names.push(`'${c.vertices.map((v) => v.name).join(' -> ')} (${s + 1}/${c.parallelism})'${sites.length ? ` (${sites.join(', ')})` : ''}`);
        }
      });
      if (names.length) {
        tm.tasks.set(attempt, names);
        job.pending.add(tm.id);
      }
    }
    const peers = this.taskManagers.map((tm) => tm.dataAddress);
    const involved = this.taskManagers.filter((tm) => job.pending.has(tm.id));
    const deployment = { jobId: attempt, submission: job.submission, assignment, peers, storage: job.location, ...(restore ? { restore } : {}) };
    await Promise.all(involved.map((tm) => Promise.race([tm.api.deploy(deployment), tm.dead])));
    if (attemptId(job) !== attempt || isEnded(job.status.state)) return;
    job.status.state = 'RUNNING';
    await Promise.all(involved.map((tm) => Promise.race([tm.api.start(attempt), tm.dead])));
    this.startCoordinator(job, involved);
  }

  private startCoordinator(job: JobState, involved: TaskManagerHandle[]): void {
    const plan = job.submission.plan;
    const config = plan.checkpointing ?? DEFAULT_CHECKPOINT_CONFIG;
    const attempt = attemptId(job);
    const tasks = job.jobGraph.chains.reduce((n, c) => n + c.parallelism, 0);
    const history = job.status.checkpoints;
    const before = history.length;
    const coordinator = new CheckpointCoordinator(
      config,
      {
        trigger: (barrier) => {
          for (const tm of involved) void tm.api.triggerCheckpoint(attempt, barrier).catch(() => {});
        },
        complete: (metadata) => job.storage.complete(metadata),
        notifyComplete: (id) => {
          job.lastCheckpointId = id;
          for (const tm of involved) if (tm.alive) void tm.api.notifyCheckpointComplete(attempt, id).catch(() => {});
        },
        discard: (id, savepoint) => job.storage.discard(id, savepoint ? 'savepoint' : 'checkpoint'),
        failJob: (reason) => this.failJob(job.id, { message: reason }),
        retain: () => job.storage.cleanup(Math.max(config.retained, this.options.minRetained ?? 0)),
        onHistory: (h) => {
          history.length = before;
          history.push(...h.map((s) => ({ ...s })));
        },
      },
      tasks,
      { name: plan.name, operators: plan.vertices.map((v) => ({ uid: v.uid, name: v.name, parallelism: v.parallelism, maxParallelism: v.maxParallelism })) },
      () => Date.now(),
      // Never reuse an id: a failed attempt's checkpoint of that id may still be written or discarded.
      Math.max(job.lastCheckpointId, ...history.map((c) => c.id)) + 1,
    );
    job.coordinator = coordinator;
    coordinator.start();
  }

  async status(jobId: string): Promise<JobStatus> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`Unknown job ${jobId}`);
    return job.status;
  }

  async cancel(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job || isEnded(job.status.state)) return;
    job.cancelled = true;
    job.coordinator?.stop('the job was cancelled');
    const attempt = attemptId(job);
    if (job.restarting || job.pending.size === 0) {
      this.endJob(job, job.stopped ? 'FINISHED' : 'CANCELED');
      return;
    }
    await Promise.all([...job.pending].map((tm) => this.taskManagers[tm]!.api.cancel(attempt).catch(() => {})));
  }

  async triggerSavepoint(jobId: string): Promise<string> {
    const job = this.jobs.get(jobId);
    if (!job || job.status.state !== 'RUNNING' || !job.coordinator) throw new Error(`Job ${jobId} is not running`);
    const stats = await job.coordinator.trigger(true);
    return stats.path!;
  }

  async stopWithSavepoint(jobId: string): Promise<string> {
    const savepoint = await this.triggerSavepoint(jobId);
    const job = this.jobs.get(jobId)!;
    job.stopped = true;
    await this.cancel(jobId);
    return savepoint;
  }

  async controlReplay(jobId: string, name: string, action: ReplayAction): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`Unknown job ${jobId}`);
    const names = replayNames(job.submission.plan);
    checkReplayAction(name, action);
    const attempt = attemptId(job);
    const answers = job.status.state === 'RUNNING' && !job.restarting
      ? await Promise.all([...job.pending].map((tm) => this.taskManagers[tm]!.api.controlReplay(attempt, name, action).then((p) => [tm, p] as const, () => undefined)))
      : [];
    const hits = answers.filter((a) => a?.[1] !== undefined);
    if (hits.length === 0) throw noSuchReplay(job.submission.plan.name, name, names);
    // The job may have ended or restarted while the taskmanagers answered (at max speed a replay
    // ends at once): its final status has no replays, and must keep none.
    if (attemptId(job) !== attempt || isEnded(job.status.state)) return;
    // The new state shows at once, not only at the next metrics poll.
    for (const [tm, progress] of hits as (readonly [number, ReplayProgress])[]) {
      job.replays.set(tm, (job.replays.get(tm) ?? []).filter((p) => p.name !== name).concat(progress));
    }
    refreshReplays(job);
  }

  async shutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.metricsTimer);
    for (const job of this.jobs.values()) job.coordinator?.stop('the cluster is shutting down');
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
      if (job.status.state !== 'RUNNING') continue;
      const attempt = attemptId(job);
      const results = await Promise.all([...job.pending].map((tm) => this.taskManagers[tm]!.api.metrics(attempt).then((m) => [tm, m] as const, () => undefined)));
      // The job may have ended or restarted while the taskmanagers answered.
      if (attemptId(job) !== attempt || isEnded(job.status.state)) continue;
      for (const r of results) {
        // A taskmanager that finished meanwhile has reported its final figures already.
        if (!r || !job.pending.has(r[0])) continue;
        job.metrics.set(r[0], r[1].subtasks);
        job.replays.set(r[0], r[1].replays);
      }
      refreshReplays(job);
      const all = [...job.metrics.values()].flat();
      const now = Date.now();
      const previous = job.previous ? { metrics: job.previous.metrics, elapsedMs: now - job.previous.at } : undefined;
      job.status.operators = operatorReports(job.submission.plan, all, previous);
      job.previous = { metrics: all, at: now };
    }
  }

  private onTaskManagerFinished(tm: number, attempt: string, metrics: SubtaskMetrics[], resources: TaskManagerResources, collected?: Record<string, unknown[]>): void {
    this.taskManagers[tm]?.tasks.delete(attempt);
    const job = this.jobOfAttempt(attempt);
    if (!job || isEnded(job.status.state) || job.restarting) return;
    job.metrics.set(tm, metrics);
    if (collected) job.collected.set(tm, collected);
    // Its replays have ended with its subtasks.
    job.replays.delete(tm);
    refreshReplays(job);
    job.resources.push(resources);
    job.pending.delete(tm);
    if (job.pending.size === 0) this.endJob(job, job.stopped ? 'FINISHED' : job.cancelled ? 'CANCELED' : 'FINISHED');
  }

  /** A failure of the current attempt: restart from the latest checkpoint if the strategy allows. */
  private failJob(jobId: string, failure: FailureInfo): void {
    const job = this.jobs.get(jobId);
    if (!job || isEnded(job.status.state) || job.restarting) return;
    const attempt = attemptId(job);
    job.coordinator?.stop(`the job failed: ${failure.message}`);
    for (const tmId of job.pending) {
      const tm = this.taskManagers[tmId];
      tm?.tasks.delete(attempt);
      if (tm?.alive) void tm.api.cancel(attempt).catch(() => {});
    }
    if (job.cancelled) {
      // Cancelling (or stopping with a savepoint) tears down the channels between taskmanagers: a
      // task whose peer went first fails ("the producer aborted it"). That is the cancellation
      // going on, not a failure of the job, and the failed task will not report finishing.
      this.endJob(job, job.stopped ? 'FINISHED' : 'CANCELED');
      return;
    }
    const decision = job.backoff.onFailure(Date.now());
    if (!decision.restart) {
      this.endWithFailure(job, failure);
      return;
    }
    job.restarting = true;
    job.status.restarts.push({ at: Date.now(), cause: failure.message });
    setTimeout(() => void this.restart(job, failure), decision.delayMs);
  }

  private async restart(job: JobState, failure: FailureInfo): Promise<void> {
    try {
      if (job.cancelled) {
        job.restarting = false;
        this.endJob(job, job.stopped ? 'FINISHED' : 'CANCELED');
        return;
      }
      await this.ensureTaskManagers();
      const restore = (await job.storage.latest()) ?? job.initialRestore;
      job.attempt++;
      job.restarting = false;
      try {
        await this.deployAttempt(job, restore);
      } catch (e) {
        const next = { message: `restart after '${failure.message}' failed: ${describeError(e).message}`, cause: describeError(e) };
        // A taskmanager that died meanwhile is a failure like any other; anything else ends the job.
        if (e instanceof TaskManagerLost) this.failJob(job.id, next);
        else this.endWithFailure(job, next);
      }
    } catch (e) {
      job.restarting = false;
      const next = { message: `restart after '${failure.message}' failed: ${describeError(e).message}`, cause: describeError(e) };
      // Replacing a taskmanager that died meanwhile is a failure like any other (the restart strategy decides).
      if (e instanceof TaskManagerLost) this.failJob(job.id, next);
      else this.endWithFailure(job, next);
    }
  }

  private endWithFailure(job: JobState, failure: FailureInfo): void {
    if (isEnded(job.status.state)) return;
    job.status.failure = failure;
    this.endJob(job, 'FAILED');
  }

  private endJob(job: JobState, state: 'FINISHED' | 'FAILED' | 'CANCELED'): void {
    job.coordinator?.stop(`the job ${state.toLowerCase()}`);
    const operators = operatorReports(job.submission.plan, [...job.metrics.values()].flat());
    const report: JobReport = {
      name: job.submission.plan.name,
      status: state,
      durationMs: Date.now() - job.started,
      operators,
      checkpoints: job.status.checkpoints as CheckpointStats[],
      restarts: job.status.restarts.length,
    };
    Object.assign(report, { taskManagers: job.status.taskManagers, taskManagerResources: job.resources, restartCauses: job.status.restarts });
    if (job.status.failure) report.error = job.status.failure.message;
    // The records of collect sinks go back to the client, which puts them into the sinks' values.
    const collected: Record<string, unknown[]> = {};
    for (const rows of job.collected.values()) for (const [uid, values] of Object.entries(rows)) (collected[uid] ??= []).push(...values);
    if (state === 'FINISHED' && Object.keys(collected).length > 0) report.collected = collected;
    job.status = { ...job.status, state, operators, report, replays: [] };
    const config = job.submission.plan.checkpointing ?? DEFAULT_CHECKPOINT_CONFIG;
    // Checkpoints belong to the run: gone when it ends, unless retained on cancellation.
    if (this.options.retainAfterEnd) return;
    if (state === 'FINISHED' || (state === 'CANCELED' && !config.retainOnCancel)) void job.storage.cleanup(0).catch(() => {});
  }
}

function isEnded(state: JobStatus['state']): boolean {
  return state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED';
}
