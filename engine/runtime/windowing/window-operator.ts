import { StreamOperator, type OperatorFactory, type OperatorSnapshot } from '../operator.ts';
import { NO_TIMESTAMP } from '../elements.ts';
import { InvalidPipelineError } from '../errors.ts';
import type { InternalTimer, InternalTimerService, Triggerable } from '../timers.ts';
import type { OutputTagLike } from '../functions.ts';
import { closeUserFunction, openUserFunction } from '../operators/udf-operator.ts';
import { instantiateUserFunction } from '../functions.ts';
import type { HeapKeyedStateBackend } from '../../state/heap-keyed-backend.ts';
import type { InternalState } from '../../state/heap-states.ts';
import { VOID_NAMESPACE, type NamespaceKey } from '../../state/state-table.ts';
import { keyFromId, type KeyId } from '../../state/key-groups.ts';
import { PendingWindows, type PendingWindow } from './pending-windows.ts';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type AggregateFunction,
  type AnyStateDescriptor,
} from '../../state/descriptors.ts';
import {
  GlobalWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  noTimestampError,
  type MergingWindowAssigner,
  type WindowAssigner,
  type WindowAssignerContext,
} from './assigners.ts';
import {
  CountTrigger,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  PurgingTrigger,
  type OnMergeContext,
  type Trigger,
  type TriggerResult,
} from './triggers.ts';
import { CountEvictor, type Evictor, type EvictorContext, type TimestampedValue } from './evictors.ts';
import type { MergeFunction, MergingWindowSet } from './merging-window-set.ts';
import { MergingWindowSets } from './merging-window-sets.ts';
import { TimeWindow, Window } from './windows.ts';
import type {
  Collector,
  KeyedStateStore,
  ProcessWindowContext,
  ProcessWindowFunctionObject,
  WindowContentsSpec,
  WindowFunctionSpec,
} from './window-functions.ts';

/**
 * Everything a window operator needs: how records are assigned, when windows fire, what is
 * kept per window and what a firing emits. The API layer builds one per `window(...)` call.
 *
 * @example
 * const spec: WindowOperatorSpec = {
 *   assigner: TumblingEventTimeWindows.of(60_000),
 *   allowedLateness: 0,
 *   contents: { kind: 'aggregate', aggregate: averageFn },
 *   windowFunction: { kind: 'simple', fn: (key, w, avg) => ({ key, end: w.end, avg }) },
 * };
 */
export interface WindowOperatorSpec<IN = any, OUT = any, KEY = any, W extends Window = any> {
  assigner: WindowAssigner<IN, W>;
  /** Default: `assigner.getDefaultTrigger()`. */
  trigger?: Trigger<IN, W>;
  /** When set, every record is kept and reduce/aggregate run over what remains at firing time. */
  evictor?: Evictor<IN, W>;
  /** How long after a window's end (in event time, ms) late records still update it. Default 0. */
  allowedLateness?: number;
  /** Side output tag id for records too late for every window they belong to; default: dropped. */
  lateDataTag?: string;
  contents: WindowContentsSpec<IN>;
  windowFunction: WindowFunctionSpec<any, OUT, KEY, W>;
}

const PASS = 0;
const SIMPLE = 1;
const PROCESS = 2;
const REDUCE = 0;
const AGGREGATE = 1;
const LIST = 2;

/** The contents state, whichever kind it is (reducing, aggregating or list). */
interface ContentsState extends InternalState {
  add(value: unknown): void;
  /** Entries of the underlying table (see `HeapState.tableEntries`). */
  readonly tableEntries: number;
  get(): unknown;
  clear(): void;
  update?(values: Iterable<unknown>): void;
  drainNamespace(ns: NamespaceKey, order: readonly number[], visit: (keyGroup: number, key: KeyId, stored: any) => void): void;
}

/** The descriptor names the operator stores under (as in Flink). */
const CONTENTS_STATE = 'window-contents';
const MERGING_SET_STATE = 'merging-window-set';
/** Operator state (union list) of the pending windows' starts, when windows fire by their end. */
const PENDING_WINDOWS_STATE = 'pending-window-starts';
/** Operator state (union list) of the namespace counter of merging windows (see `MergingWindowSets`). */
const NAMESPACE_COUNTER_STATE = 'merging-window-namespace-counter';

