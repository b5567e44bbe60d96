/**
 * Windows on keyed streams, with Flink's semantics: assigners, triggers, evictors, window
 * functions and the window operator that runs them.
 */
export { Window, TimeWindow, GlobalWindow } from './windows.ts';
export {
  WindowAssigner,
  MergingWindowAssigner,
  TumblingWindowAssigner,
  SlidingWindowAssigner,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  GlobalWindows,
  noTimestampError,
} from './assigners.ts';
export type { WindowAssignerContext, SessionWindowTimeGapExtractor } from './assigners.ts';
export {
  Trigger,
  TriggerResult,
  isFire,
  isPurge,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  CountTrigger,
  PurgingTrigger,
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  NeverTrigger,
  EndOfStreamTrigger,
} from './triggers.ts';
export { DeltaTrigger } from './delta-trigger.ts';
export { ProcessingTimeoutTrigger } from './processing-timeout-trigger.ts';
export type { TriggerContext, OnMergeContext } from './triggers.ts';
export { CountEvictor, TimeEvictor, DeltaEvictor, removeWhere } from './evictors.ts';
export type { Evictor, EvictorContext, TimestampedValue, DeltaFunction } from './evictors.ts';
export { MergingWindowSet } from './merging-window-set.ts';
export type { MergeFunction, MergeNamespaces } from './merging-window-set.ts';
export type {
  Collector,
  KeyedStateStore,
  ProcessWindowContext,
  ProcessWindowFunction,
  ProcessWindowFunctionObject,
  WindowContentsSpec,
  WindowFunctionSpec,
} from './window-functions.ts';
export { WindowOperator, createWindowOperator, validateWindowSpec, countWindowSpec, windowOperatorFactory } from './window-operator.ts';
export type { WindowOperatorSpec } from './window-operator.ts';
