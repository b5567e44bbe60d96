import { InvalidPipelineError } from '../errors.ts';
import { NO_TIMESTAMP } from '../elements.ts';
import type { NamespaceKey } from '../../state/state-table.ts';
import { EndOfStreamTrigger, EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, type Trigger } from './triggers.ts';
import { GlobalWindow, TimeWindow, type Window } from './windows.ts';

/**
 * What an assigner may ask while assigning a record.
 *
 * @example
 * assignWindows(e, ts, ctx) { return [windowAt(ctx.currentProcessingTime())]; }
 */
export interface WindowAssignerContext {
  currentProcessingTime(): number;
}

/**
 * Puts each record into zero or more windows (Flink's `WindowAssigner`). An assigner is shared
 * by all subtasks and keys, and is pure: it computes windows from the record, its timestamp
 * and the clock.
 *
 * Each window is stored in keyed state and timers under a primitive namespace key; one
 * operator uses one assigner, so `windowNamespace` only needs to be unique among the windows
 * that assigner produces (fixed-size windows use their start).
 *
 * @example
 * class EveryRecordItsOwnWindow extends WindowAssigner<{ ts: number }, TimeWindow> {
 *   assignWindows(e, ts) { return [new TimeWindow(ts, ts + 1)]; }
 *   getDefaultTrigger() { return EventTimeTrigger.create(); }
 *   isEventTime() { return true; }
 * }
 */
export abstract class WindowAssigner<T = any, W extends Window = Window> {
  /** The windows `element` (with event time `timestamp`) belongs to. */
  abstract assignWindows(element: T, timestamp: number, ctx: WindowAssignerContext): readonly W[];
  /** The trigger used when the user sets none. */
  abstract getDefaultTrigger(): Trigger<T, W>;
  /** True when windows are defined in event time (lateness and watermarks apply). */
  abstract isEventTime(): boolean;

  /** True for assigners whose windows merge (sessions). */
  isMerging(): this is MergingWindowAssigner<T> {
    return false;
  }

  /** The namespace key of `window` in keyed state and timers. */
  windowNamespace(window: W): NamespaceKey {
    if (window instanceof TimeWindow) return `${window.start}:${window.end}`;
    if (window instanceof GlobalWindow) return GLOBAL_NAMESPACE;
    throw new Error(`${this.constructor.name} produces ${String(window)}: a custom window type needs windowNamespace() and windowForNamespace()`);
  }

  /** The window of a namespace key (inverse of `windowNamespace`), for timers restored from a snapshot. */
  windowForNamespace(namespace: NamespaceKey): W {
    if (namespace === GLOBAL_NAMESPACE) return GlobalWindow.get() as Window as W;
    const [start, end] = String(namespace).split(':').map(Number);
    return new TimeWindow(start!, end!) as Window as W;
  }

  toString(): string {
    return this.constructor.name;
  }
}

const GLOBAL_NAMESPACE = 'global';

/**
 * An assigner whose windows merge when they overlap (Flink's `MergingWindowAssigner`). The
 * built-in ones are the session windows, over `TimeWindow`s.
 *
 * @example
 * if (assigner.isMerging()) assigner.mergeWindows(windows, (merged, result) => {});
 */
export abstract class MergingWindowAssigner<T = any> extends WindowAssigner<T, TimeWindow> {
  override isMerging(): this is MergingWindowAssigner<T> {
    return true;
  }
  /** Calls `callback` for each group of windows that merge, with the window they merge into. */
  mergeWindows(windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, callback);
  }
}

/**
 * The error for an event-time window fed a record without a timestamp.
 *
 * @example
 * if (timestamp === NO_TIMESTAMP) throw noTimestampError();
 */
export function noTimestampError(): Error {
  return new Error(
    'Record has no timestamp: call assignTimestampsAndWatermarks(...) before an event-time window, or use a processing-time window',
  );
}

function requirePositive(where: string, what: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidPipelineError(`${where}: ${what} must be a positive number of milliseconds, got ${String(value)}`);
  }
}

