/**
 * The state a user function sees. Every call reads or writes the entry of the current key
 * (and, inside window functions, the current window). Values are kept by reference on the heap
 * backend: mutate a value you got, then `update()` it, as you would with Flink's heap backend.
 */

/**
 * One value per key.
 *
 * @example
 * const count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
 * count.update(count.value()! + 1);
 */
export interface ValueState<T> {
  /** The value of the current key, or the descriptor's default when none is stored. */
  value(): T | undefined;
  /** Stores a value for the current key; `undefined` clears it. */
  update(value: T | undefined): void;
  clear(): void;
}

/**
 * A list per key.
 *
 * @example
 * const items = ctx.getListState(new ListStateDescriptor<string>('items'));
 * items.add('a'); items.get(); // ['a']
 */
export interface ListState<T> {
  /** A copy of the list of the current key (empty when none). */
  get(): T[];
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  /** Replaces the list. */
  update(values: Iterable<T>): void;
  clear(): void;
}

/**
 * A map per key.
 *
 * @example
 * const m = ctx.getMapState(new MapStateDescriptor<string, number>('m'));
 * m.put('x', 1); m.get('x'); // 1
 */
export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<[K, V]> | Map<K, V>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): [K, V][];
  keys(): K[];
  values(): V[];
  isEmpty(): boolean;
  clear(): void;
}

/**
 * Values folded with a reduce function.
 *
 * @example
 * const sum = ctx.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
 * sum.add(3); sum.add(4); sum.get(); // 7
 */
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/**
 * Values folded with an aggregate function; `get()` returns its result.
 *
 * @example
 * const avg = ctx.getAggregatingState(new AggregatingStateDescriptor('avg', averageFn));
 * avg.add(10); avg.add(20); avg.get(); // 15
 */
export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

/** Any keyed state. */
export type KeyedState = ValueState<any> | ListState<any> | MapState<any, any> | ReducingState<any> | AggregatingState<any, any>;
