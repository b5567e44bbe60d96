/**
 * Fault tolerance for jobs that run in this process (the workbench, tests, `env.execute()`
 * without worker processes), built from the same pieces as the jobmanager and taskmanager:
 * `CheckpointCoordinator`, `CheckpointStorage`, barriers injected at the source tasks, snapshots
 * written with `writeTaskSnapshot`, restart strategies, and savepoints.
 */
import { validateGraph, type StreamGraphSpec } from '../plan/job-graph.ts';
import { jobFailure, LocalAttempt, LocalExecutor, type AttemptOutcome, type LocalExecutionOptions } from '../runtime/local-executor.ts';
import type { JobClient, JobDefinition, JobResult } from '../runtime/job.ts';
import type { JobReport } from '../runtime/host.ts';
import type { OperatorSnapshot } from '../runtime/operator.ts';
import { operatorReports } from '../runtime/metrics.ts';
import { SYSTEM_CLOCK, type Clock } from '../runtime/processing-time.ts';
import { SourceOperator } from '../runtime/source.ts';
import { platform } from '../runtime/platform.ts';
import { newJobRunId } from '../runtime/deployment.ts';
import { CheckpointCoordinator } from './coordinator.ts';
import { RestartBackoff, resolveRestartStrategy } from './restart-strategies.ts';
import { MemoryCheckpointStorage } from './memory-storage.ts';
import type { CheckpointStorage, StoredCheckpoint } from './storage.ts';
import { checkRestorable, loadOperatorSnapshots, metadataOperators, writeTaskSnapshot } from './task-snapshots.ts';
import { DEFAULT_CHECKPOINT_CONFIG, type CheckpointConfigSpec, type CheckpointStats } from './types.ts';
import { inProcessReplayControl } from '../runtime/job-replays.ts';

/** Options of an in-process run with checkpoints. */
export interface CheckpointingExecutionOptions extends LocalExecutionOptions {
  /** Where checkpoints and savepoints go. Default: this process's memory. */
  storage?: CheckpointStorage;
  /** Start from this checkpoint or savepoint: a location `storage.load` (or `restoreStorage.load`) understands. */
  restoreFrom?: string;
  /** The storage `restoreFrom` is in, when it is not `storage` (a rewind to another job's checkpoint). */
  restoreStorage?: CheckpointStorage;
  /** Drop the state of operators the job no longer has (or has changed), instead of refusing to start. */
  allowNonRestoredState?: boolean;
  /** Restore a savepoint of a job with another name (see restore-check.ts). */
  allowJobMismatch?: boolean;
  /** Keep at least this many completed checkpoints, more than the job asks for (the workbench rewinds to them). */
  minRetained?: number;
  /** Keep the retained checkpoints after the job ended, whatever its status (default: as the cluster does). */
  retainAfterEnd?: boolean;
}

/** One restart: when, and the failure that caused it. */
export interface RestartCause {
  at: number;
  cause: string;
}

/** Whether a job needs the checkpointing executor: it checkpoints, or restarts after failures. */
export function needsFaultTolerance(graph: StreamGraphSpec): boolean {
  return checkpointsOf(graph) !== undefined || resolveRestartStrategy(graph.restartStrategy, graph.checkpointing).kind !== 'none';
}

/**
 * Starts a job in this process on the executor it needs: `CheckpointingExecutor` when it
 * checkpoints or may restart, the plain `LocalExecutor` otherwise.
 *
 * @example
 * const client = startInProcess(env.buildJob('orders'), { storage });
 * await client.result;
 */
export function startInProcess(job: JobDefinition, options: CheckpointingExecutionOptions = {}): JobClient {
  if (!needsFaultTolerance(job.graph) && options.restoreFrom === undefined) return new LocalExecutor(job, options).start();
  return new CheckpointingExecutor(job, options).start();
}

/** The job's checkpoint settings when it takes checkpoints (streaming mode, interval > 0). */
function checkpointsOf(graph: StreamGraphSpec): CheckpointConfigSpec | undefined {
  const config = graph.checkpointing ?? DEFAULT_CHECKPOINT_CONFIG;
  return graph.mode === 'streaming' && config.intervalMs > 0 ? config : undefined;
}

