import type { StreamElement } from '../../elements.ts';
import type { ChannelWriter } from '../local-channel.ts';
import { ElementEncoder } from '../codec/element-codec.ts';
import { CreditSender, type CreditFrame } from './credit-sender.ts';
import { ChannelFailure } from './channel-failure.ts';

/**
 * The producing end of a channel to another process, without the transport: `push` encodes
 * the element and queues it under credit-based flow control; the transport takes frames with
 * `takeSendable()` and feeds credit back with `addCredit()`. Record batches are data frames
 * (they need credit); watermarks, status changes, barriers and end of input are event frames
 * (they need none, and stay in order behind the records before them).
 *
 * Lifecycle: open (no credit until the consumer opens the channel) → running → finished (end
 * of input handed to the transport) or failed (`fail()`: then `writable` is true and `push`
 * throws, so the task wakes up and fails with the cause rather than waiting forever).
 *
 * @example
 * const w = new CreditChannelWriter('job-1:0:0:1', (writer) => transport.schedule(writer));
 * w.onWritable = wakeScheduler;
 * if (w.writable) w.push(batch);
 */
export class CreditChannelWriter implements ChannelWriter {
  private readonly sender = new CreditSender<Uint8Array>((b) => b.length);
  private readonly encoder = new ElementEncoder();
  private failed: ChannelFailure | undefined;
  private endPushed = false;
  private endSent = false;
  /** Records pushed, for metrics. */
  recordsSent = 0;
  /** Called when the writer becomes writable again, or fails: wake the task scheduler. */
  onWritable: (() => void) | undefined;
  /** Records per batch the consumer asked for (buffer debloating); unset until it asks. */
  batchSize: number | undefined;

  constructor(
    /** The channel's name (its key), for messages. */
    readonly channel: string,
    /** Called when a frame may be sent now: the transport should call `takeSendable()` soon. */
    private readonly onSendable: (writer: CreditChannelWriter) => void,
  ) {}

  /** True while the consumer has credit for another batch (and when failed, so that `push` throws). */
  get writable(): boolean {
    return this.failed !== undefined || this.sender.writable;
  }

  /** The failure, once the channel broke. */
  get failure(): ChannelFailure | undefined {
    return this.failed;
  }

  /** True once end of input went to the transport: the channel is complete on this side. */
  get finished(): boolean {
    return this.endSent;
  }

  /** Bytes encoded and waiting for credit or for the transport: bounded by credit, see CreditSender. */
  get queuedBytes(): number {
    return this.sender.queuedBytes;
  }

  /** Batches waiting for credit or for the transport. */
  get queuedBatches(): number {
    return this.sender.queuedBuffers;
  }

  /** Records it takes before the credit is spent, at `batchSize` per batch (Infinity before the consumer asked). */
  get room(): number {
    return this.batchSize === undefined ? Infinity : Math.max(0, this.sender.credit - this.sender.queuedBuffers) * this.batchSize;
  }

  /** Credit held: batches the consumer can take right now. */
  get credit(): number {
    return this.sender.credit;
  }

  push(element: StreamElement): void {
    if (this.failed) throw this.failed;
    if (this.endPushed) throw new Error(`channel '${this.channel}': push after end of input`);
    const isEvent = element.kind !== 'records';
    if (element.kind === 'records') {
      if (element.values.length === 0) return;
      this.recordsSent += element.values.length;
    } else if (element.kind === 'end') this.endPushed = true;
    this.sender.enqueue(this.encoder.encode(element), isEvent);
    if (this.sender.hasSendable) this.onSendable(this);
  }

  /** The consumer granted `n` more buffers. */
  addCredit(n: number): void {
    if (this.failed) return;
    const was = this.sender.writable;
    this.sender.addCredit(n);
    if (this.sender.hasSendable) this.onSendable(this);
    if (!was && this.sender.writable) this.onWritable?.();
  }

  /** The next frame the transport may send now. */
  takeSendable(): CreditFrame<Uint8Array> | undefined {
    const frame = this.sender.next();
    // End of input is the last frame: once it is taken, the queue is empty.
    if (frame && this.endPushed && this.sender.queuedFrames === 0) this.endSent = true;
    return frame;
  }

  /**
   * The channel broke (connection lost, consumer released it): drop what is queued and make
   * the task fail with `error` at its next push. No effect once finished or failed.
   */
  fail(error: ChannelFailure): void {
    if (this.failed || this.endSent) return;
    this.failed = error;
    this.sender.clear();
    this.onWritable?.();
  }
}
