import type { RecordBatch, StreamElement } from '../elements.ts';
import { BATCH_SIZE } from './record-writer.ts';

/**
 * A channel between two subtasks in one process: a FIFO of elements with a bounded number of
 * record batches in flight (the credits). A producer whose channel has no credit left is not
 * scheduled, so back-pressure propagates upstream to the source.
 *
 * Cross-process channels implement the same two ends over a socket.
 */
export interface ChannelWriter {
  /** True while the consumer has credit for at least one more batch. */
  readonly writable: boolean;
  push(element: StreamElement): void;
  /** A batch the consumer is done with, whose arrays the producer may fill again (local channels). */
  takeSpare?(): RecordBatch | undefined;
  /** Records per batch the consumer asks for (buffer debloating, see `ChannelReader.debloat`); unset: any. */
  readonly batchSize?: number;
  /** Records the channel takes before its credit is spent, at `batchSize` per batch (unset: no limit known). */
  readonly room?: number;
}

export interface ChannelReader {
  /** Next element, or undefined when nothing is queued. */
  poll(): StreamElement | undefined;
  readonly available: boolean;
  /** The consumer has processed `batch` and holds none of its arrays: they may be reused. */
  recycle?(batch: RecordBatch): void;
  /**
   * Buffer debloating (Flink's `BufferDebloater`): the consumer wants at most about
   * `recordsInFlight` records queued in this channel, so that a barrier behind them waits no
   * longer than its target time. The channel asks its producer for batches of that many records
   * divided by its credit (at least 1).
   */
  debloat?(recordsInFlight: number): void;
}

/** The batch size that keeps about `recordsInFlight` records in `buffers` batches (1 at least, `BATCH_SIZE` at most). */
export function debloatedBatchSize(recordsInFlight: number, buffers: number): number {
  return Math.max(1, Math.min(BATCH_SIZE, Math.floor(recordsInFlight / buffers)));
}

/** Spare batches a local channel keeps for its producer: enough to never allocate in a steady stream. */
const SPARE_BATCHES = 4;

export class LocalChannel implements ChannelWriter, ChannelReader {
  private queue: StreamElement[] = [];
  private head = 0;
  private batches = 0;
  private readonly spare: RecordBatch[] = [];
  /** Records that passed through, for metrics. */
  recordsTransferred = 0;
  /** Records per batch the consumer asks for; see `debloat`. */
  batchSize: number | undefined;

  constructor(
    /** Max record batches queued before the producer must wait. */
    readonly capacity: number,
    readonly onData?: () => void,
  ) {}

  get writable(): boolean {
    return this.batches < this.capacity;
  }

  get available(): boolean {
    return this.head < this.queue.length;
  }

  get room(): number {
    return this.batchSize === undefined ? Infinity : Math.max(0, this.capacity - this.batches) * this.batchSize;
  }

  debloat(recordsInFlight: number): void {
    this.batchSize = debloatedBatchSize(recordsInFlight, this.capacity);
  }

  /** Batches queued, for back-pressure metrics. */
  get queuedBatches(): number {
    return this.batches;
  }

  push(element: StreamElement): void {
    if (element.kind === 'records') {
      this.batches++;
      this.recordsTransferred += element.values.length;
    }
    this.queue.push(element);
    this.onData?.();
  }

  poll(): StreamElement | undefined {
    if (this.head >= this.queue.length) return undefined;
    const e = this.queue[this.head]!;
    (this.queue as (StreamElement | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (e.kind === 'records') this.batches--;
    return e;
  }

  recycle(batch: RecordBatch): void {
    if (this.spare.length < SPARE_BATCHES) this.spare.push(batch);
  }

  takeSpare(): RecordBatch | undefined {
    return this.spare.pop();
  }
}
