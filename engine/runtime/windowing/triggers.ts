import { InvalidPipelineError } from '../errors.ts';
import { MAX_WATERMARK } from '../elements.ts';
import { ReducingStateDescriptor } from '../../state/descriptors.ts';
import type {
  AggregatingStateDescriptor,
  AnyStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ValueStateDescriptor,
} from '../../state/descriptors.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../../state/state.ts';
import type { Window } from './windows.ts';

/**
 * What a trigger decides: keep going, emit the window's contents, drop them, or both. Purging
 * drops the contents only; the window itself (its trigger state and timers) lives on until its
 * cleanup time.
 *
 * @example
 * onElement(e, ts, w, ctx) { return e.urgent ? TriggerResult.FIRE_AND_PURGE : TriggerResult.CONTINUE; }
 */
export type TriggerResult = 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE';

/**
 * The trigger results by name, so triggers read as in Flink.
 *
 * @example
 * return TriggerResult.FIRE;
 */
export const TriggerResult = Object.freeze({
  CONTINUE: 'CONTINUE',
  FIRE: 'FIRE',
  PURGE: 'PURGE',
  FIRE_AND_PURGE: 'FIRE_AND_PURGE',
} as const);

/**
 * True for FIRE and FIRE_AND_PURGE.
 *
 * @example
 * isFire(TriggerResult.FIRE_AND_PURGE); // true
 */
export function isFire(result: TriggerResult): boolean {
  return result === 'FIRE' || result === 'FIRE_AND_PURGE';
}

/**
 * True for PURGE and FIRE_AND_PURGE.
 *
 * @example
 * isPurge(TriggerResult.FIRE); // false
 */
export function isPurge(result: TriggerResult): boolean {
  return result === 'PURGE' || result === 'FIRE_AND_PURGE';
}

/**
 * What a trigger may do while handling one key and one window: read time, set and delete timers
 * (they call back `onEventTime` / `onProcessingTime` for this key and window), and keep state
 * scoped to this key and window.
 *
 * @example
 * const count = ctx.getPartitionedState(new ReducingStateDescriptor<number>('count', (a, b) => a + b));
 * ctx.registerEventTimeTimer(window.maxTimestamp());
 */
export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  /** State of the current key and window; it is cleared only if the trigger clears it in `clear`. */
  getPartitionedState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getPartitionedState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getPartitionedState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getPartitionedState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getPartitionedState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/**
 * The context of `onMerge`: the current window is the merge result, and
 * `mergePartitionedState` folds the state of the windows merged into it.
 *
 * @example
 * onMerge(window, ctx) { ctx.mergePartitionedState(this.countDesc); }
 */
export interface OnMergeContext extends TriggerContext {
  /** Merges this state of every merged window into the merge result (reducing, aggregating, list state). */
  mergePartitionedState(descriptor: AnyStateDescriptor): void;
}

/**
 * Decides when a window emits and when its contents are purged (Flink's `Trigger`). A trigger
 * object is shared by all keys and windows of an operator, so it keeps nothing in fields: what
 * it must remember goes into `ctx.getPartitionedState(...)`, and every timer or state it
 * creates must be removed in `clear`, which runs when the window is cleaned up.
 *
 * @example
 * class FireOnRed extends Trigger<{ color: string }> {
 *   onElement(e) { return e.color === 'red' ? TriggerResult.FIRE : TriggerResult.CONTINUE; }
 *   onEventTime() { return TriggerResult.CONTINUE; }
 *   onProcessingTime() { return TriggerResult.CONTINUE; }
 *   clear() {}
 * }
 */
export abstract class Trigger<T = any, W extends Window = Window> {
  /** Called for every record added to `window`. */
  abstract onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when an event-time timer set through `ctx` fires. */
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when a processing-time timer set through `ctx` fires. */
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Removes the timers and state this trigger keeps for `window`. */
  abstract clear(window: W, ctx: TriggerContext): void;

