/**
 * The DataStream API, imported by notebooks as `'weir'`. Names and shapes follow Apache Flink's
 * DataStream API in TypeScript idiom. This module is pure: no Node, no DOM.
 */
export { StreamExecutionEnvironment, ExecutionConfig } from './environment.ts';
export type { EnvironmentOptions, JobExecutionResult } from './environment.ts';
export { CheckpointConfig } from './checkpoint-config.ts';
export type { ExternalizedCheckpointCleanup } from './checkpoint-config.ts';
export { RestartStrategies } from '../checkpoint/restart-strategies.ts';
export type { ExponentialDelayOptions } from '../checkpoint/restart-strategies.ts';
export type { CheckpointingMode, CheckpointConfigSpec, RestartStrategySpec } from '../checkpoint/types.ts';
export { DataStream } from './datastream.ts';
export { KeyedStream } from './keyed-stream.ts';
export { WindowedStream } from './windowed-stream.ts';
export { ConnectedStreams } from './connected-streams.ts';
export { BroadcastStream, BroadcastConnectedStream } from './broadcast-stream.ts';
export { JoinedStreams, CoGroupedStreams, IntervalJoin } from './joins.ts';
export type { WindowBounds, WindowResultFunction, WindowFunction } from './windowed-stream.ts';
export type { AggregationField, ComparisonField, NumericField } from './field-aggregation.ts';
export { OutputTag } from './output-tag.ts';
export { Sinks } from './sinks.ts';
export { isBid, isAuction, isPerson } from '../runtime/sources/nexmark/model.ts';
export type { NexmarkEvent, Person, Auction, Bid } from '../runtime/sources/nexmark/model.ts';
export type { NexmarkOptions } from '../runtime/sources/nexmark/config.ts';
export { params } from './params.ts';
export type { JsonlSinkOptions, ChartSinkOptions, CollectSink, CollectSinkOptions, SinkSemantics } from './sinks.ts';
export type { FromDuckDBOptions, ReplayOptions, RejectedRow, DuckDBSinkOptions, DuckDBSplit } from './duckdb.ts';
export { WatermarkStrategy, BoundedOutOfOrdernessGenerator } from '../runtime/watermarks.ts';
export type { WatermarkGenerator, WatermarkOutput, TimestampAssigner } from '../runtime/watermarks.ts';
export {
  ValueStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  AggregatingStateDescriptor,
} from '../state/descriptors.ts';
export type { AggregateFunction, ReduceFunction } from '../state/descriptors.ts';
export { StateTtlConfig } from '../state/ttl.ts';
export { BloomFilter } from '../state/bloom-filter.ts';
export type { ValueState, ListState, MapState, ReducingState, AggregatingState } from '../state/state.ts';
export type {
  Collector,
  RuntimeContext,
  RichFunction,
  MapFunction,
  FilterFunction,
  FlatMapFunction,
  ProcessFunction,
  KeyedProcessFunction,
  ProcessContext,
  KeyedProcessContext,
  OnTimerContext,
  TimerService,
  TimeDomain,
  CoMapFunction,
  CoFlatMapFunction,
  CoProcessFunction,
  BroadcastProcessFunction,
  BroadcastState,
  ReadOnlyBroadcastState,
  BroadcastContext,
  ReadOnlyBroadcastContext,
  JoinFunction,
  FlatJoinFunction,
  CoGroupFunction,
  ProcessJoinFunction,
  ProcessJoinContext,
  SinkFunction,
  SinkContext,
  OperatorStateAccess,
  CheckpointedSink,
  SinkInitializationContext,
  SinkSnapshotContext,
} from '../runtime/functions.ts';
export { TwoPhaseCommitSinkFunction } from '../runtime/sinks/two-phase-commit-sink.ts';
export type { PendingTransaction } from '../runtime/sinks/two-phase-commit-sink.ts';
export { WriteAheadLogSink } from '../runtime/sinks/write-ahead-log-sink.ts';
export * from '../runtime/windowing/index.ts';
export type { Source, SourceReader, SourceOutput, PollResult, Boundedness } from '../runtime/source.ts';
export { JobExecutionError, InvalidPipelineError } from '../runtime/errors.ts';
export { StateMigrationException } from '../state/state-migration.ts';
export type { JobClient } from '../runtime/local-executor.ts';
export type { StopOptions } from '../runtime/job.ts';
export type { JobReport, OperatorReport } from '../runtime/host.ts';
export type { RuntimeMode } from '../plan/job-graph.ts';
export type { SinkDescriptor } from '../runtime/connectors.ts';
export * from '../sql/index.ts';
export { AsyncDataStream } from './async-datastream.ts';
export type { AsyncFunctionLike } from './async-datastream.ts';
export type { AsyncFunction, AsyncResult } from '../runtime/operators/async/async-function.ts';
export { AsyncTimeoutError } from '../runtime/operators/async/async-wait.ts';
export type { AsyncOutputMode } from '../runtime/operators/async/async-wait.ts';
export { AsyncRetryStrategies, AsyncRetryStrategy, RetryPredicates } from '../runtime/operators/async/retry-strategies.ts';
export type { ResultRetryPredicate, ExceptionRetryPredicate, AsyncRetrySpec } from '../runtime/operators/async/retry-strategies.ts';