/**
 * Keyed windows (Flink's `WindowOperator`, and `EvictingWindowOperator` when an evictor is set).
 * Per record: set the key, assign windows, drop the record if all its windows are late, add it
 * to each window's contents, ask the trigger, fire/purge, and register the window's cleanup
 * timer. Timers come back through `onEventTime` / `onProcessingTime`, where the trigger decides
 * again and the cleanup timer clears contents, trigger state and per-window state.
 *
 * Invariants: a window is late when `maxTimestamp + allowedLateness <= watermark` (event time
 * only); its cleanup time is exactly that sum (event time) or its `maxTimestamp` (processing
 * time); a window that never ends (the global window) is never cleaned up. For merging
 * assigners, contents live in the state window chosen by `MergingWindowSet`, while trigger state
 * and timers belong to the actual (merged) window.
 *
 * Hot path (tumbling or sliding, no evictor, reduce/aggregate, default trigger): windows are
 * computed without the assigner's arrays, window objects are cached per start, the namespace
 * is the start, and the cleanup timer is the trigger's own timer (deduplicated), so a record
 * costs a few map lookups per window and no allocation.
 *
 * Firing by window end (event time, default trigger, no allowed lateness, no evictor, tumbling
 * or sliding): each key of a window would get one timer, at the window's end, that fires the
 * window and clears it. The operator keeps the pending windows' starts instead and, when the
 * watermark passes a window's end, fires it for every key in one pass over its contents, in the
 * order the timers would have fired (key group, then the key's first record). That saves a timer
 * object per key and window and a timer lookup per key on firing. Timers restored from a
 * snapshot taken before this existed still fire through `onEventTime`.
 *
 * @example
 * const op = createWindowOperator({ assigner: TumblingEventTimeWindows.of(1_000),
 *   contents: { kind: 'reduce', reduce: (a, b) => ({ ...a, n: a.n + b.n }) }, windowFunction: { kind: 'pass' } });
 */
export class WindowOperator<OUT = unknown> extends StreamOperator<OUT> implements Triggerable<Window> {
  /** Records dropped because every window they belong to was late (and no late-data tag is set). */
  numLateRecordsDropped = 0;

  readonly assigner: WindowAssigner;
  readonly trigger: Trigger;
  readonly evictor: Evictor | undefined;
  readonly allowedLateness: number;
  readonly lateDataTag: string | undefined;

  private readonly eventTime: boolean;
  private readonly merging: MergingWindowAssigner | undefined;
  /** Size, slide and offset of the built-in tumbling/sliding assigners (windows computed inline). */
  private readonly fixed: { size: number; slide: number; offset: number } | undefined;
  private readonly contentsKind: number;
  private readonly aggregate: AggregateFunction<any, any, any> | undefined;
  private readonly reduce: ((a: any, b: any) => any) | undefined;
  private readonly functionKind: number;
  private readonly simpleFn: ((key: any, window: any, result: any) => any) | undefined;
  private readonly processFn: ProcessWindowFunctionObject | undefined;
  /** The trigger always sets the timer the cleanup timer would be (so registering it is redundant). */
  private readonly triggerSetsCleanupTimer: boolean;
  /** Event-time windows with the default trigger: see the fast path in `processFixedSize`. */
  private readonly defaultEventTimeTrigger: boolean;
  /** The windows that have contents and have not fired, when windows fire by their end. */
  private readonly pendingWindows: PendingWindows | undefined;

  private backend!: HeapKeyedStateBackend;
  private timers!: InternalTimerService<Window>;
  private contents!: ContentsState;
  private mergingSets: MergingWindowSets | undefined;
  private triggerCtx!: WindowTriggerContext;
  private processCtx!: WindowProcessContext;
  private collector!: WindowCollector;
  private evictorCtx!: EvictorContext;
  private readonly assignerCtx: WindowAssignerContext;
  private readonly windowCache = new Map<number, TimeWindow>();

  constructor(spec: WindowOperatorSpec) {
    super();
    this.assigner = spec.assigner;
    this.trigger = spec.trigger ?? spec.assigner.getDefaultTrigger();
    this.evictor = spec.evictor;
    this.allowedLateness = spec.allowedLateness ?? 0;
    this.lateDataTag = spec.lateDataTag;
    this.eventTime = this.assigner.isEventTime();
    this.merging = this.assigner.isMerging() ? this.assigner : undefined;
    const proto = Object.getPrototypeOf(this.assigner);
    // Only the exact built-ins: a subclass may override assignWindows.
    if (proto === TumblingEventTimeWindows.prototype || proto === TumblingProcessingTimeWindows.prototype) {
      const a = this.assigner as TumblingEventTimeWindows;
      this.fixed = { size: a.size, slide: a.size, offset: a.offset };
    } else if (proto === SlidingEventTimeWindows.prototype || proto === SlidingProcessingTimeWindows.prototype) {
      const a = this.assigner as SlidingEventTimeWindows;
      this.fixed = { size: a.size, slide: a.slide, offset: a.offset };
    }

    const c = spec.contents;
    this.contentsKind = c.kind === 'reduce' ? REDUCE : c.kind === 'aggregate' ? AGGREGATE : LIST;
    this.reduce = c.kind === 'reduce' ? c.reduce : undefined;
    this.aggregate = c.kind === 'aggregate' ? c.aggregate : undefined;

    const f = spec.windowFunction;
    this.functionKind = f.kind === 'pass' ? PASS : f.kind === 'simple' ? SIMPLE : PROCESS;
    this.simpleFn = f.kind === 'simple' ? f.fn : undefined;
    // Each parallel instance gets its own copy of a function object (fields set in open()).
    this.processFn = f.kind === 'process' ? (typeof f.fn === 'function' ? { process: f.fn } : instantiateUserFunction(f.fn)) : undefined;

    this.defaultEventTimeTrigger = this.trigger === EventTimeTrigger.create() && this.eventTime;
    this.triggerSetsCleanupTimer =
      (this.defaultEventTimeTrigger && this.allowedLateness === 0) ||
      (this.trigger === ProcessingTimeTrigger.create() && !this.eventTime);
    this.assignerCtx = { currentProcessingTime: () => this.services.processingTime.now() };
    const firesByEnd = this.defaultEventTimeTrigger && this.allowedLateness === 0 && this.fixed !== undefined && !this.evictor;
    this.pendingWindows = firesByEnd ? new PendingWindows() : undefined;
  }

