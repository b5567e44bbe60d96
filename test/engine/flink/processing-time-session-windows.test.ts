/**
 * Port of Flink's `ProcessingTimeSessionWindowsTest` (flink-streaming-java,
 * runtime/operators/windowing). The assigner context's processing time is Flink's mocked
 * `getCurrentProcessingTime()`; the record timestamp (Flink: Long.MIN_VALUE, ignored) is
 * Number.MIN_SAFE_INTEGER. Flink's mocked merge callback is a recording one. Time units are
 * milliseconds; invalid parameters throw InvalidPipelineError (Flink: IllegalArgumentException).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessingTimeSessionWindows, ProcessingTimeTrigger, TimeWindow, type WindowAssignerContext } from '../../../engine/runtime/windowing/index.ts';
import { InvalidPipelineError } from '../../../engine/runtime/errors.ts';

const C = 'ProcessingTimeSessionWindowsTest#';
const IGNORED_TIMESTAMP = Number.MIN_SAFE_INTEGER;
const at = (now: number): WindowAssignerContext => ({ currentProcessingTime: () => now });
const windows = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
const assign = (a: ProcessingTimeSessionWindows, now: number) => windows(a.assignWindows('String', IGNORED_TIMESTAMP, at(now)));
const w = (s: number, e: number) => new TimeWindow(s, e);
/** Every merge callback call: the merged windows (any order) and the result. */
function merges(input: TimeWindow[]) {
  const calls: { merged: number[][]; result: number[] }[] = [];
  ProcessingTimeSessionWindows.withGap(5000).mergeWindows(input, (toBeMerged, result) => calls.push({ merged: windows(toBeMerged), result: [result.start, result.end] }));
  return calls.sort((a, b) => a.result[0]! - b.result[0]!);
}

test(C + 'testWindowAssignment', () => {
  const a = ProcessingTimeSessionWindows.withGap(5000);
  assert.deepEqual(assign(a, 0), [[0, 5000]]);
  assert.deepEqual(assign(a, 4999), [[4999, 9999]]);
  assert.deepEqual(assign(a, 5000), [[5000, 10000]]);
});

test(C + 'testMergeSinglePointWindow', () => assert.deepEqual(merges([w(0, 0)]), []));
test(C + 'testMergeSingleWindow', () => assert.deepEqual(merges([w(0, 1)]), []));

test(C + 'testMergeConsecutiveWindows', () => {
  assert.deepEqual(merges([w(0, 1), w(1, 2), w(2, 3), w(4, 5), w(5, 6)]), [
    { merged: [[0, 1], [1, 2], [2, 3]], result: [0, 3] },
    { merged: [[4, 5], [5, 6]], result: [4, 6] },
  ]);
});

test(C + 'testMergeCoveringWindow', () => {
  assert.deepEqual(merges([w(1, 1), w(0, 2), w(4, 7), w(5, 6)]), [
    { merged: [[0, 2], [1, 1]], result: [0, 2] },
    { merged: [[4, 7], [5, 6]], result: [4, 7] },
  ]);
});

test(C + 'testTimeUnits', () => {
  const a = ProcessingTimeSessionWindows.withGap(5 * 1000);
  assert.deepEqual(assign(a, 0), [[0, 5000]]);
  assert.deepEqual(assign(a, 4999), [[4999, 9999]]);
  assert.deepEqual(assign(a, 5000), [[5000, 10000]]);
});

test(C + 'testInvalidParameters', () => {
  assert.throws(() => ProcessingTimeSessionWindows.withGap(-1000), InvalidPipelineError);
  assert.throws(() => ProcessingTimeSessionWindows.withGap(0), InvalidPipelineError);
});

test(C + 'testProperties', () => {
  const a = ProcessingTimeSessionWindows.withGap(5000);
  assert.equal(a.isEventTime(), false);
  assert.ok(a.getDefaultTrigger() instanceof ProcessingTimeTrigger);
});

test(C + 'testDynamicGapProperties', () => {
  const a = ProcessingTimeSessionWindows.withDynamicGap((s: string) => s.length);
  assert.ok(a);
  assert.equal(a.isEventTime(), false);
});
