import type { Collector, OutputTagLike, RichFunction } from '../functions.ts';
import type {
  AggregateFunction,
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReduceFunction,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../state/descriptors.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../../state/state.ts';
import type { Window } from './windows.ts';

export type { Collector } from '../functions.ts';

/**
 * Keyed state scoped by the window operator: to the current key and window
 * (`context.windowState()`), or to the current key across windows (`context.globalState()`).
 *
 * @example
 * const firings = context.windowState().getState(new ValueStateDescriptor<number>('firings', 0));
 * firings.update(firings.value()! + 1);
 */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/**
 * What a process window function knows about the window it is called for (Flink's
 * `ProcessWindowFunction.Context`).
 *
 * @example
 * process(key, ctx, elements, out) { out.collect({ key, end: ctx.window.end, lag: ctx.currentWatermark() - ctx.window.end }); }
 */
export interface ProcessWindowContext<W extends Window = Window> {
  /** The window being evaluated (for time windows: `start`, `end`, `maxTimestamp()`). */
  readonly window: W;
  currentWatermark(): number;
  currentProcessingTime(): number;
  /** State of this key and this window; clear it in `clear(context)`. Not available for merging (session) windows. */
  windowState(): KeyedStateStore;
  /** State of this key, shared by all its windows. */
  globalState(): KeyedStateStore;
  /** Emits `value` to a side output, with the window's max timestamp. */
  output<X>(tag: OutputTagLike<X> | string, value: X): void;
}

/**
 * A window function with all of a window's records plus its metadata (Flink's
 * `ProcessWindowFunction`). Given as a plain function or an object with `process` (and
 * optionally `clear`, called when the window is cleaned up, and `open`/`close`). With an
 * incremental reduce/aggregate in front, `elements` holds the single pre-aggregated result.
 *
 * @example
 * const countPerWindow: ProcessWindowFunction<Click, string, string, TimeWindow> =
 *   (user, ctx, clicks, out) => out.collect(`${user}: ${[...clicks].length} clicks in [${ctx.window.start}, ${ctx.window.end})`);
 */
export type ProcessWindowFunction<IN = any, OUT = any, KEY = any, W extends Window = any> =
  | ((key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>) => void)
  | ProcessWindowFunctionObject<IN, OUT, KEY, W>;

/**
 * The object form of a `ProcessWindowFunction`.
 *
 * @example
 * const fn: ProcessWindowFunctionObject<number, number, string> = {
 *   process(key, ctx, xs, out) { out.collect(Math.max(...xs)); },
 *   clear(ctx) { ctx.windowState().getState(seen).clear(); },
 * };
 */
export interface ProcessWindowFunctionObject<IN = any, OUT = any, KEY = any, W extends Window = any> extends RichFunction {
  process(key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  /** Called when the window is cleaned up: clear per-window state here. */
  clear?(context: ProcessWindowContext<W>): void;
}

/**
 * What a window keeps per key and window: a running reduce, a running aggregate (Flink's
 * incremental window functions), or every record (`list`, for process functions).
 *
 * @example
 * const contents: WindowContentsSpec = { kind: 'aggregate', aggregate: averageFn };
 */
export type WindowContentsSpec<IN = any, ACC = any, R = any> =
  | { kind: 'reduce'; reduce: ReduceFunction<IN> }
  | { kind: 'aggregate'; aggregate: AggregateFunction<IN, ACC, R> }
  | { kind: 'list' };

/**
 * What a firing window emits, given its contents' result (the reduced value, the aggregate's
 * result, or the list of records):
 * - `pass`: the result itself;
 * - `simple`: `fn(key, window, result)`, one record, or nothing when it returns undefined;
 * - `process`: a `ProcessWindowFunction`.
 *
 * @example
 * const wf: WindowFunctionSpec = { kind: 'simple', fn: (key, w, avg) => ({ key, end: w.end, avg }) };
 */
export type WindowFunctionSpec<R = any, OUT = any, KEY = any, W extends Window = any> =
  | { kind: 'pass' }
  | { kind: 'simple'; fn: (key: KEY, window: W, result: R) => OUT | undefined }
  | { kind: 'process'; fn: ProcessWindowFunction<R, OUT, KEY, W> };