  override open(): void | Promise<void> {
    const backend = (this.backend = this.requireKeyed('windows'));
    const assigner = this.assigner;
    const nsOf = this.fixed ? (w: Window) => (w as TimeWindow).start : (w: Window) => assigner.windowNamespace(w);
    this.timers = this.createTimerService<Window>(this, nsOf);
    this.contents = backend.getState<ContentsState>(this.contentsDescriptor());
    if (this.merging) {
      const counters = this.operatorState.getUnionListState<number>(NAMESPACE_COUNTER_STATE);
      this.mergingSets = new MergingWindowSets(this.merging, backend, backend.getState(new ValueStateDescriptor(MERGING_SET_STATE)) as any, counters);
    }
    this.triggerCtx = new WindowTriggerContext(backend, this.timers);
    this.processCtx = new WindowProcessContext(this, backend, this.timers, nsOf, !!this.merging);
    this.collector = new WindowCollector(this);
    this.evictorCtx = {
      currentProcessingTime: () => this.timers.currentProcessingTime(),
      currentWatermark: () => this.currentWatermark,
    };
    const restored = this.operatorState.getUnionListState<number>(PENDING_WINDOWS_STATE);
    if (this.pendingWindows) for (const start of restored) this.pendingWindows.add(start);
    else if (restored.length > 0) {
      this.timersForRestoredWindows(restored);
      restored.length = 0; // they are timers now
    }
    if (this.processFn && typeof this.processFn.open === 'function') return openUserFunction(this.processFn, this);
  }

  /**
   * A snapshot taken while windows fired by their end holds no timers for them. Restored into an
   * operator that uses timers (its trigger or allowed lateness changed since), each key of those
   * windows gets the timers it would have: the event-time trigger's, at the window's end, and
   * the cleanup timer.
   */
  private timersForRestoredWindows(starts: readonly number[]): void {
    const fixed = this.fixed;
    if (!fixed || !this.eventTime) return; // another kind of window now: the namespaces do not match
    const backend = this.backend;
    for (const start of new Set(starts)) {
      const window = this.windowAt(start, fixed.size);
      for (const key of backend.keysOf(CONTENTS_STATE, start)) {
        backend.setCurrentKey(key);
        this.timers.registerEventTimeTimer(window, window.maxTimestamp());
        this.registerCleanupTimer(window);
      }
    }
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    if (this.mergingSets) {
      this.mergingSets.flush();
      const list = this.operatorState.getUnionListState<number>(NAMESPACE_COUNTER_STATE);
      list.length = 0;
      list.push(this.mergingSets.counter);
    }
    if (this.pendingWindows) {
      // Every subtask gets all starts back (union): after a rescale a subtask's keys may sit in any of them.
      const list = this.operatorState.getUnionListState<number>(PENDING_WINDOWS_STATE);
      list.length = 0;
      for (const start of this.pendingWindows.allStarts()) list.push(start);
    }
    return super.snapshotState(checkpointId);
  }

  override close(): void {
    super.close();
    if (this.processFn) closeUserFunction(this.processFn);
  }

  private contentsDescriptor(): AnyStateDescriptor {
    if (this.evictor || this.contentsKind === LIST) return new ListStateDescriptor<unknown>(CONTENTS_STATE);
    if (this.contentsKind === REDUCE) return new ReducingStateDescriptor<unknown>(CONTENTS_STATE, this.reduce!);
    return new AggregatingStateDescriptor(CONTENTS_STATE, this.aggregate!);
  }

  processElement(value: unknown, timestamp: number): void {
    this.setKeyContextElement(value);
    if (this.fixed !== undefined) {
      this.processFixedSize(value, timestamp, this.fixed);
      return;
    }
    const windows = this.assigner.assignWindows(value, timestamp, this.assignerCtx);
    if (this.merging) {
      this.processMerging(value, timestamp, windows as readonly TimeWindow[]);
      return;
    }
    let skipped = true;
    for (const window of windows) {
      if (this.isWindowLate(window)) continue;
      skipped = false;
      const ns = this.assigner.windowNamespace(window);
      this.addToWindow(value, timestamp, window, ns, ns);
    }
    if (skipped) this.onSkipped(value, timestamp);
  }

