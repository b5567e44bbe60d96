/**
 * Port of Flink's `WindowOperatorTest` (flink-streaming-java, runtime/operators/windowing): the
 * same records `[key, n]` with the same timestamps, watermarks, processing times and
 * snapshot/restore points, and the same outputs. Flink compares output sorted by timestamp and
 * key (`Tuple2ResultSortComparator`); so do these tests, per step, with the watermarks apart.
 * Event-time cases without late data also run in batch mode: the same records, no watermarks,
 * end of input; the final answer must be every window the streaming run fired.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createWindowOperator,
  EventTimeSessionWindows,
  ContinuousEventTimeTrigger,
  CountTrigger,
  EventTimeTrigger,
  GlobalWindows,
  PurgingTrigger,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  Trigger,
  type WindowAssigner,
  type TriggerContext,
  TriggerResult,
  type OnMergeContext,
} from '../../../engine/runtime/windowing/index.ts';
import type { OperatorSnapshot } from '../../../engine/runtime/operator.ts';
import { keyedEntries } from '../../../engine/state/keyed-snapshot.ts';
import { OneInputOperatorHarness } from '../../harness/operator-harness.ts';

const C = 'WindowOperatorTest#';
type Pair = [string, number];
/** What Flink's tests compare: the value and the record's timestamp. */
type Out = [unknown, number];

const sumPairs = (a: Pair, b: Pair): Pair => [a[0], a[1] + b[1]];

/** The operator variants of the Flink tests, in Weir's terms. */
type Variant =
  | 'reduce' // ReducingState + PassThroughWindowFunction
  | 'apply' // ListState + a window function summing the records (RichSumReducer)
  | 'session-apply' // ListState + SessionWindowFunction: [`${key}-${sum}`, start, end]
  | 'session-reduce' // ReducingState + ReducedSessionWindowFunction: the same output
  | 'pass-through' // ListState + PassThroughFunction: every record of the window
  | 'got' // ListState + PassThroughFunction2: `GOT: (key,n),(key,n)`
  | 'empty'; // ListState + EmptyReturnFunction: nothing

function operator(assigner: WindowAssigner, variant: Variant, trigger?: Trigger, allowedLateness = 0, lateDataTag?: string) {
  const late = { allowedLateness, lateDataTag };
  const session = (key: string, w: TimeWindow, sum: number) => [`${key}-${sum}`, w.start, w.end];
  switch (variant) {
    case 'reduce':
      return createWindowOperator({ assigner, trigger, ...late, contents: { kind: 'reduce', reduce: sumPairs }, windowFunction: { kind: 'pass' } });
    case 'apply':
      return createWindowOperator({
        assigner,
        trigger,
        ...late,
        contents: { kind: 'list' },
        windowFunction: { kind: 'process', fn: (key: string, _ctx, els: Iterable<Pair>, out) => out.collect([key, [...els].reduce((n, e) => n + e[1], 0)]) },
      });
    case 'session-apply':
      return createWindowOperator({
        assigner,
        trigger,
        ...late,
        contents: { kind: 'list' },
        windowFunction: { kind: 'process', fn: (key: string, ctx, els: Iterable<Pair>, out) => out.collect(session(key, ctx.window as TimeWindow, [...els].reduce((n, e) => n + e[1], 0))) },
      });
    case 'session-reduce':
      return createWindowOperator({
        assigner,
        trigger,
        ...late,
        contents: { kind: 'reduce', reduce: sumPairs },
        windowFunction: { kind: 'simple', fn: (key: string, w: TimeWindow, r: Pair) => session(key, w, r[1]) },
      });
    case 'pass-through':
    case 'got':
    case 'empty':
      return createWindowOperator({
        assigner,
        trigger,
        ...late,
        contents: { kind: 'list' },
        windowFunction: {
          kind: 'process',
          fn: (_key: string, _ctx, els: Iterable<Pair>, out) => {
            if (variant === 'pass-through') for (const e of els) out.collect(e);
            else if (variant === 'got') out.collect('GOT: ' + [...els].map(([k, n]) => `(${k},${n})`).join(','));
          },
        },
      });
  }
}

