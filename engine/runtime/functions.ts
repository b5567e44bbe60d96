/**
 * The shapes of user functions. Every function can be given as a plain arrow function or, when
 * it needs state or setup, as an object (or class instance) with `open(ctx)` / `close()` and
 * the method named after the transformation — Flink's "rich functions" in TypeScript idiom.
 */
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../state/descriptors.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state/state.ts';

/**
 * Receives the records a function emits.
 *
 * @example
 * (line: string, out: Collector<string>) => line.split(' ').forEach((w) => out.collect(w))
 */
export interface Collector<T> {
  collect(value: T): void;
}

/**
 * What a function knows about where it runs, and its door to keyed state.
 *
 * @example
 * open(ctx: RuntimeContext) { this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0)); }
 */
export interface RuntimeContext {
  /** 0-based index of this parallel instance. */
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  /** The operator's name. */
  getTaskName(): string;
  getJobName(): string;
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  /**
   * Operator (non-keyed) state of this parallel instance: lists that are checkpointed and
   * redistributed on rescale (round-robin for `getListState`, in full for `getUnionListState`).
   *
   * @example
   * const buffered = ctx.getOperatorStateStore().getListState<Row>('buffered');
   * buffered.push(row);
   */
  getOperatorStateStore(): OperatorStateAccess;
}

/** Operator state as a function sees it: the arrays are the state, mutate them in place. */
export interface OperatorStateAccess {
  getListState<T>(name: string): T[];
  getUnionListState<T>(name: string): T[];
}

/**
 * Lifecycle hooks any function object may have. Function objects may carry fields of their
 * own (state handles, counters): each parallel instance gets its own copy of the object, and
 * `this` inside the methods of an object literal is that copy (typed loosely, so that fields
 * added in `open` type-check; declare a class for strict typing).
 */
export interface RichFunction {
  /** Called once per parallel instance before the first record; may be async. */
  open?(this: any, ctx: RuntimeContext): void | Promise<void>;
  /** Called once at the end. */
  close?(this: any): void;
  /** Fields of your own, e.g. state handles set in `open`. */
  [field: string]: any;
}

/**
 * Transforms one record into one record.
 *
 * @example
 * stream.map((e) => ({ ...e, amount: e.amount * 100 }))
 */
export type MapFunction<T, R> = ((value: T) => R) | (RichFunction & { map(this: any, value: T): R });

/**
 * Keeps the records for which it returns true.
 *
 * @example
 * stream.filter((e) => e.amount > 0)
 */
export type FilterFunction<T> = ((value: T) => boolean) | (RichFunction & { filter(this: any, value: T): boolean });

/**
 * Turns one record into zero or more: emit through `out`, or return an iterable.
 *
 * @example
 * lines.flatMap((line: string) => line.split(' '))
 */
export type FlatMapFunction<T, R> =
  | ((value: T, out: Collector<R>) => Iterable<R> | void)
  | (RichFunction & { flatMap(this: any, value: T, out: Collector<R>): Iterable<R> | void });

/** Timers and time, as seen by a process function. Timers need a keyed stream. */
export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

/** A side output tag: a typed name. Create with `new OutputTag<T>('id')`. */
export interface OutputTagLike<T> {
  readonly id: string;
  /** Phantom field that carries the element type. */
  readonly __type?: T;
}

/** The context of `processElement` in a process function. */
export interface ProcessContext {
  /** Event time of the current record, or undefined when it has none. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  /** Emits to a side output. */
  output<X>(tag: OutputTagLike<X>, value: X): void;
}

/** The context of `processElement` in a keyed process function. */
export interface KeyedProcessContext<K> extends ProcessContext {
  getCurrentKey(): K;
}

/** The time domain of a firing timer. */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/** The context of `onTimer`. */
export interface OnTimerContext<K> extends KeyedProcessContext<K> {
  timeDomain(): TimeDomain;
}

/**
 * A low-level function over every record (Flink's `ProcessFunction`).
 *
 * @example
 * stream.process({
 *   processElement(e, ctx, out) { if (e.bad) ctx.output(rejects, e); else out.collect(e); },
 * })
 */
