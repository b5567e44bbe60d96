import { DataStream, derivedStreams, type StreamRef } from './datastream.ts';
import type { StreamExecutionEnvironment } from './environment.ts';
import { InvalidPipelineError } from '../runtime/errors.ts';
import type { KeySelector } from '../runtime/operator.ts';
import type { KeyedProcessFunction } from '../runtime/functions.ts';
import { KeyedProcessOperator } from '../runtime/operators/process.ts';
import { KeyedReduceOperator } from '../runtime/operators/keyed-reduce.ts';
import { WindowedStream } from './windowed-stream.ts';
import { intervalJoinStreams, type IntervalJoin } from './joins.ts';
import type { WindowAssigner } from '../runtime/windowing/index.ts';
import { countWindowSpec } from '../runtime/windowing/index.ts';

import { fieldAggregation, requireField, type AggregationField, type ComparisonField } from './field-aggregation.ts';

/**
 * A stream partitioned by key (Flink's `KeyedStream`): keyed state, timers, rolling
 * aggregations and windows are all per key.
 *
 * @example
 * clicks.keyBy((c) => c.user).window(TumblingEventTimeWindows.of(60_000)).aggregate(countClicks)
 */
export class KeyedStream<T, K> extends DataStream<T> {
  /** @internal */
  constructor(
    env: StreamExecutionEnvironment,
    refs: StreamRef[],
    readonly keySelector: KeySelector<T, K>,
  ) {
    super(env, refs);
  }

  /** @internal a keyed one-input operator reading this stream. */
  keyedTransform<R>(name: string, kind: string, factory: () => import('../runtime/operator.ts').StreamOperator): DataStream<R> {
    return this.transform<R>(name, kind, factory, this.keySelector);
  }

  /**
   * Keyed state and timers per record (Flink's `KeyedProcessFunction`).
   *
   * @example
   * keyed.process({
   *   processElement(tx, ctx, out) { ctx.timerService().registerEventTimeTimer(tx.ts + 60_000); },
   *   onTimer(ts, ctx, out) { out.collect({ user: ctx.getCurrentKey(), at: ts }); },
   * })
   */
  override process<R>(fn: KeyedProcessFunction<K, T, R>): DataStream<R> {
    if (!fn || typeof fn.processElement !== 'function') throw new InvalidPipelineError('process() expects an object with processElement(value, ctx, out)');
    return this.keyedTransform<R>('KeyedProcess', 'keyedProcess', () => new KeyedProcessOperator(fn));
  }

  /**
   * A rolling reduce: emits the updated value of the key for each record (in batch mode only
   * the final value per key).
   *
   * @example
   * keyed.reduce((a, b) => ({ ...a, count: a.count + b.count }))
   */
  reduce(fn: (a: T, b: T) => T): DataStream<T> {
    if (typeof fn !== 'function') throw new InvalidPipelineError('reduce() expects a function (a, b) => combined');
    return this.keyedTransform<T>('Keyed Reduce', 'reduce', () => new KeyedReduceOperator<T>(fn));
  }

  /**
   * Rolling sum of a numeric field, an array position, or of the records for a stream of numbers.
   *
   * @example
   * orders.keyBy((o) => o.customer).sum('amount')
   */
  sum(field?: AggregationField<T>): DataStream<T> {
    return this.aggregation('Sum', fieldAggregation<T>('sum', field), field);
  }

  /** Rolling minimum of a field; other fields keep the key's first record (Flink's `min`). @example keyed.min('temp') */
  min(field?: AggregationField<T>): DataStream<T> {
    return this.aggregation('Min', fieldAggregation<T>('min', field), field);
  }

  /** Rolling maximum of a field; other fields keep the key's first record (Flink's `max`). @example keyed.max('temp') */
  max(field?: AggregationField<T>): DataStream<T> {
    return this.aggregation('Max', fieldAggregation<T>('max', field), field);
  }

  /** The record with the smallest value of a field or selector so far (the first one on ties, the last with `first = false`). @example keyed.minBy('temp') */
  minBy(field: ComparisonField<T>, first = true): DataStream<T> {
    return this.aggregation('MinBy', fieldAggregation<T>('minBy', requireField('minBy', field), first), field);
  }

  /** The record with the largest value of a field or selector so far (the first one on ties, the last with `first = false`). @example keyed.maxBy('temp') */
  maxBy(field: ComparisonField<T>, first = true): DataStream<T> {
    return this.aggregation('MaxBy', fieldAggregation<T>('maxBy', requireField('maxBy', field), first), field);
  }

  private aggregation(name: string, reduce: (a: T, b: T) => T, field: unknown): DataStream<T> {
    const label = field === undefined ? '' : typeof field === 'function' ? '(selector)' : `(${String(field)})`;
    return this.keyedTransform<T>(`Keyed ${name}${label}`, 'reduce', () => new KeyedReduceOperator<T>(reduce));
  }

  /**
   * An interval join: pairs each record of this stream with the other stream's records of the
   * same key whose timestamps lie in [t + lower, t + upper] (event time).
   *
   * @example
   * orders.keyBy((o) => o.id).intervalJoin(shipments.keyBy((s) => s.orderId))
   *   .between(0, 3_600_000)
   *   .process((order, shipment, ctx, out) => out.collect({ id: order.id, hours: (shipment.ts - order.ts) / 3.6e6 }))
   */
  intervalJoin<U>(other: KeyedStream<U, K>): IntervalJoin<T, U, K> {
    return intervalJoinStreams(this, other);
  }

  /**
   * Groups each key's records into windows.
   *
   * @example
   * keyed.window(SlidingEventTimeWindows.of(60_000, 10_000)).reduce((a, b) => a + b)
   */
  window(assigner: WindowAssigner): WindowedStream<T, K> {
    if (!assigner || typeof (assigner as { assignWindows?: unknown }).assignWindows !== 'function') {
      throw new InvalidPipelineError('window() expects a window assigner, e.g. TumblingEventTimeWindows.of(60_000)');
    }
    return new WindowedStream<T, K>(this, assigner);
  }

  /**
   * Count windows: every `size` records of a key (tumbling), or the last `size` records every
   * `slide` records (sliding).
   *
   * @example
   * keyed.countWindow(100).reduce(merge);      // tumbling
   * keyed.countWindow(100, 10).reduce(merge);  // sliding
   */
  countWindow(size: number, slide?: number): WindowedStream<T, K> {
    if (!Number.isInteger(size) || size <= 0) throw new InvalidPipelineError(`countWindow: size must be an integer > 0, got ${size}`);
    if (slide !== undefined && (!Number.isInteger(slide) || slide <= 0)) throw new InvalidPipelineError(`countWindow: slide must be an integer > 0, got ${slide}`);
    const spec = countWindowSpec(size, slide);
    const w = new WindowedStream<T, K>(this, spec.assigner).trigger(spec.trigger);
    return spec.evictor ? w.evictor(spec.evictor) : w;
  }
}

derivedStreams.KeyedStream = KeyedStream;
