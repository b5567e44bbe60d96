import { UdfOperator } from './udf-operator.ts';
import { asFunction, instantiateUserFunction, type Collector, type FilterFunction, type FlatMapFunction, type MapFunction } from '../functions.ts';

/** `map`: one record in, one out, same timestamp. */
export class MapOperator<T, R> extends UdfOperator<R> {
  private readonly fn: (v: T) => R;
  constructor(shared: MapFunction<T, R>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = asFunction(fn, 'map', 'map()');
  }
  processElement(value: T, timestamp: number): void {
    this.output.collect(this.fn(value), timestamp);
  }
}

/** `filter`: keeps records for which the predicate is true. */
export class FilterOperator<T> extends UdfOperator<T> {
  private readonly fn: (v: T) => boolean;
  constructor(shared: FilterFunction<T>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = asFunction(fn, 'filter', 'filter()');
  }
  processElement(value: T, timestamp: number): void {
    if (this.fn(value)) this.output.collect(value, timestamp);
  }
}

/** `flatMap`: zero or more records out per record in, through a collector or a returned iterable. */
export class FlatMapOperator<T, R> extends UdfOperator<R> {
  private readonly fn: (v: T, out: Collector<R>) => Iterable<R> | void;
  private timestamp = 0;
  private readonly collector: Collector<R> = { collect: (v: R) => this.output.collect(v, this.timestamp) };
  constructor(shared: FlatMapFunction<T, R>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = asFunction(fn, 'flatMap', 'flatMap()');
  }
  processElement(value: T, timestamp: number): void {
    this.timestamp = timestamp;
    const r = this.fn(value, this.collector);
    if (r != null) {
      if (typeof (r as Iterable<R>)[Symbol.iterator] !== 'function') {
        throw new TypeError(`flatMap() returned ${typeof r}; return an iterable (e.g. an array) or emit through the collector`);
      }
      for (const x of r as Iterable<R>) this.output.collect(x, timestamp);
    }
  }
}
