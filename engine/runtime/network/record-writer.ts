import type { ChannelSelector } from './partitioners.ts';
import type { ChannelWriter } from './local-channel.ts';
import { END_OF_INPUT, type StreamElement, type WatermarkEvent } from '../elements.ts';
import type { Output } from '../output.ts';

/** Records per batch on a channel: large enough to amortise per-batch work, small enough for latency. */
export const BATCH_SIZE = 512;

/**
 * The end of a chain towards one outgoing edge: routes each record to a channel with the
 * edge's partitioner and appends it to that channel's open batch. Control events flush the
 * open batches first, so they stay in order with the records.
 */
export class RecordWriter implements Output {
  private values: unknown[][];
  private timestamps: number[][];

  constructor(
    private readonly channels: ChannelWriter[],
    private readonly selector: ChannelSelector,
    private readonly batchSize = BATCH_SIZE,
  ) {
    this.values = channels.map(() => []);
    this.timestamps = channels.map(() => []);
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
    const vs = this.values[c]!;
    vs.push(value);
    this.timestamps[c]!.push(timestamp);
    if (vs.length >= this.batchSize) this.flushChannel(c);
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
    for (let c = 0; c < this.channels.length; c++) if (this.values[c]!.length) this.flushChannel(c);
  }

  private flushChannel(c: number): void {
    this.channels[c]!.push({ kind: 'records', values: this.values[c]!, timestamps: this.timestamps[c]! });
    this.values[c] = [];
    this.timestamps[c] = [];
  }
}