  /** True if the trigger supports merging windows (session windows need it). */
  canMerge(): boolean {
    return false;
  }

  /** Called when windows merged into `window`; re-register timers and merge state here. */
  onMerge(_window: W, _ctx: OnMergeContext): void {
    throw new Error(`${this.constructor.name} does not support merging windows`);
  }

  toString(): string {
    return `${this.constructor.name}()`;
  }
}

/**
 * A trigger that decides on records alone (count, delta): time never fires it, and the one state
 * it keeps per window, `stateDescriptor`, goes with the window.
 *
 * @example
 * class EveryOther extends RecordTrigger<unknown> {
 *   protected readonly stateDescriptor = new ValueStateDescriptor<boolean>('odd');
 *   onElement(_e, _t, _w, ctx) { const odd = ctx.getPartitionedState(this.stateDescriptor); odd.update(!odd.value()); return odd.value() ? 'CONTINUE' : 'FIRE'; }
 * }
 */
export abstract class RecordTrigger<T = any, W extends Window = Window> extends Trigger<T, W> {
  protected abstract readonly stateDescriptor: AnyStateDescriptor;
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(_window: W, ctx: TriggerContext): void {
    // Any kind of state clears alike; the cast only picks one of getPartitionedState's overloads.
    ctx.getPartitionedState(this.stateDescriptor as ValueStateDescriptor<unknown>).clear();
  }
}

function requirePositive(where: string, what: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidPipelineError(`${where}: ${what} must be a positive number, got ${String(value)}`);
  }
}

/**
 * Fires once when the watermark passes the end of the window (the default trigger of every
 * event-time assigner). A record added after that (allowed lateness) fires the window again at
 * once with the updated contents.
 *
 * @example
 * keyed.window(TumblingEventTimeWindows.of(60_000)).trigger(EventTimeTrigger.create())
 */
export class EventTimeTrigger extends Trigger<unknown, Window> {
  private static readonly INSTANCE = new EventTimeTrigger();
  private constructor() {
    super();
  }
  /** The (stateless, shared) instance. */
  static create(): EventTimeTrigger {
    return EventTimeTrigger.INSTANCE;
  }
  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    const end = window.maxTimestamp();
    if (end <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(end);
    return 'CONTINUE';
  }
  onEventTime(time: number, window: Window): TriggerResult {
    return time === window.maxTimestamp() ? 'FIRE' : 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: Window, ctx: OnMergeContext): void {
    // A merged window that is already complete must not fire a second time from a new timer.
    const end = window.maxTimestamp();
    if (end > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(end);
  }
}

/**
 * Fires once when the local clock passes the end of the window (the default trigger of every
 * processing-time assigner).
 *
 * @example
 * keyed.window(TumblingProcessingTimeWindows.of(5_000)).trigger(ProcessingTimeTrigger.create())
 */
export class ProcessingTimeTrigger extends Trigger<unknown, Window> {
  private static readonly INSTANCE = new ProcessingTimeTrigger();
  private constructor() {
    super();
  }
  /** The (stateless, shared) instance. */
  static create(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.INSTANCE;
  }
  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'FIRE';
  }
  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: Window, ctx: OnMergeContext): void {
    const end = window.maxTimestamp();
    if (end > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(end);
  }
}

const sum = (a: number, b: number) => a + b;
const min = (a: number, b: number) => Math.min(a, b);

/**
 * Fires every `maxCount` records of a window (and resets its count). With `GlobalWindows` it
 * makes count windows; wrap it in `PurgingTrigger` to drop each batch after it fired.
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100)))
 */
export class CountTrigger extends RecordTrigger<unknown> {
  protected readonly stateDescriptor = new ReducingStateDescriptor<number>('count', sum);
  private constructor(readonly maxCount: number) {
    super();
  }
  /** Fires when the window holds `maxCount` (> 0) records since it last fired. */
  static of(maxCount: number): CountTrigger {
    requirePositive('CountTrigger.of', 'maxCount', maxCount);
    return new CountTrigger(maxCount);
  }
  onElement(_element: unknown, _timestamp: number, _window: Window, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(this.stateDescriptor);
    count.add(1);
    if (count.get()! >= this.maxCount) {
      count.clear();
      return 'FIRE';
    }
    return 'CONTINUE';
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDescriptor);
  }
  override toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}

