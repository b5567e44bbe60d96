import type { CheckpointedSink, SinkFunction, SinkInitializationContext, SinkSnapshotContext } from '../functions.ts';
import { isRecoveredBy } from './two-phase-commit-sink.ts';

/** The records of one checkpoint, buffered until the checkpoint is complete. */
interface LoggedCheckpoint<IN> {
  checkpointId: number;
  /** Processing time of the barrier (ms). */
  timestamp: number;
  values: IN[];
}

/** What one subtask keeps in operator state, per subtask that buffered the records (a union list). */
interface WriteAheadLogState<IN> {
  /** The subtask that buffered `pending` (after a rescale it may be recovered by another). */
  subtask: number;
  /** Highest checkpoint id of this writer whose values were sent. */
  committed: number;
  lastCheckpointId: number;
  pending: LoggedCheckpoint<IN>[];
}

type Pending<IN> = LoggedCheckpoint<IN> & { subtask: number };

const STATE = 'weir.writeAheadLog';

/**
 * Base of sinks that write to a system without transactions, exactly once per checkpoint
 * (Flink's `GenericWriteAheadSink`). Records wait in operator state, grouped by the checkpoint
 * whose barrier closed them; when that checkpoint is complete on every task
 * (`notifyCheckpointComplete`), `sendValues` gets them, in checkpoint order. What was buffered
 * when the job failed is replayed from the sources, and what a restored checkpoint holds is sent
 * at the next completed checkpoint or at the end of input. At the end of a bounded input
 * (`finish`) everything left is sent.
 *
 * `sendValues` returns false (or throws) when it could not send: that checkpoint and the later
 * ones stay buffered and are tried again at the next notification (at `finish`, false fails the
 * job). Sent checkpoints are recorded with `commitCheckpoint(subtask, id)` and skipped when
 * `isCheckpointCommitted(subtask, id)`; by default the record is a marker in operator state. A
 * checkpoint sent after the barrier of the checkpoint a job later restores is not in that
 * state, so it is sent again after the restore, with the same `checkpointId` and `subtask`: make
 * `sendValues` idempotent on those (an upsert keyed by them, say), or override the two methods to
 * keep the record in the target system (Flink's `CheckpointCommitter`) for exactly-once.
 *
 * Each subtask works on its own copy of the sink object; the buffers are set up in
 * `initializeState`. Values are plain data (they go into checkpoints) and must not be changed
 * after `invoke`.
 *
 * @example
 * class ReportUploader extends WriteAheadLogSink<Row> {
 *   protected sendValues(rows: Row[], checkpointId: number, _timestamp: number, subtask: number): boolean {
 *     // Idempotent: the object name is the same when a checkpoint is sent again.
 *     return store.putIfAbsent(`reports/${subtask}-${checkpointId}.json`, JSON.stringify(rows));
 *   }
 * }
 * stream.sinkTo(new ReportUploader());
 */
export abstract class WriteAheadLogSink<IN> implements SinkFunction<IN>, CheckpointedSink {
  private buffer: IN[] = [];
  private pending: Pending<IN>[] = [];
  private committed = new Map<number, number>();
  private subtask = 0;
  private lastCheckpointId = 0;

  /**
   * Writes the values of one completed checkpoint, buffered by subtask `subtask`. Returns false
   * when they could not be written (they are tried again later); nothing or true otherwise.
   */
  protected abstract sendValues(values: IN[], checkpointId: number, timestamp: number, subtask: number): boolean | void;

  /** Whether the values of checkpoint `checkpointId` of subtask `subtask` were sent. Default: the marker in state. */
  protected isCheckpointCommitted(subtask: number, checkpointId: number): boolean {
    return checkpointId <= (this.committed.get(subtask) ?? 0);
  }

  /** Records that checkpoint `checkpointId` of subtask `subtask` was sent. Default: the marker in state. */
  protected commitCheckpoint(subtask: number, checkpointId: number): void {
    this.committed.set(subtask, Math.max(checkpointId, this.committed.get(subtask) ?? 0));
  }

  invoke(value: IN): void {
    this.buffer.push(value);
  }

  initializeState(ctx: SinkInitializationContext): void {
    this.subtask = ctx.subtask;
    this.buffer = [];
    this.pending = [];
    this.committed = new Map();
    this.lastCheckpointId = 0;
    const state = ctx.operatorState.getUnionListState<WriteAheadLogState<IN>>(STATE);
    if (ctx.isRestored) {
      for (const entry of state) {
        this.lastCheckpointId = Math.max(this.lastCheckpointId, entry.lastCheckpointId);
        if (!isRecoveredBy(entry.subtask, ctx.subtask, ctx.parallelism)) continue;
        this.committed.set(entry.subtask, Math.max(entry.committed, this.committed.get(entry.subtask) ?? 0));
        for (const p of entry.pending) this.pending.push({ ...p, subtask: entry.subtask });
      }
      this.pending.sort((a, b) => a.checkpointId - b.checkpointId || a.subtask - b.subtask);
    }
    state.length = 0;
  }

  snapshotState(ctx: SinkSnapshotContext): void {
    if (this.buffer.length > 0) {
      this.pending.push({ subtask: this.subtask, checkpointId: ctx.checkpointId, timestamp: ctx.timestamp, values: this.buffer });
      this.buffer = [];
    }
    this.lastCheckpointId = Math.max(this.lastCheckpointId, ctx.checkpointId);
    const writers = new Set([this.subtask, ...this.pending.map((p) => p.subtask)]);
    const state = ctx.operatorState.getUnionListState<WriteAheadLogState<IN>>(STATE);
    state.length = 0;
    for (const w of writers) {
      state.push({
        subtask: w,
        committed: this.committed.get(w) ?? 0,
        lastCheckpointId: this.lastCheckpointId,
        pending: this.pending.filter((p) => p.subtask === w).map(({ checkpointId, timestamp, values }) => ({ checkpointId, timestamp, values })),
      });
    }
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.sendUpTo(checkpointId, false);
  }

  /** End of a bounded input: sends what is buffered, as checkpoint `last checkpoint + 1`. */
  finish(): void {
    if (this.buffer.length > 0) {
      this.pending.push({ subtask: this.subtask, checkpointId: this.lastCheckpointId + 1, timestamp: Date.now(), values: this.buffer });
      this.buffer = [];
    }
    this.sendUpTo(Number.MAX_SAFE_INTEGER, true);
  }

  private sendUpTo(checkpointId: number, mustSucceed: boolean): void {
    while (this.pending.length > 0 && this.pending[0]!.checkpointId <= checkpointId) {
      const p = this.pending[0]!;
      if (!this.isCheckpointCommitted(p.subtask, p.checkpointId)) {
        if (this.sendValues(p.values, p.checkpointId, p.timestamp, p.subtask) === false) {
          if (mustSucceed) throw new Error(`${this.constructor.name}: sendValues returned false for checkpoint ${p.checkpointId} at the end of input`);
          return;
        }
        this.commitCheckpoint(p.subtask, p.checkpointId);
      }
      this.pending.shift();
    }
  }
}
