/**
 * Joins of two streams, as Flink builds them. A window join or co-group is not an operator of
 * its own: both inputs are tagged with their side, unioned, keyed by a selector that applies
 * each side's key selector, and cut into windows that keep every record; when a window fires,
 * its records are split by side and handed to the join (every pair) or co-group (both lists)
 * function. An interval join is a keyed two-input operator that buffers both sides.
 */
import { DataStream, connectInputs } from './datastream.ts';
import type { KeyedStream } from './keyed-stream.ts';
import type { OutputTag } from './output-tag.ts';
import { keySelectorOf } from './connected-streams.ts';
import { InvalidPipelineError } from '../runtime/errors.ts';
import type { KeySelector } from '../runtime/operator.ts';
import {
  instantiateUserFunction,
  type CoGroupFunction,
  type Collector,
  type ProcessJoinFunction,
  type RichFunction,
  type RuntimeContext,
} from '../runtime/functions.ts';
import {
  createWindowOperator,
  validateWindowSpec,
  type Evictor,
  type ProcessWindowFunctionObject,
  type Trigger,
  type WindowAssigner,
  type WindowOperatorSpec,
} from '../runtime/windowing/index.ts';
import { IntervalJoinOperator, type IntervalJoinBounds } from '../runtime/operators/interval-join.ts';

/** A record of either input of a window join, as the window stores it (Flink's `TaggedUnion`). */
type TaggedUnion<T, U> = { side: 0; value: T } | { side: 1; value: U };

/**
 * `JoinFunction` or `FlatJoinFunction` as one function type. Overloads or a union of the two
 * would leave the parameters of arrow functions untyped (TypeScript cannot pick a contextual
 * signature among function types of different arity); this type is a supertype of both.
 */
type JoinOrFlatJoinFunction<T, U, O> =
  | ((left: T, right: U, out: Collector<O>) => O | void)
  | (RichFunction & { join(left: T, right: U, out: Collector<O>): O | void });

/** What a window join or co-group has been told so far. */
interface WindowJoinConfig {
  key1?: KeySelector;
  key2?: KeySelector;
  assigner?: WindowAssigner;
  trigger?: Trigger;
  evictor?: Evictor;
  allowedLateness: number;
}

const EMPTY_CONFIG: WindowJoinConfig = { allowedLateness: 0 };

/** The builder steps shared by join and coGroup; `what` names the call in errors. */
const steps = {
  where(cfg: WindowJoinConfig, key: unknown, what: string): WindowJoinConfig {
    if (typeof key !== 'function') throw new InvalidPipelineError(`${what}.where(...) expects a key selector function (record) => key`);
    return { ...cfg, key1: key as KeySelector };
  },
  equalTo(cfg: WindowJoinConfig, key: unknown, what: string): WindowJoinConfig {
    if (!cfg.key1) throw new InvalidPipelineError(`${what}.equalTo(...) needs where(...) first: a.${what.slice(0, -2)}(b).where(keyOfA).equalTo(keyOfB)`);
    if (typeof key !== 'function') throw new InvalidPipelineError(`${what}.equalTo(...) expects a key selector function (record) => key`);
    return { ...cfg, key2: key as KeySelector };
  },
  window(cfg: WindowJoinConfig, assigner: unknown, what: string): WindowJoinConfig {
    if (!cfg.key1) throw new InvalidPipelineError(`${what}: where(keySelector) is missing before window(...)`);
    if (!cfg.key2) throw new InvalidPipelineError(`${what}: equalTo(keySelector) is missing before window(...)`);
    if (!assigner || typeof (assigner as { assignWindows?: unknown }).assignWindows !== 'function') {
      throw new InvalidPipelineError(`${what}.window(...) expects a window assigner, e.g. TumblingEventTimeWindows.of(60_000)`);
    }
    return { ...cfg, assigner: assigner as WindowAssigner };
  },
  trigger(cfg: WindowJoinConfig, trigger: unknown, what: string): WindowJoinConfig {
    steps.requireWindow(cfg, what, 'trigger');
    if (!trigger || typeof (trigger as { onElement?: unknown }).onElement !== 'function') throw new InvalidPipelineError(`${what}.trigger(...) expects a Trigger`);
    return { ...cfg, trigger: trigger as Trigger };
  },
  evictor(cfg: WindowJoinConfig, evictor: unknown, what: string): WindowJoinConfig {
    steps.requireWindow(cfg, what, 'evictor');
    if (!evictor || typeof (evictor as { evictBefore?: unknown }).evictBefore !== 'function') throw new InvalidPipelineError(`${what}.evictor(...) expects an Evictor`);
    return { ...cfg, evictor: evictor as Evictor };
  },
  allowedLateness(cfg: WindowJoinConfig, ms: number, what: string): WindowJoinConfig {
    steps.requireWindow(cfg, what, 'allowedLateness');
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new InvalidPipelineError(`${what}.allowedLateness(...) must be a number ≥ 0 ms, got ${String(ms)}`);
    }
    return { ...cfg, allowedLateness: ms };
  },
  requireWindow(cfg: WindowJoinConfig, what: string, method: string): void {
    if (!cfg.assigner) throw new InvalidPipelineError(`${what}.${method}(...) needs window(assigner) first`);
  },
  requireComplete(cfg: WindowJoinConfig, what: string): void {
    if (!cfg.key1) throw new InvalidPipelineError(`${what}: where(keySelector) is missing before apply(...)`);
    if (!cfg.key2) throw new InvalidPipelineError(`${what}: equalTo(keySelector) is missing before apply(...)`);
    if (!cfg.assigner) throw new InvalidPipelineError(`${what}: window(assigner) is missing before apply(...)`);
  },
};