/**
 * Runs a job in this process with Flink's fault tolerance, the way the jobmanager does across
 * processes. Each (re)start is a `LocalAttempt`; while one runs, a `CheckpointCoordinator`
 * triggers periodic checkpoints (barriers injected at the source tasks, each task's snapshot
 * written to the storage, completion when every task acknowledged, then notify-complete so that
 * two-phase-commit sinks commit). When an attempt fails, the restart strategy decides; a restart
 * deploys the same `JobDefinition` again with the state and source positions of the latest
 * completed checkpoint of this run (or of the savepoint the run started from).
 *
 * Stop-with-savepoint: every task suspends right after taking its part of the final savepoint,
 * so nothing is emitted that a resumed job would emit again; when the savepoint is complete and
 * the tasks ran its notify-complete, the job ends FINISHED.
 *
 * @example
 * const client = new CheckpointingExecutor(job, { storage: new MemoryCheckpointStorage('orders') }).start();
 * const savepoint = await client.stopWithSavepoint!();
 * await new CheckpointingExecutor(job, { storage, restoreFrom: savepoint }).start().result;
 */
export class CheckpointingExecutor {
  private readonly clock: Clock;
  private readonly storage: CheckpointStorage;
  private readonly config: CheckpointConfigSpec | undefined;
  private readonly history: CheckpointStats[] = [];
  private readonly restarts: RestartCause[] = [];
  private attempt: LocalAttempt | undefined;
  private attemptDone: Promise<AttemptOutcome> | undefined;
  private coordinator: CheckpointCoordinator | undefined;
  /** The coordinator of the current attempt failed it (too many failed checkpoints). */
  private coordinatorFailure: Error | undefined;
  private lastCheckpointId = 0;
  /** The location of the newest checkpoint this run completed. */
  private latestCheckpoint: string | undefined;
  private cancelled = false;
  /** Stopped with a savepoint: ends FINISHED. */
  private stopped = false;
  /** A stop-with-savepoint asked for the next savepoint's id. */
  private stopRequested = false;
  /** The id of the final savepoint, once triggered. */
  private stopping: number | undefined;
  private ended = false;
  private wakeFromDelay: (() => void) | undefined;
  /** This run's id, the same for all its attempts: its replay readers register under it. */
  private readonly jobId: string;

  constructor(
    private readonly job: JobDefinition,
    private readonly options: CheckpointingExecutionOptions = {},
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.jobId = newJobRunId(job.graph.name);
    this.storage = options.storage ?? new MemoryCheckpointStorage(job.graph.name);
    this.config = checkpointsOf(job.graph);
  }

  /** Starts the job; returns at once with a handle. */
  start(): JobClient {
    const result = this.run();
    return {
      jobName: this.job.graph.name,
      result,
      cancel: () => this.cancel(),
      metrics: () => this.attempt?.sampleMetrics() ?? operatorReports(this.job.graph, []),
      checkpoints: () => this.history.map((c) => ({ ...c, operators: c.operators.map((o) => ({ ...o })) })),
      triggerSavepoint: () => this.triggerSavepoint(),
      stopWithSavepoint: () => this.stopWithSavepoint(),
      restarts: () => this.restarts.map((r) => ({ ...r })),
      ...inProcessReplayControl(this.job.graph, this.jobId),
    };
  }

  private cancel(): void {
    this.cancelled = true;
    this.attempt?.stop();
    this.wakeFromDelay?.();
  }

  private runningCoordinator(): CheckpointCoordinator {
    if (!this.config) throw new Error(`Job '${this.job.graph.name}' does not take checkpoints, so it cannot take a savepoint: enable them with env.enableCheckpointing(intervalMs)`);
    if (this.ended || !this.coordinator || this.cancelled || this.stopped) throw new Error(`Job '${this.job.graph.name}' is not running`);
    return this.coordinator;
  }

