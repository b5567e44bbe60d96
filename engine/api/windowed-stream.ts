import type { DataStream } from './datastream.ts';
import type { KeyedStream } from './keyed-stream.ts';
import type { OutputTag } from './output-tag.ts';
import { InvalidPipelineError } from '../runtime/errors.ts';
import { valueShape } from '../state/value-shape.ts';
import type { AggregateFunction } from '../state/descriptors.ts';
import { fieldAggregation, requireField, type AggregationField, type ComparisonField } from './field-aggregation.ts';
import {
  type Collector,
  createWindowOperator,
  validateWindowSpec,
  type Evictor,
  type ProcessWindowFunction,
  type ProcessWindowFunctionObject,
  type Trigger,
  type WindowAssigner,
  type WindowOperatorSpec,
} from '../runtime/windowing/index.ts';

/** The window a result belongs to, as passed to a window function. */
export interface WindowBounds {
  /** Inclusive start (epoch ms). */
  readonly start: number;
  /** Exclusive end (epoch ms). */
  readonly end: number;
}

/**
 * Turns the pre-aggregated result of one key's window into an output record.
 *
 * @example
 * (user, window, count) => ({ user, start: window.start, end: window.end, count })
 */
export type WindowResultFunction<K, R, OUT> = (key: K, window: WindowBounds, result: R) => OUT;

/**
 * A plain window function (Flink's `WindowFunction`): the key, the window and all of its
 * records; emit any number of results.
 *
 * @example
 * const count: WindowFunction<Click, string, string> = (user, w, clicks, out) => out.collect(`${user}@${w.end}: ${[...clicks].length}`);
 */
export type WindowFunction<IN, OUT, K> = (key: K, window: WindowBounds, elements: Iterable<IN>, out: Collector<OUT>) => void;

/**
 * A keyed stream cut into windows (Flink's `WindowedStream`; `windowAll` gives the same with one
 * window set for the whole stream, Flink's `AllWindowedStream`). Finish it with `reduce`,
 * `aggregate`, `process`, `apply` or `sum`/`min`/`max`/`minBy`/`maxBy`.
 *
 * @example
 * clicks.keyBy((c) => c.user)
 *   .window(TumblingEventTimeWindows.of(60_000))
 *   .allowedLateness(10_000)
 *   .aggregate(countAgg, (user, w, n) => ({ user, start: w.start, n }))
 */
export class WindowedStream<T, K> {
  private triggerValue: Trigger | undefined;
  private evictorValue: Evictor | undefined;
  private lateness = 0;
  private lateTag: string | undefined;

  /** @internal */
  constructor(
    private readonly input: KeyedStream<T, K>,
    private readonly assigner: WindowAssigner,
    /** @internal windowAll: one subtask, one key */
    private readonly singleton = false,
  ) {}

  /**
   * Replaces the assigner's default trigger.
   *
   * @example
   * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(100))
   */
  trigger(trigger: Trigger): this {
    if (!trigger || typeof (trigger as { onElement?: unknown }).onElement !== 'function') throw new InvalidPipelineError('trigger() expects a Trigger');
    this.triggerValue = trigger;
    return this;
  }

  /**
   * Removes elements from a window before and/or after the window function runs.
   *
   * @example
   * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(10)).evictor(CountEvictor.of(100))
   */
  evictor(evictor: Evictor): this {
    if (!evictor || typeof (evictor as { evictBefore?: unknown }).evictBefore !== 'function') throw new InvalidPipelineError('evictor() expects an Evictor');
    this.evictorValue = evictor;
    return this;
  }

  /**
   * Keeps windows open for `ms` after the watermark passes their end: a late record updates
   * the window, which fires again.
   *
   * @example
   * windowed.allowedLateness(30_000)
   */
  allowedLateness(ms: number): this {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new InvalidPipelineError(`allowedLateness: must be a number ≥ 0 ms, got ${ms}`);
    this.lateness = ms;
    return this;
  }

