import type { BarrierEvent } from '../runtime/elements.ts';
import { platform } from '../runtime/platform.ts';
import type { CheckpointConfigSpec, CheckpointMetadata, CheckpointStats, SubtaskStateHandle } from './types.ts';
import { CheckpointHistory } from './checkpoint-history.ts';

/** One task's acknowledgement of a checkpoint. */
export interface CheckpointAck {
  checkpointId: number;
  /** Which task acknowledges ("Map -> Filter (2/4)"), so duplicates are ignored. */
  task: string;
  handles: SubtaskStateHandle[];
  syncMs: number;
  asyncMs: number;
  alignmentMs: number;
}

/** What the coordinator needs from the jobmanager. */
export interface CoordinatorIO {
  /** Injects the barrier at every source task. */
  trigger(barrier: BarrierEvent): void;
  /** Writes the metadata (last, atomically); resolves with the checkpoint's location. */
  complete(metadata: CheckpointMetadata): Promise<string>;
  /** Tells every task that the checkpoint completed. */
  notifyComplete(checkpointId: number): void;
  /** Drops a failed checkpoint's files. */
  discard(checkpointId: number, savepoint: boolean): Promise<void>;
  /** Too many checkpoints failed in a row: the job must fail. */
  failJob(reason: string): void;
  /** A checkpoint was triggered or ended (its entry in the history is `stats`). */
  onCheckpoint?(stats: CheckpointStats): void;
  /** Removes old checkpoints beyond retention, after a completion. */
  retain?(): Promise<void>;
}

interface Pending {
  stats: CheckpointStats;
  acks: Map<string, CheckpointAck>;
  timeout: unknown;
  resolve: (stats: CheckpointStats) => void;
  reject: (error: Error) => void;
}

/**
 * Triggers checkpoints and completes them when every task has acknowledged (Flink's
 * `CheckpointCoordinator`). Periodic triggers respect the interval, the minimum pause after the
 * previous checkpoint ended, and the limit of concurrent checkpoints; savepoints are triggered
 * on demand. A checkpoint that does not complete within the timeout fails; more consecutive
 * failures than tolerated fail the job.
 */
export class CheckpointCoordinator {
  private readonly pending = new Map<number, Pending>();
  private nextId: number;
  private timer: unknown;
  private lastEnded = 0;
  private consecutiveFailures = 0;
  private stopped = false;

  constructor(
    private readonly config: CheckpointConfigSpec,
    private readonly io: CoordinatorIO,
    /** Tasks that must acknowledge each checkpoint. */
    private readonly expectedAcks: number,
    private readonly job: { name: string; operators: CheckpointMetadata['operators'] },
    private readonly now: () => number,
    firstId = 1,
    /**
     * Where the checkpoints are listed: the job's history, which outlives this coordinator (one
     * per attempt), so that a restarted job lists the checkpoints of its earlier attempts too.
     */
    readonly history: CheckpointHistory = new CheckpointHistory(),
  ) {
    // Never reuse an id: a failed attempt's checkpoint of that id may still be written or discarded.
    this.nextId = Math.max(firstId, history.lastId + 1);
  }

  /** Whether `stop()` was called: nothing more is triggered. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Starts periodic checkpoints (when the interval is > 0). */
  start(): void {
    if (this.config.intervalMs > 0) this.schedule(this.config.intervalMs);
  }