/** A Flink-style test harness around a fresh operator; `restore` continues from a snapshot. */
class Driver {
  h: OneInputOperatorHarness;
  private seen = 0;
  private seenWatermarks = 0;
  constructor(
    private readonly make: () => ReturnType<typeof operator>,
    private readonly mode: 'streaming' | 'batch' = 'streaming',
    restore: OperatorSnapshot[] = [],
    startTime = 0,
  ) {
    this.h = new OneInputOperatorHarness(make(), { keySelector: (p: Pair) => p[0], mode, startTime });
    void this.h.open(restore);
  }
  el(key: string, n: number, ts: number): this {
    this.h.processElement([key, n], ts);
    return this;
  }
  wm(t: number): this {
    this.h.processWatermark(t);
    return this;
  }
  time(t: number): this {
    this.h.setProcessingTime(t);
    return this;
  }
  /** Snapshot, close, and continue in a new harness restored from the snapshot (Flink: snapshot / close / initializeState / open). */
  snapshotAndRestore(): this {
    const snap = this.h.snapshot();
    const now = this.h.currentProcessingTime();
    this.h.close();
    const next = new Driver(this.make, this.mode, [snap], now);
    this.h = next.h;
    this.seen = 0;
    this.seenWatermarks = 0;
    return this;
  }
  /** Records emitted since the last call, sorted as Flink's comparators sort them. */
  emitted(): Out[] {
    const all = this.h.output().map((r): Out => [r.value, r.timestamp]);
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return sortOut(fresh);
  }
  watermarks(): number[] {
    const all = this.h.watermarks();
    const fresh = all.slice(this.seenWatermarks);
    this.seenWatermarks = all.length;
    return fresh;
  }
}

function sortOut(xs: Out[]): Out[] {
  return [...xs].sort((a, b) => a[1] - b[1] || JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));
}

/** Batch mode: the same records without watermarks, then end of input; every window fires once. */
function batchFinal(make: () => ReturnType<typeof operator>, records: [string, number, number][]): Out[] {
  const d = new Driver(make, 'batch');
  for (const [k, n, ts] of records) d.el(k, n, ts);
  d.h.processWatermark(Infinity); // what the task sends at the end of a bounded input
  d.h.endInput();
  return d.emitted();
}

// ---- sliding and tumbling event-time windows (size 3 s, slide 1 s) ---------------------------------

const outOfOrder: [string, number, number][] = [
  ['key2', 1, 3999],
  ['key2', 1, 3000],
  ['key1', 1, 20],
  ['key1', 1, 0],
  ['key1', 1, 999],
  ['key2', 1, 1998],
  ['key2', 1, 1999],
  ['key2', 1, 1000],
];

function slidingEventTimeWindows(variant: Variant) {
  const make = () => operator(SlidingEventTimeWindows.of(3000, 1000), variant);
  const d = new Driver(make);
  for (const [k, n, ts] of outOfOrder) d.el(k, n, ts);
  d.wm(999);
  assert.deepEqual(d.emitted(), [[['key1', 3], 999]]);
  d.wm(1999);
  assert.deepEqual(d.emitted(), [
    [['key1', 3], 1999],
    [['key2', 3], 1999],
  ]);
  d.wm(2999);
  assert.deepEqual(d.emitted(), [
    [['key1', 3], 2999],
    [['key2', 3], 2999],
  ]);
  d.snapshotAndRestore();
  d.wm(3999);
  assert.deepEqual(d.emitted(), [[['key2', 5], 3999]]);
  d.wm(4999);
  assert.deepEqual(d.emitted(), [[['key2', 2], 4999]]);
  d.wm(5999);
  assert.deepEqual(d.emitted(), [[['key2', 2], 5999]]);
  d.wm(6999).wm(7999); // no effect
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.watermarks(), [3999, 4999, 5999, 6999, 7999]);

  assert.deepEqual(
    batchFinal(make, outOfOrder),
    sortOut([
      [['key1', 3], 999],
      [['key1', 3], 1999],
      [['key2', 3], 1999],
      [['key1', 3], 2999],
      [['key2', 3], 2999],
      [['key2', 5], 3999],
      [['key2', 2], 4999],
      [['key2', 2], 5999],
    ]),
  );
}

test(C + 'testSlidingEventTimeWindowsReduce', () => slidingEventTimeWindows('reduce'));
test(C + 'testSlidingEventTimeWindowsApply', () => slidingEventTimeWindows('apply'));

