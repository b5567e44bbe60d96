/**
 * Watermark strategies (Flink's `WatermarkStrategy`): how to read a record's event time and
 * when to declare that event time has advanced.
 */

/** Where a generator emits watermarks. */
export interface WatermarkOutput {
  emitWatermark(watermark: number): void;
  /** This source subtask has no data for now: do not hold back downstream watermarks. */
  markIdle(): void;
  markActive(): void;
}

/**
 * Generates watermarks from the events it sees (punctuated, in `onEvent`) and/or on a
 * processing-time period (periodic, in `onPeriodicEmit`, every `autoWatermarkInterval` ms).
 *
 * @example
 * const punctuated: WatermarkGenerator<Ev> = {
 *   onEvent: (e, ts, out) => { if (e.isEndOfBatch) out.emitWatermark(ts); },
 *   onPeriodicEmit: () => {},
 * };
 */
export interface WatermarkGenerator<T> {
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** Extracts a record's event time (epoch ms). `recordTimestamp` is the source's, if any. */
export type TimestampAssigner<T> = (event: T, recordTimestamp: number | undefined) => number;

/**
 * Bounded out-of-orderness: the watermark trails the largest timestamp seen by `bound` ms
 * (Flink's `BoundedOutOfOrdernessWatermarks`: max - bound - 1).
 */
export class BoundedOutOfOrdernessGenerator<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;
  constructor(private readonly bound: number) {
    this.maxTimestamp = Number.NEGATIVE_INFINITY;
  }
  onEvent(_event: T, ts: number): void {
    if (ts > this.maxTimestamp) this.maxTimestamp = ts;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp !== Number.NEGATIVE_INFINITY) output.emitWatermark(this.maxTimestamp - this.bound - 1);
  }
}

/**
 * How a stream gets event time and watermarks.
 *
 * @example
 * WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withTimestampAssigner((c) => c.ts)
 */
export class WatermarkStrategy<T> {
  private constructor(
    readonly createGenerator: () => WatermarkGenerator<T>,
    readonly timestampAssigner: TimestampAssigner<T> | undefined,
    readonly idleTimeout: number | undefined,
    /** Human description, for the plan. */
    readonly description: string,
    /** Stamp records with the processing time at which they are read (ingestion time). */
    readonly ingestionTime = false,
  ) {}

  /**
   * Watermarks trail the highest timestamp seen by `maxOutOfOrdernessMs`.
   *
   * @example
   * WatermarkStrategy.forBoundedOutOfOrderness<Ev>(5_000).withTimestampAssigner((e) => e.ts)
   */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    if (!(maxOutOfOrdernessMs >= 0) || !Number.isFinite(maxOutOfOrdernessMs)) {
      throw new Error(`WatermarkStrategy.forBoundedOutOfOrderness: the bound must be a number ≥ 0, got ${maxOutOfOrdernessMs}`);
    }
    return new WatermarkStrategy<T>(
      () => new BoundedOutOfOrdernessGenerator<T>(maxOutOfOrdernessMs),
      undefined,
      undefined,
      `bounded out-of-orderness ${maxOutOfOrdernessMs} ms`,
    );
  }

  /**
   * Timestamps never decrease: the watermark is the highest timestamp seen, minus 1 ms.
   *
   * @example
   * WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts)
   */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessGenerator<T>(0), undefined, undefined, 'monotonous timestamps');
  }

  /**
   * No watermarks: event time never advances (until the end of a bounded input).
   *
   * @example
   * WatermarkStrategy.noWatermarks<Ev>().withTimestampAssigner((e) => e.ts)
   */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => ({ onEvent() {}, onPeriodicEmit() {} }), undefined, undefined, 'no watermarks');
  }

  /**
   * A custom generator, periodic and/or punctuated.
   *
   * @example
   * WatermarkStrategy.forGenerator<Ev>(() => ({
   *   onEvent: (e, ts, out) => out.emitWatermark(ts - 1),
   *   onPeriodicEmit: () => {},
   * })).withTimestampAssigner((e) => e.ts)
   */
  static forGenerator<T>(factory: () => WatermarkGenerator<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(factory, undefined, undefined, 'custom generator');
  }

  /**
   * Ingestion time: each record gets the processing time at which it enters the pipeline as
   * its event time, and watermarks follow (monotonous).
   *
   * @example
   * stream.assignTimestampsAndWatermarks(WatermarkStrategy.forIngestionTime())
   */
  static forIngestionTime<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessGenerator<T>(0), undefined, undefined, 'ingestion time', true);
  }

  /**
   * Reads each record's event time.
   *
   * @example
   * strategy.withTimestampAssigner((e) => Date.parse(e.time))
   */
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    if (typeof assigner !== 'function') throw new TypeError('withTimestampAssigner expects a function (event, recordTimestamp) => number');
    return new WatermarkStrategy<T>(this.createGenerator, assigner, this.idleTimeout, this.description, false);
  }

  /**
   * Marks the stream idle after `timeoutMs` of processing time without records, so that it does
   * not hold back the watermark of operators that also read other, active inputs.
   *
   * @example
   * strategy.withIdleness(60_000)
   */
  withIdleness(timeoutMs: number): WatermarkStrategy<T> {
    if (!(timeoutMs > 0)) throw new Error(`WatermarkStrategy.withIdleness: the timeout must be > 0 ms, got ${timeoutMs}`);
    return new WatermarkStrategy<T>(this.createGenerator, this.timestampAssigner, timeoutMs, this.description, this.ingestionTime);
  }
}
