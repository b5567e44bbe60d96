import { StreamOperator } from '../operator.ts';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../elements.ts';
import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy, TimestampAssigner } from '../watermarks.ts';
import type { SourceSplitListener } from '../source.ts';

/** A watermark generator of one source split, and the last watermark it asked for. */
interface SplitGenerator<T> {
  generator: WatermarkGenerator<T>;
  output: WatermarkOutput;
  watermark: number;
  ended: boolean;
}

/**
 * `assignTimestampsAndWatermarks`: stamps each record with its event time and runs the
 * watermark generator (Flink's `TimestampsAndWatermarksOperator`). Upstream watermarks are
 * swallowed, except the final one that ends a bounded input. In batch mode no watermark is
 * emitted before that final one: event time is "perfect" there.
 *
 * Chained to a source subtask that reads several splits (after a rescale to fewer subtasks) it
 * runs one generator per split and emits the least of their watermarks, as Flink's per-split
 * watermarks do: each split is in order on its own, but splits read in turn are not.
 */
export class TimestampsAndWatermarksOperator<T> extends StreamOperator<T> implements SourceSplitListener {
  private generator!: WatermarkGenerator<T>;
  private readonly assigner: TimestampAssigner<T> | undefined;
  private lastEmitted = Number.NEGATIVE_INFINITY;
  private idle = false;
  private lastEventAt = 0;
  private cancelTimer: (() => void) | undefined;
  private readonly wmOutput: WatermarkOutput;
  /** Per-split generators, once the source said it reads several splits. */
  private splits: Map<string, SplitGenerator<T>> | undefined;
  private current: SplitGenerator<T> | undefined;

  constructor(private readonly strategy: WatermarkStrategy<T>) {
    super();
    this.assigner = strategy.timestampAssigner;
    this.wmOutput = {
      emitWatermark: (wm) => {
        if (this.services.mode === 'batch' || wm <= this.lastEmitted) return;
        this.lastEmitted = wm;
        if (this.idle) this.setIdle(false);
        this.output.emitWatermark(wm);
      },
      markIdle: () => this.setIdle(true),
      markActive: () => this.setIdle(false),
    };
  }

  override open(): void {
    this.generator = this.strategy.createGenerator();
    this.lastEventAt = this.services.processingTime.now();
    if (this.services.mode === 'streaming' && this.services.autoWatermarkInterval > 0) this.schedulePeriodic();
  }

  onSplitRecords(split: string): void {
    this.splits ??= new Map();
    let g = this.splits.get(split);
    if (!g) {
      const entry: SplitGenerator<T> = { generator: this.strategy.createGenerator(), output: undefined as unknown as WatermarkOutput, watermark: -Infinity, ended: false };
      entry.output = {
        emitWatermark: (wm) => {
          if (wm <= entry.watermark) return;
          entry.watermark = wm;
          this.emitSplitMinimum();
        },
        markIdle: () => this.wmOutput.markIdle(),
        markActive: () => this.wmOutput.markActive(),
      };
      g = entry;
      this.splits.set(split, g);
    }
    this.current = g;
  }

  onSplitEnded(split: string): void {
    const g = this.splits?.get(split);
    if (!g) return;
    g.ended = true;
    this.emitSplitMinimum();
  }

  /** The least watermark of the splits not ended; a split not yet seen holds nothing back. */
  private emitSplitMinimum(): void {
    let wm = Infinity;
    for (const g of this.splits!.values()) if (!g.ended) wm = Math.min(wm, g.watermark);
    if (wm !== Infinity && wm !== -Infinity) this.wmOutput.emitWatermark(wm);
  }

  private schedulePeriodic(): void {
    const pt = this.services.processingTime;
    this.cancelTimer = pt.schedule(pt.now() + this.services.autoWatermarkInterval, (time) => {
      if (this.splits) for (const g of this.splits.values()) g.generator.onPeriodicEmit(g.output);
      else this.generator.onPeriodicEmit(this.wmOutput);
      const timeout = this.strategy.idleTimeout;
      if (timeout !== undefined && !this.idle && time - this.lastEventAt >= timeout) this.setIdle(true);
      this.schedulePeriodic();
    });
  }

  private setIdle(idle: boolean): void {
    if (this.idle === idle || this.services.mode === 'batch') return;
    this.idle = idle;
    this.output.emitWatermarkStatus(idle);
  }

  processElement(value: T, timestamp: number): void {
    let ts = timestamp;
    if (this.strategy.ingestionTime) {
      ts = this.services.processingTime.now();
    } else if (this.assigner) {
      ts = this.assigner(value, timestamp === NO_TIMESTAMP ? undefined : timestamp);
      if (typeof ts !== 'number' || !Number.isFinite(ts)) {
        throw new Error(
          `The timestamp assigner of '${this.info.name}' returned ${String(ts)} for record ${preview(value)}; it must return a finite number of epoch milliseconds`,
        );
      }
    } else if (ts === NO_TIMESTAMP) {
      throw new Error(`'${this.info.name}' received a record without a timestamp and has no timestamp assigner: call withTimestampAssigner(...)`);
    }
    if (this.strategy.idleTimeout !== undefined) {
      this.lastEventAt = this.services.processingTime.now();
      if (this.idle) this.setIdle(false);
    }
    this.output.collect(value, ts);
    if (this.current) this.current.generator.onEvent(value, ts, this.current.output);
    else this.generator.onEvent(value, ts, this.wmOutput);
  }

  override processWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK) {
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      if (this.idle) this.setIdle(false);
      this.lastEmitted = MAX_WATERMARK;
      this.output.emitWatermark(MAX_WATERMARK);
    }
  }

  override close(): void {
    this.cancelTimer?.();
    super.close();
  }
}

/** A short rendering of a record for error messages. */
export function preview(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
