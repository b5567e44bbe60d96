import { Transformation } from './transformation.ts';
import { DataStream } from './datastream.ts';
import './keyed-stream.ts';
import { generateGraph } from './graph-generator.ts';
import type { RuntimeMode } from '../plan/job-graph.ts';
import { SourceOperator, type Source } from '../runtime/source.ts';
import { CollectionSource, SequenceSource } from '../runtime/sources/collection.ts';
import { GeneratorSource, type GeneratorOptions } from '../runtime/sources/generator.ts';
import { NexmarkSource } from '../runtime/sources/nexmark/source.ts';
import type { NexmarkOptions } from '../runtime/sources/nexmark/config.ts';
import type { NexmarkEvent } from '../runtime/sources/nexmark/model.ts';
import { executionHost, type JobReport } from '../runtime/host.ts';
import type { JobClient, LocalExecutionOptions } from '../runtime/local-executor.ts';
import { startInProcess } from '../checkpoint/checkpointing-executor.ts';
import { DEFAULT_MAX_PARALLELISM } from '../state/key-groups.ts';
import { InvalidPipelineError, type OperatorLocation } from '../runtime/errors.ts';
import { checkParallelism } from './validation.ts';
import { userCallSite } from './call-site.ts';
import type { StreamGraphSpec } from '../plan/job-graph.ts';
import { buildJobGraph } from '../plan/chaining.ts';
import type { JobDefinition } from '../runtime/job.ts';
import { replayControls } from '../runtime/replay-control.ts';
import { replayNames } from '../runtime/job-replays.ts';
import { sourceFromDescriptor } from '../runtime/connectors.ts';
import { duckdbSourceDescriptor, replaySourceDescriptor, routeRejects, type FromDuckDBOptions, type ReplayOptions } from './duckdb.ts';
import { CheckpointConfig } from './checkpoint-config.ts';
import type { CheckpointingMode, RestartStrategySpec } from '../checkpoint/types.ts';
import { validateRestartStrategy } from '../checkpoint/restart-strategies.ts';

/** Options of `StreamExecutionEnvironment.create`. */
export interface EnvironmentOptions {
  /** Default parallelism of operators (an operator's own setting wins). Default: the host's, else 1. */
  parallelism?: number;
  /** 'streaming' (default) or 'batch' (bounded sources only, same final result). */
  mode?: RuntimeMode;
  /** Upper bound for rescaling keyed state: the number of key groups. Default 128. */
  maxParallelism?: number;
  /** Interval of periodic watermarks in ms of processing time. Default 200; 0 disables them. */
  autoWatermarkInterval?: number;
}

/** What `execute()` resolves to. */
export interface JobExecutionResult {
  jobName: string;
  /** Wall-clock run time in ms. */
  netRuntimeMs: number;
  /** The job's figures, as in `weir run --report`. */
  report: JobReport;
}

/** Execution-wide settings (Flink's `ExecutionConfig`). */
export class ExecutionConfig {
  constructor(private readonly env: StreamExecutionEnvironment) {}
  /** @example env.getConfig().setAutoWatermarkInterval(50) */
  setAutoWatermarkInterval(ms: number): this {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new InvalidPipelineError(`setAutoWatermarkInterval: interval must be a number ≥ 0 ms, got ${ms}`);
    this.env.autoWatermarkInterval = ms;
    return this;
  }
  getAutoWatermarkInterval(): number {
    return this.env.autoWatermarkInterval;
  }
}

/**
 * The entry point of every pipeline: creates sources, holds defaults, and runs the job.
 *
 * @example
 * const env = StreamExecutionEnvironment.create({ parallelism: 2 });
 * env.fromElements(1, 2, 3).map((x) => x * 10).print();
 * await env.execute('numbers');
 */
