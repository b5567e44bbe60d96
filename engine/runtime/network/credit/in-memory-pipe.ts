import { CreditChannelReader } from './credit-channel-reader.ts';
import { CreditChannelWriter } from './credit-channel-writer.ts';
import { ChannelFailure } from './channel-failure.ts';

/** Options of an in-memory pipe. */
export interface InMemoryPipeOptions {
  /** Data buffers of the consuming end (its credit). Default 4. */
  buffers?: number;
  /**
   * Deliver frames and credit as soon as they exist (true, the default), or only when the
   * test calls `pump()`, `deliverFrames()` or `deliverCredit()` (false): a stand-in for the
   * latency of a socket, so tests can look at the state in between.
   */
  automatic?: boolean;
}

/**
 * A channel between a `CreditChannelWriter` and a `CreditChannelReader` in one process, with
 * the real codec and credit protocol and no socket: the test seam for flow control, and a way
 * to run a job in one process through the same serialisation as across processes.
 *
 * @example
 * const pipe = new InMemoryPipe('a->b', { buffers: 2, automatic: false });
 * pipe.deliverCredit();                 // the consumer opens the channel
 * pipe.writer.push(batch);
 * pipe.deliverFrames();
 * pipe.reader.poll();                   // the batch, decoded
 */
export class InMemoryPipe {
  readonly writer: CreditChannelWriter;
  readonly reader: CreditChannelReader;
  private readonly automatic: boolean;
  private delivering = false;
  /** Frames moved from writer to reader so far. */
  framesDelivered = 0;
  /** Credit announcements delivered so far. */
  creditAnnouncements = 0;

  constructor(channel = 'in-memory', options: InMemoryPipeOptions = {}) {
    this.automatic = options.automatic ?? true;
    this.writer = new CreditChannelWriter(channel, () => {
      if (this.automatic) this.pump();
    });
    this.reader = new CreditChannelReader(channel, options.buffers ?? 4, () => {
      if (this.automatic) this.pump();
    });
    if (this.automatic) this.pump();
  }

  /** Moves the credit the reader freed to the writer; returns the credit moved. */
  deliverCredit(): number {
    const size = this.reader.takeBatchSize();
    if (size !== undefined) this.writer.batchSize = size;
    const n = this.reader.takeCredit();
    if (n > 0) {
      this.creditAnnouncements++;
      this.writer.addCredit(n);
    }
    return n;
  }

  /** Moves every frame the writer may send now to the reader; returns how many. */
  deliverFrames(): number {
    let moved = 0;
    for (let f = this.writer.takeSendable(); f; f = this.writer.takeSendable()) {
      this.reader.receive(f.payload, f.isEvent);
      moved++;
    }
    this.framesDelivered += moved;
    return moved;
  }

  /** Delivers credit and frames until nothing moves. Re-entrant calls are folded into the running one. */
  pump(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.deliverCredit() + this.deliverFrames() > 0);
    } finally {
      this.delivering = false;
    }
  }

  /** Breaks the channel on both ends, as a lost connection would. */
  break(reason = 'in-memory pipe broken'): void {
    this.writer.fail(new ChannelFailure(this.writer.channel, reason));
    this.reader.fail(new ChannelFailure(this.reader.channel, reason));
  }
}