function tumblingEventTimeWindows(variant: Variant) {
  const make = () => operator(TumblingEventTimeWindows.of(3000), variant);
  const d = new Driver(make);
  for (const [k, n, ts] of outOfOrder) d.el(k, n, ts);
  d.wm(999);
  assert.deepEqual(d.emitted(), []);
  d.wm(1999);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.watermarks(), [999, 1999]);
  d.snapshotAndRestore();
  d.wm(2999);
  assert.deepEqual(d.emitted(), [
    [['key1', 3], 2999],
    [['key2', 3], 2999],
  ]);
  d.wm(3999).wm(4999);
  assert.deepEqual(d.emitted(), []);
  d.wm(5999);
  assert.deepEqual(d.emitted(), [[['key2', 2], 5999]]);
  d.wm(6999).wm(7999);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.watermarks(), [2999, 3999, 4999, 5999, 6999, 7999]);

  assert.deepEqual(
    batchFinal(make, outOfOrder),
    sortOut([
      [['key1', 3], 2999],
      [['key2', 3], 2999],
      [['key2', 2], 5999],
    ]),
  );
}

test(C + 'testTumblingEventTimeWindowsReduce', () => tumblingEventTimeWindows('reduce'));
test(C + 'testTumblingEventTimeWindowsApply', () => tumblingEventTimeWindows('apply'));

// ---- event-time session windows (gap 3 s) -----------------------------------------------------------

function sessionWindows(variant: Variant, restoreAfterKey2Only: boolean) {
  const make = () => operator(EventTimeSessionWindows.withGap(3000), variant);
  const d = new Driver(make);
  const records: [string, number, number][] = [];
  const el = (k: string, n: number, ts: number) => {
    records.push([k, n, ts]);
    d.el(k, n, ts);
  };
  el('key2', 1, 0);
  el('key2', 2, 1000);
  el('key2', 3, 2500);
  if (restoreAfterKey2Only) d.snapshotAndRestore();
  el('key1', 1, 10);
  el('key1', 2, 1000);
  if (!restoreAfterKey2Only) {
    assert.deepEqual(d.emitted(), []);
    d.snapshotAndRestore();
  }
  el('key1', 3, 2500);
  el('key2', 4, 5501);
  el('key2', 5, 6000);
  el('key2', 5, 6000);
  el('key2', 6, 6050);
  d.wm(12000);
  assert.deepEqual(d.emitted(), [
    [['key1-6', 10, 5500], 5499],
    [['key2-6', 0, 5500], 5499],
    [['key2-20', 5501, 9050], 9049],
  ]);
  el('key2', 10, 15000);
  el('key2', 20, 15000);
  d.wm(17999);
  assert.deepEqual(d.emitted(), [[['key2-30', 15000, 18000], 17999]]);
  assert.deepEqual(d.watermarks(), [12000, 17999]);

  assert.deepEqual(
    batchFinal(make, records),
    sortOut([
      [['key1-6', 10, 5500], 5499],
      [['key2-6', 0, 5500], 5499],
      [['key2-20', 5501, 9050], 9049],
      [['key2-30', 15000, 18000], 17999],
    ]),
  );
}

test(C + 'testSessionWindows', () => sessionWindows('session-apply', false));
test(C + 'testSessionWindowsWithProcessFunction', () => sessionWindows('session-apply', false));
test(C + 'testReduceSessionWindows', () => sessionWindows('session-reduce', true));
test(C + 'testReduceSessionWindowsWithProcessFunction', () => sessionWindows('session-reduce', true));

test(C + 'testSessionWindowsWithCountTrigger', () => {
  const d = new Driver(() => operator(EventTimeSessionWindows.withGap(3000), 'session-apply', PurgingTrigger.of(CountTrigger.of(4))));
  d.el('key2', 1, 0).el('key2', 2, 1000).el('key2', 3, 2500).el('key2', 4, 3500);
  d.el('key1', 1, 10).el('key1', 2, 1000);
  assert.deepEqual(d.emitted(), [[['key2-10', 0, 6500], 6499]]);
  d.snapshotAndRestore();
  d.el('key1', 3, 2500);
  d.el('key1', 1, 6000).el('key1', 2, 6500).el('key1', 3, 7000);
  assert.deepEqual(d.emitted(), []);
  // merges the two key1 sessions: six records, so the count fires
  d.el('key1', 10, 4500);
  assert.deepEqual(d.emitted(), [[['key1-22', 10, 10000], 9999]]);
});