export class StreamExecutionEnvironment {
  /** @internal transformations in creation order */
  readonly transformations: Transformation[] = [];
  /** @internal */
  readonly sinks: Transformation[] = [];
  private nextId = 0;
  parallelism: number;
  mode: RuntimeMode;
  maxParallelism: number;
  autoWatermarkInterval: number;
  private readonly config = new ExecutionConfig(this);
  private readonly checkpointConfig = new CheckpointConfig();
  /** @internal the strategy set with `setRestartStrategy`; undefined = Flink's default. */
  restartStrategy: RestartStrategySpec | undefined;
  private operatorChaining = true;
  /** @internal options for in-process execution (tests inject a clock). */
  localExecutionOptions: LocalExecutionOptions = {};

  private constructor(options: EnvironmentOptions) {
    const defaults = executionHost().defaults ?? {};
    this.parallelism = checkParallelism(options.parallelism ?? defaults.parallelism ?? 1, 'StreamExecutionEnvironment');
    const mode = options.mode ?? defaults.mode ?? 'streaming';
    if (mode !== 'streaming' && mode !== 'batch') throw new InvalidPipelineError(`Unknown mode '${String(mode)}': use 'streaming' or 'batch'`);
    this.mode = mode;
    this.maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    if (!Number.isInteger(this.maxParallelism) || this.maxParallelism < 1 || this.maxParallelism > 32768) {
      throw new InvalidPipelineError(`maxParallelism must be an integer in [1, 32768], got ${this.maxParallelism}`);
    }
    this.autoWatermarkInterval = options.autoWatermarkInterval ?? 200;
  }