/**
 * A window join being built (Flink's `JoinedStreams`):
 * `a.join(b).where(keyOfA).equalTo(keyOfB).window(assigner)`, optionally `.trigger(t)`,
 * `.evictor(e)`, `.allowedLateness(ms)`, then `.apply(fn)`. Every step returns a new builder, so
 * a partly built join can be reused. Per key and window, `fn` gets every pair of a record of
 * `a` and a record of `b` (an inner join); results carry the window's max timestamp.
 *
 * @example
 * clicks.join(impressions)
 *   .where((c) => c.adId).equalTo((i) => i.adId)
 *   .window(TumblingEventTimeWindows.of(60_000))
 *   .apply((c, i) => ({ adId: c.adId, delayMs: c.ts - i.ts }))
 */
export class JoinedStreams<T, U, K = unknown> {
  /** @internal */
  constructor(
    private readonly first: DataStream<T>,
    private readonly second: DataStream<U>,
    private readonly cfg: WindowJoinConfig = EMPTY_CONFIG,
  ) {}

  /** The key of the first stream's records. @example a.join(b).where((x) => x.id) */
  where<KEY>(keySelector: KeySelector<T, KEY>): JoinedStreams<T, U, KEY> {
    return new JoinedStreams<T, U, KEY>(this.first, this.second, steps.where(this.cfg, keySelector, 'join()'));
  }

  /** The key of the second stream's records; must be comparable with `where`'s. @example .equalTo((y) => y.id) */
  equalTo(keySelector: KeySelector<U, K>): JoinedStreams<T, U, K> {
    return new JoinedStreams<T, U, K>(this.first, this.second, steps.equalTo(this.cfg, keySelector, 'join()'));
  }

  /** The windows pairs are formed in. @example .window(SlidingEventTimeWindows.of(60_000, 10_000)) */
  window(assigner: WindowAssigner): JoinedStreams<T, U, K> {
    return new JoinedStreams<T, U, K>(this.first, this.second, steps.window(this.cfg, assigner, 'join()'));
  }

  /** Replaces the assigner's default trigger. @example .window(GlobalWindows.create()).trigger(CountTrigger.of(10)) */
  trigger(trigger: Trigger): JoinedStreams<T, U, K> {
    return new JoinedStreams<T, U, K>(this.first, this.second, steps.trigger(this.cfg, trigger, 'join()'));
  }

  /** Removes records (of either side) from a window before the join runs. @example .evictor(CountEvictor.of(100)) */
  evictor(evictor: Evictor): JoinedStreams<T, U, K> {
    return new JoinedStreams<T, U, K>(this.first, this.second, steps.evictor(this.cfg, evictor, 'join()'));
  }

  /** Keeps windows open for late records, which make the window fire again. @example .allowedLateness(5_000) */
  allowedLateness(ms: number): JoinedStreams<T, U, K> {
    return new JoinedStreams<T, U, K>(this.first, this.second, steps.allowedLateness(this.cfg, ms, 'join()'));
  }

