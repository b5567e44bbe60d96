/**
 * Drives one trigger by hand, the way Flink's `TriggerTestHarness` does: elements go to a
 * window of one fixed key, timers and per-window trigger state are counted, watermarks and
 * processing time fire due timers, and windows can be merged. No window operator is involved,
 * so what is asserted is the trigger's own contract.
 */
import type { Trigger, TriggerContext, OnMergeContext, TriggerResult } from '../../engine/runtime/windowing/triggers.ts';
import type { Window } from '../../engine/runtime/windowing/windows.ts';
import type { AnyStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor, ListStateDescriptor } from '../../engine/state/descriptors.ts';

/** A timer of the harness: its window and time. */
interface Timer<W> {
  window: W;
  time: number;
}

/** What firing one timer gave. */
export interface FiredTimer<W> {
  window: W;
  result: TriggerResult;
}

const windowId = (w: Window) => String((w as { start?: number }).start ?? 'global') + ':' + String((w as { end?: number }).end ?? '');

/**
 * The harness. `numStateEntries()` counts non-empty state entries (one per descriptor and
 * window), as Flink's counts entries in the keyed state backend.
 *
 * @example
 * const h = new TriggerTestHarness(CountTrigger.of(3));
 * h.processElement(1, new TimeWindow(0, 2)); // 'CONTINUE'
 * h.numStateEntries(); // 1
 */
export class TriggerTestHarness<W extends Window = Window> {
  private readonly state = new Map<string, Map<string, unknown>>(); // window id -> descriptor name -> value
  private eventTimers: Timer<W>[] = [];
  private processingTimers: Timer<W>[] = [];
  private watermark = Number.NEGATIVE_INFINITY;
  private processingTime: number;

  /** `startProcessingTime`: Flink's harness starts at Long.MIN_VALUE; pass a very low time to mirror it. */
  constructor(
    readonly trigger: Trigger<any, W>,
    startProcessingTime = 0,
  ) {
    this.processingTime = startProcessingTime;
  }

  processElement(value: unknown, window: W, timestamp = 0): TriggerResult {
    return this.trigger.onElement(value, timestamp, window, this.context(window));
  }

  /** Advances the watermark; every due event-time timer fires (and is removed), earliest first. */
  advanceWatermark(time: number): FiredTimer<W>[] {
    this.watermark = time;
    return this.fire('event', time);
  }

  /** Advances the watermark and checks that exactly one timer fired, for `window`; returns its result. */
  advanceWatermarkFor(time: number, window: W): TriggerResult {
    return this.only(this.advanceWatermark(time), window);
  }

  advanceProcessingTime(time: number): FiredTimer<W>[] {
    this.processingTime = time;
    return this.fire('processing', time);
  }

  advanceProcessingTimeFor(time: number, window: W): TriggerResult {
    return this.only(this.advanceProcessingTime(time), window);
  }

  /** Calls `onEventTime` directly, as a timer the trigger did not set would (a cleanup timer). */
  invokeOnEventTime(time: number, window: W): TriggerResult {
    return this.trigger.onEventTime(time, window, this.context(window));
  }

  /** Calls `onMerge` for `target`, then clears the trigger of every merged window (as the window operator does). */
  mergeWindows(target: W, merged: W[]): void {
    const ctx = this.context(target) as OnMergeContext;
    ctx.mergePartitionedState = (descriptor: AnyStateDescriptor) => this.mergeState(descriptor, target, merged);
    this.trigger.onMerge(target, ctx);
    for (const w of merged) this.clearTriggerState(w);
  }

  clearTriggerState(window: W): void {
    this.trigger.clear(window, this.context(window));
  }

  numStateEntries(window?: W): number {
    let n = 0;
    for (const [id, entries] of this.state) if (!window || id === windowId(window)) n += entries.size;
    return n;
  }

  numEventTimeTimers(window?: W): number {
    return this.eventTimers.filter((t) => !window || windowId(t.window) === windowId(window)).length;
  }

  numProcessingTimeTimers(window?: W): number {
    return this.processingTimers.filter((t) => !window || windowId(t.window) === windowId(window)).length;
  }

