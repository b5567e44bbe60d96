/**
 * The jobs that notebook cells start, as the job panel shows them. The engine hands each job to
 * the host (`ExecutionHost.submitJob`) and tells it the job started (`onJobStarted`); the
 * tracker runs it on the workbench's cluster of worker processes (or, without one, in this
 * process, with checkpoints into the storage the host chose), from a checkpoint when the cell
 * is being rewound; it remembers which cell started it (from `cellContext`), polls its live
 * figures and checkpoint history, and reports its end.
 */
import path from 'node:path';
import type { StreamGraphSpec } from '../../engine/plan/job-graph.ts';
import type { JobReport, OperatorReport, SubtaskReport } from '../../engine/runtime/host.ts';
import type { JobClient, JobDefinition, RestartInfo } from '../../engine/runtime/job.ts';
import type { CheckpointStorage } from '../../engine/checkpoint/storage.ts';
import type { CheckpointStats } from '../../engine/checkpoint/types.ts';
import { MemoryCheckpointStorage } from '../../engine/checkpoint/memory-storage.ts';
import { startInProcess } from '../../engine/checkpoint/checkpointing-executor.ts';
import type { JobUpdateEvent } from '../shared/workbench/service.ts';
import type { CheckpointSummary, JobDescription, JobStatus, OperatorMetrics, ReplayAction, ReplayStatus, RestartCause, RestoreRequest, StopResult, SubtaskMetrics } from '../shared/workbench/protocol.ts';
import { FsCheckpointStorage } from '../../engine/process/checkpoint/fs-storage.ts';
import type { LocalCluster } from '../../engine/process/cluster-client.ts';
import type { CodeRef } from '../../engine/process/protocol.ts';
import { bundleJobCode } from '../kernel/job-bundle.ts';
import { cellContext, type CellCode, type CellContext } from './cell-context.ts';
import { operatorGraphOf } from './job-plans.ts';

/** Where the tracker reports. */
export interface JobEvents {
  started(job: JobDescription): void;
  updated(event: JobUpdateEvent): void;
}

/** Options of a tracker. */
export interface JobTrackerOptions {
  /** How often running jobs' figures are read, ms. Default 500. */
  pollMs?: number;
  /** The checkpoint storage of a job that is about to start (one per job). Default: in memory. */
  storageFor?: (jobName: string, notebook: string | undefined) => CheckpointStorage;
  /** Completed checkpoints kept per job to rewind to (at least; the job may ask for more). Default 10. */
  rewindable?: number;
  /** Runs a job in this process (tests pass a fake). Default: the engine's `startInProcess`. */
  execute?: typeof startInProcess;
  /**
   * Runs the jobs of notebook cells on worker processes instead (jobs started outside a cell's
   * code still run here).
   */
  cluster?: ClusterJobs;
}

/** Where cluster jobs go, and where their output comes back. */
export interface ClusterJobs {
  /** The cluster (started on its first job). */
  cluster(): LocalCluster;
  /** Where the cluster writes checkpoints and savepoints (a rewind reads them there). */
  readonly checkpointDir: string;
  /** Where savepoints of the jobs of a notebook go (folder-relative path), when not the cluster's default. */
  savepointDirFor?(notebook: string): string;
  /**
   * Sends what the taskmanagers print and chart for cluster job `clusterJobId` to the cell of
   * `context`; returns a function that stops it.
   */
  follow(clusterJobId: string, context: CellContext): () => void;
  /** Resolves once the cluster can take the job's output. */
  ready?(): Promise<void>;
  /** Resolves once the output of cluster job `clusterJobId` has all arrived (or it is given up). */
  drained?(clusterJobId: string, timeoutMs: number): Promise<void>;
}

/** How long the output of an ended cluster job is still delivered (rows in flight), ms. */
const LATE_OUTPUT_MS = 5000;

/** Checkpoint rows an update carries (the panel shows the newest 50). */
export const HISTORY_SENT = 100;