  /**
   * Joins every pair of records with equal keys in the same window. `(l, r) => result` emits
   * its result (nothing for `undefined`); the flat form `(l, r, out) => void`, recognised by its
   * third parameter, emits any number of records through `out` (name the output type:
   * `apply<Out>(...)`). Objects with `join(...)` (and `open`/`close`) work the same way.
   *
   * @example
   * joined.apply((order, payment) => ({ id: order.id, paid: payment.amount }))
   * joined.apply<Alert>((order, payment, out) => { if (payment.amount < order.total) out.collect({ id: order.id }); })
   */
  apply<O>(fn: JoinOrFlatJoinFunction<T, U, O>): DataStream<Exclude<O, undefined>> {
    steps.requireComplete(this.cfg, 'join()');
    const method = userMethod(fn, 'join', 'join().apply()');
    const flat = method.length >= 3;
    return buildWindowJoin<T, U, Exclude<O, undefined>>(this.first, this.second, this.cfg, 'Join', () => joinWindowFunction(fn, flat));
  }
}

/**
 * A window co-group being built (Flink's `CoGroupedStreams`): like a join, but per key and
 * window the function gets all records of both sides at once — also when one side has none,
 * which is how outer joins and anti-joins are written.
 *
 * @example
 * orders.coGroup(payments)
 *   .where((o) => o.id).equalTo((p) => p.orderId)
 *   .window(TumblingEventTimeWindows.of(3_600_000))
 *   .apply((os, ps, out) => { for (const o of os) if (ps.length === 0) out.collect({ unpaid: o.id }); })
 */
export class CoGroupedStreams<T, U, K = unknown> {
  /** @internal */
  constructor(
    private readonly first: DataStream<T>,
    private readonly second: DataStream<U>,
    private readonly cfg: WindowJoinConfig = EMPTY_CONFIG,
  ) {}

  /** The key of the first stream's records. @example a.coGroup(b).where((x) => x.id) */
  where<KEY>(keySelector: KeySelector<T, KEY>): CoGroupedStreams<T, U, KEY> {
    return new CoGroupedStreams<T, U, KEY>(this.first, this.second, steps.where(this.cfg, keySelector, 'coGroup()'));
  }

  /** The key of the second stream's records; must be comparable with `where`'s. @example .equalTo((y) => y.id) */
  equalTo(keySelector: KeySelector<U, K>): CoGroupedStreams<T, U, K> {
    return new CoGroupedStreams<T, U, K>(this.first, this.second, steps.equalTo(this.cfg, keySelector, 'coGroup()'));
  }

  /** The windows records are grouped in. @example .window(TumblingEventTimeWindows.of(60_000)) */
  window(assigner: WindowAssigner): CoGroupedStreams<T, U, K> {
    return new CoGroupedStreams<T, U, K>(this.first, this.second, steps.window(this.cfg, assigner, 'coGroup()'));
  }

  /** Replaces the assigner's default trigger. @example .trigger(CountTrigger.of(10)) */
  trigger(trigger: Trigger): CoGroupedStreams<T, U, K> {
    return new CoGroupedStreams<T, U, K>(this.first, this.second, steps.trigger(this.cfg, trigger, 'coGroup()'));
  }

  /** Removes records (of either side) from a window before the function runs. @example .evictor(CountEvictor.of(100)) */
  evictor(evictor: Evictor): CoGroupedStreams<T, U, K> {
    return new CoGroupedStreams<T, U, K>(this.first, this.second, steps.evictor(this.cfg, evictor, 'coGroup()'));
  }

  /** Keeps windows open for late records, which make the window fire again. @example .allowedLateness(5_000) */
  allowedLateness(ms: number): CoGroupedStreams<T, U, K> {
    return new CoGroupedStreams<T, U, K>(this.first, this.second, steps.allowedLateness(this.cfg, ms, 'coGroup()'));
  }

  /**
   * Calls `fn(lefts, rights, out)` once per key and window firing, with the records of each
   * side in arrival order.
   *
   * @example
   * coGrouped.apply((clicks, views, out) => out.collect({ clicks: clicks.length, views: views.length }))
   */
  apply<O>(fn: CoGroupFunction<T, U, O>): DataStream<O> {
    steps.requireComplete(this.cfg, 'coGroup()');
    userMethod(fn, 'coGroup', 'coGroup().apply()');
    return buildWindowJoin<T, U, O>(this.first, this.second, this.cfg, 'CoGroup', () => coGroupWindowFunction<T, U, O>(fn));
  }
}

