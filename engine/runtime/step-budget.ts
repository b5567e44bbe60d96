/**
 * How many records one mailbox step of a task takes, so that a step lasts about a target time
 * whatever a record costs. Flink's `StreamTask` processes one record per default action and
 * checks its mailbox in between; Weir's tasks take records in batches for speed, and this keeps
 * the batches short when records are slow (a 300 µs timestamp assigner chained to a source, a
 * map that waits 200 ms per record). A long step holds up everything else on the thread: the
 * task's mails (a checkpoint trigger), the other tasks, and the event loop that writes
 * checkpoint state, moves data between processes and answers RPCs.
 *
 * Pure, with the measured time passed in, so it is unit-tested without a clock.
 *
 * @example
 * const budget = new StepBudget(512, 5);
 * const n = budget.size;          // 1 at first: a slow record must not make a long first step
 * budget.measure(n, 0.01);        // cheap records: the next steps take more
 */
export class StepBudget {
  private records: number;
  /** Estimated milliseconds per record (undefined before the first measurement). */
  private msPerRecord: number | undefined;

  constructor(
    /** The most records a step takes (records are batched up to this). */
    readonly max: number,
    /** The time a step should take, in ms. */
    readonly targetMs: number,
    /** Records of the first step: few, since nothing is known of their cost yet. */
    initial = 1,
  ) {
    if (!(max >= 1) || !(targetMs > 0)) throw new RangeError(`StepBudget needs max >= 1 and targetMs > 0, got ${max} and ${targetMs}`);
    this.records = Math.min(max, Math.max(1, Math.floor(initial)));
  }

  /** Measured milliseconds per record (undefined before the first measurement). */
  get costMs(): number | undefined {
    return this.msPerRecord;
  }

  /** Records the next step takes: at least 1, at most `max`. */
  get size(): number {
    return this.records;
  }

  /**
   * A step took `records` records in `ms` milliseconds. The estimate follows the newest cost
   * at once when records got dearer (a step must not stay long) and gradually when they got
   * cheaper; the size grows at most fourfold per step, so one cheap step cannot make the next
   * one long.
   */
  measure(records: number, ms: number): void {
    if (!(records > 0) || !(ms >= 0)) return;
    const cost = ms / records;
    const previous = this.msPerRecord;
    this.msPerRecord = previous === undefined || cost > previous ? cost : previous * 0.5 + cost * 0.5;
    const fits = this.msPerRecord > 0 ? Math.floor(this.targetMs / this.msPerRecord) : this.max;
    this.records = Math.max(1, Math.min(this.max, fits, this.records * 4));
  }
}