/** A rewind waiting for its cell to start the job again. */
interface PendingRestore {
  path: string;
  cellId: string;
  jobName: string;
  location: string;
  /** The storage the checkpoint is in (the earlier job's). */
  storage: CheckpointStorage;
  from: RestoreRequest;
}

/** What `submit` prepared for the job that starts right after it. */
interface Submitted {
  graph: StreamGraphSpec;
  storage: CheckpointStorage;
  restoredFrom?: RestoreRequest;
  unfollow?: () => void;
}

interface TrackedJob {
  description: JobDescription;
  client: JobClient;
  status: JobStatus;
  started: number;
  storage?: CheckpointStorage;
  /** Completed checkpoints kept (the newest ones). */
  retained: number;
  /** The highest checkpoint id seen: a poll asks only for the rows it sends, from HISTORY_SENT before it. */
  lastCheckpointId: number;
  /** The stop-with-savepoint in progress: its end may be reported before the savepoint's location. */
  stopping?: Promise<string>;
  /** Stops delivering a cluster job's output. */
  unfollow?: () => void;
  /** Its figures at the last poll: a failed job's report may lack what its subtasks had counted. */
  lastOperators?: OperatorMetrics[];
}

/**
 * Tracks jobs started in this process.
 *
 * @example
 * const jobs = new JobTracker({ started: (j) => ..., updated: (e) => ... });
 * installExecutionHost({ submitJob: (job) => jobs.submit(job), onJobStarted: (c) => jobs.started(c) });
 */
export class JobTracker {
  private readonly jobs = new Map<string, TrackedJob>();
  private nextId = 0;
  private bundles = 0;
  private submitted: Submitted | undefined;
  private pendingRestore: PendingRestore | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly pollMs: number;
  private readonly rewindable: number;

  constructor(
    private readonly events: JobEvents,
    private readonly options: JobTrackerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.rewindable = options.rewindable ?? 10;
  }

  /**
   * Starts a job in this process: with checkpoints into a storage of its own, kept after it
   * ends so that the user can rewind to them; from a checkpoint when its cell is being rewound.
   * The engine reports the job started right after, in the same synchronous step.
   */
  submit(job: JobDefinition): JobClient {
    const context = cellContext.getStore();
    const restore = this.pendingRestore;
    const restoring = restore && context && restore.path === context.path && restore.cellId === context.cellId && restore.jobName === job.graph.name;
    if (restoring) this.pendingRestore = undefined;
    if (this.options.cluster && context?.code) return this.submitToCluster(job, this.options.cluster, context, context.code, restoring ? restore : undefined);
    const storage = this.options.storageFor?.(job.graph.name, context?.path) ?? new MemoryCheckpointStorage(`${job.graph.name}#${this.nextId + 1}`);
    const client = (this.options.execute ?? startInProcess)(job, {
      storage,
      minRetained: this.rewindable,
      retainAfterEnd: true,
      ...(restoring ? { restoreFrom: restore.location, restoreStorage: restore.storage } : {}),
    });
    this.submitted = { graph: job.graph, storage, ...(restoring ? { restoredFrom: restore.from } : {}) };
    return client;
  }