/**
 * Starts a window join of `a` and `b` (what `a.join(b)` calls).
 *
 * @example
 * joinStreams(a, b).where((x) => x.id).equalTo((y) => y.id).window(TumblingEventTimeWindows.of(1_000)).apply((x, y) => [x, y])
 */
export function joinStreams<T, U>(a: DataStream<T>, b: DataStream<U>): JoinedStreams<T, U> {
  checkSameEnv(a, b, 'join()');
  return new JoinedStreams<T, U>(a, b);
}

/**
 * Starts a window co-group of `a` and `b` (what `a.coGroup(b)` calls).
 *
 * @example
 * coGroupStreams(a, b).where((x) => x.id).equalTo((y) => y.id).window(TumblingEventTimeWindows.of(1_000)).apply((xs, ys, out) => {})
 */
export function coGroupStreams<T, U>(a: DataStream<T>, b: DataStream<U>): CoGroupedStreams<T, U> {
  checkSameEnv(a, b, 'coGroup()');
  return new CoGroupedStreams<T, U>(a, b);
}

function checkSameEnv(a: DataStream<any>, b: DataStream<any>, what: string): void {
  if (!b || !(b instanceof DataStream)) throw new InvalidPipelineError(`${what} expects a DataStream to join with`);
  if (a.env !== b.env) throw new InvalidPipelineError(`${what} needs two streams of the same environment`);
}

/** The user function's callable: the function itself or its `method`, with a clear error otherwise. */
function userMethod(fn: unknown, method: string, what: string): (...args: any[]) => any {
  if (typeof fn === 'function') return fn as (...args: any[]) => any;
  const m = (fn as Record<string, unknown> | null)?.[method];
  if (fn && typeof fn === 'object' && typeof m === 'function') return m as (...args: any[]) => any;
  throw new InvalidPipelineError(`${what} expects a function or an object with a ${method}() method`);
}

/** Tags `stream`'s records with their side; runs with the input's parallelism so it chains to it. */
function tag<T>(stream: DataStream<T>, side: 0 | 1, what: string): DataStream<TaggedUnion<any, any>> {
  const tagged = stream.map((value: T) => ({ side, value }) as TaggedUnion<any, any>).name(`${what}: Tag ${side === 0 ? 'Left' : 'Right'}`);
  const only = stream.refs.length === 1 && !stream.refs[0]!.partitioner && !stream.refs[0]!.sideOutput ? stream.refs[0]!.transformation : undefined;
  if (only) tagged.refs[0]!.transformation.parallelism = only.singleton ? 1 : only.parallelism;
  return tagged;
}

function buildWindowJoin<T, U, O>(
  first: DataStream<T>,
  second: DataStream<U>,
  cfg: WindowJoinConfig,
  what: 'Join' | 'CoGroup',
  windowFunction: () => ProcessWindowFunctionObject<TaggedUnion<T, U>, O>,
): DataStream<O> {
  const key1 = cfg.key1!;
  const key2 = cfg.key2!;
  const unionKey = (e: TaggedUnion<T, U>) => (e.side === 0 ? key1(e.value) : key2(e.value));
  const keyed = tag(first, 0, what).union(tag(second, 1, what)).keyBy(unionKey);
  const spec = (): WindowOperatorSpec => ({
    assigner: cfg.assigner!,
    trigger: cfg.trigger,
    evictor: cfg.evictor,
    allowedLateness: cfg.allowedLateness,
    contents: { kind: 'list' },
    windowFunction: { kind: 'process', fn: windowFunction() },
  });
  // Validate where the pipeline is defined, so that errors point at the user's call.
  validateWindowSpec(spec());
  const assignerName = String(cfg.assigner);
  // A fresh window function per subtask: it holds the subtask's instance of the user function.
  const out = keyed.keyedTransform<O>(`Window ${what}(${assignerName})`, 'window', () => createWindowOperator(spec()));
  out.refs[0]!.transformation.config = { assigner: assignerName, allowedLateness: cfg.allowedLateness, function: what === 'Join' ? 'join' : 'coGroup' };
  return out;
}