  private only(fired: FiredTimer<W>[], window: W): TriggerResult {
    if (fired.length !== 1 || windowId(fired[0]!.window) !== windowId(window)) {
      throw new Error(`Must have exactly one timer firing, for ${windowId(window)}. Fired timers: ${JSON.stringify(fired.map((f) => windowId(f.window)))}`);
    }
    return fired[0]!.result;
  }

  private fire(domain: 'event' | 'processing', time: number): FiredTimer<W>[] {
    const fired: FiredTimer<W>[] = [];
    for (;;) {
      const timers = domain === 'event' ? this.eventTimers : this.processingTimers;
      const due = timers.filter((t) => t.time <= time).sort((a, b) => a.time - b.time)[0];
      if (!due) return fired;
      timers.splice(timers.indexOf(due), 1);
      const ctx = this.context(due.window);
      const result = domain === 'event' ? this.trigger.onEventTime(due.time, due.window, ctx) : this.trigger.onProcessingTime(due.time, due.window, ctx);
      fired.push({ window: due.window, result });
    }
  }

  private mergeState(descriptor: AnyStateDescriptor, target: W, merged: W[]): void {
    const kind = (descriptor as { kind: string }).kind;
    let acc: unknown;
    for (const w of [target, ...merged]) {
      const entries = this.state.get(windowId(w));
      if (!entries?.has(descriptor.name)) continue;
      const v = entries.get(descriptor.name);
      entries.delete(descriptor.name);
      if (acc === undefined) acc = v;
      else if (kind === 'reducing') acc = (descriptor as ReducingStateDescriptor<unknown>).reduce(acc, v);
      else if (kind === 'list') acc = [...(acc as unknown[]), ...(v as unknown[])];
      else throw new Error(`mergePartitionedState: ${kind} state '${descriptor.name}' cannot be merged`);
    }
    if (acc !== undefined) this.entries(target).set(descriptor.name, acc);
  }

  private entries(window: W): Map<string, unknown> {
    const id = windowId(window);
    let m = this.state.get(id);
    if (!m) this.state.set(id, (m = new Map()));
    return m;
  }

  private context(window: W): TriggerContext {
    const register = (list: Timer<W>[], time: number) => {
      if (!list.some((t) => t.time === time && windowId(t.window) === windowId(window))) list.push({ window, time });
    };
    const remove = (list: Timer<W>[], time: number) => list.filter((t) => !(t.time === time && windowId(t.window) === windowId(window)));
    const get = (name: string) => this.state.get(windowId(window))?.get(name);
    const set = (name: string, v: unknown) => {
      if (v === undefined) this.state.get(windowId(window))?.delete(name);
      else this.entries(window).set(name, v);
    };
    const stateFor = (d: AnyStateDescriptor): unknown => {
      const kind = (d as { kind: string }).kind;
      if (kind === 'value') {
        return {
          value: () => get(d.name) ?? (d as ValueStateDescriptor<unknown>).defaultValue,
          update: (v: unknown) => set(d.name, v),
          clear: () => set(d.name, undefined),
        };
      }
      if (kind === 'reducing') {
        const reduce = (d as ReducingStateDescriptor<unknown>).reduce;
        return {
          get: () => get(d.name),
          add: (v: unknown) => set(d.name, get(d.name) === undefined ? v : reduce(get(d.name), v)),
          clear: () => set(d.name, undefined),
        };
      }
      if (kind === 'list') {
        void (d as ListStateDescriptor<unknown>);
        return {
          get: () => (get(d.name) as unknown[] | undefined) ?? [],
          add: (v: unknown) => set(d.name, [...((get(d.name) as unknown[] | undefined) ?? []), v]),
          update: (vs: Iterable<unknown>) => set(d.name, [...vs].length ? [...vs] : undefined),
          clear: () => set(d.name, undefined),
        };
      }
      throw new Error(`TriggerTestHarness: ${kind} state is not supported`);
    };
    return {
      getCurrentProcessingTime: () => this.processingTime,
      getCurrentWatermark: () => this.watermark,
      registerEventTimeTimer: (time) => register(this.eventTimers, time),
      registerProcessingTimeTimer: (time) => register(this.processingTimers, time),
      deleteEventTimeTimer: (time) => void (this.eventTimers = remove(this.eventTimers, time)),
      deleteProcessingTimeTimer: (time) => void (this.processingTimers = remove(this.processingTimers, time)),
      getPartitionedState: stateFor as TriggerContext['getPartitionedState'],
    };
  }
}
