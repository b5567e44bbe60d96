import { Fifo } from './fifo.ts';

/** A frame as the credit protocol sees it: a payload that either takes a data buffer or is an event. */
export interface CreditFrame<T> {
  readonly payload: T;
  /** Events (watermarks, barriers, end of input) take no buffer at the receiver and need no credit. */
  readonly isEvent: boolean;
}

/**
 * The sending half of credit-based flow control for one channel (Flink's credit-based network
 * stack): the receiver owns a fixed number of buffers for the channel and grants one credit per
 * free buffer; the sender sends a data frame only while it holds credit, spending one per frame.
 *
 * Rules:
 * - Frames leave in the order they were enqueued. An event needs no credit (it takes no
 *   buffer), but it never overtakes a data frame queued before it: an event waits behind
 *   data that waits for credit.
 * - `writable` is true while a new data frame could be sent at once (queued data < credit).
 *   A task is scheduled only while its writers are writable, so it enqueues at most one
 *   mailbox step past the credit: the queue is bounded by credit plus one step's output,
 *   never by how slow the receiver is.
 *
 * @example
 * const s = new CreditSender<string>();
 * s.enqueue('batch-1', false);
 * s.next();        // undefined: no credit yet
 * s.addCredit(2);  // the receiver opened the channel with 2 buffers
 * s.next();        // { payload: 'batch-1', isEvent: false }
 */
export class CreditSender<T> {
  private readonly queue = new Fifo<CreditFrame<T>>();
  private creditHeld = 0;
  private dataQueued = 0;
  private bytesQueued = 0;

  constructor(
    /** Size of a payload in bytes, for `queuedBytes`. */
    private readonly sizeOf: (payload: T) => number = () => 0,
  ) {}

  /** True while a new data frame could be sent at once. */
  get writable(): boolean {
    return this.dataQueued < this.creditHeld;
  }

  /** Credit granted by the receiver and not spent yet. */
  get credit(): number {
    return this.creditHeld;
  }

  /** Data frames waiting to be sent. */
  get queuedBuffers(): number {
    return this.dataQueued;
  }

  /** Frames (data and events) waiting to be sent. */
  get queuedFrames(): number {
    return this.queue.size;
  }

  /** Bytes of the frames waiting to be sent. */
  get queuedBytes(): number {
    return this.bytesQueued;
  }

  /** True when `next()` would return a frame now. */
  get hasSendable(): boolean {
    const head = this.queue.peek();
    return head !== undefined && (head.isEvent || this.creditHeld > 0);
  }

  enqueue(payload: T, isEvent: boolean): void {
    this.queue.push({ payload, isEvent });
    if (!isEvent) this.dataQueued++;
    this.bytesQueued += this.sizeOf(payload);
  }

  /** The receiver freed `n` more buffers. */
  addCredit(n: number): void {
    if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`credit must be a positive integer, got ${n}`);
    this.creditHeld += n;
  }

  /** The next frame that may be sent now, taken off the queue; spends a credit for data. */
  next(): CreditFrame<T> | undefined {
    const head = this.queue.peek();
    if (head === undefined || (!head.isEvent && this.creditHeld === 0)) return undefined;
    this.queue.shift();
    if (!head.isEvent) {
      this.creditHeld--;
      this.dataQueued--;
    }
    this.bytesQueued -= this.sizeOf(head.payload);
    return head;
  }

  /** Drops every queued frame (the channel was aborted). */
  clear(): void {
    this.queue.clear();
    this.dataQueued = 0;
    this.bytesQueued = 0;
  }
}