test(C + 'testSessionWindowsWithContinuousEventTimeTrigger', () => {
  const d = new Driver(() => operator(EventTimeSessionWindows.withGap(3000), 'session-apply', ContinuousEventTimeTrigger.of(2000)));
  d.el('key1', 1, 1500).el('key2', 1, 0).el('key2', 3, 2500).el('key2', 2, 1000);
  d.wm(2500); // first firing time 2000; the next is 4000
  assert.deepEqual(d.emitted(), [
    [['key1-1', 1500, 4500], 4499],
    [['key2-6', 0, 5500], 5499],
  ]);
  d.el('key2', 5, 4000);
  d.wm(3000);
  assert.deepEqual(d.emitted(), []);
  d.snapshotAndRestore();
  d.el('key1', 2, 4000).el('key2', 4, 3500);
  d.wm(4000); // next firing time 6000
  assert.deepEqual(d.emitted(), [
    [['key1-3', 1500, 7000], 6999],
    [['key2-15', 0, 7000], 6999],
  ]);
});

test(C + 'testContinuousWatermarkTrigger', () => {
  const d = new Driver(() => operator(GlobalWindows.create(), 'reduce', ContinuousEventTimeTrigger.of(3000)));
  // the global window ignores the timestamps, but the trigger aligns its first firing to them
  d.el('key1', 1, 0);
  d.el('key2', 1, 3000).el('key2', 1, 3999);
  d.el('key1', 1, 20).el('key1', 1, 999);
  d.el('key2', 1, 1998).el('key2', 1, 1999).el('key2', 1, 1000);
  d.wm(1000).wm(2000);
  assert.deepEqual(d.emitted(), []);
  d.wm(3000);
  assert.deepEqual(d.emitted(), [[['key1', 3], Infinity]]);
  d.wm(4000).wm(5000);
  assert.deepEqual(d.emitted(), []);
  d.wm(6000);
  assert.deepEqual(d.emitted(), [
    [['key1', 3], Infinity],
    [['key2', 5], Infinity],
  ]);
  d.wm(7000).wm(8000);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.watermarks(), [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]);
});

/** Flink's mocked gap extractor: key1 3 s; key2 1 s for the value 10, else 2 s. */
const dynamicGap = (p: Pair) => (p[0] === 'key1' ? 3000 : p[0] === 'key2' ? (p[1] === 10 ? 1000 : 2000) : 0);

test(C + 'testDynamicEventTimeSessionWindows', () => {
  const d = new Driver(() => operator(EventTimeSessionWindows.withDynamicGap(dynamicGap), 'session-apply'));
  d.el('key1', 3, 10);
  d.el('key2', 4, 5000).el('key2', 5, 6000);
  d.wm(8999);
  assert.deepEqual(d.emitted(), [
    [['key1-3', 10, 3010], 3009],
    [['key2-9', 5000, 8000], 7999],
  ]);
  // a gap that ends before the session's current end: the furthest end is kept
  d.el('key2', 1, 9000).el('key2', 2, 10000).el('key2', 10, 10500);
  d.wm(12999);
  assert.deepEqual(d.emitted(), [[['key2-13', 9000, 12000], 11999]]);
  // a gap that ends after it
  d.el('key2', 10, 13000).el('key2', 10, 13500).el('key2', 1, 14000);
  d.wm(16999);
  assert.deepEqual(d.emitted(), [[['key2-21', 13000, 16000], 15999]]);
});

test(C + 'testDynamicProcessingTimeSessionWindows', () => {
  const d = new Driver(() => operator(ProcessingTimeSessionWindows.withDynamicGap(dynamicGap), 'session-apply'));
  d.time(10).el('key1', 3, 10);
  d.time(5000).el('key2', 4, 5000);
  d.time(6000).el('key2', 5, 6000);
  d.time(8999);
  assert.deepEqual(d.emitted(), [
    [['key1-3', 10, 3010], 3009],
    [['key2-9', 5000, 8000], 7999],
  ]);
  d.time(9000).el('key2', 1, 9000);
  d.time(10000).el('key2', 2, 10000);
  d.time(10500).el('key2', 10, 10500);
  d.time(10500);
  d.time(13000).el('key2', 10, 13000);
  assert.deepEqual(d.emitted(), [[['key2-13', 9000, 12000], 11999]]);
  d.time(13500).el('key2', 10, 13500);
  d.time(14000).el('key2', 1, 14000);
  d.time(16999);
  assert.deepEqual(d.emitted(), [[['key2-21', 13000, 16000], 15999]]);
});