  /**
   * Sends records that arrive after their windows closed to a side output instead of dropping them.
   *
   * @example
   * const late = new OutputTag<Click>('late');
   * const counts = windowed.sideOutputLateData(late).aggregate(count);
   * counts.getSideOutput(late).print();
   */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag.id;
    return this;
  }

  /**
   * Incrementally reduces each window; `windowFn` turns the result into the output record.
   *
   * @example
   * windowed.reduce((a, b) => ({ ...a, amount: a.amount + b.amount }))
   */
  reduce<OUT = T>(fn: (a: T, b: T) => T, windowFn?: WindowResultFunction<K, T, OUT>): DataStream<OUT>;
  /** With a ProcessWindowFunction object: `process(key, ctx, [result], out)` sees the window's metadata. */
  reduce<OUT>(fn: (a: T, b: T) => T, windowFn: ProcessWindowFunctionObject<T, OUT, K>): DataStream<OUT>;
  reduce<OUT = T>(fn: (a: T, b: T) => T, windowFn?: WindowResultFunction<K, T, OUT> | ProcessWindowFunctionObject<T, OUT, K>): DataStream<OUT> {
    if (typeof fn !== 'function') throw new InvalidPipelineError('reduce() expects a function (a, b) => combined');
    return this.build('reduce', { kind: 'reduce', reduce: fn }, windowFn);
  }

  /**
   * Incrementally aggregates each window (createAccumulator/add/getResult/merge); `windowFn`
   * turns the result into the output record.
   *
   * @example
   * windowed.aggregate(
   *   { createAccumulator: () => 0, add: (_e, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b },
   *   (user, w, count) => ({ user, start: w.start, end: w.end, count }))
   */
  aggregate<ACC, R, OUT = R>(fn: AggregateFunction<T, ACC, R>, windowFn?: WindowResultFunction<K, R, OUT>): DataStream<OUT>;
  /** With a ProcessWindowFunction object: `process(key, ctx, [result], out)` sees the window's metadata. */
  aggregate<ACC, R, OUT>(fn: AggregateFunction<T, ACC, R>, windowFn: ProcessWindowFunctionObject<R, OUT, K>): DataStream<OUT>;
  aggregate<ACC, R, OUT = R>(
    fn: AggregateFunction<T, ACC, R>,
    windowFn?: WindowResultFunction<K, R, OUT> | ProcessWindowFunctionObject<R, OUT, K>,
  ): DataStream<OUT> {
    if (!fn || typeof fn.createAccumulator !== 'function' || typeof fn.add !== 'function' || typeof fn.getResult !== 'function') {
      throw new InvalidPipelineError('aggregate() expects an AggregateFunction with createAccumulator, add, getResult and merge');
    }
    const out = this.build<OUT>('aggregate', { kind: 'aggregate', aggregate: fn }, windowFn);
    // The accumulator's shape goes into savepoints, so a restore into another shape is refused.
    out.refs[0]!.transformation.valueShape = accumulatorShape(fn);
    return out;
  }

  /**
   * Gets all of a window's elements and its metadata when it fires.
   *
   * @example
   * windowed.process((user, ctx, elements, out) => {
   *   out.collect({ user, start: ctx.window.start, n: [...elements].length });
   * })
   */
  process<OUT>(fn: ProcessWindowFunction<T, OUT, K>): DataStream<OUT> {
    if (typeof fn !== 'function' && (!fn || typeof fn.process !== 'function')) {
      throw new InvalidPipelineError('process() expects a ProcessWindowFunction: (key, ctx, elements, out) => void, or an object with process(...)');
    }
    return this.build('process', { kind: 'list' }, fn);
  }

  /**
   * Gets all of a window's elements when it fires, with the window itself (Flink's plain
   * `WindowFunction`; `process` also gives state and the current time).
   *
   * @example
   * windowed.apply((user, window, clicks, out) => out.collect({ user, end: window.end, n: [...clicks].length }))
   */
  apply<OUT>(fn: WindowFunction<T, OUT, K>): DataStream<OUT> {
    if (typeof fn !== 'function') throw new InvalidPipelineError('apply() expects a WindowFunction: (key, window, elements, out) => void');
    const process: ProcessWindowFunction<T, OUT, K> = (key, ctx, elements, out) => fn(key, ctx.window as unknown as WindowBounds, elements, out);
    return this.build('apply', { kind: 'list' }, { process });
  }

  /**
   * Per window, the sum of a numeric field (other fields come from the window's first record),
   * of an array position, or of the records themselves for a stream of numbers.
   *
   * @example
   * orders.keyBy((o) => o.customer).window(TumblingEventTimeWindows.of(60_000)).sum('amount')
   */
  sum(field?: AggregationField<T>): DataStream<T> {
    return this.fieldAggregation('sum', fieldAggregation<T>('sum', field));
  }

  /**
   * Per window, the minimum of a field; the other fields come from the window's first record
   * (Flink's `min`; use `minBy` for the record holding the minimum).
   *
   * @example
   * readings.keyBy((r) => r.sensor).window(TumblingEventTimeWindows.of(60_000)).min('temp')
   */
  min(field?: AggregationField<T>): DataStream<T> {
    return this.fieldAggregation('min', fieldAggregation<T>('min', field));
  }

  /**
   * Per window, the maximum of a field; the other fields come from the window's first record.
   *
   * @example
   * readings.keyBy((r) => r.sensor).window(TumblingEventTimeWindows.of(60_000)).max('temp')
   */
  max(field?: AggregationField<T>): DataStream<T> {
    return this.fieldAggregation('max', fieldAggregation<T>('max', field));
  }

  /**
   * Per window, the record with the smallest value of a field or selector: the first such
   * record on ties, the last with `first = false`.
   *
   * @example
   * readings.keyBy((r) => r.sensor).window(TumblingEventTimeWindows.of(60_000)).minBy('temp')
   */
  minBy(field: ComparisonField<T>, first = true): DataStream<T> {
    return this.fieldAggregation('minBy', fieldAggregation<T>('minBy', requireField('minBy', field), first));
  }

  /**
   * Per window, the record with the largest value of a field or selector: the first such
   * record on ties, the last with `first = false`.
   *
   * @example
   * trades.keyBy((t) => t.symbol).window(TumblingEventTimeWindows.of(60_000)).maxBy((t) => t.price * t.qty)
   */
  maxBy(field: ComparisonField<T>, first = true): DataStream<T> {
    return this.fieldAggregation('maxBy', fieldAggregation<T>('maxBy', requireField('maxBy', field), first));
  }

  private fieldAggregation(what: string, reduce: (a: T, b: T) => T): DataStream<T> {
    return this.build(what, { kind: 'reduce', reduce }, undefined);
  }

  private build<OUT>(what: string, contents: WindowOperatorSpec['contents'], windowFn: unknown): DataStream<OUT> {
    let windowFunction: WindowOperatorSpec['windowFunction'];
    if (windowFn === undefined) windowFunction = { kind: 'pass' };
    else if (what !== 'process' && typeof windowFn === 'function') windowFunction = { kind: 'simple', fn: windowFn as (k: unknown, w: unknown, r: unknown) => unknown };
    else windowFunction = { kind: 'process', fn: windowFn as ProcessWindowFunction<any, any, any> };
    const spec: WindowOperatorSpec = {
      assigner: this.assigner,
      trigger: this.triggerValue,
      evictor: this.evictorValue,
      allowedLateness: this.lateness,
      lateDataTag: this.lateTag,
      contents,
      windowFunction,
    };
    validateWindowSpec(spec); // fail at the user's window(...) call, not when the job starts
    // Bundlers may rename classes (`_TumblingEventTimeWindows`): show the user's name.
    const assigner = String(this.assigner).replace(/^_+/, '');
    const name = `Window(${assigner}, ${what})`;
    const out = this.input.keyedTransform<OUT>(name, 'window', () => createWindowOperator(spec));
    const t = out.refs[0]!.transformation;
    t.config = { assigner, allowedLateness: this.lateness, function: what };
    if (this.singleton) t.singleton = true;
    return out;
  }
}

/** The shape of a fresh accumulator, or undefined when creating one fails (then it is not checked). */
function accumulatorShape(fn: AggregateFunction<any, any, any>): string | undefined {
  try {
    return valueShape(fn.createAccumulator());
  } catch {
    return undefined;
  }
}
