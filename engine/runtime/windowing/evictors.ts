import { InvalidPipelineError } from '../errors.ts';
import type { Window } from './windows.ts';

/**
 * A record kept in a window with an evictor, with its event time.
 *
 * @example
 * const kept: TimestampedValue<number>[] = [{ value: 3, timestamp: 1_000 }];
 */
export interface TimestampedValue<T> {
  value: T;
  timestamp: number;
}

/**
 * What an evictor may read.
 *
 * @example
 * evictBefore(elements, size, window, ctx) { if (ctx.currentWatermark() > window.maxTimestamp()) elements.length = 0; }
 */
export interface EvictorContext {
  currentProcessingTime(): number;
  currentWatermark(): number;
}

/**
 * Removes records from a window when it fires, before and/or after the window function runs
 * (Flink's `Evictor`). A window with an evictor keeps every record (not a running aggregate),
 * and reduce/aggregate functions run over what remains at firing time. Evictors remove from
 * `elements` in place; the records left after `evictAfter` stay in the window.
 *
 * @example
 * const keepPositive: Evictor<number> = {
 *   evictBefore(elements) { removeWhere(elements, (e) => e.value <= 0); },
 *   evictAfter() {},
 * };
 */
export interface Evictor<T = any, W extends Window = Window> {
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
}

/**
 * Removes, in place and keeping order, the elements for which `drop` returns true.
 *
 * @example
 * const xs = [{ value: 1, timestamp: 0 }, { value: -1, timestamp: 1 }];
 * removeWhere(xs, (e) => e.value < 0); // xs is now [{ value: 1, timestamp: 0 }]
 */
export function removeWhere<T>(elements: T[], drop: (element: T) => boolean): void {
  let kept = 0;
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    if (!drop(e)) elements[kept++] = e;
  }
  elements.length = kept;
}

/**
 * Keeps at most `maxCount` records: the most recently added ones. With `GlobalWindows` and a
 * `CountTrigger` it makes sliding count windows.
 *
 * @example
 * keyed.window(GlobalWindows.create()).evictor(CountEvictor.of(10)).trigger(CountTrigger.of(2))
 */
export class CountEvictor implements Evictor<unknown, Window> {
  private constructor(
    readonly maxCount: number,
    /** Evict after the window function instead of before. */
    readonly doEvictAfter: boolean,
  ) {}
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    if (typeof maxCount !== 'number' || !Number.isInteger(maxCount) || maxCount <= 0) {
      throw new InvalidPipelineError(`CountEvictor.of: maxCount must be a positive integer, got ${String(maxCount)}`);
    }
    return new CountEvictor(maxCount, doEvictAfter);
  }
  evictBefore(elements: TimestampedValue<unknown>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }
  evictAfter(elements: TimestampedValue<unknown>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }
  private evict(elements: TimestampedValue<unknown>[]): void {
    if (elements.length > this.maxCount) elements.splice(0, elements.length - this.maxCount);
  }
  toString(): string {
    return `CountEvictor(${this.maxCount})`;
  }
}

/**
 * Keeps the records whose timestamp is within `windowMs` of the newest record in the window:
 * a record at `t` is evicted when `t <= max - windowMs`.
 *
 * @example
 * keyed.window(GlobalWindows.create()).evictor(TimeEvictor.of(60_000)).trigger(CountTrigger.of(1))
 */
export class TimeEvictor implements Evictor<unknown, Window> {
  private constructor(
    readonly windowMs: number,
    /** Evict after the window function instead of before. */
    readonly doEvictAfter: boolean,
  ) {}
  static of(windowMs: number, doEvictAfter = false): TimeEvictor {
    if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs < 0) {
      throw new InvalidPipelineError(`TimeEvictor.of: windowMs must be a non-negative number of milliseconds, got ${String(windowMs)}`);
    }
    return new TimeEvictor(windowMs, doEvictAfter);
  }
  evictBefore(elements: TimestampedValue<unknown>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }
  evictAfter(elements: TimestampedValue<unknown>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }
  private evict(elements: TimestampedValue<unknown>[]): void {
    // Records without a timestamp cannot be judged by age (Flink looks at the first one too).
    if (!elements.length || !Number.isFinite(elements[0]!.timestamp)) return;
    let max = Number.NEGATIVE_INFINITY;
    for (const e of elements) if (e.timestamp > max) max = e.timestamp;
    const cutoff = max - this.windowMs;
    removeWhere(elements, (e) => e.timestamp <= cutoff);
  }
  toString(): string {
    return `TimeEvictor(${this.windowMs})`;
  }
}

/**
 * Measures how far apart two records are, for `DeltaEvictor`.
 *
 * @example
 * const priceDelta: DeltaFunction<Tick> = (a, b) => Math.abs(a.price - b.price);
 */
export type DeltaFunction<T> = (oldValue: T, newValue: T) => number;

/**
 * Keeps the records whose delta to the newest record in the window is below `threshold`.
 *
 * @example
 * DeltaEvictor.of(5, (a: Tick, b: Tick) => Math.abs(a.price - b.price))
 */
export class DeltaEvictor<T = any> implements Evictor<T, Window> {
  private constructor(
    readonly threshold: number,
    private readonly deltaFunction: DeltaFunction<T>,
    /** Evict after the window function instead of before. */
    readonly doEvictAfter: boolean,
  ) {}
  static of<T = any>(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
      throw new InvalidPipelineError(`DeltaEvictor.of: threshold must be a number, got ${String(threshold)}`);
    }
    if (typeof deltaFunction !== 'function') {
      throw new InvalidPipelineError(`DeltaEvictor.of: expects a delta function (a, b) => number, got ${String(deltaFunction)}`);
    }
    return new DeltaEvictor(threshold, deltaFunction, doEvictAfter);
  }
  evictBefore(elements: TimestampedValue<T>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }
  evictAfter(elements: TimestampedValue<T>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }
  private evict(elements: TimestampedValue<T>[]): void {
    if (!elements.length) return;
    const last = elements[elements.length - 1]!.value;
    removeWhere(elements, (e) => this.deltaFunction(e.value, last) >= this.threshold);
  }
  toString(): string {
    return `DeltaEvictor(${this.threshold})`;
  }
}
