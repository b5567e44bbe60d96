/**
 * Port of Flink's `EvictingWindowOperatorTest` (flink-streaming-java,
 * runtime/operators/windowing): count and time evictors before and after the window function,
 * with the records `[key, n]` and timestamps of Flink's cases. Output sorted as Flink compares it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CountEvictor,
  CountTrigger,
  createWindowOperator,
  DeltaEvictor,
  EventTimeTrigger,
  GlobalWindows,
  TimeEvictor,
  TumblingEventTimeWindows,
  type Evictor,
  type WindowAssigner,
} from '../../../engine/runtime/windowing/index.ts';
import { OneInputOperatorHarness } from '../../harness/operator-harness.ts';

const C = 'EvictingWindowOperatorTest#';
type Pair = [string, number];

/** An evicting window operator summing the records it is given (Flink's RichSumReducer). */
function harness(assigner: WindowAssigner, evictor: Evictor, triggerCount = 2) {
  const op = createWindowOperator({
    assigner,
    trigger: CountTrigger.of(triggerCount),
    evictor,
    contents: { kind: 'list' },
    windowFunction: { kind: 'process', fn: (key: string, _ctx, els: Iterable<Pair>, out) => out.collect([key, [...els].reduce((n, e) => n + e[1], 0)]) },
  });
  const h = new OneInputOperatorHarness(op, { keySelector: (p: Pair) => p[0] });
  void h.open();
  let seen = 0;
  const fresh = () => {
    const all = h.output().map((r) => [r.value as Pair, r.timestamp] as const);
    // Flink's ResultSortComparator: timestamp, then key, then value
    const out = all.slice(seen).sort((a, b) => a[1] - b[1] || a[0][0].localeCompare(b[0][0]) || a[0][1] - b[0][1]);
    seen = all.length;
    return out;
  };
  const el = (key: string, ts?: number, n = 1) => h.processElement([key, n], ts);
  return { h, el, fresh };
}

/** The first eight records of Flink's count evictor and count trigger cases. */
function countCaseRecords(el: (key: string, ts?: number) => void) {
  for (const [key, ts] of [['key2', 3000], ['key2', 3999], ['key1', 20], ['key1', 0], ['key1', 999], ['key2', 1998], ['key2', 1999], ['key2', 1000]] as const) el(key, ts);
}

test(C + 'testCountEvictorEvictAfter', () => {
  const { el, fresh } = harness(GlobalWindows.create(), CountEvictor.of(4, true));
  countCaseRecords(el);
  assert.deepEqual(fresh(), [
    [['key1', 2], Infinity],
    [['key2', 2], Infinity],
    [['key2', 4], Infinity],
  ]);
  el('key1', 10999);
  el('key2', 1000);
  assert.deepEqual(fresh(), [
    [['key1', 4], Infinity],
    [['key2', 6], Infinity],
  ]);
  el('key2', 1000);
  el('key2', 1000);
  assert.deepEqual(fresh(), [[['key2', 6], Infinity]]);
});

test(C + 'testTimeEvictorEvictAfter', () => {
  const { el, fresh } = harness(GlobalWindows.create(), TimeEvictor.of(2000, true));
  el('key2', 1000);
  el('key2', 4000);
  el('key1', 20);
  el('key1', 0);
  el('key1', 999);
  el('key2', 3500);
  el('key2', 2001);
  el('key2', 1001);
  assert.deepEqual(fresh(), [
    [['key1', 2], Infinity],
    [['key2', 2], Infinity],
    [['key2', 3], Infinity],
  ]);
  el('key1', 10999);
  el('key2', 1002);
  assert.deepEqual(fresh(), [
    [['key1', 4], Infinity],
    [['key2', 5], Infinity],
  ]);
});

test(C + 'testTimeEvictorEvictBefore', () => {
  const { el, fresh } = harness(TumblingEventTimeWindows.of(4000), TimeEvictor.of(2000));
  el('key2', 1000);
  el('key2', 3999);
  el('key1', 20);
  el('key1', 0);
  el('key1', 999);
  el('key1', 5999);
  el('key2', 3500);
  el('key2', 2001);
  el('key2', 1001);
  assert.deepEqual(fresh(), [
    [['key1', 2], 3999],
    [['key2', 1], 3999],
    [['key2', 3], 3999],
  ]);
  el('key1', 6500);
  el('key2', 1002);
  assert.deepEqual(fresh(), [
    [['key2', 3], 3999],
    [['key1', 2], 7999],
  ]);
});