  private async triggerSavepoint(): Promise<string> {
    const stats = await this.runningCoordinator().trigger(true);
    return stats.path!;
  }

  private async stopWithSavepoint(): Promise<string> {
    const coordinator = this.runningCoordinator();
    if (this.stopping !== undefined) throw new Error(`Job '${this.job.graph.name}' is already stopping with a savepoint`);
    const attempt = this.attempt!;
    const done = this.attemptDone!;
    this.stopRequested = true;
    let stats: CheckpointStats;
    try {
      stats = await coordinator.trigger(true);
    } catch (e) {
      // The job goes on: tasks that had taken their part of the savepoint resume.
      this.stopping = undefined;
      if (this.attempt === attempt) for (const t of attempt.tasks) t.resume();
      throw e;
    } finally {
      this.stopRequested = false;
    }
    // Notify-complete is queued on every task; end only when they have run it (sinks commit).
    const notified = attempt.tasks.filter((t) => !t.isFinished).map((t) => new Promise<void>((resolve) => t.enqueueMail(resolve)));
    await Promise.race([Promise.all(notified), done]);
    this.stopped = true;
    attempt.stop();
    return stats.path!;
  }

  private async run(): Promise<JobResult> {
    const started = this.clock.now();
    const graph = this.job.graph;
    const uids = graph.vertices.map((v) => v.uid);
    const backoff = new RestartBackoff(resolveRestartStrategy(graph.restartStrategy, graph.checkpointing), { clock: () => this.clock.now() });
    let failure: unknown;
    let outcome: AttemptOutcome = { failure: undefined, metrics: [] };
    try {
      validateGraph(graph);
      let initial: StoredCheckpoint | undefined;
      let restoredUids = uids;
      const initialStorage = this.options.restoreStorage ?? this.storage;
      if (this.options.restoreFrom !== undefined) {
        initial = await initialStorage.load(this.options.restoreFrom);
        restoredUids = checkRestorable(initial, graph, { allowNonRestoredState: this.options.allowNonRestoredState, allowJobMismatch: this.options.allowJobMismatch });
        this.lastCheckpointId = initial.metadata.checkpointId;
      }
      let restore = initial;
      let restoreStorage = initialStorage;
      for (;;) {
        // The initial restore takes only what the check let through; later ones are this run's own checkpoints.
        const restored = restore ? await loadOperatorSnapshots(restoreStorage, restore, restore === initial ? restoredUids : uids) : undefined;
        if (this.cancelled) break;
        outcome = await this.runAttempt(restored);
        failure = outcome.failure ?? this.coordinatorFailure;
        if (failure === undefined || this.cancelled || this.stopped) break;
        const decision = backoff.onFailure(this.clock.now());
        if (!decision.restart) break;
        this.restarts.push({ at: Date.now(), cause: failure instanceof Error ? failure.message : String(failure) });
        failure = undefined;
        await this.delay(decision.delayMs);
        if (this.cancelled) break;
        const latest = await this.latestRestorable();
        restore = latest ?? initial;
        restoreStorage = latest ? this.storage : initialStorage;
      }
    } catch (e) {
      failure = e;
    }
    this.ended = true;
    const status: JobReport['status'] = failure !== undefined ? 'FAILED' : this.stopped ? 'FINISHED' : this.cancelled ? 'CANCELED' : 'FINISHED';
    const report: JobReport = {
      name: graph.name,
      status,
      durationMs: Math.max(0, this.clock.now() - started),
      operators: operatorReports(graph, outcome.metrics),
      checkpoints: this.history.map((c) => ({ ...c })),
      restarts: this.restarts.length,
    };
    Object.assign(report, { restartCauses: this.restarts });
    const retainOnCancel = this.config?.retainOnCancel ?? false;
    // Checkpoints belong to the run: gone when it ends, unless retained (savepoints always stay).
    if (!this.options.retainAfterEnd && (status === 'FINISHED' || (status === 'CANCELED' && !retainOnCancel))) await this.storage.cleanup(0).catch(() => {});
    if (failure !== undefined) throw jobFailure(graph.name, failure, report);
    return { report };
  }

