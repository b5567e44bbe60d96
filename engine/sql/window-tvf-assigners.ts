/**
 * The window assigners behind the window TVFs: TUMBLE, HOP and SESSION over the DataStream
 * API's event-time assigners, and CUMULATE over `CumulativeEventTimeWindows`, which the
 * DataStream API has no counterpart of. (Flink's counterparts: the table runtime's
 * `SliceAssigners` — tumbling, hopping, cumulative — and `SessionWindowAssigner`.)
 */
import { NO_TIMESTAMP } from '../runtime/elements.ts';
import {
  EventTimeSessionWindows,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  WindowAssigner,
  noTimestampError,
  type WindowAssignerContext,
} from '../runtime/windowing/assigners.ts';
import { EventTimeTrigger, type Trigger } from '../runtime/windowing/triggers.ts';
import { TimeWindow } from '../runtime/windowing/windows.ts';
import type { WindowTvf } from './ast.ts';
import { SqlValidationError } from './errors.ts';

/**
 * Cumulating windows in event time: a window of at most `size` ms, aligned to `size` (and
 * `offset`), is emitted every `step` ms as it grows — `[start, start + step)`, `[start, start +
 * 2·step)`, … `[start, start + size)` — so a record is in every such window whose end is after
 * it. `size` is a multiple of `step`.
 *
 * @example
 * // Each hour, the day so far:
 * keyed.window(CumulativeEventTimeWindows.of(3_600_000, 86_400_000))
 */
export class CumulativeEventTimeWindows<T = any> extends WindowAssigner<T, TimeWindow> {
  private constructor(
    /** How much each window grows over the one before, in ms. */
    readonly step: number,
    /** The largest window, in ms. */
    readonly size: number,
    /** Shift of window starts from the epoch in ms, |offset| < size. */
    readonly offset: number,
  ) {
    super();
  }
  /** Windows growing by `step` up to `size` ms; `offset` as in tumbling windows. @example CumulativeEventTimeWindows.of(60_000, 600_000) */
  static of<T = any>(step: number, size: number, offset = 0): CumulativeEventTimeWindows<T> {
    if (!(step > 0) || !(size > 0) || size % step !== 0) {
      throw new SqlValidationError(`CUMULATE requires the max size to be a positive integral multiple of the step, got size ${size} ms and step ${step} ms`);
    }
    if (!(Math.abs(offset) < size)) throw new SqlValidationError(`CUMULATE: the offset must satisfy |offset| < size (${size} ms), got ${offset} ms`);
    return new CumulativeEventTimeWindows(step, size, offset);
  }
  assignWindows(_element: T, timestamp: number, _ctx?: WindowAssignerContext): TimeWindow[] {
    if (timestamp === NO_TIMESTAMP) throw noTimestampError();
    const start = TimeWindow.getWindowStartWithOffset(timestamp, this.offset, this.size);
    const windows: TimeWindow[] = [];
    for (let end = start + this.step * (Math.floor((timestamp - start) / this.step) + 1); end <= start + this.size; end += this.step) {
      windows.push(new TimeWindow(start, end));
    }
    return windows;
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  override toString(): string {
    return `CumulativeEventTimeWindows(${this.step}, ${this.size}${this.offset ? `, ${this.offset}` : ''})`;
  }
}

/**
 * The assigner of a window TVF (its intervals checked positive).
 *
 * @example windowTvfAssigner({ kind: 'window', fn: 'HOP', intervals: [5_000, 15_000], ... }) // SlidingEventTimeWindows(15000, 5000)
 */
export function windowTvfAssigner(tvf: WindowTvf): WindowAssigner<unknown, TimeWindow> {
  const [first, second, third] = tvf.intervals as [number, number | undefined, number | undefined];
  const sized = tvf.fn === 'TUMBLE' || tvf.fn === 'SESSION' ? [first] : [first, second!];
  if (sized.some((ms) => !(ms > 0))) throw new SqlValidationError(`${tvf.fn}: window sizes, slides, steps and gaps must be positive intervals`, tvf.pos);
  switch (tvf.fn) {
    case 'TUMBLE':
      return TumblingEventTimeWindows.of(first, second ?? 0);
    case 'HOP':
      return SlidingEventTimeWindows.of(second!, first, third ?? 0);
    case 'CUMULATE':
      try {
        return CumulativeEventTimeWindows.of(first, second!, third ?? 0);
      } catch (e) {
        throw e instanceof SqlValidationError ? new SqlValidationError(e.reason, tvf.pos) : e;
      }
    case 'SESSION':
      return EventTimeSessionWindows.withGap(first);
  }
}

/** An interval as Flink prints it in plans: `10 min`, `5 s`, `250 ms`. @example formatInterval(600_000) // '10 min' */
export function formatInterval(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * A window TVF as Flink's plans describe it: `TUMBLE(size=[10 s])`, `HOP(slide=[5 s], size=[15 s])`,
 * `CUMULATE(max_size=[1 h], step=[10 min])`, `SESSION(gap=[5 min], partition keys=[user])`.
 *
 * @example describeWindow(tvf) // 'TUMBLE(time_col=[ts], size=[1 min])'
 */
export function describeWindow(tvf: WindowTvf): string {
  const [a, b, offset] = tvf.intervals;
  const parts = [`time_col=[${tvf.timeColumn}]`];
  if (tvf.fn === 'TUMBLE') parts.push(`size=[${formatInterval(a!)}]`);
  if (tvf.fn === 'HOP') parts.push(`size=[${formatInterval(b!)}]`, `slide=[${formatInterval(a!)}]`);
  if (tvf.fn === 'CUMULATE') parts.push(`max_size=[${formatInterval(b!)}]`, `step=[${formatInterval(a!)}]`);
  if (tvf.fn === 'SESSION') parts.push(`gap=[${formatInterval(a!)}]`, ...(tvf.partitionBy ? [`partition keys=[${tvf.partitionBy.join(', ')}]`] : []));
  const off = tvf.fn === 'TUMBLE' ? b : offset;
  if (off) parts.push(`offset=[${formatInterval(off)}]`);
  return `${tvf.fn}(${parts.join(', ')})`;
}
