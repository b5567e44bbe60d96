import type { RecordBatch, StreamElement } from '../elements.ts';

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
}

export interface ChannelReader {
  /** Next element, or undefined when nothing is queued. */
  poll(): StreamElement | undefined;
  readonly available: boolean;
  /** The consumer has processed `batch` and holds none of its arrays: they may be reused. */
  recycle?(batch: RecordBatch): void;
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