function requireOffset(where: string, offset: number, bound: number, boundName: string): void {
  if (typeof offset !== 'number' || !Number.isFinite(offset) || Math.abs(offset) >= bound) {
    throw new InvalidPipelineError(`${where}: offset must satisfy |offset| < ${boundName} (${bound} ms), got ${String(offset)}`);
  }
}

/**
 * Fixed-size, non-overlapping windows `[start, start + size)` aligned to epoch + `offset`.
 * Shared by the event-time and processing-time variants; the window operator recognises the
 * built-in subclasses and computes a record's window without allocating.
 *
 * @example
 * TumblingEventTimeWindows.of(60_000).windowStart(61_234); // 60_000
 */
export abstract class TumblingWindowAssigner<T = any> extends WindowAssigner<T, TimeWindow> {
  protected constructor(
    /** Window length in ms. */
    readonly size: number,
    /** Shift of window starts from the epoch in ms (e.g. a time-zone offset), |offset| < size. */
    readonly offset: number,
  ) {
    super();
  }
  /** The start of the window containing `time`. */
  windowStart(time: number): number {
    return TimeWindow.getWindowStartWithOffset(time, this.offset, this.size);
  }
  override windowNamespace(window: TimeWindow): NamespaceKey {
    return window.start;
  }
  override windowForNamespace(namespace: NamespaceKey): TimeWindow {
    const start = Number(namespace);
    return new TimeWindow(start, start + this.size);
  }
  override toString(): string {
    return `${this.constructor.name}(${this.size}${this.offset ? `, ${this.offset}` : ''})`;
  }
}

/**
 * Tumbling windows in event time: every record falls into exactly one window of `size` ms.
 * `offset` shifts window starts, e.g. `-8 * 3_600_000` for days that start at midnight UTC+8.
 *
 * @example
 * keyed.window(TumblingEventTimeWindows.of(60_000)) // one-minute windows
 * TumblingEventTimeWindows.of(86_400_000, -8 * 3_600_000) // days in UTC+8
 */