  /** Tumbling and sliding windows, as their assigners compute them, without allocating. */
  private processFixedSize(value: unknown, timestamp: number, fixed: { size: number; slide: number; offset: number }): void {
    let time: number;
    if (this.eventTime) {
      if (timestamp === NO_TIMESTAMP) throw noTimestampError();
      time = timestamp;
    } else time = this.timers.currentProcessingTime();
    const size = fixed.size;
    const slide = fixed.slide;
    const lateBefore = this.eventTime ? this.currentWatermark - this.allowedLateness : Number.NEGATIVE_INFINITY;
    let skipped = true;
    for (let start = TimeWindow.getWindowStartWithOffset(time, fixed.offset, slide); start > time - size; start -= slide) {
      if (start + size - 1 <= lateBefore) continue; // late: maxTimestamp + allowedLateness <= watermark
      skipped = false;
      if (this.defaultEventTimeTrigger && start + size - 1 > this.currentWatermark) {
        // The default trigger registers the timer of the window's end on every element; once
        // the window has contents (and has not fired: its end is ahead of the watermark) that
        // timer is already there, so only the contents change. This skips a timer lookup and the
        // trigger call per record, the bulk of a window aggregate's cost besides the state.
        const contents = this.contents;
        contents.setCurrentNamespace(start);
        const entries = contents.tableEntries;
        contents.add(this.evictor ? { value, timestamp } : value);
        if (contents.tableEntries === entries) continue;
        if (this.pendingWindows !== undefined) {
          const b = this.backend;
          this.pendingWindows.noteKey(start, b.currentKeyGroup, b.currentKeyId, b.currentKey);
          continue;
        }
        const window = this.windowAt(start, size);
        this.triggerCtx.at(window, start);
        this.trigger.onElement(value, timestamp, window, this.triggerCtx);
        if (!this.triggerSetsCleanupTimer) this.registerCleanupTimer(window, start);
        continue;
      }
      this.addToWindow(value, timestamp, this.windowAt(start, size), start, start);
    }
    if (skipped) this.onSkipped(value, timestamp);
  }

  /** The window object of a start, cached: few windows are open at once. */
  private windowAt(start: number, size: number): TimeWindow {
    let window = this.windowCache.get(start);
    if (window === undefined) {
      // When many windows are open, recreating a window object is cheap.
      if (this.windowCache.size >= 256) this.windowCache.clear();
      window = new TimeWindow(start, start + size);
      this.windowCache.set(start, window);
    }
    return window;
  }

  private processMerging(value: unknown, timestamp: number, windows: readonly TimeWindow[]): void {
    const sets = this.mergingSets!;
    const set = sets.current();
    let skipped = true;
    for (let w = 0; w < windows.length; w++) {
      const actual = set.addWindow(windows[w]!, this.mergeFunction);
      const i = set.indexOf(actual);
      if (this.isWindowLate(actual)) {
        set.retireWindow(actual);
        continue;
      }
      skipped = false;
      this.addToWindow(value, timestamp, actual, set.namespaceAt(i), set.stateNamespaceAt(i));
    }
    sets.changed();
    if (skipped) this.onSkipped(value, timestamp);
  }

  /** Moves the trigger and contents of `mergedWindows` into `mergeResult`. */
  private readonly mergeFunction: MergeFunction = (mergeResult, mergedWindows, _stateWindowResult, mergedStateWindows, ns) => {
    if (this.eventTime && mergeResult.maxTimestamp() + this.allowedLateness <= this.currentWatermark) {
      throw new Error(
        `The end timestamp of an event-time window cannot become earlier than the current watermark by merging. Current watermark: ${this.currentWatermark} window: ${String(mergeResult)}`,
      );
    }
    if (!this.eventTime && mergeResult.maxTimestamp() <= this.timers.currentProcessingTime()) {
      throw new Error(
        `The end timestamp of a processing-time window cannot become earlier than the current processing time by merging. Current processing time: ${this.timers.currentProcessingTime()} window: ${String(mergeResult)}`,
      );
    }
    const ctx = this.triggerCtx;
    ctx.at(mergeResult, ns.result);
    ctx.mergedNamespaces = ns.merged;
    try {
      this.trigger.onMerge(mergeResult, ctx);
    } finally {
      ctx.mergedNamespaces = undefined;
    }
    for (let i = 0; i < mergedWindows.length; i++) {
      const m = mergedWindows[i]!;
      ctx.at(m, ns.merged[i]!);
      this.trigger.clear(m, ctx);
      this.deleteCleanupTimer(m, ns.merged[i]!);
    }
    if (mergedStateWindows.length) this.contents.mergeNamespaces!(ns.stateResult, ns.mergedState);
  };

