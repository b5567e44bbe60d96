import { isCollectSink } from './sinks.ts';
import type { PartitionerKind } from '../plan/job-graph.ts';
import type { Transformation } from './transformation.ts';
import type { StreamExecutionEnvironment } from './environment.ts';
import { checkParallelism } from './validation.ts';
import { InvalidPipelineError } from '../runtime/errors.ts';
import type { KeySelector, OperatorFactory } from '../runtime/operator.ts';
import type { CustomPartitioner } from '../runtime/network/partitioners.ts';
import { FilterOperator, FlatMapOperator, MapOperator } from '../runtime/operators/basic.ts';
import { ProcessOperator } from '../runtime/operators/process.ts';
import { SinkOperator, type SinkProvider } from '../runtime/operators/sink.ts';
import { TimestampsAndWatermarksOperator } from '../runtime/operators/timestamps-watermarks.ts';
import { SINK_WRITE, type FilterFunction, type FlatMapFunction, type MapFunction, type ProcessFunction, type SinkFunction, type TransactionalSinkFunction } from '../runtime/functions.ts';
import type { WatermarkStrategy } from '../runtime/watermarks.ts';
import { createSinkFromDescriptor, isSinkDescriptor, type SinkDescriptor } from '../runtime/connectors.ts';
import { executionHost } from '../runtime/host.ts';
import type { OutputTag } from './output-tag.ts';
import type { KeyedStream } from './keyed-stream.ts';
import type { MapStateDescriptor } from '../state/descriptors.ts';
import { WindowedStream } from './windowed-stream.ts';
import type { WindowAssigner } from '../runtime/windowing/index.ts';
import { connectStreams, type ConnectedStreams } from './connected-streams.ts';
import { createBroadcastStream, type BroadcastStream, type BroadcastConnectedStream } from './broadcast-stream.ts';
import { joinStreams, coGroupStreams, type JoinedStreams, type CoGroupedStreams } from './joins.ts';
import { formatForPrint } from './print-format.ts';

/** One producer a stream reads from, and how (a union has several). */
export interface StreamRef {
  transformation: Transformation;
  sideOutput?: string;
  partitioner?: PartitionerKind;
  keySelector?: KeySelector;
  customPartitioner?: CustomPartitioner;
}

/**
 * A stream of records of type T (Flink's `DataStream`). Transformations return new streams;
 * `uid`, `name`, `setParallelism` and `disableChaining` configure the operator that produced
 * this stream.
 *
 * @example
 * env.fromCollection(clicks)
 *   .filter((c) => c.page !== '/health')
 *   .map((c) => ({ ...c, day: new Date(c.ts).toISOString().slice(0, 10) }))
 *   .print();
 */
export class DataStream<T> {
  /** @internal */
  constructor(
    readonly env: StreamExecutionEnvironment,
    /** @internal */
    readonly refs: StreamRef[],
  ) {}

  /** @internal the single operator that produced this stream, for uid()/name()/... */
  protected producer(what: string): Transformation {
    if (this.refs.length !== 1 || this.refs[0]!.partitioner || this.refs[0]!.sideOutput) {
      throw new InvalidPipelineError(`${what} applies to an operator, but this stream is a union, a side output or a re-partitioning of streams`);
    }
    return this.refs[0]!.transformation;
  }

  /** @internal adds a one-input operator that reads this stream. */
  transform<R>(name: string, kind: string, factory: OperatorFactory, keySelector?: KeySelector): DataStream<R> {
    const t = this.env.addTransformation(name, kind, factory);
    connectInputs(t, this.refs, 0);
    if (keySelector) t.keySelectors = [keySelector];
    return new DataStream<R>(this.env, [{ transformation: t }]);
  }

  /**
   * Sets the operator's stable id. Savepoints match state to operators by uid, so give every
   * stateful operator one before you rely on savepoints.
   *
   * @example
   * stream.map(parse).uid('parse-clicks')
   */
  uid(uid: string): this {
    if (typeof uid !== 'string' || !uid) throw new InvalidPipelineError('uid() expects a non-empty string');
    this.producer('uid()').uid = uid;
    return this;
  }

  /**
   * Names the operator (shown in the plan, metrics and errors).
   *
   * @example
   * stream.filter((e) => e.ok).name('valid events')
   */
  name(name: string): this {
    if (typeof name !== 'string' || !name) throw new InvalidPipelineError('name() expects a non-empty string');
    this.producer('name()').name = name;
    return this;
  }

  /**
   * Runs the operator as `parallelism` subtasks.
   *
   * @example
   * stream.map(enrich).setParallelism(4)
   */
  setParallelism(parallelism: number): this {
    const t = this.producer('setParallelism()');
    checkParallelism(parallelism, t.name);
    if (t.singleton && parallelism !== 1) throw new InvalidPipelineError(`Operator '${t.name}' is not parallel; it cannot run with parallelism ${parallelism}`);
    t.parallelism = parallelism;
    return this;
  }

