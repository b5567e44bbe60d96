import { StreamOperator, type KeySelector, type OperatorInfo, type TaskServices } from '../operator.ts';
import { instantiateUserFunction, type SinkContext, type SinkFunction } from '../functions.ts';
import { NO_TIMESTAMP } from '../elements.ts';
import type { Output } from '../output.ts';
import { closeUserFunction, openUserFunction } from './udf-operator.ts';

/** Builds the sink function of one subtask, once the subtask knows where it runs. */
export type SinkProvider<T> = (info: OperatorInfo, services: TaskServices) => SinkFunction<T>;

/** Calls the sink function for every record (Flink's `StreamSink`). */
export class SinkOperator<T> extends StreamOperator<never> {
  private sink!: SinkFunction<T>;
  private ts = NO_TIMESTAMP;
  private readonly ctx: SinkContext = {
    timestamp: () => (this.ts === NO_TIMESTAMP ? undefined : this.ts),
    currentWatermark: () => this.currentWatermark,
  };

  constructor(private readonly provider: SinkProvider<T>) {
    super();
  }

  override setup(info: OperatorInfo, output: Output<never>, services: TaskServices, keys: (KeySelector | undefined)[]): void {
    super.setup(info, output, services, keys);
    this.sink = instantiateUserFunction(this.provider(info, services));
    if (!this.sink || typeof this.sink.invoke !== 'function') throw new TypeError(`Sink '${info.name}' has no invoke(value, ctx) method`);
  }

  override open(): void | Promise<void> {
    return openUserFunction(this.sink, this);
  }

  processElement(value: T, timestamp: number): void {
    this.ts = timestamp;
    this.sink.invoke(value, this.ctx);
  }

  override finish(): void {
    super.finish();
    const r = this.sink.finish?.();
    if (r && typeof (r as Promise<void>).then === 'function') {
      throw new Error(`Sink '${this.info.name}': finish() must complete synchronously`);
    }
  }

  override close(): void {
    super.close();
    closeUserFunction(this.sink);
  }
}