  /**
   * Runs a cell's job on the cluster: its code is the cell's module version bundled with what it
   * imports, and which of the cell's `execute()` calls the job is (as `weir run` does).
   */
  private submitToCluster(job: JobDefinition, cluster: ClusterJobs, context: CellContext, code: CellCode, restore: PendingRestore | undefined): JobClient {
    const jobName = job.graph.name;
    const identity = code.calls.next(jobName);
    const dir = path.dirname(code.modulePath);
    const target = cluster.cluster();
    // A new file per job: a taskmanager evaluates each from the start.
    const bundle = Promise.resolve(cluster.ready?.())
      .then(() => bundleJobCode(code.modulePath, dir, path.join(dir, `job-${++this.bundles}.mjs`)))
      .then(
        (moduleUrl): CodeRef => ({
          moduleUrl,
          ...identity,
          ...(code.baseDir ? { baseDir: code.baseDir } : {}),
          ...(code.captured !== undefined ? { captured: code.captured } : {}),
        }),
      );
    let unfollowed = false;
    let unfollow: (() => void) | undefined;
    const submitted: Submitted = {
      graph: job.graph,
      // Reads the cluster's checkpoints by location, for a rewind.
      storage: new FsCheckpointStorage({ checkpointDir: cluster.checkpointDir, jobName }),
      ...(restore ? { restoredFrom: restore.from } : {}),
      unfollow: () => {
        unfollowed = true;
        unfollow?.();
      },
    };
    let accepted: string | undefined;
    const savepointDir = cluster.savepointDirFor?.(context.path);
    const options = { ...(restore ? { fromSavepoint: restore.location } : {}), ...(savepointDir ? { savepointDir } : {}) };
    const client = target.submit(job, bundle, options, (clusterJobId) => {
      accepted = clusterJobId;
      if (!unfollowed) unfollow = cluster.follow(clusterJobId, context);
    });
    this.submitted = submitted;
    // execute() returns, and the panel shows the end, once the job's last output has arrived.
    // A failed job's taskmanager may be gone: its output is not waited for as long.
    const drained = async (timeoutMs: number): Promise<void> => {
      if (accepted !== undefined) await cluster.drained?.(accepted, timeoutMs);
    };
    const result = client.result.then(
      async (r) => {
        await drained(2000);
        return r;
      },
      async (error: unknown) => {
        await drained(300);
        throw error;
      },
    );
    return { ...client, result };
  }

  /** A job has started; called by the engine. */
  started(client: JobClient): void {
    const context = cellContext.getStore();
    const submitted = this.submitted?.graph.name === client.jobName ? this.submitted : undefined;
    this.submitted = undefined;
    const graph = submitted?.graph;
    const id = `job-${++this.nextId}`;
    const checkpointing = !!graph && graph.mode === 'streaming' && (graph.checkpointing?.intervalMs ?? 0) > 0;
    // With the plan, operators carry their task and chained edges are marked, as in the Plan view.
    const shape = graph ? operatorGraphOf(graph) : { operators: safeMetrics(client).map((o) => ({ uid: o.uid, name: o.name, parallelism: o.parallelism })), edges: [] };
    const description: JobDescription = {
      id,
      name: client.jobName,
      path: context?.path ?? '',
      cellId: context?.cellId ?? '',
      startedAt: Date.now(),
      operators: shape.operators,
      edges: shape.edges,
      checkpointing,
    };
    if (submitted?.restoredFrom) description.restoredFrom = submitted.restoredFrom;
    const job: TrackedJob = {
      description,
      client,
      status: 'RUNNING',
      started: performance.now(),
      retained: Math.max(graph?.checkpointing?.retained ?? 1, this.rewindable),
      lastCheckpointId: 0,
      ...(submitted ? { storage: submitted.storage } : {}),
      ...(submitted?.unfollow ? { unfollow: submitted.unfollow } : {}),
    };
    this.jobs.set(id, job);
    this.events.started(description);
    this.timer ??= setInterval(() => this.poll(), this.pollMs);
    this.timer.unref?.();
    client.result.then(
      (result) => this.finish(job, result.report),
      (error: unknown) => this.finish(job, (error as { report?: JobReport }).report, error),
    );
  }