  private addToWindow(value: unknown, timestamp: number, window: Window, windowNs: NamespaceKey, stateNs: NamespaceKey): void {
    const contents = this.contents;
    contents.setCurrentNamespace(stateNs);
    contents.add(this.evictor ? { value, timestamp } : value);
    const ctx = this.triggerCtx;
    ctx.at(window, windowNs);
    const result = this.trigger.onElement(value, timestamp, window, ctx);
    if (result !== 'CONTINUE') this.onTriggerResult(result, window, stateNs);
    if (!this.triggerSetsCleanupTimer) this.registerCleanupTimer(window, windowNs);
  }

  private onTriggerResult(result: TriggerResult, window: Window, stateNs: NamespaceKey): void {
    if (result === 'FIRE' || result === 'FIRE_AND_PURGE') this.emitWindowContents(window, stateNs);
    if (result === 'PURGE' || result === 'FIRE_AND_PURGE') {
      this.contents.setCurrentNamespace(stateNs);
      this.contents.clear();
    }
  }

  /** Fires, in order, the pending windows whose end the watermark has passed (see the class comment). */
  protected override onWatermark(watermark: number): void {
    const pending = this.pendingWindows;
    if (pending === undefined) return;
    const lastStart = watermark - this.fixed!.size + 1; // maxTimestamp = start + size - 1 <= watermark
    for (let w = pending.pollEndedBy(lastStart); w !== undefined; w = pending.pollEndedBy(lastStart)) this.fireByEnd(w);
  }

  /** Emits a pending window for every key that has contents in it, then clears it. */
  private fireByEnd(pending: PendingWindow): void {
    const start = pending.start;
    const window = this.windowAt(start, this.fixed!.size);
    this.windowCache.delete(start);
    const backend = this.backend;
    const keys = pending.keys;
    this.contents.drainNamespace(start, pending.keyGroups, (keyGroup, keyId, stored) => {
      backend.setCurrentKeyInGroup(keys?.get(keyId) ?? keyFromId(keyId), keyId, keyGroup);
      if (this.contentsKind === AGGREGATE) this.emitResult(window, this.aggregate!.getResult(stored));
      else if (!(this.contentsKind === LIST && (stored as unknown[]).length === 0)) this.emitResult(window, stored);
      if (this.processFn?.clear) {
        this.processCtx.window = window;
        this.processFn.clear(this.processCtx);
      }
    });
  }

  /** Called by the timer service for an event-time timer, with the timer's key already set. */
  onEventTime(timer: InternalTimer<Window>): void {
    this.onTimer(timer, true);
  }

  /** Called by the timer service for a processing-time timer, with the timer's key already set. */
  onProcessingTime(timer: InternalTimer<Window>): void {
    this.onTimer(timer, false);
  }

  private onTimer(timer: InternalTimer<Window>, eventTimer: boolean): void {
    if (this.merging) {
      this.onMergingWindowTimer(timer, eventTimer);
      return;
    }
    // Timers restored from a snapshot may carry only the namespace key.
    const window = timer.namespace instanceof Window ? timer.namespace : this.assigner.windowForNamespace(timer.nsKey);
    const ns = timer.nsKey;
    const ctx = this.triggerCtx;
    ctx.at(window, ns);
    const result = eventTimer ? this.trigger.onEventTime(timer.timestamp, window, ctx) : this.trigger.onProcessingTime(timer.timestamp, window, ctx);
    if (result !== 'CONTINUE') this.onTriggerResult(result, window, ns);
    if (eventTimer === this.eventTime && timer.timestamp === this.cleanupTime(window)) this.clearAllState(window, ns, ns, undefined);
  }

  /**
   * A timer of a merging window: the window is found in the key's set by its bounds (as Flink
   * finds it by equality), or by its namespace for a timer restored from a snapshot written with
   * counter namespaces. A timer of a window that merged away, left by a trigger that does not
   * clean up, finds nothing: its state is gone.
   */
  private onMergingWindowTimer(timer: InternalTimer<Window>, eventTimer: boolean): void {
    const sets = this.mergingSets!;
    const set = sets.current();
    const ns = timer.nsKey;
    const i =
      timer.namespace instanceof TimeWindow
        ? set.indexOf(timer.namespace)
        : typeof ns === 'number'
          ? set.indexOfNamespace(ns)
          : set.indexOf(this.assigner.windowForNamespace(ns) as TimeWindow);
    if (i < 0) return;
    const window = set.windowAt(i);
    const windowNs = set.namespaceAt(i);
    const stateNs = set.stateNamespaceAt(i);
    const ctx = this.triggerCtx;
    ctx.at(window, windowNs);
    const result = eventTimer ? this.trigger.onEventTime(timer.timestamp, window, ctx) : this.trigger.onProcessingTime(timer.timestamp, window, ctx);
    if (result !== 'CONTINUE') this.onTriggerResult(result, window, stateNs);
    if (eventTimer === this.eventTime && timer.timestamp === this.cleanupTime(window)) this.clearAllState(window, windowNs, stateNs, set);
    sets.changed();
  }

