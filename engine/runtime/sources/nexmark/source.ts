/**
 * A parallel, checkpointable Nexmark source (nexmark-flink's `NexmarkSourceFunction`, as a
 * FLIP-27-style source). Split i of p reads event numbers i, i + p, i + 2p, …: each split is
 * in event-time order and all splits advance through event time together, so windows close
 * at the same pace on every subtask (contiguous ranges, as nexmark-flink splits, would hold
 * the second half of the stream in state until the first half caught up). The position is how
 * many events the split has emitted, so a restore, also at another parallelism, continues
 * exactly. Records carry their event time and the source emits watermarks itself: the time of
 * the split's next event minus 1 ms, since every split is in order.
 */
import { platform } from '../../platform.ts';
import type { PollResult, Source, SourceOutput, SourceReader, SourceReaderContext } from '../../source.ts';
import { nexmarkConfig, type NexmarkConfig, type NexmarkOptions } from './config.ts';
import { NexmarkGenerator } from './generator.ts';
import type { NexmarkEvent } from './model.ts';

/**
 * The Nexmark auction events: people, auctions and bids in nexmark-flink's proportions.
 *
 * @example
 * env.fromSource(new NexmarkSource({ events: 1_000_000 }), 'Nexmark');
 */
export class NexmarkSource implements Source<NexmarkEvent> {
  readonly parallel = true;
  readonly boundedness: 'bounded' | 'unbounded';
  readonly config: NexmarkConfig;

  constructor(
    options: NexmarkOptions,
    readonly name = 'Nexmark',
  ) {
    this.config = nexmarkConfig(options);
    this.boundedness = Number.isFinite(this.config.events) ? 'bounded' : 'unbounded';
  }

  describe() {
    const c = this.config;
    return { events: Number.isFinite(c.events) ? c.events : 'unbounded', eventsPerSecond: c.eventsPerSecond, seed: c.seed, baseTime: c.baseTime, rateLimited: c.rateLimited };
  }

  createReader(ctx: SourceReaderContext): SourceReader<NexmarkEvent> {
    return new NexmarkSplitReader(new NexmarkGenerator(this.config), ctx);
  }
}

/** Reads split `subtask` of `parallelism`: every `parallelism`-th event from `subtask` on. */
export class NexmarkSplitReader implements SourceReader<NexmarkEvent> {
  /** Events this split has emitted. */
  private emitted = 0;
  private readonly stride: number;
  private readonly first: number;
  private readonly events: number;
  /** Per split, in wall-clock events/s; Infinity when not rate limited. */
  private readonly rate: number;
  private pacedFrom: { at: number; emitted: number } | undefined;

  constructor(
    private readonly generator: NexmarkGenerator,
    private readonly ctx: Pick<SourceReaderContext, 'subtask' | 'parallelism' | 'now'>,
  ) {
    this.first = ctx.subtask;
    this.stride = ctx.parallelism;
    this.events = generator.config.events;
    this.rate = generator.config.rateLimited ? generator.config.eventsPerSecond / ctx.parallelism : Infinity;
  }

  pollNext(out: SourceOutput<NexmarkEvent>, max: number): PollResult {
    let allowed = max;
    if (this.rate !== Infinity) {
      const now = this.ctx.now();
      // The pace counts from this (re)start, not from the first run before a restore.
      this.pacedFrom ??= { at: now, emitted: this.emitted };
      const since = this.emitted - this.pacedFrom.emitted;
      const due = Math.floor(((now - this.pacedFrom.at) / 1000) * this.rate) + 1 - since;
      if (due <= 0) {
        const wait = (since / this.rate) * 1000 + this.pacedFrom.at - now;
        return new Promise((resolve) => platform.setTimeout(resolve, Math.max(1, wait)));
      }
      allowed = Math.min(max, due);
    }
    const gen = this.generator;
    let n = this.first + this.emitted * this.stride;
    for (let k = 0; k < allowed && n < this.events; k++) {
      const event = gen.event(n);
      out.collect(event, event.dateTime);
      this.emitted++;
      n += this.stride;
    }
    if (n >= this.events) return 'end';
    out.emitWatermark(gen.timestamp(n) - 1);
    return 'more';
  }

  snapshotPosition(): number {
    return this.emitted;
  }

  restorePosition(position: unknown): void {
    if (!Number.isSafeInteger(position) || (position as number) < 0) throw new Error(`Nexmark source: cannot restore from position ${JSON.stringify(position)}, expected a count of events`);
    this.emitted = position as number;
  }
}