test(C + 'testLateness', () => {
  const d = new Driver(() => operator(TumblingEventTimeWindows.of(2000), 'reduce', PurgingTrigger.of(EventTimeTrigger.create()), 500, 'late-output'));
  d.el('key2', 1, 500);
  d.wm(1500);
  d.el('key2', 1, 1300);
  d.wm(2300);
  assert.deepEqual(d.emitted(), [[['key2', 2], 1999]]);
  // not late: window.maxTimestamp() + allowedLateness > watermark
  d.el('key2', 1, 1997);
  d.wm(6000);
  assert.deepEqual(d.emitted(), [[['key2', 1], 1999]], 'one, not three: the trigger fires and purges');
  // late: window.maxTimestamp() + allowedLateness < watermark
  d.el('key2', 1, 1998);
  d.wm(7000);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.h.sideOutput('late-output'), [{ value: ['key2', 1], timestamp: 1998 }]);
  assert.deepEqual(d.watermarks(), [1500, 2300, 6000, 7000]);
});

test(C + 'testSideOutputDueToLatenessTumbling', () => {
  const d = new Driver(() => operator(TumblingEventTimeWindows.of(2000), 'reduce', undefined, 0, 'late-output'));
  d.el('key2', 1, 1000);
  d.wm(1985);
  // not late: window.maxTimestamp() + allowedLateness > watermark
  d.el('key2', 1, 1980);
  d.wm(1999);
  assert.deepEqual(d.emitted(), [[['key2', 2], 1999]]);
  d.el('key2', 1, 1998); // late: to the side output with its own timestamp
  d.el('key2', 1, 2001);
  d.wm(2999);
  assert.deepEqual(d.emitted(), []);
  d.wm(3999);
  assert.deepEqual(d.emitted(), [[['key2', 1], 3999]]);
  assert.deepEqual(d.h.sideOutput('late-output'), [{ value: ['key2', 1], timestamp: 1998 }]);
  assert.deepEqual(d.watermarks(), [1985, 1999, 2999, 3999]);
});

test(C + 'testSideOutputDueToLatenessSliding', () => {
  const d = new Driver(() => operator(SlidingEventTimeWindows.of(3000, 1000), 'reduce', undefined, 0, 'late-output'));
  d.el('key2', 1, 1000);
  d.wm(1999);
  assert.deepEqual(d.emitted(), [[['key2', 1], 1999]]);
  d.el('key2', 1, 2000);
  d.wm(3000);
  assert.deepEqual(d.emitted(), [[['key2', 2], 2999]]);
  d.el('key1', 1, 3001);
  // 2400 falls in the windows ending at 2999 (already late: dropped there), 3999 and 4999 (kept)
  d.el('key2', 1, 2400).el('key2', 1, 2400).el('key1', 1, 3001).el('key2', 1, 3900);
  d.wm(6000);
  assert.deepEqual(d.emitted(), [
    [['key1', 2], 3999],
    [['key2', 5], 3999],
    [['key1', 2], 4999],
    [['key2', 4], 4999],
    [['key1', 2], 5999],
    [['key2', 1], 5999],
  ]);
  d.el('key1', 1, 3001); // late in every window: side output
  d.wm(25000);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.h.sideOutput('late-output'), [{ value: ['key1', 1], timestamp: 3001 }]);
});

/** The records and watermarks all the session lateness cases share, up to the session 11600-14600. */
function sessionLatenessPrefix(d: Driver) {
  d.el('key2', 1, 1000);
  d.wm(1999);
  d.el('key2', 1, 2000);
  d.wm(4998);
  // not late: the session it joins ends after the watermark
  d.el('key2', 1, 4500);
  d.el('key2', 1, 8500); // a new session
  d.wm(7400);
  assert.deepEqual(d.emitted(), []);
  d.el('key2', 1, 7000); // merges the two sessions
  d.wm(11501);
  assert.deepEqual(d.emitted(), [[['key2-5', 1000, 11500], 11499]]);
  d.el('key2', 1, 11600); // a new session
  d.wm(14600);
  assert.deepEqual(d.emitted(), [[['key2-1', 11600, 14600], 14599]]);
}

const sessionLateness = (trigger: Trigger | undefined, allowedLateness: number) => () =>
  new Driver(() => operator(EventTimeSessionWindows.withGap(3000), 'session-reduce', trigger, allowedLateness, 'late-output'));

test(C + 'testSideOutputDueToLatenessSessionZeroLatenessPurgingTrigger', () => {
  const d = sessionLateness(PurgingTrigger.of(EventTimeTrigger.create()), 0)();
  sessionLatenessPrefix(d);
  d.el('key2', 1, 10000); // late
  d.el('key2', 1, 10100); // late too, and not merged with the one before
  d.el('key2', 1, 14500);
  d.wm(20000);
  assert.deepEqual(d.emitted(), [[['key2-1', 14500, 17500], 17499]]);
  d.wm(100000);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.h.sideOutput('late-output'), [
    { value: ['key2', 1], timestamp: 10000 },
    { value: ['key2', 1], timestamp: 10100 },
  ]);
  assert.deepEqual(d.watermarks(), [1999, 4998, 7400, 11501, 14600, 20000, 100000]);
});

