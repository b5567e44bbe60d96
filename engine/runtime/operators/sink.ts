import { StreamOperator, type KeySelector, type OperatorInfo, type OperatorSnapshot, type TaskServices } from '../operator.ts';
import {
  SINK_WRITE,
  instantiateUserFunction,
  type CheckpointedSink,
  type OperatorStateAccess,
  type SinkContext,
  type SinkFunction,
  type TransactionalSinkFunction,
} from '../functions.ts';
import { NO_TIMESTAMP } from '../elements.ts';
import type { Output } from '../output.ts';
import { closeUserFunction, openUserFunction, runtimeContextOf } from './udf-operator.ts';

/** Any sink function `SinkOperator` runs: plain, or transactional (two-phase commit). */
type AnySinkFunction<T> = (SinkFunction<T> | TransactionalSinkFunction<T>) & CheckpointedSink;

/**
 * Builds the sink function of one subtask, once the subtask knows where it runs.
 *
 * @example
 * const provider: SinkProvider<Row> = (info) => new PartWriter(`out/part-${info.subtask}`);
 */
export type SinkProvider<T> = (info: OperatorInfo, services: TaskServices) => SinkFunction<T> | TransactionalSinkFunction<T>;

/**
 * Calls the sink function for every record (Flink's `StreamSink`), and forwards the checkpoint
 * hooks to sink functions that have them (`CheckpointedSink`): `initializeState` (isRestored
 * when any snapshot is given), `snapshotState` before the operator's own state is copied, so
 * what the sink leaves in operator state is in the checkpoint, and `notifyCheckpointComplete`.
 *
 * @example
 * const h = new OneInputOperatorHarness(new SinkOperator<Row>(() => sink));
 * h.open(); h.processElement(row); h.snapshot(1); h.operator.notifyCheckpointComplete(1);
 */
export class SinkOperator<T> extends StreamOperator<never> {
  private sink!: AnySinkFunction<T>;
  private write!: (value: T, ctx: SinkContext) => void;
  private initialized = false;
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
    const sink = instantiateUserFunction(this.provider(info, services)) as AnySinkFunction<T>;
    this.sink = sink;
    if (sink && typeof (sink as TransactionalSinkFunction<T>)[SINK_WRITE] === 'function') {
      this.write = (value, ctx) => (sink as TransactionalSinkFunction<T>)[SINK_WRITE](value, ctx);
    } else if (sink && typeof (sink as SinkFunction<T>).invoke === 'function') {
      this.write = (value, ctx) => (sink as SinkFunction<T>).invoke(value, ctx);
    } else {
      throw new TypeError(`Sink '${info.name}' has no invoke(value, ctx) method`);
    }
  }

  override initializeState(snapshots: OperatorSnapshot[]): void {
    super.initializeState(snapshots);
    this.initialized = true;
    this.sink.initializeState?.({
      operatorState: this.userOperatorState(),
      isRestored: snapshots.length > 0,
      subtask: this.info.subtask,
      parallelism: this.info.parallelism,
    });
  }

  override open(): void | Promise<void> {
    // The task always initializes state first; an operator driven by hand may not.
    if (!this.initialized) this.initializeState([]);
    return openUserFunction(this.sink, this);
  }

  processElement(value: T, timestamp: number): void {
    this.ts = timestamp;
    this.write(value, this.ctx);
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    this.sink.snapshotState?.({ checkpointId, timestamp: this.services.processingTime.now(), operatorState: this.userOperatorState() });
    return super.snapshotState(checkpointId);
  }

  override notifyCheckpointComplete(checkpointId: number): void {
    super.notifyCheckpointComplete(checkpointId);
    this.sink.notifyCheckpointComplete?.(checkpointId);
  }

  override finish(finalCheckpoint = false): void {
    super.finish(finalCheckpoint);
    const r = this.sink.finish?.(finalCheckpoint) as unknown;
    if (r && typeof (r as Promise<void>).then === 'function') {
      throw new Error(`Sink '${this.info.name}': finish() must complete synchronously`);
    }
  }

  override close(): void {
    super.close();
    closeUserFunction(this.sink);
  }

  /** The operator state the sink function sees: the same lists as its RuntimeContext's. */
  private userOperatorState(): OperatorStateAccess {
    return runtimeContextOf(this).getOperatorStateStore();
  }
}
