import type { StreamElement } from '../../elements.ts';
import { debloatedBatchSize, type ChannelReader } from '../local-channel.ts';
import { decodeElement, isEndOfInputBytes } from '../codec/element-codec.ts';
import { CreditReceiver } from './credit-receiver.ts';
import { ChannelFailure } from './channel-failure.ts';

/**
 * The consuming end of a channel from another process, without the transport: the transport
 * hands in frames with `receive()`; the task polls elements, decoded lazily (frames wait as
 * compact bytes); each batch polled frees a buffer whose credit the transport collects with
 * `takeCredit()` and announces to the producer, with the batch size the consumer asks for
 * (`debloat`, collected with `takeBatchSize()`).
 *
 * Failure: after `fail()`, the reader still hands out what arrived before, then `poll()` throws
 * the `ChannelFailure` (and `available` is true so that a scheduler polls it). A failure after
 * end of input arrived is ignored: the channel was complete.
 *
 * @example
 * const r = new CreditChannelReader('job-1:0:0:1', 16, (reader) => transport.scheduleCredit(reader));
 * r.onData = wakeScheduler;
 * const element = r.poll();
 */
export class CreditChannelReader implements ChannelReader {
  private readonly receiver: CreditReceiver<Uint8Array>;
  private failed: ChannelFailure | undefined;
  private endReceived = false;
  private endPolled = false;
  /** Records received, for metrics. */
  recordsReceived = 0;
  /** Called when a frame arrives or the channel fails: wake the task scheduler. */
  onData: (() => void) | undefined;
  private batchSize: number | undefined;
  private batchSizeToAnnounce: number | undefined;

  constructor(
    /** The channel's name (its key), for messages. */
    readonly channel: string,
    /** Data buffers (credit) of this channel. */
    readonly buffers: number,
    /** Called when credit is waiting to be announced: the transport should call `takeCredit()` soon. */
    private readonly onCredit: (reader: CreditChannelReader) => void,
  ) {
    this.receiver = new CreditReceiver(buffers);
  }

  get available(): boolean {
    return this.receiver.available || (this.failed !== undefined && !this.endPolled);
  }

  /** The failure, once the channel broke before end of input. */
  get failure(): ChannelFailure | undefined {
    return this.failed;
  }

  /** True once end of input arrived (it may not be polled yet). */
  get ended(): boolean {
    return this.endReceived;
  }

  /** Frames waiting to be polled. */
  get queuedFrames(): number {
    return this.receiver.queuedFrames;
  }

  /** Buffers holding a batch not polled yet. */
  get buffersInUse(): number {
    return this.receiver.buffersInUse;
  }

  poll(): StreamElement | undefined {
    const frame = this.receiver.poll();
    if (!frame) {
      if (this.failed && !this.endPolled) throw this.failed;
      return undefined;
    }
    if (!frame.isEvent && this.receiver.pendingCredit === 1) this.onCredit(this);
    const element = decodeElement(frame.payload);
    if (element.kind === 'records') this.recordsReceived += element.values.length;
    else if (element.kind === 'end') this.endPolled = true;
    return element;
  }

  /** A frame arrived from the producer. Throws `CreditViolationError` if it broke the protocol. */
  receive(payload: Uint8Array, isEvent: boolean): void {
    if (this.endReceived) throw new ChannelFailure(this.channel, `channel '${this.channel}': frame after end of input`);
    if (isEvent && isEndOfInputBytes(payload)) this.endReceived = true;
    this.receiver.receive(payload, isEvent);
    this.onData?.();
  }

  /** Asks the producer for batches that keep about `recordsInFlight` records queued (see `ChannelReader.debloat`). */
  debloat(recordsInFlight: number): void {
    const size = debloatedBatchSize(recordsInFlight, this.buffers);
    if (size === this.batchSize || this.endReceived) return;
    this.batchSize = this.batchSizeToAnnounce = size;
    this.onCredit(this);
  }

  /** A batch size to announce to the producer now, if it changed since the last announcement. */
  takeBatchSize(): number | undefined {
    const size = this.batchSizeToAnnounce;
    this.batchSizeToAnnounce = undefined;
    return size;
  }

  /** Credit to announce now (all buffers at open, then one per batch polled). */
  takeCredit(): number {
    return this.endReceived ? 0 : this.receiver.takeCredit();
  }

  /** Credit freed and not announced yet. */
  get pendingCredit(): number {
    return this.endReceived ? 0 : this.receiver.pendingCredit;
  }

  /** The channel broke; see the class comment. No effect after end of input arrived. */
  fail(error: ChannelFailure): void {
    if (this.failed || this.endReceived) return;
    this.failed = error;
    this.onData?.();
  }
}