// ---- end-of-stream trigger ------------------------------------------------------------------------------

test(C + 'testEndOfStreamTrigger', () => {
  const make = () => operator(GlobalWindows.createWithEndOfStreamTrigger(), 'reduce');
  const d = new Driver(make);
  const records: [string, number, number][] = [
    ['key2', 1, 3000],
    ['key2', 1, 3999],
    ['key1', 1, 20],
    ['key1', 1, 0],
    ['key1', 1, 999],
    ['key2', 1, 1998],
    ['key2', 1, 1999],
    ['key2', 1, 1000],
  ];
  for (const [k, n, ts] of records) d.el(k, n, ts);
  assert.deepEqual(d.emitted(), []);
  d.wm(Infinity); // Watermark.MAX_WATERMARK
  assert.deepEqual(d.emitted(), [
    [['key1', 3], Infinity],
    [['key2', 5], Infinity],
  ]);
  assert.deepEqual(d.watermarks(), [Infinity]);
  assert.deepEqual(batchFinal(make, records), [
    [['key1', 3], Infinity],
    [['key2', 5], Infinity],
  ]);
});

// ---- processing-time windows ----------------------------------------------------------------------------

test(C + 'testProcessingTimeTumblingWindows', () => {
  const d = new Driver(() => operator(TumblingProcessingTimeWindows.of(3000), 'reduce'));
  d.time(3);
  // timestamps are ignored in processing time
  d.el('key2', 1, Number.MAX_SAFE_INTEGER).el('key2', 1, 7000).el('key2', 1, 7000);
  d.el('key1', 1, 7000).el('key1', 1, 7000);
  d.time(5000);
  assert.deepEqual(d.emitted(), [
    [['key1', 2], 2999],
    [['key2', 3], 2999],
  ]);
  d.el('key1', 1, 7000).el('key1', 1, 7000).el('key1', 1, 7000);
  d.time(7000);
  assert.deepEqual(d.emitted(), [[['key1', 3], 5999]]);
});

test(C + 'testProcessingTimeSlidingWindows', () => {
  const d = new Driver(() => operator(SlidingProcessingTimeWindows.of(3000, 1000), 'reduce'));
  d.time(3);
  d.el('key2', 1, Number.MAX_SAFE_INTEGER);
  d.time(1000);
  assert.deepEqual(d.emitted(), [[['key2', 1], 999]]);
  d.el('key2', 1, Number.MAX_SAFE_INTEGER).el('key2', 1, Number.MAX_SAFE_INTEGER);
  d.time(2000);
  assert.deepEqual(d.emitted(), [[['key2', 3], 1999]]);
  d.el('key1', 1, Number.MAX_SAFE_INTEGER).el('key1', 1, Number.MAX_SAFE_INTEGER);
  d.time(3000);
  assert.deepEqual(d.emitted(), [
    [['key1', 2], 2999],
    [['key2', 3], 2999],
  ]);
  d.el('key1', 1, Number.MAX_SAFE_INTEGER).el('key1', 1, Number.MAX_SAFE_INTEGER).el('key1', 1, Number.MAX_SAFE_INTEGER);
  d.time(7000);
  assert.deepEqual(d.emitted(), [
    [['key1', 5], 3999],
    [['key2', 2], 3999],
    [['key1', 5], 4999],
    [['key1', 3], 5999],
  ]);
});

test(C + 'testProcessingTimeSessionWindows', () => {
  const d = new Driver(() => operator(ProcessingTimeSessionWindows.withGap(3000), 'reduce'));
  d.time(3);
  d.el('key2', 1, 1);
  d.time(1000);
  d.el('key2', 1, 1002);
  d.time(5000);
  assert.deepEqual(d.emitted(), [[['key2', 2], 3999]]);
  d.el('key2', 1, 5000).el('key2', 1, 5000);
  d.el('key1', 1, 5000).el('key1', 1, 5000).el('key1', 1, 5000);
  d.time(10000);
  assert.deepEqual(d.emitted(), [
    [['key1', 3], 7999],
    [['key2', 2], 7999],
  ]);
});