  /** @example stream.keyBy(k).process(fn).setMaxParallelism(256) */
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1) throw new InvalidPipelineError(`setMaxParallelism: must be an integer ≥ 1, got ${maxParallelism}`);
    this.producer('setMaxParallelism()').maxParallelism = maxParallelism;
    return this;
  }

  /**
   * Keeps the operator out of operator chains (it gets its own task).
   *
   * @example
   * stream.map(expensive).disableChaining()
   */
  disableChaining(): this {
    this.producer('disableChaining()').chainable = false;
    return this;
  }

  /**
   * Begins a new chain at this operator: it does not chain to its predecessor, while the
   * operators after it may chain to it (Flink's `startNewChain`).
   *
   * @example
   * stream.map(parse).filter(valid).startNewChain().map(enrich) // [parse] [filter -> enrich]
   */
  startNewChain(): this {
    this.producer('startNewChain()').chainStart = true;
    return this;
  }

  /**
   * Puts this operator in a slot sharing group. Subtasks of one group may share a slot (and so
   * a taskmanager); different groups get slots of their own, so a heavy stage can be kept apart
   * from the rest. Operators without a group take their inputs' group; the first is 'default'.
   *
   * @example
   * events.map(score).slotSharingGroup('scoring').setParallelism(4)
   */
  slotSharingGroup(name: string): this {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidPipelineError(`slotSharingGroup(name) needs a non-empty name, got ${JSON.stringify(name)}`);
    this.producer('slotSharingGroup()').slotSharingGroup = name;
    return this;
  }

  /** The parallelism set on this stream's operator, or the environment's. */
  getParallelism(): number {
    return this.producer('getParallelism()').parallelism ?? this.env.parallelism;
  }

  /**
   * One record out per record in.
   *
   * @example
   * stream.map((e) => e.amount)
   */
  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    checkFunction(fn, 'map', 'map()');
    return this.transform<R>('Map', 'map', () => new MapOperator(fn));
  }

  /**
   * Keeps the records for which `fn` returns true. A type guard narrows the stream's type.
   *
   * @example
   * stream.filter((e) => e.amount > 100)
   * env.fromNexmark({ events: 1000 }).filter(isBid) // DataStream<Bid>
   */
  filter<S extends T>(fn: (value: T) => value is S): DataStream<S>;
  filter(fn: FilterFunction<T>): DataStream<T>;
  filter(fn: FilterFunction<T>): DataStream<T> {
    checkFunction(fn, 'filter', 'filter()');
    return this.transform<T>('Filter', 'filter', () => new FilterOperator(fn));
  }

  /**
   * Zero or more records out per record in: return an iterable or use the collector.
   *
   * @example
   * lines.flatMap((line) => line.split(/\s+/))
   */
  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    checkFunction(fn, 'flatMap', 'flatMap()');
    return this.transform<R>('FlatMap', 'flatMap', () => new FlatMapOperator(fn));
  }

  /**
   * A low-level function with side outputs and access to time (timers need `keyBy`).
   *
   * @example
   * stream.process({ processElement(e, ctx, out) { if (e.bad) ctx.output(badTag, e); else out.collect(e); } })
   */
  process<R>(fn: ProcessFunction<T, R>): DataStream<R> {
    if (!fn || typeof fn.processElement !== 'function') throw new InvalidPipelineError('process() expects an object with processElement(value, ctx, out)');
    return this.transform<R>('Process', 'process', () => new ProcessOperator(fn));
  }

  /**
   * Partitions the stream by key: records with the same key go to the same subtask, and
   * keyed state and timers are scoped to the key.
   *
   * @example
   * clicks.keyBy((c) => c.user)
   */
  keyBy<K>(keySelector: KeySelector<T, K>): KeyedStream<T, K> {
    if (typeof keySelector !== 'function') throw new InvalidPipelineError('keyBy() expects a function (record) => key');
    return new derivedStreams.KeyedStream!<T, K>(this.env, this.refs.map((r) => ({ ...r, partitioner: 'hash' as const, keySelector })), keySelector);
  }

  /**
   * Reads event time from each record and generates watermarks.
   *
   * @example
   * stream.assignTimestampsAndWatermarks(
   *   WatermarkStrategy.forBoundedOutOfOrderness<Ev>(5_000).withTimestampAssigner((e) => e.ts))
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    if (!strategy || typeof strategy.createGenerator !== 'function') {
      throw new InvalidPipelineError('assignTimestampsAndWatermarks() expects a WatermarkStrategy');
    }
    const out = this.transform<T>('Timestamps/Watermarks', 'timestamps', () => new TimestampsAndWatermarksOperator(strategy));
    out.producer('').config = {
      watermarks: strategy.description,
      ...(strategy.idleTimeout !== undefined ? { idleTimeoutMs: strategy.idleTimeout } : {}),
      ...(strategy.ingestionTime || strategy.timestampAssigner ? {} : { timestamps: 'from the source' }),
    };
    return out;
  }

  /**
   * Merges streams of the same type into one.
   *
   * @example
   * webClicks.union(appClicks, kioskClicks)
   */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) if (o.env !== this.env) throw new InvalidPipelineError('union() needs streams of the same environment');
    return new DataStream<T>(this.env, [...this.refs, ...others.flatMap((o) => o.refs)]);
  }

  /**
   * The records an operator sent to a side output.
   *
   * @example
   * const late = new OutputTag<Ev>('late');
   * const result = windowed.sideOutputLateData(late).reduce(sum);
   * result.getSideOutput(late).print();
   */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const t = this.producer('getSideOutput()');
    return new DataStream<X>(this.env, [{ transformation: t, sideOutput: tag.id }]);
  }

  /**
   * Connects two streams, possibly of different types, for a two-input function with shared
   * state (CoMap, CoFlatMap, CoProcess). Connecting a `BroadcastStream` gives broadcast state.
   *
   * @example
   * orders.connect(payments).keyBy((o) => o.id, (p) => p.orderId).process(matcher)
   * events.connect(rules.broadcast(ruleState)).process(applyRules)
   */
  connect<U>(other: DataStream<U>): ConnectedStreams<T, U>;
  connect<U>(other: BroadcastStream<U>): BroadcastConnectedStream<T, U>;
  connect<U>(other: DataStream<U> | BroadcastStream<U>): ConnectedStreams<T, U> | BroadcastConnectedStream<T, U> {
    return connectStreams(this, other);
  }

  /**
   * With no argument: sends every record to every subtask of the next operator (Flink's
   * broadcast partitioner). With broadcast state descriptor(s): a `BroadcastStream` to connect
   * to another stream, every parallel instance holding the same broadcast state (Flink's
   * broadcast state pattern).
   *
   * @example
   * thresholds.broadcast().map(applyEverywhere)
   * const ruleState = new MapStateDescriptor<string, Rule>('rules');
   * events.keyBy((e) => e.user).connect(rules.broadcast(ruleState)).process(fn)
   */
  broadcast(): DataStream<T>;
  broadcast(...descriptors: [MapStateDescriptor<any, any>, ...MapStateDescriptor<any, any>[]]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): DataStream<T> | BroadcastStream<T> {
    if (descriptors.length === 0) return this.repartition('broadcast');
    return createBroadcastStream(this, descriptors);
  }

  /**
   * A window join: pairs records of both streams with equal keys in the same window.
   *
   * @example
   * a.join(b).where((x) => x.id).equalTo((y) => y.id)
   *   .window(TumblingEventTimeWindows.of(60_000))
   *   .apply((x, y) => ({ id: x.id, x: x.v, y: y.v }))
   */
  join<U>(other: DataStream<U>): JoinedStreams<T, U> {
    return joinStreams(this, other);
  }

  /**
   * A window co-group: per key and window, all records of both streams.
   *
   * @example
   * a.coGroup(b).where((x) => x.id).equalTo((y) => y.id)
   *   .window(TumblingEventTimeWindows.of(60_000))
   *   .apply((xs, ys, out) => out.collect({ n: xs.length + ys.length }))
   */
  coGroup<U>(other: DataStream<U>): CoGroupedStreams<T, U> {
    return coGroupStreams(this, other);
  }

  /**
   * Windows over the whole (non-keyed) stream; runs with parallelism 1.
   *
   * @example
   * stream.windowAll(TumblingEventTimeWindows.of(60_000)).aggregate(countAll)
   */
  windowAll(assigner: WindowAssigner): WindowedStream<T, 'all'> {
    const keyed = this.keyBy((): 'all' => 'all');
    return new WindowedStream<T, 'all'>(keyed, assigner, true);
  }

  private repartition(partitioner: PartitionerKind): DataStream<T> {
    return new DataStream<T>(this.env, this.refs.map((r) => ({ ...r, partitioner })));
  }

  /** Round-robin to every downstream subtask. @example stream.rebalance().map(heavy).setParallelism(4) */
  rebalance(): DataStream<T> {
    return this.repartition('rebalance');
  }
  /** Round-robin within local groups of downstream subtasks. @example stream.rescale() */
  rescale(): DataStream<T> {
    return this.repartition('rescale');
  }
  /** To a random downstream subtask. @example stream.shuffle() */
  shuffle(): DataStream<T> {
    return this.repartition('shuffle');
  }
  /** Everything to downstream subtask 0. @example stream.global() */
  global(): DataStream<T> {
    return this.repartition('global');
  }
  /** One-to-one to the downstream subtask with the same index (equal parallelism). @example stream.forward() */
  forward(): DataStream<T> {
    return this.repartition('forward');
  }

  /**
   * Every record to every downstream subtask.
   *
   * @deprecated Use `broadcast()` with no argument, as in Flink.
   * @example
   * config.broadcast()
   */
  broadcastAll(): DataStream<T> {
    return this.repartition('broadcast');
  }

  /**
   * Partitions with your own function of the key.
   *
   * @example
   * stream.partitionCustom((key, n) => key.length % n, (e) => e.user)
   */
  partitionCustom<K>(partitioner: CustomPartitioner<K>, keySelector: KeySelector<T, K>): DataStream<T> {
    if (typeof partitioner !== 'function' || typeof keySelector !== 'function') {
      throw new InvalidPipelineError('partitionCustom(partitioner, keySelector) expects two functions');
    }
    return new DataStream<T>(
      this.env,
      this.refs.map((r) => ({ ...r, partitioner: 'custom' as const, customPartitioner: partitioner, keySelector })),
    );
  }

  /**
   * Writes the stream to a sink: `Sinks.*`, any object with `invoke(value, ctx)`, or a
   * `TwoPhaseCommitSinkFunction` / `WriteAheadLogSink` subclass for exactly-once output.
   *
   * @example
   * stream.sinkTo(Sinks.jsonl('/tmp/out.jsonl'))
   */
  sinkTo(sink: SinkFunction<T> | TransactionalSinkFunction<T> | SinkDescriptor): DataStream<never> {
    if (isSinkDescriptor(sink)) {
      return this.addSink(`Sink: ${sink.sinkKind}`, { sink: sink.sinkKind, ...sink.options }, (info, services) =>
        createSinkFromDescriptor(sink, {
          subtask: info.subtask,
          parallelism: info.parallelism,
          operatorName: info.name,
          operatorUid: info.uid,
          jobName: services.jobName,
          note: (m) => executionHost().note?.(m),
        }),
      );
    }
    if (!sink || (typeof (sink as SinkFunction<T>).invoke !== 'function' && typeof (sink as TransactionalSinkFunction<T>)[SINK_WRITE] !== 'function')) {
      throw new InvalidPipelineError('sinkTo() expects a sink: Sinks.*(...) or an object with invoke(value, ctx)');
    }
    const stream = this.addSink('Sink', {}, () => sink as SinkFunction<T>);
    // Records a collect sink gathers on taskmanagers come back with the job's report into `values`.
    if (isCollectSink(sink)) this.env.sinks.at(-1)!.collected = sink.values;
    return stream;
  }

  /**
   * Prints every record to standard output; with parallelism > 1 each line starts with the
   * subtask number, as in Flink (`2> {...}`).
   *
   * @example
   * stream.print();            // {"user":"a","count":3}
   * stream.print('alerts');    // alerts> {"user":"a","count":3}
   */
  print(prefix?: string): DataStream<never> {
    return this.addSink('Sink: Print', { sink: 'print' }, (info, services) => {
      const p = info.parallelism;
      const head = prefix ? (p > 1 ? `${prefix}:${info.subtask + 1}> ` : `${prefix}> `) : p > 1 ? `${info.subtask + 1}> ` : '';
      return { invoke: (value: T) => services.print(head + formatForPrint(value)) };
    });
  }

  private addSink(name: string, config: Record<string, unknown>, provider: SinkProvider<T>): DataStream<never> {
    const t = this.env.addTransformation(name, 'sink', () => new SinkOperator<T>(provider));
    t.config = config;
    connectInputs(t, this.refs, 0);
    this.env.sinks.push(t);
    return new DataStream<never>(this.env, [{ transformation: t }]);
  }
}

/** Adds an edge from every ref to `t` as input `inputIndex`. */
export function connectInputs(t: Transformation, refs: StreamRef[], inputIndex: number): void {
  for (const r of refs) {
    t.inputs.push({
      source: r.transformation,
      partitioner: r.partitioner,
      keySelector: r.keySelector,
      customPartitioner: r.customPartitioner,
      sideOutput: r.sideOutput,
      inputIndex,
    });
  }
}

function checkFunction(fn: unknown, method: string, what: string): void {
  if (typeof fn === 'function') return;
  if (fn && typeof (fn as Record<string, unknown>)[method] === 'function') return;
  throw new InvalidPipelineError(`${what} expects a function or an object with a ${method}() method`);
}

/**
 * @internal Classes that extend DataStream register here, because DataStream cannot import
 * them (they import DataStream to extend it; a cycle would break module evaluation order).
 */
export const derivedStreams: {
  KeyedStream?: new <T, K>(env: StreamExecutionEnvironment, refs: StreamRef[], keySelector: KeySelector<T, K>) => KeyedStream<T, K>;
} = {};
