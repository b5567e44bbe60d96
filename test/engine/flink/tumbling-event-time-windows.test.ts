/**
 * Port of Flink's `TumblingEventTimeWindowsTest` (flink-streaming-java, runtime/operators/windowing).
 * Flink's Time units are milliseconds here; invalid parameters throw InvalidPipelineError (Flink:
 * IllegalArgumentException) with Weir's wording of the same rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventTimeTrigger,
  TumblingEventTimeWindows,
  type TimeWindow,
  type WindowAssignerContext,
} from '../../../engine/runtime/windowing/index.ts';
import { InvalidPipelineError } from '../../../engine/runtime/errors.ts';

const ctx: WindowAssignerContext = { currentProcessingTime: () => 0 };
const windows = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]).sort((a, b) => a[0]! - b[0]!);

{
  const C = 'TumblingEventTimeWindowsTest#';
  test(C + 'testWindowAssignment', () => {
    const a = TumblingEventTimeWindows.of(5000);
    assert.deepEqual(windows(a.assignWindows('String', 0, ctx)), [[0, 5000]]);
    assert.deepEqual(windows(a.assignWindows('String', 4999, ctx)), [[0, 5000]]);
    assert.deepEqual(windows(a.assignWindows('String', 5000, ctx)), [[5000, 10000]]);
  });
  test(C + 'testWindowAssignmentWithGlobalOffset', () => {
    const a = TumblingEventTimeWindows.of(5000, 100);
    assert.deepEqual(windows(a.assignWindows('String', 100, ctx)), [[100, 5100]]);
    assert.deepEqual(windows(a.assignWindows('String', 5099, ctx)), [[100, 5100]]);
    assert.deepEqual(windows(a.assignWindows('String', 5100, ctx)), [[5100, 10100]]);
  });
  test(C + 'testWindowAssignmentWithNegativeGlobalOffset', () => {
    const a = TumblingEventTimeWindows.of(5000, -100);
    assert.deepEqual(windows(a.assignWindows('String', 0, ctx)), [[-100, 4900]]);
    assert.deepEqual(windows(a.assignWindows('String', 4899, ctx)), [[-100, 4900]]);
    assert.deepEqual(windows(a.assignWindows('String', 4900, ctx)), [[4900, 9900]]);
  });
  test(C + 'testTimeUnits', () => {
    const a = TumblingEventTimeWindows.of(5 * 1000, 1 * 1000);
    assert.deepEqual(windows(a.assignWindows('String', 1000, ctx)), [[1000, 6000]]);
    assert.deepEqual(windows(a.assignWindows('String', 5999, ctx)), [[1000, 6000]]);
    assert.deepEqual(windows(a.assignWindows('String', 6000, ctx)), [[6000, 11000]]);
  });
  test(C + 'testInvalidParameters', () => {
    assert.throws(() => TumblingEventTimeWindows.of(-1000), InvalidPipelineError);
    assert.throws(() => TumblingEventTimeWindows.of(10_000, 20_000), /\|offset\| < size/);
    assert.throws(() => TumblingEventTimeWindows.of(10_000, -11_000), /\|offset\| < size/);
  });
  test(C + 'testProperties', () => {
    const a = TumblingEventTimeWindows.of(5000, 100);
    assert.equal(a.isEventTime(), true);
    assert.ok(a.getDefaultTrigger() instanceof EventTimeTrigger);
  });
}
