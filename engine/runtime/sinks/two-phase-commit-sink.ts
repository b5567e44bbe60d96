import {
  SINK_WRITE,
  type SinkContext,
  type SinkInitializationContext,
  type SinkSnapshotContext,
  type TransactionalSinkFunction,
} from '../functions.ts';

/**
 * A pre-committed transaction waiting for its checkpoint to complete.
 *
 * @example
 * const p: PendingTransaction<{ file: string }> = { checkpointId: 7, transaction: { file: 'part-0-7.pending' } };
 */
export interface PendingTransaction<TXN> {
  checkpointId: number;
  transaction: TXN;
}

/** What one subtask keeps in operator state: a union list, so every subtask sees all entries on restore. */
interface TwoPhaseCommitState<TXN> {
  /** The subtask that wrote the entry. */
  subtask: number;
  /** Pre-committed transactions of completed barriers, oldest first. */
  pendingCommit: PendingTransaction<TXN>[];
  /** The transaction open at the barrier: its records are replayed after a restore, so it is aborted. */
  open: TXN | null;
}

const STATE = 'weir.twoPhaseCommit';

/**
 * Which subtask of a restored run recovers what old subtask `oldSubtask` left: `oldSubtask mod
 * parallelism`. So every old subtask's transactions are recovered exactly once, whatever the
 * new parallelism, and a subtask touches only what it or the old subtasks it recovers wrote.
 *
 * @example
 * isRecoveredBy(4, 1, 3); // true: at parallelism 3, subtask 1 recovers old subtasks 1 and 4
 */
export function isRecoveredBy(oldSubtask: number, subtask: number, parallelism: number): boolean {
  return oldSubtask % parallelism === subtask;
}

/**
 * Base of exactly-once sinks by two-phase commit (Flink's `TwoPhaseCommitSinkFunction`).
 *
 * The model: records go into a transaction the external system keeps invisible. At a checkpoint
 * barrier the transaction is pre-committed (made durable, nothing more may be added), recorded
 * with the checkpoint id in operator state, and the next transaction begins. When the checkpoint
 * is complete on every task (`notifyCheckpointComplete`), every pending transaction up to it is
 * committed: made visible. After a failure the job restores the last completed checkpoint: the
 * transactions it lists as pending belonged to that completed checkpoint, so they are committed
 * (`recoverAndCommit`), and the one open at its barrier is aborted (`recoverAndAbort`): its
 * records come again from the rewound sources. At the end of a bounded input (`finish`) the open
 * transaction is pre-committed; when the job checkpoints, it is recorded with the final
 * checkpoint that follows (Flink's FLIP-147) and committed on its notification, like any other;
 * without checkpoints everything is committed at once.
 *
 * What must stay true:
 * - `commit` is idempotent: after a crash it may run again for a transaction it already committed
 *   (the notification came, the next checkpoint did not). Abort is idempotent too.
 * - A transaction (TXN) is plain data (strings, numbers, arrays, objects): it is stored in
 *   checkpoints. Keep open handles (file descriptors, connections) on `this`, keyed by something
 *   in the transaction. Set everything it needs in `beginTransaction`, at the latest in
 *   `preCommit`; do not change it afterwards.
 * - Transactions begun after the restored checkpoint (a later barrier whose checkpoint never
 *   completed) are not in the restored state: a sink cleans those up itself, typically in
 *   `finishRecoveringContext` by listing what it owns (see `isRecoveredBy`).
 * - `beginTransaction` first runs in `initializeState`, before `open()`.
 * - Each subtask works on its own copy of the sink object; fields are (re)set in
 *   `initializeState`, so per-subtask data does not leak between copies. A subclass that
 *   overrides `close()` calls `super.close()`.
 *
 * @example
 * // A sink into a store with staged writes: staged rows are invisible until published.
 * interface Txn { id: string }
 * class StagedTableSink extends TwoPhaseCommitSinkFunction<Row, Txn> {
 *   protected beginTransaction(): Txn { return { id: `${Date.now()}-${Math.random()}` }; }
 *   protected invoke(txn: Txn, row: Row): void { store.stage(txn.id, row); }
 *   protected preCommit(txn: Txn): void { store.flushStaged(txn.id); }
 *   protected commit(txn: Txn): void { if (store.isStaged(txn.id)) store.publish(txn.id); } // idempotent
 *   protected abort(txn: Txn): void { store.dropStaged(txn.id); }
 * }
 * stream.sinkTo(new StagedTableSink());
 */
export abstract class TwoPhaseCommitSinkFunction<IN, TXN> implements TransactionalSinkFunction<IN> {
  private current: TXN | undefined;
  /** Pre-committed at the end of input, waiting for the final checkpoint to record it. */
  private finished: TXN | undefined;
  private pending: PendingTransaction<TXN>[] = [];
  private subtask = 0;