export interface ProcessFunction<I, O> extends RichFunction {
  processElement(this: any, value: I, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(this: any, timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<O>): void;
}

/**
 * A process function on a keyed stream: keyed state and timers (Flink's `KeyedProcessFunction`).
 *
 * @example
 * keyed.process<Alert>({
 *   open(ctx) { this.last = ctx.getState(new ValueStateDescriptor<number>('last')); },
 *   processElement(tx, ctx, out) { ctx.timerService().registerEventTimeTimer(tx.ts + 60_000); },
 *   onTimer(ts, ctx, out) { out.collect({ user: ctx.getCurrentKey(), at: ts }); },
 * } as KeyedProcessFunction<string, Tx, Alert> & { last?: ValueState<number> })
 */
export interface KeyedProcessFunction<K, I, O> extends RichFunction {
  processElement(this: any, value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(this: any, timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

/**
 * Two inputs, one function each (Flink's `CoMapFunction`).
 *
 * @example
 * a.connect(b).map({ map1: (x) => String(x), map2: (y) => y.name })
 */
export interface CoMapFunction<I1, I2, O> extends RichFunction {
  map1(this: any, value: I1): O;
  map2(this: any, value: I2): O;
}

/** Two inputs, flat-mapped (Flink's `CoFlatMapFunction`). */
export interface CoFlatMapFunction<I1, I2, O> extends RichFunction {
  flatMap1(this: any, value: I1, out: Collector<O>): Iterable<O> | void;
  flatMap2(this: any, value: I2, out: Collector<O>): Iterable<O> | void;
}

/**
 * Two inputs with shared state and timers (Flink's `CoProcessFunction` / `KeyedCoProcessFunction`).
 *
 * @example
 * orders.connect(payments).keyBy((o) => o.id, (p) => p.orderId).process({
 *   processElement1(order, ctx, out) { ... },
 *   processElement2(payment, ctx, out) { ... },
 * })
 */
export interface CoProcessFunction<I1, I2, O, K = unknown> extends RichFunction {
  processElement1(this: any, value: I1, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  processElement2(this: any, value: I2, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(this: any, timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

/** Read-only broadcast state, as seen from the non-broadcast side. */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  entries(): [K, V][];
}

/** Broadcast state: a map kept identical on every parallel instance. */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  remove(key: K): void;
  clear(): void;
}

/** Names a broadcast state; pass the same descriptors to `broadcast(...)` and the context. */
export interface BroadcastStateDescriptorLike<K, V> {
  readonly name: string;
  readonly __types?: [K, V];
}

/** Context of the non-broadcast side: broadcast state is read-only here. */
export interface ReadOnlyBroadcastContext<K = unknown> extends KeyedProcessContext<K> {
  /** The overload that infers the key and value types from a `MapStateDescriptor`. */
  getBroadcastState<BK, BV>(descriptor: MapStateDescriptor<BK, BV>): ReadOnlyBroadcastState<BK, BV>;
  getBroadcastState<BK, BV>(descriptor: BroadcastStateDescriptorLike<BK, BV>): ReadOnlyBroadcastState<BK, BV>;
}

/** Context of the broadcast side: broadcast state is writable. */
export interface BroadcastContext extends ProcessContext {
  /** The overload that infers the key and value types from a `MapStateDescriptor`. */
  getBroadcastState<BK, BV>(descriptor: MapStateDescriptor<BK, BV>): BroadcastState<BK, BV>;
  getBroadcastState<BK, BV>(descriptor: BroadcastStateDescriptorLike<BK, BV>): BroadcastState<BK, BV>;
  /** Runs `fn` for every key that has `stateDescriptor` state on this instance (keyed variant). */
  applyToKeyedState?(stateName: string, fn: (key: unknown) => void): void;
}

/**
 * Processes a stream together with a broadcast stream of rules/config (Flink's
 * `BroadcastProcessFunction` and `KeyedBroadcastProcessFunction`).
 *
 * @example
 * events.connect(rules.broadcast(ruleState)).process({
 *   processElement(e, ctx, out) { const r = ctx.getBroadcastState(ruleState).get('threshold'); ... },
 *   processBroadcastElement(rule, ctx, out) { ctx.getBroadcastState(ruleState).put(rule.name, rule.value); },
 * })
 */
export interface BroadcastProcessFunction<I, B, O, K = unknown> extends RichFunction {
  processElement(this: any, value: I, ctx: ReadOnlyBroadcastContext<K>, out: Collector<O>): void;
  processBroadcastElement(this: any, value: B, ctx: BroadcastContext, out: Collector<O>): void;
  /** Timers of the keyed variant; the context also reads broadcast state, as in Flink. */
  onTimer?(this: any, timestamp: number, ctx: OnTimerContext<K> & ReadOnlyBroadcastContext<K>, out: Collector<O>): void;
}

/**
 * Pairs one record of each side of a window join (Flink's `JoinFunction`). Called once per
 * pair with equal keys in the same window; a returned `undefined` emits nothing.
 *
 * @example
 * a.join(b).where((x) => x.id).equalTo((y) => y.id).window(TumblingEventTimeWindows.of(60_000))
 *   .apply((x, y) => ({ id: x.id, total: x.amount + y.amount }))
 */
export type JoinFunction<L, R, O> = ((left: L, right: R) => O) | (RichFunction & { join(left: L, right: R): O });

/**
 * The flat form of a window join function (Flink's `FlatJoinFunction`): zero or more records
 * per pair, through `out`. Recognised by its third parameter. Give the output type (or annotate
 * every parameter), since TypeScript cannot infer it from a collector.
 *
 * @example
 * joined.apply<string>((x, y, out) => { if (x.ok && y.ok) out.collect(`${x.id}`); })
 */
export type FlatJoinFunction<L, R, O> =
  | ((left: L, right: R, out: Collector<O>) => void)
  | (RichFunction & { join(left: L, right: R, out: Collector<O>): void });

/**
 * Gets, per key and window, all records of both sides of a co-group (Flink's
 * `CoGroupFunction`). One of the two arrays may be empty, which is what makes outer joins
 * possible.
 *
 * @example
 * a.coGroup(b).where((x) => x.id).equalTo((y) => y.id).window(TumblingEventTimeWindows.of(60_000))
 *   .apply((xs, ys, out) => { if (ys.length === 0) for (const x of xs) out.collect({ unmatched: x }); })
 */
export type CoGroupFunction<L, R, O> =
  | ((lefts: L[], rights: R[], out: Collector<O>) => void)
  | (RichFunction & { coGroup(lefts: L[], rights: R[], out: Collector<O>): void });

/**
 * What an interval join function knows about the pair it is called with (Flink's
 * `ProcessJoinFunction.Context`).
 *
 * @example
 * (order, payment, ctx, out) => out.collect({ id: order.id, delayMs: ctx.getRightTimestamp() - ctx.getLeftTimestamp() })
 */
export interface ProcessJoinContext {
  /** Event time of the left record. */
  getLeftTimestamp(): number;
  /** Event time of the right record. */
  getRightTimestamp(): number;
  /** Event time of the result: the larger of the two. */
  getTimestamp(): number;
  /** Emits to a side output, with the result's timestamp. */
  output<X>(tag: OutputTagLike<X>, value: X): void;
}

/**
 * Processes each pair of an interval join (Flink's `ProcessJoinFunction`): a plain function or
 * an object with `processElement` (and optionally `open`/`close`).
 *
 * @example
 * orders.keyBy((o) => o.id).intervalJoin(payments.keyBy((p) => p.orderId))
 *   .between(0, 600_000)
 *   .process((order, payment, ctx, out) => out.collect({ id: order.id, paidAt: ctx.getRightTimestamp() }))
 */
export type ProcessJoinFunction<L, R, O> =
  | ((left: L, right: R, ctx: ProcessJoinContext, out: Collector<O>) => void)
  | (RichFunction & { processElement(this: any, left: L, right: R, ctx: ProcessJoinContext, out: Collector<O>): void });

/**
 * Writes records out (Flink's `SinkFunction`). Sinks from `Sinks.*` implement it; so can you.
 *
 * @example
 * stream.sinkTo({ invoke: (v) => results.push(v) })
 */
export interface SinkFunction<T> extends RichFunction {
  invoke(this: any, value: T, ctx: SinkContext): void;
  /** End of a bounded input: flush. */
  finish?(this: any): void | Promise<void>;
}

/** What a sink knows about the record it writes. */
export interface SinkContext {
  timestamp(): number | undefined;
  currentWatermark(): number;
}

/**
 * What a checkpointed sink is told when its subtask starts (before `open()`).
 *
 * @example
 * initializeState(ctx: SinkInitializationContext) {
 *   this.sent = ctx.operatorState.getListState<number>('sent');
 *   if (!ctx.isRestored) this.sent.length = 0;
 * }
 */
export interface SinkInitializationContext {
  /** Operator state of this subtask: the same lists `ctx.getOperatorStateStore()` gives in `open`. */
  readonly operatorState: OperatorStateAccess;
  /** True when the job resumes from a checkpoint or savepoint, false on a fresh start. */
  readonly isRestored: boolean;
  /** 0-based index of this subtask. */
  readonly subtask: number;
  /** Number of subtasks of the sink in this run (it may differ from the run that wrote the state). */
  readonly parallelism: number;
}

/**
 * What a checkpointed sink is told at a checkpoint barrier.
 *
 * @example
 * snapshotState(ctx: SinkSnapshotContext) {
 *   const s = ctx.operatorState.getListState<Row>('buffered');
 *   s.length = 0;
 *   s.push(...this.buffer);
 * }
 */
export interface SinkSnapshotContext {
  readonly checkpointId: number;
  /** Processing time when the barrier reached this subtask (ms). */
  readonly timestamp: number;
  readonly operatorState: OperatorStateAccess;
}

/**
 * The checkpoint hooks a sink function may have (Flink's `CheckpointedFunction` and
 * `CheckpointListener`, for sinks). `SinkOperator` forwards its own hooks to them:
 * `initializeState` before `open()` (on a fresh start and on restore), `snapshotState` at the
 * barrier (synchronously; what it leaves in `operatorState` is what the checkpoint holds), and
 * `notifyCheckpointComplete` once the checkpoint is complete on every task: only then may a sink
 * make the data before that barrier visible. Everything put in operator state must be plain data.
 * For transactional sinks, extend `TwoPhaseCommitSinkFunction` or `WriteAheadLogSink` instead of
 * writing these by hand.
 *
 * @example
 * // A hand-written write-ahead log: rows wait in state until their checkpoint is complete.
 * const sink: SinkFunction<Row> & CheckpointedSink = {
 *   invoke(row) { this.buffer.push(row); },
 *   initializeState(ctx) { this.buffer = []; this.batches = ctx.operatorState.getListState('batches'); },
 *   snapshotState(ctx) { this.batches.push({ id: ctx.checkpointId, rows: this.buffer }); this.buffer = []; },
 *   notifyCheckpointComplete(id) { while (this.batches[0]?.id <= id) upload(this.batches.shift().rows); },
 * };
 */
export interface CheckpointedSink {
  initializeState?(this: any, ctx: SinkInitializationContext): void;
  snapshotState?(this: any, ctx: SinkSnapshotContext): void;
  notifyCheckpointComplete?(this: any, checkpointId: number): void;
}

/**
 * The method through which `SinkOperator` hands records to a sink whose own `invoke` has
 * another signature (a `TwoPhaseCommitSinkFunction`'s `invoke(transaction, value, ctx)`, as in
 * Flink). A symbol, so that it cannot clash with a method of the user's sink; a registered one
 * (`Symbol.for`), like `Symbol.iterator` a protocol key rather than a service, so that a sink
 * class made by another copy of the engine in the process (a job bundle that imports the
 * engine's source files, as a test fixture can) still takes its records this way.
 *
 * @example
 * if (typeof sink[SINK_WRITE] === 'function') sink[SINK_WRITE](value, ctx); else sink.invoke(value, ctx);
 */
export const SINK_WRITE: unique symbol = Symbol.for('weir.sink.write');

/**
 * A sink that takes records through `[SINK_WRITE]`; `TwoPhaseCommitSinkFunction` is one.
 *
 * @example
 * const sink: TransactionalSinkFunction<Row> = new MyTwoPhaseCommitSink();
 */
export interface TransactionalSinkFunction<T> extends CheckpointedSink {
  [SINK_WRITE](value: T, ctx: SinkContext): void;
  open?(ctx: RuntimeContext): void | Promise<void>;
  /** End of input; with `finalCheckpoint` a final checkpoint follows, whose notification commits. */
  finish?(finalCheckpoint?: boolean): void;
  close?(): void;
}

/** Calls `fn` as a plain function or as the named method of a function object. */
export function asFunction<F extends (...args: any[]) => any>(fn: F | Record<string, any>, method: string, what: string): F {
  if (typeof fn === 'function') return fn as F;
  if (fn && typeof fn[method] === 'function') return (fn[method] as F).bind(fn) as F;
  throw new TypeError(`${what} expects a function or an object with a ${method}() method`);
}

/**
 * The copy of a user function object that one parallel instance uses. Flink gives every
 * subtask its own deserialized copy of a function; here several subtasks may share a process,
 * so function objects are shallow-cloned (same prototype, own fields copied) to keep what one
 * instance stores on `this` (state handles, counters) away from the others. Plain functions are
 * used as they are: keep per-instance data on `this` of a function object, not in a closure.
 */
export function instantiateUserFunction<F>(fn: F): F {
  if (fn === null || typeof fn !== 'object') return fn;
  const copy = Object.create(Object.getPrototypeOf(fn) as object) as F;
  Object.defineProperties(copy, Object.getOwnPropertyDescriptors(fn));
  return copy;
}
