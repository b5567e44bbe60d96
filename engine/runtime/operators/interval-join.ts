import { TwoInputUdfOperator } from './udf-operator.ts';
import { NO_TIMESTAMP } from '../elements.ts';
import { MapStateDescriptor } from '../../state/descriptors.ts';
import type { MapState } from '../../state/state.ts';
import type { InternalTimer } from '../timers.ts';
import { asFunction, instantiateUserFunction, type Collector, type OutputTagLike, type ProcessJoinContext, type ProcessJoinFunction } from '../functions.ts';

/**
 * The bounds of an interval join, relative to the left record's timestamp, and where late
 * records go.
 *
 * @example
 * const bounds: IntervalJoinBounds = { lower: -5_000, upper: 5_000, upperBoundExclusive: true, leftLateDataTag: 'late-orders' };
 */
export interface IntervalJoinBounds {
  /** The right record may be this many ms after the left one at the earliest (negative: before). */
  lower: number;
  /** ... and this many ms after it at the latest. */
  upper: number;
  lowerBoundExclusive?: boolean;
  upperBoundExclusive?: boolean;
  /** Side output tag ids for late records of each side; late records are dropped without one. */
  leftLateDataTag?: string;
  rightLateDataTag?: string;
}

/** The context and collector of the join function, reused for every pair. */
class JoinContext<O> implements ProcessJoinContext, Collector<O> {
  leftTs = 0;
  rightTs = 0;
  resultTs = 0;
  constructor(private readonly op: IntervalJoinOperator<any, any, O>) {}
  getLeftTimestamp(): number {
    return this.leftTs;
  }
  getRightTimestamp(): number {
    return this.rightTs;
  }
  getTimestamp(): number {
    return this.resultTs;
  }
  output<X>(tag: OutputTagLike<X>, value: X): void {
    this.op.output.collectSide(tag.id, value, this.resultTs);
  }
  collect(value: O): void {
    this.op.output.collect(value, this.resultTs);
  }
}

/**
 * The interval join of two keyed streams (Flink's `IntervalJoinOperator`). A left record `l`
 * and a right record `r` of the same key join when `l.ts + lower <= r.ts <= l.ts + upper`
 * (each bound optionally exclusive); the pair is emitted with timestamp `max(l.ts, r.ts)`.
 *
 * Each side is buffered in keyed map state by timestamp. A record joins with what is buffered on
 * the other side when it arrives, so every matching pair is produced exactly once, by whichever
 * of the two came second. A record older than the current watermark is late: it is dropped (or
 * sent to a late-data side output), because its partners may already have been cleaned up.
 * Cleanup is by event-time timer, at the watermark that reaches the last timestamp of the other
 * side a record can join: `l.ts + upper` for left records, `r.ts - lower` for right ones, with
 * an exclusive bound 1 ms inward (or the record's own time when that is earlier), as in Flink. Batch mode has only the final watermark, so
 * nothing is late and everything is buffered until the end — the same result.
 *
 * @example
 * new IntervalJoinOperator<Order, Payment, Paid>(
 *   (order, payment, ctx, out) => out.collect({ id: order.id, at: ctx.getTimestamp() }),
 *   { lower: 0, upper: 600_000 })
 */
export class IntervalJoinOperator<L, R, O> extends TwoInputUdfOperator<O> {
  private readonly fn: (left: L, right: R, ctx: ProcessJoinContext, out: Collector<O>) => void;
  private readonly lower: number;
  private readonly upper: number;
  private readonly lowerExclusive: boolean;
  private readonly upperExclusive: boolean;
  private leftBuffer!: MapState<number, L[]>;
  private rightBuffer!: MapState<number, R[]>;
  private registerLeftCleanup!: (ts: number) => void;
  private registerRightCleanup!: (ts: number) => void;
  private readonly ctx = new JoinContext<O>(this);