/** Forwards `open`/`close` of the window function to the user's function object. */
function lifecycleOf(fn: unknown): RichFunction {
  const rich = fn && typeof fn === 'object' ? (fn as RichFunction) : undefined;
  return {
    open: (ctx: RuntimeContext) => rich?.open?.(ctx),
    close: () => rich?.close?.(),
  };
}

function joinWindowFunction<T, U, O>(userFn: unknown, flat: boolean): ProcessWindowFunctionObject<TaggedUnion<T, U>, O> {
  const fn = instantiateUserFunction(userFn);
  const call = typeof fn === 'function' ? (fn as (...args: any[]) => any) : (fn as { join: (...args: any[]) => any }).join.bind(fn);
  // Reused across firings: the window operator calls process() one firing at a time.
  const lefts: T[] = [];
  const rights: U[] = [];
  return {
    ...lifecycleOf(fn),
    process(_key, _ctx, elements, out: Collector<O>) {
      lefts.length = 0;
      rights.length = 0;
      for (const e of elements) {
        if (e.side === 0) lefts.push(e.value);
        else rights.push(e.value);
      }
      // Left outer, right inner, as Flink's JoinCoGroupFunction.
      for (const l of lefts) {
        for (const r of rights) {
          if (flat) call(l, r, out);
          else {
            const v = call(l, r) as O | undefined;
            if (v !== undefined) out.collect(v);
          }
        }
      }
    },
  };
}

function coGroupWindowFunction<T, U, O>(userFn: unknown): ProcessWindowFunctionObject<TaggedUnion<T, U>, O> {
  const fn = instantiateUserFunction(userFn);
  const call = typeof fn === 'function' ? (fn as (...args: any[]) => any) : (fn as { coGroup: (...args: any[]) => any }).coGroup.bind(fn);
  return {
    ...lifecycleOf(fn),
    process(_key, _ctx, elements, out: Collector<O>) {
      // Fresh arrays per firing: the user may keep them.
      const lefts: T[] = [];
      const rights: U[] = [];
      for (const e of elements) {
        if (e.side === 0) lefts.push(e.value);
        else rights.push(e.value);
      }
      call(lefts, rights, out);
    },
  };
}

/**
 * An interval join being built (Flink's `KeyedStream.IntervalJoin` / `IntervalJoined`): each
 * record `l` of the first keyed stream is paired with each record `r` of the second with the
 * same key and `l.ts + lower <= r.ts <= l.ts + upper` (event time; bounds inclusive unless made
 * exclusive). A pair carries the larger of the two timestamps. Records older than the
 * watermark are late and dropped, or sent to a side output.
 *
 * @example
 * orders.keyBy((o) => o.id)
 *   .intervalJoin(payments.keyBy((p) => p.orderId))
 *   .between(0, 15 * 60_000)
 *   .upperBoundExclusive()
 *   .process((order, payment, ctx, out) => out.collect({ id: order.id, waitedMs: ctx.getRightTimestamp() - ctx.getLeftTimestamp() }))
 */
export class IntervalJoin<T, U, K = unknown> {
  /** @internal */
  constructor(
    private readonly left: KeyedStream<T, K>,
    private readonly right: KeyedStream<U, K>,
    private readonly bounds?: IntervalJoinBounds,
  ) {}

  /**
   * The interval, in ms relative to the left record's time: a right record joins when
   * `l.ts + lowerMs <= r.ts <= l.ts + upperMs`. Negative values reach back in time.
   *
   * @example
   * left.intervalJoin(right).between(-5_000, 5_000) // within five seconds either way
   */
  between(lowerMs: number, upperMs: number): IntervalJoin<T, U, K> {
    if (typeof lowerMs !== 'number' || typeof upperMs !== 'number' || !Number.isFinite(lowerMs) || !Number.isFinite(upperMs)) {
      throw new InvalidPipelineError(`intervalJoin().between(${String(lowerMs)}, ${String(upperMs)}): bounds must be finite numbers of ms`);
    }
    if (lowerMs > upperMs) {
      throw new InvalidPipelineError(`intervalJoin().between(${lowerMs}, ${upperMs}): the lower bound ${lowerMs} is greater than the upper bound ${upperMs}`);
    }
    return new IntervalJoin<T, U, K>(this.left, this.right, { ...this.bounds, lower: lowerMs, upper: upperMs });
  }