  private clearAllState(window: Window, windowNs: NamespaceKey, stateNs: NamespaceKey, set: MergingWindowSet | undefined): void {
    this.contents.setCurrentNamespace(stateNs);
    this.contents.clear();
    const ctx = this.triggerCtx;
    ctx.at(window, windowNs);
    this.trigger.clear(window, ctx);
    if (this.processFn?.clear) {
      this.processCtx.window = window;
      this.processFn.clear(this.processCtx);
    }
    set?.retireWindow(window as TimeWindow);
  }

  private emitWindowContents(window: Window, stateNs: NamespaceKey): void {
    const contents = this.contents;
    contents.setCurrentNamespace(stateNs);
    if (this.evictor) {
      this.emitEvicting(window, stateNs, this.evictor);
      return;
    }
    const result = contents.get();
    if (result === undefined || (this.contentsKind === LIST && (result as unknown[]).length === 0)) return;
    this.emitResult(window, result);
  }

  /** Evicts, folds what remains (reduce/aggregate), emits, evicts again, and keeps the rest. */
  private emitEvicting(window: Window, stateNs: NamespaceKey, evictor: Evictor): void {
    const records = this.contents.get() as TimestampedValue<unknown>[];
    if (!records.length) return;
    evictor.evictBefore(records, records.length, window, this.evictorCtx);
    let result: unknown;
    if (this.contentsKind === REDUCE) {
      const reduce = this.reduce!;
      for (let i = 0; i < records.length; i++) result = i === 0 ? records[0]!.value : reduce(result, records[i]!.value);
    } else if (this.contentsKind === AGGREGATE) {
      const agg = this.aggregate!;
      let acc = agg.createAccumulator();
      for (const r of records) acc = agg.add(r.value, acc);
      result = agg.getResult(acc);
    } else result = records.map((r) => r.value);
    if (result !== undefined) this.emitResult(window, result);
    evictor.evictAfter(records, records.length, window, this.evictorCtx);
    this.contents.setCurrentNamespace(stateNs);
    this.contents.update!(records);
  }

  private emitResult(window: Window, result: unknown): void {
    const timestamp = window.maxTimestamp();
    switch (this.functionKind) {
      case PASS:
        this.output.collect(result as OUT, timestamp);
        return;
      case SIMPLE: {
        const out = this.simpleFn!(this.backend.currentKey, window, result);
        if (out !== undefined) this.output.collect(out, timestamp);
        return;
      }
      default: {
        this.processCtx.window = window;
        this.collector.timestamp = timestamp;
        const elements = this.contentsKind === LIST ? (result as unknown[]) : [result];
        this.processFn!.process(this.backend.currentKey, this.processCtx, elements, this.collector);
      }
    }
  }

  private cleanupTime(window: Window): number {
    return this.eventTime ? window.maxTimestamp() + this.allowedLateness : window.maxTimestamp();
  }

  private isWindowLate(window: Window): boolean {
    return this.eventTime && window.maxTimestamp() + this.allowedLateness <= this.currentWatermark;
  }

  private registerCleanupTimer(window: Window, ns?: NamespaceKey): void {
    const time = this.cleanupTime(window);
    if (time === Number.POSITIVE_INFINITY) return; // the global window is never cleaned up
    if (this.eventTime) this.timers.registerEventTimeTimer(window, time, ns);
    else this.timers.registerProcessingTimeTimer(window, time, ns);
  }

  private deleteCleanupTimer(window: Window, ns: NamespaceKey): void {
    const time = this.cleanupTime(window);
    if (time === Number.POSITIVE_INFINITY) return;
    if (this.eventTime) this.timers.deleteEventTimeTimer(window, time, ns);
    else this.timers.deleteProcessingTimeTimer(window, time, ns);
  }

  /** A record that went into no window: late ones go to the late-data side output or are counted. */
  private onSkipped(value: unknown, timestamp: number): void {
    if (!(this.eventTime && timestamp + this.allowedLateness <= this.currentWatermark)) return;
    if (this.lateDataTag !== undefined) this.output.collectSide(this.lateDataTag, value, timestamp);
    else this.numLateRecordsDropped++;
  }
}

