import type { ChannelSelector } from './partitioners.ts';
import type { ChannelWriter } from './local-channel.ts';
import { END_OF_INPUT, type StreamElement, type WatermarkEvent } from '../elements.ts';
import type { Output } from '../output.ts';

/** Records per batch on a channel: large enough to amortise per-batch work, small enough for latency. */
export const BATCH_SIZE = 512;

/** The smallest batch array allocated; an array grows past its size when a record is set beyond it. */
const MIN_BATCH_ARRAY = 16;

/**
 * The end of a chain towards one outgoing edge: routes each record to a channel with the
 * edge's partitioner and appends it to that channel's open batch. Control events flush the
 * open batches first, so they stay in order with the records.
 */
export class RecordWriter implements Output {
  /**
   * The open batch of each channel, allocated at the size the channel's last batch reached
   * (growing from empty by push copies it ~8 times; a full-size array is waste for a channel
   * that gets a few records per step).
   */
  private values: unknown[][];
  private timestamps: number[][];
  /** Records in each open batch. */
  private readonly counts: number[];
  /** Records at which each channel's open batch is sent: the batch size, or less if its consumer asks (debloating). */
  private readonly limits: number[];

  constructor(
    private readonly channels: ChannelWriter[],
    private readonly selector: ChannelSelector,
    private readonly batchSize = BATCH_SIZE,
  ) {
    this.values = channels.map(() => new Array<unknown>(MIN_BATCH_ARRAY));
    this.timestamps = channels.map(() => new Array<number>(MIN_BATCH_ARRAY));
    this.counts = channels.map(() => 0);
    this.limits = channels.map(() => batchSize);
  }

  private limitOf(channel: ChannelWriter): number {
    return Math.min(this.batchSize, channel.batchSize ?? Infinity);
  }

  /**
   * About how many more records the channels take before their credit is spent (Infinity when
   * no channel says): a task takes no more input in a step than its outputs have room for, so
   * that debloated channels stay short.
   */
  get room(): number {
    let min = Infinity;
    for (const c of this.channels) min = Math.min(min, c.room ?? Infinity);
    // Records are spread over the channels (all of them get each record when broadcast).
    return this.selector.broadcast ? min : min * this.channels.length;
  }

  /** True when every channel can take another batch. */
  get writable(): boolean {
    for (const c of this.channels) if (!c.writable) return false;
    return true;
  }

  collect(value: unknown, timestamp: number): void {
    if (this.selector.broadcast) {
      for (let c = 0; c < this.channels.length; c++) this.append(c, value, timestamp);
      return;
    }
    this.append(this.selector.select(value), value, timestamp);
  }

  private append(c: number, value: unknown, timestamp: number): void {
    const i = this.counts[c]!;
    // A batch takes the size its consumer asks for when it starts.
    if (i === 0) this.limits[c] = this.limitOf(this.channels[c]!);
    this.values[c]![i] = value;
    this.timestamps[c]![i] = timestamp;
    this.counts[c] = i + 1;
    if (i + 1 >= this.limits[c]!) this.flushChannel(c);
  }

  collectSide(): void {
    throw new Error('Side outputs are routed before the record writer');
  }

  emitWatermark(timestamp: number): void {
    this.broadcastEvent({ kind: 'watermark', timestamp } satisfies WatermarkEvent);
  }

  emitWatermarkStatus(idle: boolean): void {
    this.broadcastEvent({ kind: 'status', idle });
  }

  /** Sends an event to every channel, after the records before it. */
  broadcastEvent(event: StreamElement): void {
    this.flush();
    for (const ch of this.channels) ch.push(event);
  }

  endOfInput(): void {
    this.broadcastEvent(END_OF_INPUT);
  }

  /** Sends the open batches (end of a mailbox step, or before an event). */
  flush(): void {
    for (let c = 0; c < this.channels.length; c++) if (this.counts[c]! > 0) this.flushChannel(c);
  }

  private flushChannel(c: number): void {
    const n = this.counts[c]!;
    const values = this.values[c]!;
    const timestamps = this.timestamps[c]!;
    if (values.length !== n) {
      values.length = n;
      timestamps.length = n;
    }
    const channel = this.channels[c]!;
    channel.push({ kind: 'records', values, timestamps });
    // A local consumer hands processed batches back: their arrays are refilled in place.
    const spare = channel.takeSpare?.();
    const size = Math.max(n, MIN_BATCH_ARRAY);
    this.values[c] = spare?.values ?? new Array<unknown>(size);
    this.timestamps[c] = spare?.timestamps ?? new Array<number>(size);
    this.counts[c] = 0;
  }
}
