import { DataStream, connectInputs } from './datastream.ts';
import type { StreamExecutionEnvironment } from './environment.ts';
import { BroadcastConnectedStream, BroadcastStream } from './broadcast-stream.ts';
import { InvalidPipelineError } from '../runtime/errors.ts';
import type { KeySelector, OperatorFactory } from '../runtime/operator.ts';
import type { CoFlatMapFunction, CoMapFunction, CoProcessFunction } from '../runtime/functions.ts';
import {
  CoFlatMapOperator,
  CoMapOperator,
  CoProcessOperator,
  KeyedCoProcessOperator,
} from '../runtime/operators/co-process.ts';

/**
 * The key selector of a stream that came out of `keyBy`, else undefined. Read as a property
 * rather than with `instanceof KeyedStream`, because keyed-stream.ts imports this layer and
 * KeyedStream cannot be imported back without a module cycle at evaluation time.
 *
 * @example
 * keySelectorOf(clicks.keyBy((c) => c.user)); // (c) => c.user
 * keySelectorOf(clicks); // undefined
 */
export function keySelectorOf(stream: unknown): KeySelector | undefined {
  const k = (stream as { keySelector?: unknown } | null)?.keySelector;
  return typeof k === 'function' ? (k as KeySelector) : undefined;
}

/**
 * Two streams connected for one two-input function (Flink's `ConnectedStreams`). The streams
 * keep their own types; the function has one method per input and may share state between
 * them. Records of the two inputs interleave in arrival order. After `keyBy(k1, k2)` (or when
 * both inputs were already keyed) records with equal keys meet on the same subtask, and
 * `process` gets keyed state and timers.
 *
 * @example
 * orders.connect(payments)
 *   .keyBy((o) => o.id, (p) => p.orderId)
 *   .process({
 *     processElement1(order, ctx, out) { ... },
 *     processElement2(payment, ctx, out) { ... },
 *   })
 */
export class ConnectedStreams<T, U, K = unknown> {
  /** @internal */
  constructor(
    readonly env: StreamExecutionEnvironment,
    private readonly first: DataStream<T>,
    private readonly second: DataStream<U>,
  ) {}

  /** The first input. @example connected.getFirstInput().getParallelism() */
  getFirstInput(): DataStream<T> {
    return this.first;
  }

  /** The second input. @example connected.getSecondInput() */
  getSecondInput(): DataStream<U> {
    return this.second;
  }

  /**
   * Partitions both inputs by key: `key1` for the first input, `key2` for the second. Their
   * keys must be comparable (equal keys from either side meet on one subtask).
   *
   * @example
   * orders.connect(payments).keyBy((o) => o.id, (p) => p.orderId)
   */
  keyBy<KEY>(key1: KeySelector<T, KEY>, key2: KeySelector<U, KEY>): ConnectedStreams<T, U, KEY> {
    if (typeof key1 !== 'function' || typeof key2 !== 'function') {
      throw new InvalidPipelineError('connect(...).keyBy(key1, key2) expects two functions: one key selector per input');
    }
    return new ConnectedStreams<T, U, KEY>(this.env, this.first.keyBy(key1), this.second.keyBy(key2));
  }

  /**
   * One record out per record in, with a method per input (Flink's `CoMapFunction`).
   *
   * @example
   * temps.connect(alarms).map({ map1: (t) => `temp ${t.value}`, map2: (a) => `alarm ${a.code}` })
   */
  map<R>(fn: CoMapFunction<T, U, R>): DataStream<R> {
    checkObject(fn, ['map1', 'map2'], 'connect(...).map()');
    return this.transform<R>('Co-Map', 'coMap', () => new CoMapOperator(fn));
  }

  /**
   * Zero or more records out per record in, with a method per input (Flink's
   * `CoFlatMapFunction`); emit through `out` or return an iterable.
   *
   * @example
   * control.connect(words).keyBy((c) => c, (w) => w).flatMap({
   *   open(ctx) { this.blocked = ctx.getState(new ValueStateDescriptor<boolean>('blocked')); },
   *   flatMap1(_word) { this.blocked.update(true); },
   *   flatMap2(word, out) { if (!this.blocked.value()) out.collect(word); },
   * })
   */
  flatMap<R>(fn: CoFlatMapFunction<T, U, R>): DataStream<R> {
    checkObject(fn, ['flatMap1', 'flatMap2'], 'connect(...).flatMap()');
    return this.transform<R>('Co-Flat Map', 'coFlatMap', () => new CoFlatMapOperator(fn));
  }