// ---- count trigger on global windows ---------------------------------------------------------------------

test(C + 'testCountTrigger', () => {
  const d = new Driver(() => operator(GlobalWindows.create(), 'reduce', PurgingTrigger.of(CountTrigger.of(4))));
  // the global window ignores the timestamps
  d.el('key2', 1, 3000).el('key2', 1, 3999);
  d.el('key1', 1, 20).el('key1', 1, 0).el('key1', 1, 999);
  d.el('key2', 1, 1998).el('key2', 1, 1999);
  const beforeClose = d.emitted();
  d.snapshotAndRestore();
  d.el('key2', 1, 1000);
  assert.deepEqual([...beforeClose, ...d.emitted()], [[['key2', 4], Infinity]]);
  d.el('key1', 1, 10999);
  d.el('key2', 1, 1000).el('key2', 1, 1000).el('key2', 1, 1000);
  assert.deepEqual(d.emitted(), [
    [['key1', 4], Infinity],
    [['key2', 4], Infinity],
  ]);
});

// ---- session windows: late records, allowed lateness, purging or accumulating triggers ----------------

test(C + 'testSideOutputDueToLatenessSessionZeroLateness', () => {
  const d = sessionLateness(undefined, 0)();
  sessionLatenessPrefix(d);
  d.el('key2', 1, 10000); // late: side output
  d.el('key2', 1, 14500);
  d.wm(20000);
  assert.deepEqual(d.emitted(), [[['key2-1', 14500, 17500], 17499]]);
  d.wm(100000);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.h.sideOutput('late-output'), [{ value: ['key2', 1], timestamp: 10000 }]);
  assert.deepEqual(d.watermarks(), [1999, 4998, 7400, 11501, 14600, 20000, 100000]);
});

/**
 * The four session cases with an allowed lateness: after the shared prefix, 10000 arrives (not
 * late: the lateness keeps the fired sessions it merges with), then 14500 and the watermarks
 * 20000 and 100000. Nothing goes to the side output. `first` is the firing the case expects,
 * checked after 10000 or, where Flink checks it there, after 14500.
 */
function lateButAllowed(trigger: Trigger, allowedLateness: number, first: { after: 10000 | 14500; emitted: unknown[] }, at20000: unknown[]) {
  const d = sessionLateness(trigger, allowedLateness)();
  sessionLatenessPrefix(d);
  d.el('key2', 1, 10000);
  if (first.after === 10000) assert.deepEqual(d.emitted(), first.emitted);
  d.el('key2', 1, 14500);
  if (first.after === 14500) assert.deepEqual(d.emitted(), first.emitted);
  d.wm(20000);
  assert.deepEqual(d.emitted(), at20000);
  d.wm(100000);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.h.sideOutput('late-output'), []);
}

// The allowed lateness (10 ms) is too small to keep the fired sessions: as with no lateness,
// except that 10000 is not late and forms a session of its own with the purged 11600-14600.
test(C + 'testDropDueToLatenessSessionWithLatenessPurgingTrigger', () =>
  lateButAllowed(PurgingTrigger.of(EventTimeTrigger.create()), 10, { after: 10000, emitted: [[['key2-1', 10000, 14600], 14599]] }, [[['key2-1', 10000, 17500], 17499]]));

// An accumulating trigger: 10000 merges into the session 11600-14600, which still holds its
// record; the merged session ends before the watermark, so it fires at once.
test(C + 'testNotSideOutputDueToLatenessSessionWithLateness', () =>
  lateButAllowed(EventTimeTrigger.create(), 10, { after: 14500, emitted: [[['key2-2', 10000, 14600], 14599]] }, [[['key2-3', 10000, 17500], 17499]]));

// The fired sessions are kept (purged) for 10 s: 10000 merges all of them into 1000-14600.
test(C + 'testNotSideOutputDueToLatenessSessionWithHugeLatenessPurgingTrigger', () =>
  lateButAllowed(PurgingTrigger.of(EventTimeTrigger.create()), 10000, { after: 10000, emitted: [[['key2-1', 1000, 14600], 14599]] }, [[['key2-1', 1000, 17500], 17499]]));

// The merged session is already complete: it fires at once with everything it holds.
test(C + 'testNotSideOutputDueToLatenessSessionWithHugeLateness', () =>
  lateButAllowed(EventTimeTrigger.create(), 10000, { after: 10000, emitted: [[['key2-7', 1000, 14600], 14599]] }, [[['key2-8', 1000, 17500], 17499]]));

