import type { CreditFrame } from './credit-sender.ts';
import { Fifo } from './fifo.ts';

/** A data frame arrived with no free buffer: the sender broke the credit protocol. */
export class CreditViolationError extends Error {
  override name = 'CreditViolationError';
}

/**
 * The receiving half of credit-based flow control for one channel: it owns `buffers` buffers,
 * grants all of them as initial credit when the channel opens, and grants one more each time
 * the consumer takes a data frame out (the buffer is free again). Events take no buffer.
 *
 * Invariant: buffers in use + credit not yet announced + credit held by the sender + data in
 * flight = `buffers`. So the frames queued here never exceed `buffers` data frames (plus
 * events, which are small and at most a few per batch).
 *
 * @example
 * const r = new CreditReceiver<string>(2);
 * r.takeCredit();             // 2: announce with the channel open
 * r.receive('batch-1', false);
 * r.poll();                   // 'batch-1'
 * r.takeCredit();             // 1: the freed buffer
 */
export class CreditReceiver<T> {
  private readonly queue = new Fifo<CreditFrame<T>>();
  private inUse = 0;
  private unannounced: number;

  constructor(
    /** Data buffers this channel owns: how many data frames may be in flight or queued. */
    readonly buffers: number,
  ) {
    if (!(buffers >= 1) || !Number.isInteger(buffers)) throw new RangeError(`a channel needs at least one buffer, got ${buffers}`);
    this.unannounced = buffers;
  }

  /** True when a frame is queued. */
  get available(): boolean {
    return this.queue.size > 0;
  }

  /** Frames queued (data and events). */
  get queuedFrames(): number {
    return this.queue.size;
  }

  /** Buffers holding a data frame the consumer has not taken yet. */
  get buffersInUse(): number {
    return this.inUse;
  }

  /** Credit freed and not announced yet. */
  get pendingCredit(): number {
    return this.unannounced;
  }

  /** A frame arrived; throws `CreditViolationError` for data with no free buffer. */
  receive(payload: T, isEvent: boolean): void {
    if (!isEvent) {
      if (this.inUse >= this.buffers) throw new CreditViolationError(`data frame received with all ${this.buffers} buffers in use`);
      this.inUse++;
    }
    this.queue.push({ payload, isEvent });
  }

  /** The next frame, or undefined; taking a data frame frees its buffer (one credit to announce). */
  poll(): CreditFrame<T> | undefined {
    const frame = this.queue.shift();
    if (frame && !frame.isEvent) {
      this.inUse--;
      this.unannounced++;
    }
    return frame;
  }

  /** Takes the credit to announce now (the transport sends it in one credit frame). */
  takeCredit(): number {
    const n = this.unannounced;
    this.unannounced = 0;
    return n;
  }
}