/** The trigger's view of one key and window; one instance per operator, re-pointed per call. */
class WindowTriggerContext implements OnMergeContext {
  window!: Window;
  private ns: NamespaceKey = VOID_NAMESPACE;
  /** Set while `onMerge` runs: the namespaces of the windows merged. */
  mergedNamespaces: readonly NamespaceKey[] | undefined;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly timers: InternalTimerService<Window>,
  ) {}

  at(window: Window, ns: NamespaceKey): void {
    this.window = window;
    this.ns = ns;
  }
  getCurrentProcessingTime(): number {
    return this.timers.currentProcessingTime();
  }
  getCurrentWatermark(): number {
    return this.timers.currentWatermarkTime();
  }
  registerProcessingTimeTimer(time: number): void {
    this.timers.registerProcessingTimeTimer(this.window, time, this.ns);
  }
  registerEventTimeTimer(time: number): void {
    this.timers.registerEventTimeTimer(this.window, time, this.ns);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.timers.deleteProcessingTimeTimer(this.window, time, this.ns);
  }
  deleteEventTimeTimer(time: number): void {
    this.timers.deleteEventTimeTimer(this.window, time, this.ns);
  }
  getPartitionedState(descriptor: AnyStateDescriptor): any {
    const state = this.backend.getState(descriptor);
    state.setCurrentNamespace(this.ns);
    return state;
  }
  mergePartitionedState(descriptor: AnyStateDescriptor): void {
    const merged = this.mergedNamespaces;
    if (!merged || !merged.length) return;
    if (descriptor.kind === 'value' || descriptor.kind === 'map') {
      throw new Error(`Trigger state '${descriptor.name}' is ${descriptor.kind} state, which cannot be merged: use reducing, aggregating or list state`);
    }
    const state = this.backend.getState(descriptor);
    state.mergeNamespaces!(this.ns, merged.slice());
  }
}

/** Emits what a process window function collects, stamped with the window's max timestamp. */
class WindowCollector implements Collector<unknown> {
  timestamp = 0;
  constructor(private readonly op: StreamOperator<any>) {}
  collect(value: unknown): void {
    this.op.output.collect(value, this.timestamp);
  }
}

/** `ProcessWindowContext` of one operator, re-pointed at the window being emitted or cleared. */
class WindowProcessContext implements ProcessWindowContext<any> {
  window!: Window;
  private readonly windowStore: ScopedStateStore;
  private readonly globalStore: ScopedStateStore;

  constructor(
    private readonly op: WindowOperator<any>,
    backend: HeapKeyedStateBackend,
    private readonly timers: InternalTimerService<Window>,
    nsOf: (w: Window) => NamespaceKey,
    private readonly merging: boolean,
  ) {
    // Window state and global state share tables by descriptor name; one name in both scopes
    // could collide (a window starting at 0 has the same namespace as global state).
    const scopes = new Map<string, string>();
    this.windowStore = new ScopedStateStore(backend, () => nsOf(this.window), 'windowState()', scopes);
    this.globalStore = new ScopedStateStore(backend, () => VOID_NAMESPACE, 'globalState()', scopes);
  }
  currentWatermark(): number {
    return this.timers.currentWatermarkTime();
  }
  currentProcessingTime(): number {
    return this.timers.currentProcessingTime();
  }
  windowState(): KeyedStateStore {
    if (this.merging) throw new Error('Per-window state is not available for merging (session) windows: use globalState()');
    return this.windowStore;
  }
  globalState(): KeyedStateStore {
    return this.globalStore;
  }
  output<X>(tag: OutputTagLike<X> | string, value: X): void {
    this.op.output.collectSide(typeof tag === 'string' ? tag : tag.id, value, this.window.maxTimestamp());
  }
}

/** Keyed state under one namespace (the current window's, or the per-key one). */
class ScopedStateStore implements KeyedStateStore {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly ns: () => NamespaceKey,
    private readonly scope: string,
    private readonly scopes: Map<string, string>,
  ) {}
  private state(descriptor: AnyStateDescriptor): any {
    const used = this.scopes.get(descriptor.name);
    if (used === undefined) this.scopes.set(descriptor.name, this.scope);
    else if (used !== this.scope) {
      throw new Error(`State '${descriptor.name}' is used in both windowState() and globalState(): give each its own descriptor name`);
    }
    const state = this.backend.getState(descriptor);
    state.setCurrentNamespace(this.ns());
    return state;
  }
  getState = this.state;
  getListState = this.state;
  getMapState = this.state;
  getReducingState = this.state;
  getAggregatingState = this.state;
}

function isFunctionObject(fn: unknown, method: string): boolean {
  return typeof fn === 'function' || (!!fn && typeof fn === 'object' && typeof (fn as Record<string, unknown>)[method] === 'function');
}

/**
 * Validates a window spec and creates its operator (one per subtask; the spec's assigner,
 * trigger and evictor are stateless and shared). Errors name what is wrong, where the pipeline
 * is defined.
 *
 * @example
 * const factory: OperatorFactory = () => createWindowOperator({
 *   assigner: SlidingEventTimeWindows.of(60_000, 10_000),
 *   allowedLateness: 5_000,
 *   lateDataTag: 'late',
 *   contents: { kind: 'reduce', reduce: (a, b) => a + b },
 *   windowFunction: { kind: 'pass' },
 * });
 */
