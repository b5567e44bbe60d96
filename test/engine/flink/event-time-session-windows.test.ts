/**
 * Port of Flink's `EventTimeSessionWindowsTest` (flink-streaming-java, runtime/operators/windowing).
 * Flink's Time units are milliseconds here; invalid parameters throw InvalidPipelineError (Flink:
 * IllegalArgumentException) with Weir's wording of the same rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventTimeSessionWindows,
  EventTimeTrigger,
  TimeWindow,
  type WindowAssignerContext,
} from '../../../engine/runtime/windowing/index.ts';
import { InvalidPipelineError } from '../../../engine/runtime/errors.ts';

const ctx: WindowAssignerContext = { currentProcessingTime: () => 0 };
const windows = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]).sort((a, b) => a[0]! - b[0]!);

{
  const C = 'EventTimeSessionWindowsTest#';
  const merges = (input: TimeWindow[]) => {
    const calls: { merged: number[][]; result: number[] }[] = [];
    EventTimeSessionWindows.withGap(5000).mergeWindows(input, (toBeMerged, result) => calls.push({ merged: windows(toBeMerged), result: [result.start, result.end] }));
    return calls.sort((a, b) => a.result[0]! - b.result[0]!);
  };
  const w = (s: number, e: number) => new TimeWindow(s, e);
  test(C + 'testWindowAssignment', () => {
    const a = EventTimeSessionWindows.withGap(5000);
    assert.deepEqual(windows(a.assignWindows('String', 0, ctx)), [[0, 5000]]);
    assert.deepEqual(windows(a.assignWindows('String', 4999, ctx)), [[4999, 9999]]);
    assert.deepEqual(windows(a.assignWindows('String', 5000, ctx)), [[5000, 10000]]);
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
    const a = EventTimeSessionWindows.withGap(5 * 1000);
    assert.deepEqual(windows(a.assignWindows('String', 0, ctx)), [[0, 5000]]);
    assert.deepEqual(windows(a.assignWindows('String', 4999, ctx)), [[4999, 9999]]);
    assert.deepEqual(windows(a.assignWindows('String', 5000, ctx)), [[5000, 10000]]);
  });
  test(C + 'testInvalidParameters', () => {
    assert.throws(() => EventTimeSessionWindows.withGap(-1000), InvalidPipelineError);
    assert.throws(() => EventTimeSessionWindows.withGap(0), InvalidPipelineError);
  });
  test(C + 'testProperties', () => {
    const a = EventTimeSessionWindows.withGap(5000);
    assert.equal(a.isEventTime(), true);
    assert.ok(a.getDefaultTrigger() instanceof EventTimeTrigger);
  });
  test(C + 'testDynamicGapProperties', () => {
    const a = EventTimeSessionWindows.withDynamicGap((s: string) => s.length);
    assert.ok(a);
    assert.equal(a.isEventTime(), true);
  });
}
