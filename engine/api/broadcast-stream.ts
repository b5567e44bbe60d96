import { DataStream, connectInputs, type StreamRef } from './datastream.ts';
import type { StreamExecutionEnvironment } from './environment.ts';
import { keySelectorOf } from './connected-streams.ts';
import { InvalidPipelineError } from '../runtime/errors.ts';
import type { BroadcastProcessFunction } from '../runtime/functions.ts';
import type { MapStateDescriptor } from '../state/descriptors.ts';
import { BroadcastProcessOperator, KeyedBroadcastProcessOperator } from '../runtime/operators/broadcast-process.ts';

/**
 * A stream whose every record goes to every parallel instance of the operator it is connected
 * to, together with the broadcast states that operator keeps (Flink's `BroadcastStream`). It
 * is not a `DataStream`: its only use is `stream.connect(broadcastStream)`.
 *
 * @example
 * const ruleState = new MapStateDescriptor<string, Rule>('rules');
 * const rulesEverywhere = rules.broadcast(ruleState);
 * events.keyBy((e) => e.user).connect(rulesEverywhere).process(applyRules);
 */
export class BroadcastStream<T> {
  /** Phantom field that carries the element type. */
  declare readonly __type?: T;

  /** @internal */
  constructor(
    readonly env: StreamExecutionEnvironment,
    /** @internal the producers, each with the broadcast partitioner */
    readonly refs: StreamRef[],
    /** The broadcast states the connected operator will hold. */
    readonly descriptors: readonly MapStateDescriptor<any, any>[],
  ) {}
}

/**
 * Makes a `BroadcastStream` of `stream` with the given broadcast states (what
 * `stream.broadcast(...descriptors)` calls). At least one `MapStateDescriptor` is needed; for
 * broadcast partitioning without state use `stream.broadcast()` with no argument.
 *
 * @example
 * createBroadcastStream(rules, [new MapStateDescriptor<string, Rule>('rules')])
 */
export function createBroadcastStream<T>(stream: DataStream<T>, descriptors: readonly MapStateDescriptor<any, any>[]): BroadcastStream<T> {
  if (!descriptors || descriptors.length === 0) {
    throw new InvalidPipelineError(
      'broadcast() needs at least one MapStateDescriptor for the broadcast state, e.g. broadcast(new MapStateDescriptor<string, Rule>("rules")); to send records to every subtask without state, use broadcast() with no argument',
    );
  }
  const names = new Set<string>();
  for (const d of descriptors) {
    if (!d || (d as { kind?: unknown }).kind !== 'map' || typeof d.name !== 'string') {
      throw new InvalidPipelineError(`broadcast() expects MapStateDescriptors (broadcast state is a map), got ${describe(d)}`);
    }
    if (names.has(d.name)) throw new InvalidPipelineError(`broadcast() got two descriptors named '${d.name}'; broadcast state names must be unique`);
    names.add(d.name);
  }
  const refs = stream.refs.map((r): StreamRef => ({ transformation: r.transformation, sideOutput: r.sideOutput, partitioner: 'broadcast' }));
  return new BroadcastStream<T>(stream.env, refs, [...descriptors]);
}

/**
 * A stream connected with a `BroadcastStream` (Flink's `BroadcastConnectedStream`). `process`
 * runs a `BroadcastProcessFunction`: `processBroadcastElement` sees every broadcast record on
 * every subtask and may write broadcast state; `processElement` sees this subtask's share of the
 * other stream and reads broadcast state. When the other stream is keyed, `processElement` also
 * has keyed state and timers, and `processBroadcastElement` can visit all keys with
 * `ctx.applyToKeyedState(...)`. The two inputs interleave in arrival order: a record may be
 * processed before a broadcast record that was produced earlier, so buffer in state when the
 * order matters.
 *
 * @example
 * events.keyBy((e) => e.user).connect(rules.broadcast(ruleState)).process({
 *   processElement(e, ctx, out) {
 *     const limit = ctx.getBroadcastState(ruleState).get('limit');
 *     if (limit !== undefined && e.amount > limit) out.collect({ user: ctx.getCurrentKey(), e });
 *   },
 *   processBroadcastElement(rule, ctx) { ctx.getBroadcastState(ruleState).put(rule.name, rule.value); },
 * })
 */
export class BroadcastConnectedStream<T, B> {
  /** @internal */
  constructor(
    readonly env: StreamExecutionEnvironment,
    private readonly nonBroadcast: DataStream<T>,
    private readonly broadcastStream: BroadcastStream<B>,
  ) {}

  /** The non-broadcast input. @example bcs.getFirstInput() */
  getFirstInput(): DataStream<T> {
    return this.nonBroadcast;
  }

  /** The broadcast input. @example bcs.getSecondInput().descriptors */
  getSecondInput(): BroadcastStream<B> {
    return this.broadcastStream;
  }

  /**
   * Applies a broadcast process function (keyed when the non-broadcast stream is keyed).
   *
   * @example
   * events.connect(config.broadcast(configState)).process({
   *   processElement(e, ctx, out) { out.collect({ ...e, unit: ctx.getBroadcastState(configState).get('unit') }); },
   *   processBroadcastElement(c, ctx) { ctx.getBroadcastState(configState).put('unit', c.unit); },
   * })
   */
  process<R, K = any>(fn: BroadcastProcessFunction<T, B, R, K>): DataStream<R> {
    if (!fn || typeof fn.processElement !== 'function' || typeof fn.processBroadcastElement !== 'function') {
      throw new InvalidPipelineError(
        'connect(broadcastStream).process() expects an object with processElement(value, ctx, out) and processBroadcastElement(value, ctx, out)',
      );
    }
    const names = this.broadcastStream.descriptors.map((d) => d.name);
    const key = keySelectorOf(this.nonBroadcast);
    const t = key
      ? this.env.addTransformation('Co-Process-Broadcast-Keyed', 'keyedBroadcastProcess', () => new KeyedBroadcastProcessOperator(fn, names))
      : this.env.addTransformation('Co-Process-Broadcast', 'broadcastProcess', () => new BroadcastProcessOperator(fn, names));
    connectInputs(t, this.nonBroadcast.refs, 0);
    connectInputs(t, this.broadcastStream.refs, 1);
    if (key) t.keySelectors = [key, undefined];
    t.config = { broadcastStates: names };
    return new DataStream<R>(this.env, [{ transformation: t }]);
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  const kind = (v as { kind?: unknown }).kind;
  return typeof kind === 'string' ? `a ${kind} state descriptor` : typeof v;
}
