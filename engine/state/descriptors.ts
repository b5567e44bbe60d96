/**
 * State descriptors: a name, a kind, and how to combine values. A descriptor is created once
 * (in `open()` or as a field) and passed to `getRuntimeContext().getState(...)`, which returns
 * the state of the current key.
 */
import type { StateTtlConfig } from './ttl.ts';

/** Combines two values of the same type (for reducing state and `reduce`). */
export type ReduceFunction<T> = (a: T, b: T) => T;

/**
 * Incremental aggregation, as Flink's `AggregateFunction<IN, ACC, OUT>`.
 *
 * @example
 * const average: AggregateFunction<{ v: number }, { sum: number; n: number }, number> = {
 *   createAccumulator: () => ({ sum: 0, n: 0 }),
 *   add: (e, acc) => ({ sum: acc.sum + e.v, n: acc.n + 1 }),
 *   getResult: (acc) => acc.sum / acc.n,
 *   merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
 * };
 */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  /** Adds a value; may mutate and return `accumulator`, or return a new one. */
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  /** Merges two accumulators (needed by session windows). */
  merge(a: ACC, b: ACC): ACC;
}

/** Common to all descriptors. */
export abstract class StateDescriptor<S extends string = string> {
  /** Time-to-live of entries; none unless `enableTimeToLive` was called. */
  ttl: StateTtlConfig | undefined;
  abstract readonly kind: S;
  constructor(readonly name: string) {
    if (!name) throw new Error('A state descriptor needs a non-empty name');
  }
  /**
   * Makes entries expire `ttl.ttlMs` after their last write (or read, per the config).
   *
   * @example
   * const d = new ValueStateDescriptor<number>('count');
   * d.enableTimeToLive(StateTtlConfig.newBuilder(60_000).build());
   */
  enableTimeToLive(ttl: StateTtlConfig): this {
    this.ttl = ttl;
    return this;
  }
}

/**
 * Describes a `ValueState<T>`: one value per key.
 *
 * @example
 * const last = ctx.getState(new ValueStateDescriptor<number>('last-seen'));
 * last.update(Date.now());
 */
export class ValueStateDescriptor<T> extends StateDescriptor<'value'> {
  readonly kind = 'value';
  /** @param defaultValue returned by `value()` when nothing was stored (Flink deprecates it, but it is handy). */
  constructor(name: string, readonly defaultValue?: T) {
    super(name);
  }
}

/**
 * Describes a `ListState<T>`: an appendable list per key.
 *
 * @example
 * const seen = ctx.getListState(new ListStateDescriptor<string>('pages'));
 * seen.add(click.page);
 */
export class ListStateDescriptor<T> extends StateDescriptor<'list'> {
  readonly kind = 'list';
  declare readonly _type?: T;
}

/**
 * Describes a `MapState<K, V>`: a map per key.
 *
 * @example
 * const perPage = ctx.getMapState(new MapStateDescriptor<string, number>('per-page'));
 * perPage.put(click.page, (perPage.get(click.page) ?? 0) + 1);
 */
export class MapStateDescriptor<K, V> extends StateDescriptor<'map'> {
  readonly kind = 'map';
  declare readonly _type?: [K, V];
}

/**
 * Describes a `ReducingState<T>`: added values are folded with `reduce`.
 *
 * @example
 * const max = ctx.getReducingState(new ReducingStateDescriptor<number>('max', Math.max));
 * max.add(reading.value);
 */
export class ReducingStateDescriptor<T> extends StateDescriptor<'reducing'> {
  readonly kind = 'reducing';
  constructor(name: string, readonly reduce: ReduceFunction<T>) {
    super(name);
    if (typeof reduce !== 'function') throw new Error(`ReducingStateDescriptor '${name}' needs a reduce function`);
  }
}

/**
 * Describes an `AggregatingState<IN, OUT>`: added values go through an `AggregateFunction`.
 *
 * @example
 * const avg = ctx.getAggregatingState(new AggregatingStateDescriptor('avg', average));
 * avg.add(reading); avg.get(); // current average
 */
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<'aggregating'> {
  readonly kind = 'aggregating';
  constructor(name: string, readonly aggregate: AggregateFunction<IN, ACC, OUT>) {
    super(name);
    if (!aggregate || typeof aggregate.add !== 'function' || typeof aggregate.createAccumulator !== 'function') {
      throw new Error(`AggregatingStateDescriptor '${name}' needs an AggregateFunction with createAccumulator/add/getResult`);
    }
  }
}

export type AnyStateDescriptor =
  | ValueStateDescriptor<any>
  | ListStateDescriptor<any>
  | MapStateDescriptor<any, any>
  | ReducingStateDescriptor<any>
  | AggregatingStateDescriptor<any, any, any>;