  /** Excludes `l.ts + lowerMs` itself from the interval. @example .between(0, 1_000).lowerBoundExclusive() */
  lowerBoundExclusive(): IntervalJoin<T, U, K> {
    return this.with('lowerBoundExclusive()', { lowerBoundExclusive: true });
  }

  /** Excludes `l.ts + upperMs` itself from the interval. @example .between(0, 1_000).upperBoundExclusive() */
  upperBoundExclusive(): IntervalJoin<T, U, K> {
    return this.with('upperBoundExclusive()', { upperBoundExclusive: true });
  }

  /**
   * Sends late records of the first stream to a side output instead of dropping them.
   *
   * @example
   * const lateOrders = new OutputTag<Order>('late-orders');
   * const joined = joining.sideOutputLeftLateData(lateOrders).process(fn);
   * joined.getSideOutput(lateOrders).print();
   */
  sideOutputLeftLateData(tag: OutputTag<T>): IntervalJoin<T, U, K> {
    if (!tag || typeof tag.id !== 'string') throw new InvalidPipelineError('sideOutputLeftLateData() expects an OutputTag');
    return this.with('sideOutputLeftLateData()', { leftLateDataTag: tag.id });
  }

  /** Sends late records of the second stream to a side output. @example joining.sideOutputRightLateData(latePayments) */
  sideOutputRightLateData(tag: OutputTag<U>): IntervalJoin<T, U, K> {
    if (!tag || typeof tag.id !== 'string') throw new InvalidPipelineError('sideOutputRightLateData() expects an OutputTag');
    return this.with('sideOutputRightLateData()', { rightLateDataTag: tag.id });
  }

  /**
   * Runs `fn` for every joined pair: `(left, right, ctx, out) => void` or an object with
   * `processElement(left, right, ctx, out)`. `ctx` gives both timestamps, the result's, and
   * side outputs.
   *
   * @example
   * joining.process((l, r, ctx, out) => out.collect({ ...l, ...r, at: ctx.getTimestamp() }))
   */
  process<O>(fn: ProcessJoinFunction<T, U, O>): DataStream<O> {
    const bounds = this.bounds;
    if (!bounds) throw new InvalidPipelineError('intervalJoin(): between(lowerMs, upperMs) is missing before process(...)');
    userMethod(fn, 'processElement', 'intervalJoin().process()');
    const env = this.left.env;
    const t = env.addTransformation('Interval Join', 'intervalJoin', () => new IntervalJoinOperator<T, U, O>(fn, bounds));
    connectInputs(t, this.left.refs, 0);
    connectInputs(t, this.right.refs, 1);
    t.keySelectors = [this.left.keySelector, this.right.keySelector];
    t.config = {
      lowerBound: bounds.lower,
      upperBound: bounds.upper,
      lowerBoundExclusive: !!bounds.lowerBoundExclusive,
      upperBoundExclusive: !!bounds.upperBoundExclusive,
    };
    return new DataStream<O>(env, [{ transformation: t }]);
  }

  private with(method: string, change: Partial<IntervalJoinBounds>): IntervalJoin<T, U, K> {
    if (!this.bounds) throw new InvalidPipelineError(`intervalJoin().${method} needs between(lowerMs, upperMs) first`);
    return new IntervalJoin<T, U, K>(this.left, this.right, { ...this.bounds, ...change });
  }
}

/**
 * Starts an interval join of two keyed streams (what `a.intervalJoin(b)` calls). Both must come
 * from `keyBy`, with keys that compare equal for records that belong together.
 *
 * @example
 * intervalJoinStreams(orders.keyBy((o) => o.id), payments.keyBy((p) => p.orderId)).between(0, 60_000).process(fn)
 */
export function intervalJoinStreams<T, U, K>(a: KeyedStream<T, K>, b: KeyedStream<U, K>): IntervalJoin<T, U, K> {
  if (!keySelectorOf(a)) throw new InvalidPipelineError('intervalJoin() joins keyed streams: call keyBy(...) on the first stream');
  if (!keySelectorOf(b)) throw new InvalidPipelineError('intervalJoin() expects a keyed stream: call other.keyBy(...) before intervalJoin(other)');
  if (a.env !== b.env) throw new InvalidPipelineError('intervalJoin() needs two streams of the same environment');
  return new IntervalJoin<T, U, K>(a, b);
}