  /** The newest checkpoint this run completed, if it can still be opened. */
  private async latestRestorable(): Promise<StoredCheckpoint | undefined> {
    if (this.latestCheckpoint === undefined) return undefined;
    try {
      return await this.storage.load(this.latestCheckpoint);
    } catch {
      return this.storage.latest();
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = platform.setTimeout(() => done(), ms);
      const done = () => {
        platform.clearTimeout(handle);
        this.wakeFromDelay = undefined;
        resolve();
      };
      this.wakeFromDelay = done;
    });
  }

  /** Deploys and runs one attempt, with a coordinator while it runs when the job checkpoints. */
  private async runAttempt(restored: Map<string, OperatorSnapshot[]> | undefined): Promise<AttemptOutcome> {
    const attempt = new LocalAttempt(this.job, { ...this.options, clock: this.clock, jobId: this.jobId }, restored ? (uid) => restored.get(uid) ?? [] : undefined);
    this.attempt = attempt;
    this.coordinatorFailure = undefined;
    this.stopping = undefined;
    const coordinator = this.config ? this.startCoordinator(attempt, this.config) : undefined;
    const done = attempt.run();
    this.attemptDone = done;
    const outcome = await done;
    coordinator?.stop(outcome.failure !== undefined ? 'the job failed' : this.cancelled ? 'the job was cancelled' : 'the job ended');
    if (this.coordinator === coordinator) this.coordinator = undefined;
    return outcome;
  }

  private startCoordinator(attempt: LocalAttempt, config: CheckpointConfigSpec): CheckpointCoordinator {
    const storage = this.storage;
    const history = this.history;
    const before = history.length;
    const tasks = attempt.tasks;
    const coordinator: CheckpointCoordinator = new CheckpointCoordinator(
      config,
      {
        trigger: (barrier) => {
          if (barrier.savepoint && this.stopRequested) this.stopping = barrier.checkpointId;
          if (tasks.some((t) => t.isFinished)) {
            coordinator.decline(barrier.checkpointId, 'some tasks have finished', false);
            return;
          }
          for (const t of tasks) if (t.operators[0] instanceof SourceOperator) t.triggerCheckpoint(barrier);
        },
        complete: (metadata) => storage.complete(metadata),
        notifyComplete: (id) => {
          this.lastCheckpointId = id;
          const completed = coordinator.history.find((c) => c.id === id);
          if (completed && !completed.savepoint && completed.path !== undefined) this.latestCheckpoint = completed.path;
          for (const t of tasks) if (!t.isFinished) t.notifyCheckpointComplete(id);
        },
        discard: (id, savepoint) => storage.discard(id, savepoint ? 'savepoint' : 'checkpoint'),
        failJob: (reason) => {
          this.coordinatorFailure = new Error(reason);
          attempt.stop();
        },
        retain: () => storage.cleanup(Math.max(config.retained, this.options.minRetained ?? 0)),
        onHistory: (h) => {
          history.length = before;
          history.push(...h.map((s) => ({ ...s })));
        },
      },
      tasks.length,
      { name: this.job.graph.name, operators: metadataOperators(this.job.graph) },
      () => this.clock.now(),
      // Never reuse an id: a failed attempt's checkpoint of that id may still be written or discarded.
      Math.max(this.lastCheckpointId, ...history.map((c) => c.id)) + 1,
    );
    for (const task of tasks) {
      task.onSnapshot = (snap) => {
        const id = snap.barrier.checkpointId;
        if (id === this.stopping) task.suspend();
        writeTaskSnapshot(task.name, snap, storage).then(
          (ack) => coordinator.acknowledge(ack),
          (e: unknown) => coordinator.decline(id, `task ${task.name} could not write its state: ${e instanceof Error ? e.message : String(e)}`, true),
        );
      };
    }
    this.coordinator = coordinator;
    coordinator.start();
    return coordinator;
  }
}