  /**
   * Stops a job: with a final savepoint when it checkpoints, else by cancelling it. A savepoint
   * that cannot be taken (e.g. its sources have ended) still stops the job, and says why.
   */
  async stop(id: string): Promise<StopResult> {
    const job = this.jobs.get(id);
    if (job?.status !== 'RUNNING') return {};
    if (!job.description.checkpointing || !job.client.stopWithSavepoint) {
      job.client.cancel();
      return {};
    }
    try {
      job.stopping = job.client.stopWithSavepoint();
      return { savepoint: await job.stopping };
    } catch (error) {
      if (job.status === 'RUNNING') job.client.cancel();
      return { savepointError: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Takes a savepoint of a running job; resolves with its location. */
  async triggerSavepoint(id: string): Promise<string> {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`There is no job ${id}`);
    if (job.status !== 'RUNNING') throw new Error(`Job '${job.description.name}' is not running`);
    if (!job.client.triggerSavepoint) throw new Error(`Job '${job.description.name}' cannot take savepoints here`);
    if (!job.description.checkpointing) {
      throw new Error(`Job '${job.description.name}' does not take checkpoints, so it cannot take a savepoint: enable them with env.enableCheckpointing(intervalMs)`);
    }
    return job.client.triggerSavepoint();
  }

  /**
   * Pauses, resumes, re-paces or seeks a running replay of a job, through its job-control API;
   * rejects naming the job or the replay when there is no such running replay.
   */
  async controlReplay(id: string, name: string, action: ReplayAction): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`There is no job ${id}`);
    if (job.status !== 'RUNNING') throw new Error(`Job '${job.description.name}' is not running: its replay '${name}' has ended`);
    if (!job.client.controlReplay) throw new Error(`Job '${job.description.name}' cannot control replays here`);
    await job.client.controlReplay(name, action);
    // The panel sees the new state now rather than at the next poll. Not if the job ended while
    // the action was on its way (at max speed a replay ends at once): a 'RUNNING' update sent
    // after the final one would leave the panel showing a job that runs for ever.
    if (job.status === 'RUNNING') this.events.updated(this.liveUpdate(job));
  }

  /**
   * Prepares a rewind: checks that the checkpoint is still kept, cancels the running jobs of the
   * job's cell, and arranges that the next job of the same name its cell starts begins from that
   * checkpoint. Returns the cell to run. Throws, saying why, when it cannot be done.
   */
  async prepareRewind(request: RestoreRequest): Promise<{ path: string; cellId: string }> {
    const job = this.jobs.get(request.jobId);
    if (!job) throw new Error(`There is no job ${request.jobId} to rewind`);
    const name = job.description.name;
    const row = summaries(job).find((c) => c.id === request.checkpointId);
    if (!row || row.status !== 'COMPLETED' || row.location === undefined) throw new Error(`Job '${name}' has no completed checkpoint ${request.checkpointId}`);
    if (!row.restorable || !job.storage) throw new Error(`Checkpoint ${request.checkpointId} of job '${name}' is not kept any more: only the newest ${job.retained} are`);
    await job.storage.load(row.location);
    if (!job.description.cellId) throw new Error(`Job '${name}' was not started by a notebook cell`);
    // The cell runs again only once the jobs it is waiting for have ended.
    this.cancelJobsOf(job.description.path, job.description.cellId);
    this.pendingRestore = { path: job.description.path, cellId: job.description.cellId, jobName: name, location: row.location, storage: job.storage, from: request };
    return { path: job.description.path, cellId: job.description.cellId };
  }

  /** Forgets a rewind whose run has ended without starting the job. */
  clearRewind(): void {
    this.pendingRestore = undefined;
  }

  /** Cancels a job; unknown or ended jobs are ignored. */
  cancel(id: string): void {
    const job = this.jobs.get(id);
    if (job?.status === 'RUNNING') job.client.cancel();
  }

  /** Cancels the running jobs that a cell started. */
  cancelJobsOf(path: string, cellId: string): void {
    for (const job of this.jobs.values()) {
      if (job.status === 'RUNNING' && job.description.path === path && job.description.cellId === cellId) job.client.cancel();
    }
  }

  /** Ids of running jobs. */
  running(): string[] {
    return [...this.jobs.values()].filter((j) => j.status === 'RUNNING').map((j) => j.description.id);
  }