export function createWindowOperator<OUT = unknown>(spec: WindowOperatorSpec): StreamOperator<OUT> {
  validateWindowSpec(spec);
  return new WindowOperator<OUT>(spec);
}

/**
 * Checks a window spec without creating an operator (call it where the pipeline is defined, so
 * errors point at the user's `window(...)` call).
 *
 * @example
 * validateWindowSpec({ assigner, contents: { kind: 'list' }, windowFunction: { kind: 'process', fn } });
 */
export function validateWindowSpec(spec: WindowOperatorSpec): void {
  if (!spec || !spec.assigner || typeof spec.assigner.assignWindows !== 'function') {
    throw new InvalidPipelineError('window(...) needs a window assigner, e.g. TumblingEventTimeWindows.of(60_000)');
  }
  const assigner = spec.assigner;
  const lateness = spec.allowedLateness ?? 0;
  if (typeof lateness !== 'number' || Number.isNaN(lateness) || lateness < 0) {
    throw new InvalidPipelineError(`allowedLateness must be a non-negative number of milliseconds, got ${String(lateness)}`);
  }
  const trigger = spec.trigger ?? assigner.getDefaultTrigger();
  if (!trigger || typeof trigger.onElement !== 'function') throw new InvalidPipelineError(`trigger(...) expects a Trigger, got ${String(trigger)}`);
  if (assigner.isMerging() && !trigger.canMerge()) {
    throw new InvalidPipelineError(`A merging window assigner (${String(assigner)}) cannot be used with a trigger that does not support merging (${String(trigger)})`);
  }
  if (spec.evictor && (typeof spec.evictor.evictBefore !== 'function' || typeof spec.evictor.evictAfter !== 'function')) {
    throw new InvalidPipelineError('evictor(...) expects an Evictor with evictBefore() and evictAfter()');
  }
  const c = spec.contents;
  if (c?.kind === 'reduce') {
    if (typeof c.reduce !== 'function') throw new InvalidPipelineError('reduce(...) on a window expects a function (a, b) => value');
  } else if (c?.kind === 'aggregate') {
    const a = c.aggregate;
    if (!a || typeof a.createAccumulator !== 'function' || typeof a.add !== 'function' || typeof a.getResult !== 'function') {
      throw new InvalidPipelineError('aggregate(...) on a window expects an AggregateFunction with createAccumulator, add and getResult');
    }
    if (assigner.isMerging() && typeof a.merge !== 'function') {
      throw new InvalidPipelineError(`aggregate(...) on merging windows (${String(assigner)}) needs an AggregateFunction with merge(a, b)`);
    }
  } else if (c?.kind !== 'list') {
    throw new InvalidPipelineError(`Window contents must be 'reduce', 'aggregate' or 'list', got ${String((c as { kind?: unknown } | undefined)?.kind)}`);
  }
  const f = spec.windowFunction;
  if (f?.kind === 'simple') {
    if (typeof f.fn !== 'function') throw new InvalidPipelineError('A window function expects a function (key, window, result) => value');
  } else if (f?.kind === 'process') {
    if (!isFunctionObject(f.fn, 'process')) {
      throw new InvalidPipelineError('process(...) on a window expects a function (key, context, elements, out) or an object with process(...)');
    }
  } else if (f?.kind !== 'pass') {
    throw new InvalidPipelineError(`Window function must be 'pass', 'simple' or 'process', got ${String((f as { kind?: unknown } | undefined)?.kind)}`);
  }
}

/**
 * The assigner, trigger and evictor of a count window (Flink's `countWindow`): tumbling =
 * global window + purging count trigger; sliding = global window + count trigger every `slide`
 * records + count evictor keeping the last `size`.
 *
 * @example
 * createWindowOperator({ ...countWindowSpec(100, 10), contents: { kind: 'reduce', reduce: add }, windowFunction: { kind: 'pass' } })
 */
export function countWindowSpec(size: number, slide?: number): { assigner: GlobalWindows; trigger: Trigger; evictor?: Evictor } {
  const positiveInt = (what: string, v: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new InvalidPipelineError(`countWindow: ${what} must be a positive integer, got ${String(v)}`);
  };
  positiveInt('size', size);
  if (slide === undefined) return { assigner: GlobalWindows.create(), trigger: PurgingTrigger.of(CountTrigger.of(size)) };
  positiveInt('slide', slide);
  return { assigner: GlobalWindows.create(), trigger: CountTrigger.of(slide), evictor: CountEvictor.of(size) };
}

/**
 * An operator factory for a window spec, validated once.
 *
 * @example
 * graph.addOperator(uid, windowOperatorFactory(spec));
 */
export function windowOperatorFactory(spec: WindowOperatorSpec): OperatorFactory {
  validateWindowSpec(spec);
  return () => new WindowOperator(spec);
}
