import { StreamOperator } from '../operator.ts';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../elements.ts';
import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy, TimestampAssigner } from '../watermarks.ts';

/**
 * `assignTimestampsAndWatermarks`: stamps each record with its event time and runs the
 * watermark generator (Flink's `TimestampsAndWatermarksOperator`). Upstream watermarks are
 * swallowed, except the final one that ends a bounded input. In batch mode no watermark is
 * emitted before that final one: event time is "perfect" there.
 */
export class TimestampsAndWatermarksOperator<T> extends StreamOperator<T> {
  private generator!: WatermarkGenerator<T>;
  private readonly assigner: TimestampAssigner<T> | undefined;
  private lastEmitted = Number.NEGATIVE_INFINITY;
  private idle = false;
  private lastEventAt = 0;
  private cancelTimer: (() => void) | undefined;
  private readonly wmOutput: WatermarkOutput;

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

  private schedulePeriodic(): void {
    const pt = this.services.processingTime;
    this.cancelTimer = pt.schedule(pt.now() + this.services.autoWatermarkInterval, (time) => {
      this.generator.onPeriodicEmit(this.wmOutput);
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
    this.generator.onEvent(value, ts, this.wmOutput);
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