/**
 * Turns every FIRE of `nested` into FIRE_AND_PURGE, so each firing emits only what arrived
 * since the previous one.
 *
 * @example
 * PurgingTrigger.of(CountTrigger.of(3)) // emits each batch of 3 once
 */
export class PurgingTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private constructor(readonly nested: Trigger<T, W>) {
    super();
  }
  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    if (!nested || typeof nested.onElement !== 'function') throw new InvalidPipelineError('PurgingTrigger.of: expects a trigger to wrap');
    return new PurgingTrigger(nested);
  }
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onElement(element, timestamp, window, ctx));
  }
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onEventTime(time, window, ctx));
  }
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onProcessingTime(time, window, ctx));
  }
  clear(window: W, ctx: TriggerContext): void {
    this.nested.clear(window, ctx);
  }
  override canMerge(): boolean {
    return this.nested.canMerge();
  }
  override onMerge(window: W, ctx: OnMergeContext): void {
    this.nested.onMerge(window, ctx);
  }
  override toString(): string {
    return `PurgingTrigger(${String(this.nested)})`;
  }
}

function purging(result: TriggerResult): TriggerResult {
  return isFire(result) ? 'FIRE_AND_PURGE' : result;
}

/**
 * What the two continuous triggers share: the next firing time kept in per-window state (the
 * minimum, so merged windows fire at the earliest), aligned to multiples of `interval`, and
 * cleared, merged and re-registered in the trigger's time domain.
 */
abstract class ContinuousTrigger extends Trigger<unknown, Window> {
  protected readonly fireTimeDesc = new ReducingStateDescriptor<number>('fire-time', min);
  protected constructor(readonly interval: number) {
    super();
  }
  /** Registers a timer in this trigger's time domain. */
  protected abstract registerTimer(ctx: TriggerContext, time: number): void;
  protected abstract deleteTimer(ctx: TriggerContext, time: number): void;

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(this.fireTimeDesc);
    const t = fireTime.get();
    if (t !== undefined) {
      this.deleteTimer(ctx, t);
      fireTime.clear();
    }
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTimeDesc);
    const next = ctx.getPartitionedState(this.fireTimeDesc).get();
    if (next !== undefined) this.registerTimer(ctx, next);
  }
  protected registerNextFireTime(time: number, window: Window, ctx: TriggerContext, fireTime: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    fireTime.add(next);
    this.registerTimer(ctx, next);
  }
  override toString(): string {
    return `${this.constructor.name.replace(/^_+/, '')}(${this.interval})`;
  }
}

/**
 * Fires every `interval` ms of event time while the window is open (early results), and once
 * more when the watermark passes the window's end. Firing times are aligned to multiples of
 * `interval`.
 *
 * @example
 * keyed.window(TumblingEventTimeWindows.of(3_600_000)).trigger(ContinuousEventTimeTrigger.of(60_000))
 */
export class ContinuousEventTimeTrigger extends ContinuousTrigger {
  static of(interval: number): ContinuousEventTimeTrigger {
    requirePositive('ContinuousEventTimeTrigger.of', 'interval', interval);
    return new ContinuousEventTimeTrigger(interval);
  }
  protected registerTimer(ctx: TriggerContext, time: number): void {
    ctx.registerEventTimeTimer(time);
  }
  protected deleteTimer(ctx: TriggerContext, time: number): void {
    ctx.deleteEventTimeTimer(time);
  }
  onElement(_element: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTime = ctx.getPartitionedState(this.fireTimeDesc);
    if (fireTime.get() === undefined) this.registerNextFireTime(timestamp - (timestamp % this.interval), window, ctx, fireTime);
    return 'CONTINUE';
  }
  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return 'FIRE';
    const fireTime = ctx.getPartitionedState(this.fireTimeDesc);
    if (fireTime.get() === time) {
      fireTime.clear();
      // At the end of event time (the final watermark of a bounded input) a window that never
      // ends would re-arm a due timer forever: one last firing is enough there.
      const endless = window.maxTimestamp() === MAX_WATERMARK && ctx.getCurrentWatermark() === MAX_WATERMARK;
      if (!endless) this.registerNextFireTime(time, window, ctx, fireTime);
      return 'FIRE';
    }
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
}