  /** Stops triggering; pending checkpoints are failed with `reason`. */
  stop(reason: string): void {
    this.stopped = true;
    if (this.timer !== undefined) platform.clearTimeout(this.timer);
    for (const id of [...this.pending.keys()]) this.failPending(id, reason, false);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) platform.clearTimeout(this.timer);
    this.timer = platform.setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      const sincePrevious = this.now() - this.lastEnded;
      if (this.pending.size >= this.config.maxConcurrent || sincePrevious < this.config.minPauseMs) {
        this.schedule(Math.max(10, this.config.minPauseMs - sincePrevious));
        return;
      }
      this.trigger(false).catch(() => {});
      this.schedule(this.config.intervalMs);
    }, delayMs);
  }

  /** Triggers a checkpoint (or savepoint) now; resolves when it completes. */
  trigger(savepoint: boolean): Promise<CheckpointStats> {
    if (this.stopped) return Promise.reject(new Error('the job is not running'));
    const id = this.nextId++;
    const stats: CheckpointStats = {
      id,
      status: 'IN_PROGRESS',
      savepoint,
      triggerTime: this.now(),
      durationMs: 0,
      syncMs: 0,
      asyncMs: 0,
      alignmentMs: 0,
      sizeBytes: 0,
      operators: [],
    };
    this.history.record(stats);
    return new Promise<CheckpointStats>((resolve, reject) => {
      const timeout = platform.setTimeout(() => this.failPending(id, `expired after ${this.config.timeoutMs} ms before all tasks acknowledged`, true), this.config.timeoutMs);
      this.pending.set(id, { stats, acks: new Map(), timeout, resolve, reject });
      this.io.onCheckpoint?.(stats);
      this.io.trigger({ kind: 'barrier', checkpointId: id, timestamp: stats.triggerTime, savepoint, aligned: this.config.mode === 'exactly-once' || savepoint });
    });
  }

  /** A task acknowledged; the checkpoint completes with the last one. */
  acknowledge(ack: CheckpointAck): void {
    const p = this.pending.get(ack.checkpointId);
    if (!p || p.acks.has(ack.task)) return;
    p.acks.set(ack.task, ack);
    const s = p.stats;
    s.syncMs = Math.max(s.syncMs, ack.syncMs);
    s.asyncMs = Math.max(s.asyncMs, ack.asyncMs);
    s.alignmentMs = Math.max(s.alignmentMs, ack.alignmentMs);
    if (p.acks.size < this.expectedAcks) return;
    void this.completePending(p);
  }

  /** A task could not take part (it failed or finished): the checkpoint fails. */
  decline(checkpointId: number, reason: string, countsAsFailure = true): void {
    this.failPending(checkpointId, reason, countsAsFailure);
  }

  private async completePending(p: Pending): Promise<void> {
    const s = p.stats;
    const states = [...p.acks.values()].flatMap((a) => a.handles);
    const metadata: CheckpointMetadata = {
      version: 1,
      kind: s.savepoint ? 'savepoint' : 'checkpoint',
      jobName: this.job.name,
      checkpointId: s.id,
      timestamp: s.triggerTime,
      operators: this.job.operators,
      states,
    };
    try {
      s.path = await this.io.complete(metadata);
    } catch (e) {
      this.failPending(s.id, `metadata could not be written: ${e instanceof Error ? e.message : String(e)}`, true);
      return;
    }
    if (!this.pending.has(s.id)) return;
    this.pending.delete(s.id);
    platform.clearTimeout(p.timeout);
    s.status = 'COMPLETED';
    s.durationMs = this.now() - s.triggerTime;
    const perOperator = new Map<string, number>();
    for (const h of states) perOperator.set(h.uid, (perOperator.get(h.uid) ?? 0) + h.bytes);
    s.operators = [...perOperator].map(([uid, sizeBytes]) => ({ uid, sizeBytes }));
    s.sizeBytes = states.reduce((n, h) => n + h.bytes, 0);
    this.lastEnded = this.now();
    this.consecutiveFailures = 0;
    // Older pending checkpoints are subsumed by this one.
    for (const id of [...this.pending.keys()]) if (id < s.id) this.failPending(id, `subsumed by checkpoint ${s.id}`, false);
    this.history.record(s);
    this.io.notifyComplete(s.id);
    this.io.onCheckpoint?.(s);
    if (!s.savepoint) void this.io.retain?.();
    p.resolve(s);
  }

  private failPending(id: number, reason: string, countsAsFailure: boolean): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    platform.clearTimeout(p.timeout);
    p.stats.status = 'FAILED';
    p.stats.failureReason = reason;
    p.stats.durationMs = this.now() - p.stats.triggerTime;
    this.lastEnded = this.now();
    this.history.record(p.stats);
    void this.io.discard(id, p.stats.savepoint).catch(() => {});
    this.io.onCheckpoint?.(p.stats);
    p.reject(new Error(`Checkpoint ${id} failed: ${reason}`));
    if (countsAsFailure && !p.stats.savepoint && !this.stopped) {
      this.consecutiveFailures++;
      if (this.consecutiveFailures > this.config.tolerableFailures) {
        this.io.failJob(`checkpoint ${id} failed (${reason}) and ${this.config.tolerableFailures} failed checkpoints are tolerated`);
      }
    }
  }
}