export class TumblingEventTimeWindows<T = any> extends TumblingWindowAssigner<T> {
  static of<T = any>(size: number, offset = 0): TumblingEventTimeWindows<T> {
    requirePositive('TumblingEventTimeWindows.of', 'size', size);
    requireOffset('TumblingEventTimeWindows.of', offset, size, 'size');
    return new TumblingEventTimeWindows(size, offset);
  }
  assignWindows(_element: T, timestamp: number, _ctx?: WindowAssignerContext): TimeWindow[] {
    if (timestamp === NO_TIMESTAMP) throw noTimestampError();
    const start = this.windowStart(timestamp);
    return [new TimeWindow(start, start + this.size)];
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
}

/**
 * Tumbling windows in processing time: a record goes into the window containing the local
 * clock's time when it arrives.
 *
 * @example
 * keyed.window(TumblingProcessingTimeWindows.of(5_000))
 */
export class TumblingProcessingTimeWindows<T = any> extends TumblingWindowAssigner<T> {
  static of<T = any>(size: number, offset = 0): TumblingProcessingTimeWindows<T> {
    requirePositive('TumblingProcessingTimeWindows.of', 'size', size);
    requireOffset('TumblingProcessingTimeWindows.of', offset, size, 'size');
    return new TumblingProcessingTimeWindows(size, offset);
  }
  assignWindows(_element: T, _timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    const start = this.windowStart(ctx.currentProcessingTime());
    return [new TimeWindow(start, start + this.size)];
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
}

/**
 * Windows of `size` ms starting every `slide` ms; shared by both time domains. The window
 * operator recognises the built-in subclasses and computes their windows without allocating.
 *
 * @example
 * const a: SlidingWindowAssigner = SlidingEventTimeWindows.of(60_000, 10_000);
 * a.size / a.slide; // 6 windows per record
 */
export abstract class SlidingWindowAssigner<T = any> extends WindowAssigner<T, TimeWindow> {
  protected constructor(
    /** Window length in ms. */
    readonly size: number,
    /** Distance between window starts in ms. */
    readonly slide: number,
    /** Shift of window starts from the epoch in ms, |offset| < slide. */
    readonly offset: number,
  ) {
    super();
  }
  protected windowsAt(time: number): TimeWindow[] {
    const windows: TimeWindow[] = [];
    const lastStart = TimeWindow.getWindowStartWithOffset(time, this.offset, this.slide);
    for (let start = lastStart; start > time - this.size; start -= this.slide) windows.push(new TimeWindow(start, start + this.size));
    return windows;
  }
  override windowNamespace(window: TimeWindow): NamespaceKey {
    return window.start;
  }
  override windowForNamespace(namespace: NamespaceKey): TimeWindow {
    const start = Number(namespace);
    return new TimeWindow(start, start + this.size);
  }
  override toString(): string {
    return `${this.constructor.name}(${this.size}, ${this.slide}${this.offset ? `, ${this.offset}` : ''})`;
  }
}

function validateSliding(where: string, size: number, slide: number, offset: number): void {
  requirePositive(where, 'size', size);
  requirePositive(where, 'slide', slide);
  requireOffset(where, offset, slide, 'slide');
}

/**
 * Sliding windows in event time: windows of `size` ms start every `slide` ms, so a record
 * belongs to `size / slide` windows.
 *
 * @example
 * keyed.window(SlidingEventTimeWindows.of(60_000, 10_000)) // last minute, every 10 s
 */
export class SlidingEventTimeWindows<T = any> extends SlidingWindowAssigner<T> {
  static of<T = any>(size: number, slide: number, offset = 0): SlidingEventTimeWindows<T> {
    validateSliding('SlidingEventTimeWindows.of', size, slide, offset);
    return new SlidingEventTimeWindows(size, slide, offset);
  }
  assignWindows(_element: T, timestamp: number, _ctx?: WindowAssignerContext): TimeWindow[] {
    if (timestamp === NO_TIMESTAMP) throw noTimestampError();
    return this.windowsAt(timestamp);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
}

/**
 * Sliding windows in processing time.
 *
 * @example
 * keyed.window(SlidingProcessingTimeWindows.of(60_000, 10_000))
 */
export class SlidingProcessingTimeWindows<T = any> extends SlidingWindowAssigner<T> {
  static of<T = any>(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows<T> {
    validateSliding('SlidingProcessingTimeWindows.of', size, slide, offset);
    return new SlidingProcessingTimeWindows(size, slide, offset);
  }
  assignWindows(_element: T, _timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    return this.windowsAt(ctx.currentProcessingTime());
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
}

/**
 * Returns the session gap for one record, in ms (> 0), for sessions whose gap depends on the
 * data.
 *
 * @example
 * const gap: SessionWindowTimeGapExtractor<Click> = (c) => (c.premium ? 60_000 : 10_000);
 */
export type SessionWindowTimeGapExtractor<T> = ((element: T) => number) | { extract(element: T): number };

function gapFunction<T>(where: string, extractor: SessionWindowTimeGapExtractor<T>): (element: T) => number {
  const fn =
    typeof extractor === 'function'
      ? extractor
      : extractor && typeof extractor.extract === 'function'
        ? (e: T) => extractor.extract(e)
        : undefined;
  if (!fn) throw new InvalidPipelineError(`${where}: expects a function that returns the gap of a record, got ${String(extractor)}`);
  return (element: T) => {
    const gap = fn(element);
    if (typeof gap !== 'number' || !Number.isFinite(gap) || gap <= 0) {
      throw new Error(`${where}: the gap extractor returned ${String(gap)}; a session gap must be a positive number of milliseconds`);
    }
    return gap;
  };
}

/** What the session assigners share: a gap per record, fixed (`withGap`) or from the record (`withDynamicGap`). */
abstract class SessionWindows<T> extends MergingWindowAssigner<T> {
  protected constructor(
    protected readonly gapOf: (element: T) => number,
    /** The fixed gap in ms, or undefined for a dynamic gap. */
    readonly gap: number | undefined,
  ) {
    super();
  }
}

/**
 * Session windows in event time: a record opens the window `[ts, ts + gap)`, and windows that
 * overlap or touch merge, so a session ends after `gap` ms without records of its key.
 *
 * @example
 * keyed.window(EventTimeSessionWindows.withGap(30 * 60_000))
 * keyed.window(EventTimeSessionWindows.withDynamicGap((c: Click) => (c.premium ? 60_000 : 10_000)))
 */
export class EventTimeSessionWindows<T = any> extends SessionWindows<T> {
  static withGap<T = any>(gap: number): EventTimeSessionWindows<T> {
    requirePositive('EventTimeSessionWindows.withGap', 'gap', gap);
    return new EventTimeSessionWindows<T>(() => gap, gap);
  }
  static withDynamicGap<T = any>(extractor: SessionWindowTimeGapExtractor<T>): EventTimeSessionWindows<T> {
    return new EventTimeSessionWindows<T>(gapFunction('EventTimeSessionWindows.withDynamicGap', extractor), undefined);
  }
  assignWindows(element: T, timestamp: number, _ctx?: WindowAssignerContext): TimeWindow[] {
    if (timestamp === NO_TIMESTAMP) throw noTimestampError();
    return [new TimeWindow(timestamp, timestamp + this.gapOf(element))];
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  override toString(): string {
    return `EventTimeSessionWindows(${this.gap ?? 'dynamic gap'})`;
  }
}

/**
 * Session windows in processing time: a session ends after `gap` ms of wall time without
 * records of its key.
 *
 * @example
 * keyed.window(ProcessingTimeSessionWindows.withGap(10_000))
 */
export class ProcessingTimeSessionWindows<T = any> extends SessionWindows<T> {
  static withGap<T = any>(gap: number): ProcessingTimeSessionWindows<T> {
    requirePositive('ProcessingTimeSessionWindows.withGap', 'gap', gap);
    return new ProcessingTimeSessionWindows<T>(() => gap, gap);
  }
  static withDynamicGap<T = any>(extractor: SessionWindowTimeGapExtractor<T>): ProcessingTimeSessionWindows<T> {
    return new ProcessingTimeSessionWindows<T>(gapFunction('ProcessingTimeSessionWindows.withDynamicGap', extractor), undefined);
  }
  assignWindows(element: T, _timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    const now = ctx.currentProcessingTime();
    return [new TimeWindow(now, now + this.gapOf(element))];
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  override toString(): string {
    return `ProcessingTimeSessionWindows(${this.gap ?? 'dynamic gap'})`;
  }
}

/**
 * One window per key holding all its records. Its default trigger never fires: give it a
 * trigger (for count windows, `CountTrigger`), and usually an evictor.
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100)))
 */
export class GlobalWindows<T = any> extends WindowAssigner<T, GlobalWindow> {
  private static readonly INSTANCE = new GlobalWindows<any>(false);
  private static readonly END_OF_STREAM = new GlobalWindows<any>(true);
  private static readonly WINDOWS: readonly GlobalWindow[] = Object.freeze([GlobalWindow.get()]);
  private constructor(private readonly endOfStream: boolean) {
    super();
  }
  static create<T = any>(): GlobalWindows<T> {
    return GlobalWindows.INSTANCE;
  }
  /**
   * Global windows whose default trigger fires once, at the end of a bounded input (Flink's
   * `GlobalWindows.createWithEndOfStreamTrigger()`): one result per key over all its records.
   *
   * @example
   * orders.keyBy((o) => o.customer).window(GlobalWindows.createWithEndOfStreamTrigger()).sum('amount')
   */
  static createWithEndOfStreamTrigger<T = any>(): GlobalWindows<T> {
    return GlobalWindows.END_OF_STREAM;
  }
  assignWindows(_element?: T, _timestamp?: number, _ctx?: WindowAssignerContext): readonly GlobalWindow[] {
    return GlobalWindows.WINDOWS;
  }
  getDefaultTrigger(): Trigger<T, GlobalWindow> {
    return this.endOfStream ? EndOfStreamTrigger.create() : NeverTrigger.create();
  }
  /** False, as in Flink: the global window is never late and never cleaned up. */
  isEventTime(): boolean {
    return false;
  }
  override windowNamespace(): NamespaceKey {
    return GLOBAL_NAMESPACE;
  }
  override windowForNamespace(): GlobalWindow {
    return GlobalWindow.get();
  }
}