  /**
   * Creates an environment. Options not given come from the host (`weir run --parallelism`,
   * `--mode`), then from Flink's defaults.
   *
   * @example
   * const env = StreamExecutionEnvironment.create({ mode: 'batch' });
   */
  static create(options: EnvironmentOptions = {}): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment(options);
  }

  /** Alias of `create()`, as Flink names it. */
  static getExecutionEnvironment(options: EnvironmentOptions = {}): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment(options);
  }

  /** @example env.setParallelism(4) */
  setParallelism(parallelism: number): this {
    this.parallelism = checkParallelism(parallelism, 'StreamExecutionEnvironment');
    return this;
  }

  getParallelism(): number {
    return this.parallelism;
  }

  /** @example env.setMaxParallelism(256) */
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1) throw new InvalidPipelineError(`setMaxParallelism: must be an integer ≥ 1, got ${maxParallelism}`);
    this.maxParallelism = maxParallelism;
    return this;
  }

  /**
   * Runs every operator in a task of its own: no operator chaining anywhere in the job (Flink's
   * `disableOperatorChaining`). Slower; useful to see each operator's rates and back-pressure.
   *
   * @example
   * env.disableOperatorChaining();
   */
  disableOperatorChaining(): this {
    this.operatorChaining = false;
    return this;
  }

  /**
   * Whether operators may be chained (true unless `disableOperatorChaining()` was called).
   *
   * @example
   * env.isChainingEnabled(); // true
   */
  isChainingEnabled(): boolean {
    return this.operatorChaining;
  }

  /** @example env.setRuntimeMode('batch') */
  setRuntimeMode(mode: RuntimeMode): this {
    if (mode !== 'streaming' && mode !== 'batch') throw new InvalidPipelineError(`Unknown mode '${String(mode)}': use 'streaming' or 'batch'`);
    this.mode = mode;
    return this;
  }

  /** @example env.getConfig().setAutoWatermarkInterval(50) */
  getConfig(): ExecutionConfig {
    return this.config;
  }

  /**
   * Takes a checkpoint of all state every `intervalMs` (at least 10 ms), so that a failed job
   * restarts from its last checkpoint. `mode` 'exactly-once' (default) aligns barriers;
   * 'at-least-once' does not. More settings: `getCheckpointConfig()`.
   *
   * @example
   * env.enableCheckpointing(10_000);
   * env.enableCheckpointing(1_000, 'at-least-once');
   */
  enableCheckpointing(intervalMs: number, mode?: CheckpointingMode): this {
    const config = this.checkpointConfig;
    const previousMode = config.getCheckpointingMode();
    if (mode !== undefined) config.setCheckpointingMode(mode);
    try {
      config.setCheckpointInterval(intervalMs);
    } catch (e) {
      config.setCheckpointingMode(previousMode); // a rejected call changes nothing
      throw e;
    }
    return this;
  }

  /**
   * The job's checkpoint settings (timeout, minimum pause, concurrency, retention, ...).
   *
   * @example
   * env.getCheckpointConfig().setCheckpointTimeout(60_000).setNumRetainedCheckpoints(3);
   */
  getCheckpointConfig(): CheckpointConfig {
    return this.checkpointConfig;
  }

  /**
   * How the job restarts after a failure. Without one, a job with checkpointing restarts
   * endlessly every second and a job without checkpointing is not restarted (Flink's defaults).
   *
   * @example
   * env.setRestartStrategy(RestartStrategies.fixedDelay(3, 10_000));
   */
  setRestartStrategy(strategy: RestartStrategySpec): this {
    this.restartStrategy = validateRestartStrategy(strategy);
    return this;
  }

  /** @internal */
  addTransformation(name: string, kind: string, factory: Transformation['createOperator']): Transformation {
    const t = new Transformation(this.nextId++, name, kind, factory);
    t.definedAt = userCallSite();
    this.transformations.push(t);
    return t;
  }

  /**
   * A stream from any source.
   *
   * @example
   * env.fromSource(mySource, 'my source')
   */
  fromSource<T>(source: Source<T>, name: string = source.name): DataStream<T> {
    const t = this.addTransformation(`Source: ${name}`, 'source', () => new SourceOperator(source));
    t.source = source as Source<unknown>;
    t.singleton = source.parallel === false;
    t.config = { source: name, bounded: source.boundedness === 'bounded', ...source.describe?.() };
    return new DataStream<T>(this, [{ transformation: t }]);
  }

  /**
   * A bounded stream of the array's elements, in order (parallelism 1).
   *
   * @example
   * env.fromCollection([{ user: 'a', ts: 1000 }, { user: 'b', ts: 2000 }])
   */
  fromCollection<T>(items: readonly T[]): DataStream<T> {
    if (!Array.isArray(items)) throw new InvalidPipelineError('fromCollection expects an array');
    return this.fromSource(new CollectionSource<T>('Collection', items), 'Collection');
  }

  /**
   * A bounded stream of the given elements, in order.
   *
   * @example
   * env.fromElements('a', 'b', 'c')
   */
  fromElements<T>(...items: T[]): DataStream<T> {
    return this.fromSource(new CollectionSource<T>('Elements', items), 'Elements');
  }

  /**
   * The numbers from `from` to `to`, inclusive, read in parallel.
   *
   * @example
   * env.fromSequence(1, 1_000_000)
   */
  fromSequence(from: number, to: number): DataStream<number> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) {
      throw new InvalidPipelineError(`fromSequence(${from}, ${to}): expects integers with from ≤ to`);
    }
    return this.fromSource(new SequenceSource(from, to), 'Sequence');
  }

  /**
   * `count` records made by `generate(index)` (bounded), or an endless stream when `count` is
   * Infinity (unbounded). Rate-limit with `recordsPerSecond`.
   *
   * @example
   * env.fromGenerator(Infinity, (i) => ({ sensor: i % 10, value: Math.sin(i) }), { recordsPerSecond: 1000 })
   */
  fromGenerator<T>(count: number, generate: (index: number) => T, options: GeneratorOptions = {}): DataStream<T> {
    if (!(count >= 0)) throw new InvalidPipelineError(`fromGenerator: count must be ≥ 0 or Infinity, got ${count}`);
    if (typeof generate !== 'function') throw new InvalidPipelineError('fromGenerator: expects a function (index) => record');
    if (options.recordsPerSecond !== undefined && !(options.recordsPerSecond > 0)) {
      throw new InvalidPipelineError(`fromGenerator: recordsPerSecond must be > 0, got ${options.recordsPerSecond}`);
    }
    return this.fromSource(new GeneratorSource<T>('Generator', count, generate, options), 'Generator');
  }

  /**
   * The Nexmark benchmark's auction events (nexmark-flink's generator): people, auctions and
   * bids in the proportions 1:3:46, with hot sellers, bidders and auctions. Event n happens at
   * `baseTime + n / eventsPerSecond` s; the same options and seed give the same events at any
   * parallelism. Records carry their event time and the source emits watermarks, so no
   * `assignTimestampsAndWatermarks` is needed. Read in parallel; checkpoints hold each split's
   * position, so restores and rescales continue exactly.
   *
   * @example
   * const bids = env.fromNexmark({ events: 1_000_000 }).filter(isBid);
   * bids.keyBy((b) => b.auction).window(SlidingEventTimeWindows.of(10_000, 2_000)).aggregate(countBids);
   */
  fromNexmark(options: NexmarkOptions): DataStream<NexmarkEvent> {
    return this.fromSource(new NexmarkSource(options), 'Nexmark');
  }

  /**
   * A bounded stream of the rows of a DuckDB query: files (CSV, Parquet, JSON, globs), attached
   * databases, anything DuckDB reads. Rows are plain objects keyed by column name; TIMESTAMP
   * becomes epoch ms, integers numbers (bigint beyond 2^53), DECIMAL a number, DATE
   * 'YYYY-MM-DD'. Results stream in chunks; subtasks split the work by file or by row hash
   * (see `FromDuckDBOptions.split`). Needs the Node runtime (notebooks, `weir run`). Relative
   * file paths in the query are relative to the notebook's folder; a missing file fails the job.
   *
   * @example
   * const trips = env.fromDuckDB<{ zone: string; fare: number; pickup_at: number }>(
   *   "SELECT zone, fare, pickup_at FROM 'data/trips-*.parquet' WHERE fare > 0");
   */
  fromDuckDB<T = Record<string, unknown>>(sql: string, options: FromDuckDBOptions = {}): DataStream<T> {
    const { descriptor, name } = duckdbSourceDescriptor(sql, options);
    return routeRejects(this.fromSource<T>(sourceFromDescriptor<T>(descriptor, name), name), options.rejects);
  }

  /**
   * Replays the rows of a DuckDB query as a live stream: in ascending `timestampColumn` order,
   * with that column as event time and watermarks generated at the source, paced so that event
   * time runs `speed` times as fast as the wall clock ('max': unpaced). Runs with parallelism
   * 1. While it runs, the job's client (`client.controlReplay(name, { pause: true })`,
   * `client.replays()`) pauses, resumes, changes speed, seeks and reports progress wherever the
   * job runs; `replayControls.get(name)` does so only in the process that runs the reader (a job
   * run in-process), and throws saying so for a job started from here on taskmanagers.
   * Relative file paths in `sql` are relative to the notebook's folder.
   *
   * @example
   * env.replay<Trip>({ sql: "SELECT * FROM 'data/trips.parquet'", timestampColumn: 'pickup_at', speed: 600, name: 'trips' })
   *   .keyBy((t) => t.zone)
   *   .window(TumblingEventTimeWindows.of(15 * 60_000))
   *   .aggregate(countTrips);
   */
  replay<T = Record<string, unknown>>(options: ReplayOptions): DataStream<T> {
    const { descriptor, name } = replaySourceDescriptor(options);
    return routeRejects(this.fromSource<T>(sourceFromDescriptor<T>(descriptor, name), name), options.rejects);
  }

  /** The plan of what `execute()` would run: plain data. */
  getStreamGraph(jobName = 'job'): StreamGraphSpec {
    return generateGraph(this, jobName).graph;
  }

  /**
   * The plan at three of Flink's four levels, as JSON: the program's graph, the job graph
   * (operators fused into chains), and the execution graph (each chain's parallel subtasks).
   * The fourth level, deployed tasks, is what a running job reports in its metrics.
   *
   * @example
   * console.log(env.getExecutionPlan());
   */
  getExecutionPlan(jobName = 'job'): string {
    const graph = this.getStreamGraph(jobName);
    const jobGraph = buildJobGraph(graph);
    const chains = jobGraph.chains.map((c) => ({
      id: c.id,
      name: c.vertices.map((v) => v.name).join(' -> '),
      operators: c.vertices.map((v) => v.uid),
      parallelism: c.parallelism,
      inputs: c.inputs.map((e) => ({ fromChain: jobGraph.chainOf.get(e.source), partitioner: e.partitioner })),
    }));
    const subtasks = chains.flatMap((c) => Array.from({ length: c.parallelism }, (_, i) => `${c.name} (${i + 1}/${c.parallelism})`));
    return JSON.stringify({ streamGraph: graph, jobGraph: chains, executionGraph: subtasks }, null, 2);
  }

  /** @internal builds the runnable job and forgets the sinks, as Flink does after execute. */
  buildJob(jobName: string): JobDefinition {
    if (this.sinks.length === 0) {
      throw new InvalidPipelineError(`Job '${jobName}' has no sinks: add print(), sinkTo(...) or another sink before execute()`);
    }
    const job = generateGraph(this, jobName);
    this.sinks.length = 0;
    return job;
  }

  /**
   * Starts the job and returns a handle without waiting for it to end.
   *
   * @example
   * const client = env.executeAsync('live');
   * setTimeout(() => client.cancel(), 10_000);
   * await client.result;
   */
  executeAsync(jobName = 'Weir job'): JobClient {
    const job = this.buildJob(jobName);
    const host = executionHost();
    const submitted = host.submitJob?.(job);
    const client = submitted ?? startInProcess(job, this.localExecutionOptions);
    // Its replays run in other processes: replayControls here says so instead of finding nothing.
    if (submitted) replayControls.runningElsewhere(jobName, replayNames(job.graph), client.result);
    host.onJobStarted?.(client);
    const result = client.result.then(
      (r) => {
        fillCollectSinks(job, r.report);
        host.onJobFinished?.(r.report);
        return r;
      },
      (e: unknown) => {
        // Wherever the job ran, the failing operator is one of this plan's: name where it was defined.
        const operator = (e as { operator?: OperatorLocation }).operator;
        if (operator && operator.definedAt === undefined) {
          const definedAt = job.graph.vertices.find((v) => v.uid === operator.uid)?.definedAt;
          if (definedAt) operator.definedAt = definedAt;
        }
        const report = (e as { report?: JobReport }).report;
        if (report) host.onJobFinished?.(report);
        throw e;
      },
    );
    return { ...client, result };
  }

  /**
   * Runs the job. For a bounded job, resolves when it has finished and its sinks are complete;
   * rejects with the job's error when it fails.
   *
   * @example
   * await env.execute('sensor averages');
   */
  async execute(jobName = 'Weir job'): Promise<JobExecutionResult> {
    const { report } = await this.executeAsync(jobName).result;
    return { jobName, netRuntimeMs: report.durationMs, report };
  }
}

/** Moves the records collect sinks gathered on taskmanagers (in the report) into the sinks' `values`. */
function fillCollectSinks(job: JobDefinition, report: JobReport): void {
  const collected = report.collected;
  if (!collected) return;
  delete report.collected;
  for (const vertex of job.graph.vertices) {
    const rows = collected[vertex.uid];
    const values = job.vertices.get(vertex.id)?.collected;
    if (rows && values) for (const row of rows) values.push(row);
  }
}
