import { UdfOperator } from './udf-operator.ts';
import { ValueStateDescriptor } from '../../state/descriptors.ts';
import type { ValueState } from '../../state/state.ts';

/**
 * Rolling `reduce` on a keyed stream (also behind sum/min/max/minBy/maxBy). In streaming mode
 * every record emits the updated value of its key; in batch mode only the final value per key is
 * emitted, at the end of input, as Flink does — the final result is the same.
 */
export class KeyedReduceOperator<T> extends UdfOperator<T> {
  private state!: ValueState<T>;
  private timestamps!: ValueState<number>;
  constructor(private readonly reduce: (a: T, b: T) => T) {
    super(reduce);
  }
  override open() {
    const backend = this.requireKeyed('reduce()');
    this.state = backend.getState(new ValueStateDescriptor<T>('_reduce')) as unknown as ValueState<T>;
    if (this.services.mode === 'batch') this.timestamps = backend.getState(new ValueStateDescriptor<number>('_reduce-ts')) as unknown as ValueState<number>;
    return super.open();
  }
  processElement(value: T, timestamp: number): void {
    this.setKeyContextElement(value);
    const cur = this.state.value();
    const next = cur === undefined ? value : this.reduce(cur, value);
    this.state.update(next);
    if (this.services.mode === 'batch') {
      const ts = this.timestamps.value();
      if (ts === undefined || timestamp > ts) this.timestamps.update(timestamp);
    } else this.output.collect(next, timestamp);
  }
  override finish(): void {
    if (this.services.mode === 'batch') {
      const backend = this.keyedBackend!;
      for (const key of backend.keysOf('_reduce')) {
        backend.setCurrentKey(key);
        this.output.collect(this.state.value()!, this.timestamps.value()!);
      }
    }
    super.finish();
  }
}
