/**
 * `DeltaTrigger` (Flink's `DeltaTrigger`): fires when a record is far enough from the record
 * that last made the window fire, as measured by a delta function.
 */
import { InvalidPipelineError } from '../errors.ts';
import { ValueStateDescriptor } from '../../state/descriptors.ts';
import { RecordTrigger, type TriggerContext, type TriggerResult } from './triggers.ts';
import type { DeltaFunction } from './evictors.ts';
import type { Window } from './windows.ts';

/**
 * Fires when the delta between the current record and the record of the last firing exceeds
 * `threshold`. The first record of a window only becomes the reference; it does not fire.
 *
 * @example
 * keyed.window(GlobalWindows.create())
 *   .trigger(DeltaTrigger.of(10, (a: Tick, b: Tick) => Math.abs(b.price - a.price)))
 */
export class DeltaTrigger<T = any> extends RecordTrigger<T> {
  /** The record of the last firing (the first record until then). */
  protected readonly stateDescriptor = new ValueStateDescriptor<T>('delta-last-element');
  private constructor(
    readonly threshold: number,
    private readonly deltaFunction: DeltaFunction<T>,
  ) {
    super();
  }
  /**
   * Fires when `deltaFunction(reference, record) > threshold`; the record becomes the new reference.
   *
   * @example
   * DeltaTrigger.of(0.5, (a: Reading, b: Reading) => Math.abs(b.temp - a.temp))
   */
  static of<T = any>(threshold: number, deltaFunction: DeltaFunction<T>): DeltaTrigger<T> {
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new InvalidPipelineError(`DeltaTrigger.of: threshold must be a number, got ${String(threshold)}`);
    if (typeof deltaFunction !== 'function') throw new InvalidPipelineError('DeltaTrigger.of: expects a delta function (oldValue, newValue) => number');
    return new DeltaTrigger(threshold, deltaFunction);
  }
  onElement(element: T, _timestamp: number, _window: Window, ctx: TriggerContext): TriggerResult {
    const last = ctx.getPartitionedState(this.stateDescriptor);
    const reference = last.value();
    if (reference === undefined) {
      last.update(element);
      return 'CONTINUE';
    }
    if (this.deltaFunction(reference, element) > this.threshold) {
      last.update(element);
      return 'FIRE';
    }
    return 'CONTINUE';
  }
  override toString(): string {
    return `DeltaTrigger(${this.threshold})`;
  }
}