  constructor(
    shared: ProcessJoinFunction<L, R, O>,
    private readonly bounds: IntervalJoinBounds,
  ) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = asFunction(fn as any, 'processElement', 'intervalJoin(...).process()');
    const { lower, upper } = bounds;
    if (!Number.isFinite(lower) || !Number.isFinite(upper)) {
      throw new RangeError(`Interval join bounds must be finite numbers of ms, got lower ${lower} and upper ${upper}`);
    }
    if (lower > upper) throw new RangeError(`Interval join lower bound ${lower} is greater than its upper bound ${upper}`);
    this.lower = lower;
    this.upper = upper;
    this.lowerExclusive = !!bounds.lowerBoundExclusive;
    this.upperExclusive = !!bounds.upperBoundExclusive;
  }

  override open() {
    const backend = this.requireKeyed('an interval join');
    this.leftBuffer = backend.getState(new MapStateDescriptor<number, L[]>('_interval-join-left')) as unknown as MapState<number, L[]>;
    this.rightBuffer = backend.getState(new MapStateDescriptor<number, R[]>('_interval-join-right')) as unknown as MapState<number, R[]>;
    // One timer service per side, namespaced by the buffered timestamp: the timer then names
    // the exact bucket to drop, with no arithmetic on (possibly fractional) times.
    const leftCleanup = this.createTimerService<number>(
      { onEventTime: (t) => this.cleanUp(this.leftBuffer, t), onProcessingTime: () => {} },
      (ts) => ts,
    );
    const rightCleanup = this.createTimerService<number>(
      { onEventTime: (t) => this.cleanUp(this.rightBuffer, t), onProcessingTime: () => {} },
      (ts) => ts,
    );
    // As Flink, cleanup times use the bounds made inclusive on the millisecond (an exclusive
    // bound moves 1 ms inward): a record goes once the watermark reaches the last timestamp of
    // the other side it can join (IntervalJoinOperatorTest#testStateCleanup*).
    const upper = this.upperExclusive ? this.upper - 1 : this.upper;
    const lower = this.lowerExclusive ? this.lower + 1 : this.lower;
    this.registerLeftCleanup = (ts) => leftCleanup.registerEventTimeTimer(ts, upper > 0 ? ts + upper : ts);
    this.registerRightCleanup = (ts) => rightCleanup.registerEventTimeTimer(ts, lower < 0 ? ts - lower : ts);
    return super.open();
  }

  processElement(value: L, timestamp: number): void {
    this.checkTimestamp(timestamp, 'left');
    if (this.isLate(timestamp)) {
      if (this.bounds.leftLateDataTag !== undefined) this.output.collectSide(this.bounds.leftLateDataTag, value, timestamp);
      return;
    }
    this.setKeyContextElement(value, 0);
    addToBuffer(this.leftBuffer, timestamp, value);
    const ctx = this.ctx;
    ctx.leftTs = timestamp;
    for (const [rts, rights] of this.rightBuffer.entries()) {
      if (!this.matches(timestamp, rts)) continue;
      ctx.rightTs = rts;
      ctx.resultTs = Math.max(timestamp, rts);
      for (const r of rights) this.fn(value, r, ctx, ctx);
    }
    this.registerLeftCleanup(timestamp);
  }

  processElement2(value: R, timestamp: number): void {
    this.checkTimestamp(timestamp, 'right');
    if (this.isLate(timestamp)) {
      if (this.bounds.rightLateDataTag !== undefined) this.output.collectSide(this.bounds.rightLateDataTag, value, timestamp);
      return;
    }
    this.setKeyContextElement(value, 1);
    addToBuffer(this.rightBuffer, timestamp, value);
    const ctx = this.ctx;
    ctx.rightTs = timestamp;
    for (const [lts, lefts] of this.leftBuffer.entries()) {
      if (!this.matches(lts, timestamp)) continue;
      ctx.leftTs = lts;
      ctx.resultTs = Math.max(lts, timestamp);
      for (const l of lefts) this.fn(l, value, ctx, ctx);
    }
    this.registerRightCleanup(timestamp);
  }

  /** Whether right time `rts` lies in the interval of left time `lts`. */
  private matches(lts: number, rts: number): boolean {
    const lo = lts + this.lower;
    const hi = lts + this.upper;
    return (this.lowerExclusive ? rts > lo : rts >= lo) && (this.upperExclusive ? rts < hi : rts <= hi);
  }

  /** Flink's rule: late is strictly older than the current watermark. */
  private isLate(ts: number): boolean {
    return ts < this.currentWatermark;
  }

  private checkTimestamp(ts: number, side: string): void {
    if (ts === NO_TIMESTAMP) {
      throw new Error(
        `Interval join '${this.info.name}' received a ${side} record without a timestamp: interval joins work in event time, so call assignTimestampsAndWatermarks(...) on both inputs`,
      );
    }
  }

  private cleanUp(buffer: MapState<number, unknown[]>, timer: InternalTimer<number>): void {
    buffer.remove(timer.namespace);
  }
}

function addToBuffer<T>(buffer: MapState<number, T[]>, ts: number, value: T): void {
  const bucket = buffer.get(ts);
  if (bucket) bucket.push(value);
  else buffer.put(ts, [value]);
}
