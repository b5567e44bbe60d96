/**
 * `ProcessingTimeoutTrigger` (Flink's `ProcessingTimeoutTrigger`): any trigger, plus a
 * processing-time timeout after which the window fires anyway.
 */
import { InvalidPipelineError } from '../errors.ts';
import { ValueStateDescriptor } from '../../state/descriptors.ts';
import { Trigger, isFire, isPurge, type TriggerContext, type TriggerResult } from './triggers.ts';
import type { Window } from './windows.ts';

/**
 * Fires when `nested` fires, or `timeout` ms of processing time after the first record of the
 * window (after every record, with `resetTimerOnNewRecord`), whichever comes first. On a timeout
 * the nested trigger's state is cleared unless `shouldClearOnTimeout` is false.
 *
 * @example
 * // a batch of 100, or whatever arrived within 5 s
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(ProcessingTimeoutTrigger.of(CountTrigger.of(100), 5_000)))
 */
export class ProcessingTimeoutTrigger<T = any, W extends Window = Window> extends Trigger<T, W> {
  private readonly timeoutDesc = new ValueStateDescriptor<number>('timeout');
  private constructor(
    readonly nested: Trigger<T, W>,
    readonly timeout: number,
    readonly resetTimerOnNewRecord: boolean,
    readonly shouldClearOnTimeout: boolean,
  ) {
    super();
  }
  /**
   * Wraps `nested` with a timeout of `timeout` ms of processing time.
   *
   * @example
   * ProcessingTimeoutTrigger.of(CountTrigger.of(3), 100)             // fire at 3 records or 100 ms after the first
   * ProcessingTimeoutTrigger.of(CountTrigger.of(3), 100, true)       // ... or 100 ms after the latest record
   */
  static of<T, W extends Window>(nested: Trigger<T, W>, timeout: number, resetTimerOnNewRecord = false, shouldClearOnTimeout = true): ProcessingTimeoutTrigger<T, W> {
    if (!nested || typeof nested.onElement !== 'function') throw new InvalidPipelineError('ProcessingTimeoutTrigger.of: expects a trigger to wrap');
    if (!(timeout > 0) || !Number.isFinite(timeout)) throw new InvalidPipelineError(`ProcessingTimeoutTrigger.of: timeout must be a number > 0 ms, got ${String(timeout)}`);
    return new ProcessingTimeoutTrigger(nested, timeout, resetTimerOnNewRecord, shouldClearOnTimeout);
  }
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    const result = this.nested.onElement(element, timestamp, window, ctx);
    if (isFire(result)) {
      this.clear(window, ctx);
      return result;
    }
    const state = ctx.getPartitionedState(this.timeoutDesc);
    let due = state.value();
    if (due !== undefined && this.resetTimerOnNewRecord) {
      ctx.deleteProcessingTimeTimer(due);
      state.clear();
      due = undefined;
    }
    if (due === undefined) {
      const next = ctx.getCurrentProcessingTime() + this.timeout;
      state.update(next);
      ctx.registerProcessingTimeTimer(next);
    }
    return result;
  }
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return this.timedOut(this.nested.onProcessingTime(time, window, ctx), window, ctx);
  }
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return this.timedOut(this.nested.onEventTime(time, window, ctx), window, ctx);
  }
  /** Any timer of the window ends the wait (as in Flink): fire, and purge if the nested trigger says so. */
  private timedOut(nested: TriggerResult, window: W, ctx: TriggerContext): TriggerResult {
    if (this.shouldClearOnTimeout) this.clear(window, ctx);
    return isPurge(nested) ? 'FIRE_AND_PURGE' : 'FIRE';
  }
  clear(window: W, ctx: TriggerContext): void {
    const state = ctx.getPartitionedState(this.timeoutDesc);
    const due = state.value();
    if (due !== undefined) {
      ctx.deleteProcessingTimeTimer(due);
      state.clear();
    }
    this.nested.clear(window, ctx);
  }
  override toString(): string {
    return `TimeoutTrigger(${String(this.nested)})`;
  }
}