// ---- cleanup timers ------------------------------------------------------------------------------------

/**
 * Flink's EventTimeTriggerAccumGC: fires and purges at the window's end and again at its cleanup
 * time (which the operator's cleanup timer reaches), so the second firing finds no contents.
 */
class EventTimeTriggerAccumGC extends Trigger<unknown, TimeWindow> {
  constructor(private readonly cleanupTime: number) {
    super();
  }
  onElement(_e: unknown, _ts: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.maxTimestamp() || time === window.maxTimestamp() + this.cleanupTime ? 'FIRE_AND_PURGE' : 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    ctx.registerEventTimeTimer(window.maxTimestamp());
  }
}

/** Flink's FireEverytimeOnElementAndEventTimeTrigger: fires (without purging) on everything. */
class FireEverytimeOnElementAndEventTimeTrigger extends Trigger<unknown, TimeWindow> {
  onElement(): TriggerResult {
    return 'FIRE';
  }
  onEventTime(): TriggerResult {
    return 'FIRE';
  }
  onProcessingTime(): TriggerResult {
    return 'FIRE';
  }
  clear(): void {}
}

/** The window-contents state the operator holds (Flink's test reads it through windowState()). */
function windowContents(d: Driver): unknown[] {
  const keyed = d.h.snapshot().keyed;
  return keyed ? (keyedEntries(keyed).states['window-contents']?.entries.map((e) => e[3]) ?? []) : [];
}

function cleanupTimerTumbling(variant: Variant, trigger: Trigger | undefined, lateness: number, expected: Out[]) {
  const d = new Driver(() => operator(TumblingEventTimeWindows.of(2000), variant, trigger, lateness));
  d.el('key2', 1, 1000);
  d.wm(1599).wm(1999);
  assert.deepEqual(d.emitted(), expected); // fires (and purges) here
  d.wm(1999 + lateness); // the cleanup timer
  assert.deepEqual(windowContents(d), []);
  d.wm(5000);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.watermarks(), [1599, 1999, 1999 + lateness, 5000]);
}

test(C + 'testCleanupTimerWithEmptyListStateForTumblingWindows2', () =>
  cleanupTimerTumbling('got', new EventTimeTriggerAccumGC(100), 100, [['GOT: (key2,1)', 1999]]),
);
test(C + 'testCleanupTimerWithEmptyListStateForTumblingWindows', () => cleanupTimerTumbling('pass-through', EventTimeTrigger.create(), 1, [[['key2', 1], 1999]]));
test(C + 'testCleanupTimerWithEmptyReduceStateForTumblingWindows', () => cleanupTimerTumbling('reduce', EventTimeTrigger.create(), 1, [[['key2', 1], 1999]]));

function cleanupTimerSessions(variant: Variant, expected: Out[]) {
  const d = new Driver(() => operator(EventTimeSessionWindows.withGap(3000), variant, EventTimeTrigger.create(), 10));
  d.el('key2', 1, 1000);
  d.wm(4998);
  assert.deepEqual(d.emitted(), expected);
  d.wm(14600);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(windowContents(d), []);
  assert.deepEqual(d.watermarks(), [4998, 14600]);
}

test(C + 'testCleanupTimerWithEmptyListStateForSessionWindows', () => cleanupTimerSessions('pass-through', [[['key2', 1], 3999]]));
test(C + 'testCleanupTimerWithEmptyReduceStateForSessionWindows', () => cleanupTimerSessions('session-reduce', [[['key2-1', 1000, 4000], 3999]]));

test(C + 'testCleanupTimerWithEmptyStateNoResultForTumblingWindows', () => {
  const d = new Driver(() => operator(TumblingEventTimeWindows.of(2000), 'empty', new FireEverytimeOnElementAndEventTimeTrigger(), 1));
  d.el('test_key', 1, 1000);
  assert.deepEqual(windowContents(d), [[['test_key', 1]]]);
  for (const wm of [1599, 1699, 1799, 1999]) {
    d.wm(wm);
    assert.deepEqual(windowContents(d), [[['test_key', 1]]], `contents kept at watermark ${wm}: the trigger fires without purging`);
  }
  d.wm(2000); // the cleanup timer
  assert.deepEqual(windowContents(d), []);
  d.wm(5000);
  assert.deepEqual(windowContents(d), []);
  assert.deepEqual(d.emitted(), []);
  assert.deepEqual(d.watermarks(), [1599, 1699, 1799, 1999, 2000, 5000]);
});