  /**
   * A two-input process function: timestamps, side outputs and, when keyed, keyed state,
   * timers and `ctx.getCurrentKey()` (Flink's `CoProcessFunction` / `KeyedCoProcessFunction`).
   * Timers need `keyBy(k1, k2)`.
   *
   * @example
   * orders.connect(payments).keyBy((o) => o.id, (p) => p.orderId).process({
   *   open(ctx) { this.order = ctx.getState(new ValueStateDescriptor<Order>('order')); },
   *   processElement1(order, ctx, out) {
   *     this.order.update(order);
   *     ctx.timerService().registerEventTimeTimer(order.ts + 60_000);
   *   },
   *   processElement2(payment, ctx, out) { out.collect({ id: ctx.getCurrentKey(), paid: payment.amount }); },
   *   onTimer(ts, ctx, out) { out.collect({ id: ctx.getCurrentKey(), unpaidAt: ts }); },
   * })
   */
  process<R>(fn: CoProcessFunction<T, U, R, K>): DataStream<R> {
    checkObject(fn, ['processElement1', 'processElement2'], 'connect(...).process()');
    if (this.isKeyed()) {
      return this.transform<R>('Co-Keyed-Process', 'keyedCoProcess', () => new KeyedCoProcessOperator(fn));
    }
    return this.transform<R>('Co-Process', 'coProcess', () => new CoProcessOperator(fn as CoProcessFunction<T, U, R>));
  }

  /** Keyed when both inputs are keyed, as in Flink; one keyed input alone gives no keyed state. */
  private isKeyed(): boolean {
    return !!keySelectorOf(this.first) && !!keySelectorOf(this.second);
  }

  private transform<R>(name: string, kind: string, factory: OperatorFactory): DataStream<R> {
    const t = this.env.addTransformation(name, kind, factory);
    connectInputs(t, this.first.refs, 0);
    connectInputs(t, this.second.refs, 1);
    if (this.isKeyed()) t.keySelectors = [keySelectorOf(this.first), keySelectorOf(this.second)];
    return new DataStream<R>(this.env, [{ transformation: t }]);
  }
}

/**
 * Connects two streams (what `a.connect(b)` calls). Connecting a `BroadcastStream` gives a
 * `BroadcastConnectedStream` for the broadcast state pattern.
 *
 * @example
 * connectStreams(orders, payments).keyBy((o) => o.id, (p) => p.orderId).process(matcher)
 * connectStreams(events, rules.broadcast(ruleState)).process(applyRules)
 */
export function connectStreams<T, U>(a: DataStream<T>, b: DataStream<U>): ConnectedStreams<T, U>;
export function connectStreams<T, U>(a: DataStream<T>, b: BroadcastStream<U>): BroadcastConnectedStream<T, U>;
export function connectStreams<T, U>(a: DataStream<T>, b: DataStream<U> | BroadcastStream<U>): ConnectedStreams<T, U> | BroadcastConnectedStream<T, U>;
export function connectStreams<T, U>(a: DataStream<T>, b: DataStream<U> | BroadcastStream<U>): ConnectedStreams<T, U> | BroadcastConnectedStream<T, U> {
  if (!b || typeof b !== 'object' || !(b instanceof BroadcastStream || 'refs' in b)) {
    throw new InvalidPipelineError('connect() expects a DataStream, or a BroadcastStream from stream.broadcast(descriptor)');
  }
  if (b.env !== a.env) throw new InvalidPipelineError('connect() needs two streams of the same environment');
  if (b instanceof BroadcastStream) return new BroadcastConnectedStream<T, U>(a.env, a, b);
  return new ConnectedStreams<T, U>(a.env, a, b);
}

function checkObject(fn: unknown, methods: string[], what: string): void {
  if (!fn || typeof fn !== 'object' || methods.some((m) => typeof (fn as Record<string, unknown>)[m] !== 'function')) {
    throw new InvalidPipelineError(`${what} expects an object with ${methods.map((m) => `${m}(...)`).join(' and ')}`);
  }
}