  /** Starts a transaction: records written to it stay invisible until `commit`. */
  protected abstract beginTransaction(): TXN;
  /** Writes one record into `transaction` (Flink's `invoke(transaction, value, context)`). */
  protected abstract invoke(transaction: TXN, value: IN, context: SinkContext): void;
  /** Makes `transaction` durable (flush, sync); nothing is written to it afterwards. */
  protected abstract preCommit(transaction: TXN): void;
  /** Makes a pre-committed transaction visible. Must be idempotent. */
  protected abstract commit(transaction: TXN): void;
  /** Drops a transaction and what was written to it. */
  protected abstract abort(transaction: TXN): void;

  /** Commits a transaction found pending in restored state. Default: `commit`. */
  protected recoverAndCommit(transaction: TXN): void {
    this.commit(transaction);
  }

  /** Aborts the transaction that was open at the restored barrier. Default: `abort`. */
  protected recoverAndAbort(transaction: TXN): void {
    this.abort(transaction);
  }

  /**
   * Called in `initializeState` after recovery, before the first transaction begins:
   * `handled` lists the restored transactions this subtask committed or aborted (none on a fresh
   * start). Clean up what the restored state does not list here.
   */
  protected finishRecoveringContext(_handled: TXN[], _ctx: SinkInitializationContext): void {}

  /**
   * The id of the checkpoint this subtask was restored from (the newest id in the restored
   * state), or undefined on a fresh start. Every subtask sees the same value, also after rescaling.
   */
  protected restoredCheckpointId: number | undefined;

  /** The open transaction, if any. */
  protected currentTransaction(): TXN | undefined {
    return this.current;
  }

  /** Pre-committed transactions waiting for their checkpoint to complete, oldest first. */
  protected pendingTransactions(): readonly PendingTransaction<TXN>[] {
    return this.pending;
  }

  initializeState(ctx: SinkInitializationContext): void {
    this.subtask = ctx.subtask;
    this.pending = [];
    this.current = undefined;
    this.finished = undefined;
    const state = ctx.operatorState.getUnionListState<TwoPhaseCommitState<TXN>>(STATE);
    const handled: TXN[] = [];
    this.restoredCheckpointId = undefined;
    if (ctx.isRestored) {
      for (const entry of state) {
        for (const p of entry.pendingCommit) this.restoredCheckpointId = Math.max(this.restoredCheckpointId ?? 0, p.checkpointId);
        if (!isRecoveredBy(entry.subtask, ctx.subtask, ctx.parallelism)) continue;
        for (const p of entry.pendingCommit) {
          this.recoverAndCommit(p.transaction);
          handled.push(p.transaction);
        }
        if (entry.open !== null && entry.open !== undefined) {
          this.recoverAndAbort(entry.open);
          handled.push(entry.open);
        }
      }
    }
    // Recovered transactions are done; from here on this subtask's entry is all the state holds.
    state.length = 0;
    this.finishRecoveringContext(handled, ctx);
    this.current = this.beginTransaction();
  }

  snapshotState(ctx: SinkSnapshotContext): void {
    if (this.finished !== undefined) {
      this.pending.push({ checkpointId: ctx.checkpointId, transaction: this.finished });
      this.finished = undefined;
    }
    const txn = this.current;
    if (txn !== undefined) {
      this.preCommit(txn);
      this.pending.push({ checkpointId: ctx.checkpointId, transaction: txn });
      this.current = undefined; // pre-committed: if beginTransaction throws, close() must not abort it
      this.current = this.beginTransaction();
    }
    const state = ctx.operatorState.getUnionListState<TwoPhaseCommitState<TXN>>(STATE);
    state.length = 0;
    state.push({ subtask: this.subtask, pendingCommit: this.pending.slice(), open: this.current ?? null });
  }

  notifyCheckpointComplete(checkpointId: number): void {
    while (this.pending.length > 0 && this.pending[0]!.checkpointId <= checkpointId) {
      this.commit(this.pending[0]!.transaction);
      this.pending.shift();
    }
  }

  [SINK_WRITE](value: IN, context: SinkContext): void {
    if (this.current === undefined) {
      throw new Error(`${this.constructor.name}: no open transaction (the sink has finished, or initializeState was not called)`);
    }
    this.invoke(this.current, value, context);
  }

  /**
   * End of a bounded input: pre-commits the open transaction. With `finalCheckpoint` the final
   * checkpoint records it and its notification commits it; without, everything is committed now.
   */
  finish(finalCheckpoint = false): void {
    const txn = this.current;
    this.current = undefined;
    if (txn !== undefined) this.preCommit(txn);
    if (finalCheckpoint) {
      this.finished = txn;
      return;
    }
    this.notifyCheckpointComplete(Number.MAX_SAFE_INTEGER);
    if (txn !== undefined) this.commit(txn);
  }

  /**
   * Aborts the open transaction, and the one pre-committed at the end of input when no final
   * checkpoint recorded it (the job ended otherwise: its records are replayed after a restore).
   * Pre-committed ones of checkpoints stay for recovery to commit.
   */
  close(): void {
    const last = this.finished;
    this.finished = undefined;
    if (last !== undefined) this.abort(last);
    const txn = this.current;
    this.current = undefined;
    if (txn !== undefined) this.abort(txn);
  }
}