  /** Cancels every running job and stops polling. */
  dispose(): void {
    for (const job of this.jobs.values()) if (job.status === 'RUNNING') job.client.cancel();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private poll(): void {
    let anyRunning = false;
    for (const job of this.jobs.values()) {
      if (job.status !== 'RUNNING') continue;
      anyRunning = true;
      this.events.updated(this.liveUpdate(job));
    }
    if (!anyRunning && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** A running job's figures now. */
  private liveUpdate(job: TrackedJob): JobUpdateEvent {
    const replays = replaysOf(job.client);
    return {
      jobId: job.description.id,
      status: 'RUNNING',
      elapsedMs: performance.now() - job.started,
      operators: (job.lastOperators = safeMetrics(job.client).map(operatorMetrics)),
      checkpoints: summaries(job),
      ...restartsOf(job.client),
      ...(replays.length ? { replays } : {}),
    };
  }

  private finish(job: TrackedJob, report: JobReport | undefined, error?: unknown): void {
    job.status = report?.status ?? 'FAILED';
    if (job.unfollow) setTimeout(job.unfollow, LATE_OUTPUT_MS).unref?.();
    const elapsedMs = report?.durationMs ?? performance.now() - job.started;
    const operators = finalOperators((report?.operators ?? safeMetrics(job.client)).map(operatorMetrics), job.lastOperators, elapsedMs);
    // A job that finished by itself ended every input, so every operator saw the final watermark
    // (Flink's MAX_WATERMARK); from a taskmanager it arrives as null (JSON has no +∞). Not so for a
    // stop with savepoint, which ends the job without advancing event time.
    if (job.status === 'FINISHED' && !job.stopping) for (const o of operators) markEndOfInput(o);
    const event: JobUpdateEvent = {
      jobId: job.description.id,
      status: job.status,
      elapsedMs,
      operators,
      checkpoints: summaries(job, report?.checkpoints),
      ...restartsOf(job.client),
    };
    if (report) event.restarts = report.restarts;
    if (report?.restartCauses?.length) event.restartCauses = report.restartCauses.slice(-MAX_EXCEPTIONS).map(restartCause);
    const watermarks = operators.map((o) => o.watermark).filter((w): w is number => w !== undefined);
    if (watermarks.length > 0) event.finalWatermark = Math.min(...watermarks);
    const message = report?.error ?? (error instanceof Error ? error.message : error === undefined ? undefined : String(error));
    if (job.status === 'FAILED' && message) {
      event.error = message;
      const stack = stackOf(error);
      event.failure = { at: Date.now(), message, ...(stack ? { stack } : {}) };
    }
    if (!job.stopping) {
      this.events.updated(event);
      return;
    }
    job.stopping.then(
      (savepoint) => this.events.updated({ ...event, savepoint }),
      () => this.events.updated(event),
    );
  }
}

/** The restarts so far, as the update event carries them. */
function restartsOf(client: JobClient): Pick<JobUpdateEvent, 'restarts' | 'restartCauses'> {
  let causes: RestartCause[] = [];
  try {
    causes = client.restarts?.() ?? [];
  } catch {
    causes = [];
  }
  // The newest ones: a job that restarts for hours would otherwise send every stack on every poll.
  return causes.length > 0 ? { restarts: causes.length, restartCauses: causes.slice(-MAX_EXCEPTIONS).map(restartCause) } : { restarts: 0 };
}

/** Marks an ended operator's and its subtasks' watermark as the end of event time, where none arrived. */
function markEndOfInput(o: OperatorMetrics): void {
  o.watermarkAtEnd = true;
  for (const s of o.subtasks ?? []) s.watermarkAtEnd = true;
}

/** Restart causes an update carries at most (the newest), as Flink's `web.exception-history-size`. */
const MAX_EXCEPTIONS = 16;

/** Characters of a stack an exception row carries at most. */
const MAX_STACK = 8000;

/** A restart as the Exceptions tab lists it: when, why, the failing task (`Map (2/4)`), the taskmanager, the stack. */
function restartCause(c: RestartInfo): RestartCause {
  const row: RestartCause = { at: c.at, cause: c.cause };
  if (c.operator) row.task = `${c.operator.name} (${c.operator.subtask + 1}/${c.operator.parallelism})`;
  if (c.taskManager !== undefined) row.taskManager = c.taskManager;
  if (c.stack) row.stack = c.stack.slice(0, MAX_STACK);
  return row;
}

/** The stack of a job's failure: its original cause's (a user function's frames), else its own. */
function stackOf(error: unknown): string | undefined {
  let e: unknown = error;
  // JobExecutionError wraps the task's failure, which may wrap the user's error.
  for (let depth = 0; depth < 4 && e instanceof Error && e.cause instanceof Error; depth++) e = e.cause;
  return e instanceof Error && e.stack ? e.stack.slice(0, MAX_STACK) : undefined;
}

/**
 * A finished job's operators as the panel shows them: counts are the larger of the final report's
 * and the last poll's (a failed attempt's subtasks may not report), rates are averages over the
 * run, and the watermark is the final one (or the last seen before the inputs ended).
 */
export function finalOperators(report: OperatorMetrics[], last: OperatorMetrics[] | undefined, elapsedMs: number): OperatorMetrics[] {
  const before = new Map((last ?? []).map((o) => [o.uid, o]));
  const seconds = elapsedMs / 1000;
  return report.map((o) => {
    const seen = before.get(o.uid);
    const m: OperatorMetrics = { ...o, recordsIn: Math.max(o.recordsIn, seen?.recordsIn ?? 0), recordsOut: Math.max(o.recordsOut, seen?.recordsOut ?? 0), final: true };
    if (seconds > 0) {
      m.recordsInPerSecond = m.recordsIn / seconds;
      m.recordsOutPerSecond = m.recordsOut / seconds;
    }
    // At the end of input the watermark is +∞ (Flink's Long.MAX_VALUE): the last one seen before that is kept beside it.
    if (m.watermark === undefined && seen?.watermark !== undefined) m.watermark = seen.watermark;
    if (m.subtasks === undefined && seen?.subtasks) m.subtasks = seen.subtasks;
    return m;
  });
}

/** The job's running replays, as the update event carries them; JSON-safe. */
function replaysOf(client: JobClient): ReplayStatus[] {
  let progress: ReturnType<NonNullable<JobClient['replays']>> = [];
  try {
    progress = client.replays?.() ?? [];
  } catch {
    progress = [];
  }
  return progress.map((p) => ({
    name: p.name,
    state: p.state,
    speed: p.speed,
    ...(p.eventTime !== null && Number.isFinite(p.eventTime) ? { eventTime: p.eventTime } : {}),
    ...(p.startTime !== null && Number.isFinite(p.startTime) ? { startTime: p.startTime } : {}),
    ...(p.endTime !== null && Number.isFinite(p.endTime) ? { endTime: p.endTime } : {}),
    percent: Number.isFinite(p.percent) ? p.percent : 0,
    rows: p.rowsEmitted,
    totalRows: p.totalRows,
  }));
}

function safeMetrics(client: JobClient): OperatorReport[] {
  try {
    return client.metrics();
  } catch {
    return [];
  }
}

/** An operator's report as the panel's figures; JSON-safe (no infinities). */
export function operatorMetrics(report: OperatorReport): OperatorMetrics {
  const metrics: OperatorMetrics = { uid: report.uid, recordsIn: report.recordsIn, recordsOut: report.recordsOut };
  if (Number.isFinite(report.recordsInPerSecond)) metrics.recordsInPerSecond = report.recordsInPerSecond!;
  if (Number.isFinite(report.recordsOutPerSecond)) metrics.recordsOutPerSecond = report.recordsOutPerSecond!;
  if (Number.isFinite(report.watermark)) metrics.watermark = report.watermark!;
  else if (report.watermark === Number.POSITIVE_INFINITY) metrics.watermarkAtEnd = true;
  if (Number.isFinite(report.stateBytes)) metrics.stateBytes = report.stateBytes!;
  const subtasks = report.subtasks ?? [];
  if (subtasks.length > 0) {
    metrics.backPressure = Math.max(...subtasks.map((s) => s.backPressuredRatio));
    metrics.busy = Math.max(...subtasks.map((s) => s.busyRatio));
    metrics.subtasks = subtasks.map(subtaskMetrics);
  }
  return metrics;
}

/** A subtask's report as the SubTasks table shows it; JSON-safe. */
function subtaskMetrics(s: SubtaskReport): SubtaskMetrics {
  const m: SubtaskMetrics = { subtask: s.subtask, recordsIn: s.recordsIn, recordsOut: s.recordsOut };
  if (Number.isFinite(s.recordsInPerSecond)) m.recordsInPerSecond = s.recordsInPerSecond;
  if (Number.isFinite(s.recordsOutPerSecond)) m.recordsOutPerSecond = s.recordsOutPerSecond;
  if (Number.isFinite(s.busyRatio)) m.busy = s.busyRatio;
  if (Number.isFinite(s.backPressuredRatio)) m.backPressure = s.backPressuredRatio;
  // Across processes -Infinity arrives as null.
  if (typeof s.watermark === 'number' && Number.isFinite(s.watermark)) m.watermark = s.watermark;
  else if (s.watermark === Number.POSITIVE_INFINITY) m.watermarkAtEnd = true;
  if (Number.isFinite(s.stateBytes)) m.stateBytes = s.stateBytes;
  if (s.taskManager !== undefined) m.taskManager = s.taskManager;
  return m;
}

/**
 * A job's checkpoint history as the panel lists it: live from its client, or from its final
 * report. Savepoints stay restorable; of the checkpoints, the newest `retained` completed ones.
 */
function summaries(job: TrackedJob, fromReport?: readonly CheckpointStats[]): CheckpointSummary[] {
  let entries: readonly CheckpointStats[];
  try {
    // Ids grow by one per checkpoint or savepoint: the rows sent are among the newest HISTORY_SENT ids and the new ones.
    entries = fromReport ?? job.client.checkpoints?.(Math.max(0, job.lastCheckpointId - HISTORY_SENT + 1)) ?? [];
  } catch {
    entries = [];
  }
  const rows = entries.flatMap(checkpointSummary);
  job.lastCheckpointId = Math.max(job.lastCheckpointId, rows.at(-1)?.id ?? 0);
  const kept = new Set(
    rows
      .filter((r) => r.status === 'COMPLETED' && !r.savepoint)
      .slice(-job.retained)
      .map((r) => r.id),
  );
  for (const r of rows) if (r.status === 'COMPLETED' && r.location !== undefined && job.storage) r.restorable = r.savepoint === true || kept.has(r.id);
  // A job that runs for hours has thousands; every update carries only the newest.
  return rows.slice(-HISTORY_SENT);
}

/**
 * A checkpoint row as the job panel lists it.
 *
 * @example
 * checkpointSummary(client.checkpoints!()[0]!); // { id: 1, status: 'COMPLETED', triggerTime: …, location: … }
 */
export function checkpointSummary(c: CheckpointStats): CheckpointSummary {
  const summary: CheckpointSummary = { id: c.id, status: c.status };
  if (c.savepoint) summary.savepoint = true;
  summary.triggerTime = c.triggerTime;
  summary.durationMs = c.durationMs;
  summary.sizeBytes = c.sizeBytes;
  summary.alignmentMs = c.alignmentMs;
  if (c.failureReason !== undefined) summary.failureReason = c.failureReason;
  if (c.path !== undefined) summary.location = c.path;
  return summary;
}
