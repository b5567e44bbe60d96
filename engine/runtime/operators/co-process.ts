/**
 * Operators of connected streams: two inputs of possibly different types, one function with a
 * method per input, and (when both inputs are keyed by compatible keys) shared keyed state and
 * timers. Records of the two inputs interleave in arrival order; nothing orders one input
 * before the other, as in Flink.
 */
import { TwoInputUdfOperator } from './udf-operator.ts';
import { ProcessContexts, processFunctionTimers } from './process.ts';
import { NO_TIMESTAMP } from '../elements.ts';
import { instantiateUserFunction, type CoFlatMapFunction, type CoMapFunction, type CoProcessFunction, type Collector } from '../functions.ts';

function checkMethods(fn: unknown, methods: string[], what: string): void {
  if (!fn || typeof fn !== 'object' || methods.some((m) => typeof (fn as Record<string, unknown>)[m] !== 'function')) {
    throw new TypeError(`${what} expects an object with ${methods.map((m) => `${m}(...)`).join(' and ')}`);
  }
}

/**
 * `connect(...).map({ map1, map2 })` (Flink's `CoStreamMap`): one record out per record in,
 * with the input record's timestamp. When the connected streams are keyed, the current key is
 * set per record, so `map1`/`map2` may use keyed state opened in `open(ctx)`.
 *
 * @example
 * new CoMapOperator<number, string, string>({ map1: (n) => `n=${n}`, map2: (s) => s })
 */
export class CoMapOperator<I1, I2, O> extends TwoInputUdfOperator<O> {
  private readonly fn: CoMapFunction<I1, I2, O>;

  constructor(shared: CoMapFunction<I1, I2, O>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = fn;
    checkMethods(fn, ['map1', 'map2'], 'connect(...).map()');
  }
  processElement(value: I1, timestamp: number): void {
    if (this.keyedBackend) this.setKeyContextElement(value, 0);
    this.output.collect(this.fn.map1(value), timestamp);
  }
  processElement2(value: I2, timestamp: number): void {
    if (this.keyedBackend) this.setKeyContextElement(value, 1);
    this.output.collect(this.fn.map2(value), timestamp);
  }
}

/**
 * `connect(...).flatMap({ flatMap1, flatMap2 })` (Flink's `CoStreamFlatMap`): zero or more
 * records per record in, through the collector or a returned iterable; they carry the input
 * record's timestamp.
 *
 * @example
 * new CoFlatMapOperator<string, string, string>({
 *   flatMap1: (line) => line.split(' '),
 *   flatMap2: (word, out) => out.collect(word),
 * })
 */
export class CoFlatMapOperator<I1, I2, O> extends TwoInputUdfOperator<O> {
  private timestamp = NO_TIMESTAMP;
  // One collector for the operator's life: no allocation per record.
  private readonly collector: Collector<O> = { collect: (v: O) => this.output.collect(v, this.timestamp) };

  private readonly fn: CoFlatMapFunction<I1, I2, O>;

  constructor(shared: CoFlatMapFunction<I1, I2, O>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = fn;
    checkMethods(fn, ['flatMap1', 'flatMap2'], 'connect(...).flatMap()');
  }
  processElement(value: I1, timestamp: number): void {
    if (this.keyedBackend) this.setKeyContextElement(value, 0);
    this.timestamp = timestamp;
    this.emitAll(this.fn.flatMap1(value, this.collector), 'flatMap1');
  }
  processElement2(value: I2, timestamp: number): void {
    if (this.keyedBackend) this.setKeyContextElement(value, 1);
    this.timestamp = timestamp;
    this.emitAll(this.fn.flatMap2(value, this.collector), 'flatMap2');
  }
  private emitAll(r: Iterable<O> | void, method: string): void {
    if (r == null) return;
    if (typeof (r as Iterable<O>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${method}() returned ${typeof r}; return an iterable (e.g. an array) or emit through the collector`);
    }
    for (const x of r as Iterable<O>) this.output.collect(x, this.timestamp);
  }
}

/**
 * `connect(...).process(fn)` on streams that are not keyed (Flink's `CoProcessOperator`). The
 * context gives the record's timestamp, the watermark and side outputs; timers and
 * `getCurrentKey()` throw an error that asks for `keyBy(k1, k2)`, since timers are per key.
 *
 * @example
 * new CoProcessOperator<Order, Payment, Match>({
 *   processElement1(order, ctx, out) { out.collect({ order }); },
 *   processElement2(payment, ctx, out) { ctx.output(paymentsTag, payment); },
 * })
 */
export class CoProcessOperator<I1, I2, O> extends TwoInputUdfOperator<O> {
  private ctx!: ProcessContexts<O>;

  private readonly fn: CoProcessFunction<I1, I2, O>;

  constructor(shared: CoProcessFunction<I1, I2, O>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = fn;
    checkMethods(fn, ['processElement1', 'processElement2'], 'connect(...).process()');
  }
  override open() {
    this.ctx = new ProcessContexts<O>(this, undefined, () => this.currentWatermark);
    return super.open();
  }
  processElement(value: I1, timestamp: number): void {
    this.ctx.timestampValue = timestamp;
    this.fn.processElement1(value, this.ctx, this.ctx);
  }
  processElement2(value: I2, timestamp: number): void {
    this.ctx.timestampValue = timestamp;
    this.fn.processElement2(value, this.ctx, this.ctx);
  }
}

/**
 * `connect(...).keyBy(k1, k2).process(fn)` (Flink's `KeyedCoProcessOperator`): both inputs
 * are partitioned by key, so records of either input with equal keys meet on one subtask and
 * share keyed state; timers are per key and `onTimer` sees the timer's key.
 *
 * @example
 * new KeyedCoProcessOperator<string, Order, Payment, Match>({
 *   processElement1(order, ctx, out) { ctx.timerService().registerEventTimeTimer(order.ts + 60_000); },
 *   processElement2(payment, ctx, out) { out.collect({ id: ctx.getCurrentKey(), payment }); },
 *   onTimer(ts, ctx, out) { out.collect({ id: ctx.getCurrentKey(), timedOutAt: ts }); },
 * })
 */
export class KeyedCoProcessOperator<K, I1, I2, O> extends TwoInputUdfOperator<O> {
  private ctx!: ProcessContexts<O>;

  private readonly fn: CoProcessFunction<I1, I2, O, K>;

  constructor(shared: CoProcessFunction<I1, I2, O, K>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = fn;
    checkMethods(fn, ['processElement1', 'processElement2'], 'connect(...).keyBy(...).process()');
  }
  override open() {
    const timers = processFunctionTimers(this, (timer, domain) => this.ctx.fireTimer(this.fn, timer, domain));
    this.ctx = new ProcessContexts<O>(this, timers, () => this.currentWatermark);
    return super.open();
  }
  processElement(value: I1, timestamp: number): void {
    this.setKeyContextElement(value, 0);
    this.ctx.timestampValue = timestamp;
    this.ctx.domain = 'EVENT_TIME';
    this.fn.processElement1(value, this.ctx, this.ctx);
  }
  processElement2(value: I2, timestamp: number): void {
    this.setKeyContextElement(value, 1);
    this.ctx.timestampValue = timestamp;
    this.ctx.domain = 'EVENT_TIME';
    this.fn.processElement2(value, this.ctx, this.ctx);
  }
}