test(C + 'testTimeEvictorNoTimestamp', () => {
  // records without a timestamp are never evicted by time
  const { el, fresh } = harness(GlobalWindows.create(), TimeEvictor.of(2000, true));
  el('key2');
  el('key2');
  el('key1');
  el('key1');
  el('key1');
  el('key2');
  el('key2');
  el('key2');
  assert.deepEqual(fresh(), [
    [['key1', 2], Infinity],
    [['key2', 2], Infinity],
    [['key2', 4], Infinity],
  ]);
  el('key1');
  el('key2');
  assert.deepEqual(fresh(), [
    [['key1', 4], Infinity],
    [['key2', 6], Infinity],
  ]);
});

const deltaOfValues = (a: Pair, b: Pair) => b[1] - a[1];

test(C + 'testDeltaEvictorEvictBefore', () => {
  const { el, fresh } = harness(GlobalWindows.create(), DeltaEvictor.of(2, deltaOfValues, false));
  el('key2', 3000, 1);
  el('key2', 3999, 4);
  el('key1', 20, 1);
  el('key1', 0, 1);
  el('key1', 999, 5);
  el('key2', 1998, 5);
  el('key2', 1999, 6);
  el('key2', 1000, 1);
  assert.deepEqual(fresh(), [
    [['key1', 2], Infinity],
    [['key2', 4], Infinity],
    [['key2', 11], Infinity],
  ]);
  el('key1', 10999, 3);
  el('key2', 1000, 10);
  assert.deepEqual(fresh(), [
    [['key1', 8], Infinity],
    [['key2', 10], Infinity],
  ]);
});

test(C + 'testDeltaEvictorEvictAfter', () => {
  const { el, fresh } = harness(GlobalWindows.create(), DeltaEvictor.of(2, deltaOfValues, true));
  el('key2', 3000, 1);
  el('key2', 3999, 4);
  el('key1', 20, 1);
  el('key1', 0, 1);
  el('key1', 999, 5);
  el('key2', 1998, 5);
  el('key2', 1999, 6);
  el('key2', 1000, 1);
  assert.deepEqual(fresh(), [
    [['key1', 2], Infinity],
    [['key2', 5], Infinity],
    [['key2', 15], Infinity],
  ]);
  el('key1', 10999, 9);
  el('key2', 1000, 10);
  assert.deepEqual(fresh(), [
    [['key1', 16], Infinity],
    [['key2', 22], Infinity],
  ]);
});

// Flink's two cases differ only in how they wrap the sum (a reducer applied to the evicted
// contents, or RichSumReducer as the apply function); in Weir both are the same process function.
for (const method of ['testCountTrigger', 'testCountTriggerWithApply']) {
  test(C + method, () => {
    // fires every 2 records, keeping the last 4 (evicted before the function)
    const { el, fresh } = harness(GlobalWindows.create(), CountEvictor.of(4), 2);
    countCaseRecords(el);
    assert.deepEqual(fresh(), [
      [['key1', 2], Infinity],
      [['key2', 2], Infinity],
      [['key2', 4], Infinity],
    ]);
    el('key1', 10999);
    el('key2', 1000);
    assert.deepEqual(fresh(), [
      [['key1', 4], Infinity],
      [['key2', 4], Infinity],
    ]);
  });
}

function tumblingWindowWithApply(mode: 'streaming' | 'batch') {
  const op = createWindowOperator({
    assigner: TumblingEventTimeWindows.of(4000),
    trigger: EventTimeTrigger.create(),
    evictor: CountEvictor.of(4),
    contents: { kind: 'list' },
    windowFunction: { kind: 'process', fn: (key: string, _ctx, els: Iterable<Pair>, out) => out.collect([key, [...els].reduce((n, e) => n + e[1], 0)]) },
  });
  const h = new OneInputOperatorHarness(op, { keySelector: (p: Pair) => p[0], mode });
  void h.open();
  const el = (key: string, ts: number) => h.processElement([key, 1], ts);
  const wm = (t: number) => mode === 'streaming' && h.processWatermark(t);
  el('key1', 10);
  el('key1', 100);
  wm(1999);
  el('key1', 1997);
  el('key1', 1998);
  el('key1', 2310); // not late, but more than 4 in the window
  el('key1', 2310);
  el('key2', 2310);
  el('key2', 2310);
  wm(3999); // the evictor keeps the last 4 of key1
  if (mode === 'batch') {
    h.processWatermark(Infinity);
    h.endInput();
  }
  const out = h.output().map((r) => [r.value, r.timestamp]);
  assert.deepEqual(
    out.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      [['key1', 4], 3999],
      [['key2', 2], 3999],
    ],
  );
  if (mode === 'streaming') assert.deepEqual(h.watermarks(), [1999, 3999]);
}

test(C + 'testTumblingWindowWithApply', () => tumblingWindowWithApply('streaming'));
test(C + 'testTumblingWindowWithApply (batch mode)', () => tumblingWindowWithApply('batch'));