/**
 * Fires every `interval` ms of processing time while the window is open, aligned to multiples
 * of `interval`, and once more at the window's end.
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(ContinuousProcessingTimeTrigger.of(10_000))
 */
export class ContinuousProcessingTimeTrigger extends ContinuousTrigger {
  static of(interval: number): ContinuousProcessingTimeTrigger {
    requirePositive('ContinuousProcessingTimeTrigger.of', 'interval', interval);
    return new ContinuousProcessingTimeTrigger(interval);
  }
  protected registerTimer(ctx: TriggerContext, time: number): void {
    ctx.registerProcessingTimeTimer(time);
  }
  protected deleteTimer(ctx: TriggerContext, time: number): void {
    ctx.deleteProcessingTimeTimer(time);
  }
  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(this.fireTimeDesc);
    const now = ctx.getCurrentProcessingTime();
    if (fireTime.get() === undefined) this.registerNextFireTime(now - (now % this.interval), window, ctx, fireTime);
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(this.fireTimeDesc);
    if (fireTime.get() === time) {
      fireTime.clear();
      // A timer due after "now" only fires when the task flushes all timers at the end of a
      // bounded input; re-arming then would flush forever. Nor is it re-armed at the window's
      // end, where the next firing time would be this one again: a window that outlives its end
      // in processing time (an event-time window) looped there for ever
      // (ContinuousProcessingTimeTriggerTest#testEventTimeWindowFiring).
      if (time < window.maxTimestamp() && time <= ctx.getCurrentProcessingTime()) this.registerNextFireTime(time, window, ctx, fireTime);
      return 'FIRE';
    }
    return 'CONTINUE';
  }
}

/**
 * Never fires: the default trigger of `GlobalWindows`, which needs a custom trigger to emit.
 *
 * @example
 * GlobalWindows.create().getDefaultTrigger(); // NeverTrigger
 */
export class NeverTrigger extends Trigger<unknown, Window> {
  private static readonly INSTANCE = new NeverTrigger();
  private constructor() {
    super();
  }
  static create(): NeverTrigger {
    return NeverTrigger.INSTANCE;
  }
  onElement(): TriggerResult {
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(): void {}
  override canMerge(): boolean {
    return true;
  }
  override onMerge(): void {}
}

/**
 * Fires once, when the final watermark ends the input (the window's end is the end of time): the
 * default trigger of `GlobalWindows.createWithEndOfStreamTrigger()`, for one result per key over
 * all of a bounded input.
 *
 * @example
 * keyed.window(GlobalWindows.createWithEndOfStreamTrigger()).reduce((a, b) => a + b)
 */
export class EndOfStreamTrigger extends Trigger<unknown, Window> {
  private static readonly INSTANCE = new EndOfStreamTrigger();
  private constructor() {
    super();
  }
  /**
   * The (stateless, shared) instance.
   *
   * @example
   * keyed.window(GlobalWindows.create()).trigger(EndOfStreamTrigger.create())
   */
  static create(): EndOfStreamTrigger {
    return EndOfStreamTrigger.INSTANCE;
  }
  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }
  onEventTime(time: number, window: Window): TriggerResult {
    return time === window.maxTimestamp() ? 'FIRE' : 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(): void {}
  override toString(): string {
    return 'EndOfStreamTrigger()';
  }
}
