/**
 * Port of Flink's `SlidingEventTimeWindowsTest` (flink-streaming-java, runtime/operators/windowing).
 * Flink's Time units are milliseconds here; invalid parameters throw InvalidPipelineError (Flink:
 * IllegalArgumentException) with Weir's wording of the same rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventTimeTrigger,
  SlidingEventTimeWindows,
  type TimeWindow,
  type WindowAssignerContext,
} from '../../../engine/runtime/windowing/index.ts';
import { InvalidPipelineError } from '../../../engine/runtime/errors.ts';

const ctx: WindowAssignerContext = { currentProcessingTime: () => 0 };
const windows = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]).sort((a, b) => a[0]! - b[0]!);

{
  const C = 'SlidingEventTimeWindowsTest#';
  const starts = (first: number, size: number) => [0, 1, 2, 3, 4].map((i) => [first + i * 1000, first + i * 1000 + size]);
  test(C + 'testWindowAssignment', () => {
    const a = SlidingEventTimeWindows.of(5000, 1000);
    assert.deepEqual(windows(a.assignWindows('String', 0, ctx)), starts(-4000, 5000));
    assert.deepEqual(windows(a.assignWindows('String', 4999, ctx)), starts(0, 5000));
    assert.deepEqual(windows(a.assignWindows('String', 5000, ctx)), starts(1000, 5000));
  });
  test(C + 'testWindowAssignmentWithOffset', () => {
    const a = SlidingEventTimeWindows.of(5000, 1000, 100);
    assert.deepEqual(windows(a.assignWindows('String', 100, ctx)), starts(-3900, 5000));
    assert.deepEqual(windows(a.assignWindows('String', 5099, ctx)), starts(100, 5000));
    assert.deepEqual(windows(a.assignWindows('String', 5100, ctx)), starts(1100, 5000));
  });
  test(C + 'testWindowAssignmentWithNegativeOffset', () => {
    const a = SlidingEventTimeWindows.of(5000, 1000, -100);
    assert.deepEqual(windows(a.assignWindows('String', 0, ctx)), starts(-4100, 5000));
    assert.deepEqual(windows(a.assignWindows('String', 4899, ctx)), starts(-100, 5000));
    assert.deepEqual(windows(a.assignWindows('String', 4900, ctx)), starts(900, 5000));
  });
  test(C + 'testTimeUnits', () => {
    const a = SlidingEventTimeWindows.of(5 * 1000, 1 * 1000, 500);
    assert.deepEqual(windows(a.assignWindows('String', 100, ctx)), starts(-4500, 5000));
    assert.deepEqual(windows(a.assignWindows('String', 5499, ctx)), starts(500, 5000));
    assert.deepEqual(windows(a.assignWindows('String', 5100, ctx)), starts(500, 5000));
  });
  test(C + 'testInvalidParameters', () => {
    assert.throws(() => SlidingEventTimeWindows.of(-2000, 1000), InvalidPipelineError);
    assert.throws(() => SlidingEventTimeWindows.of(2000, -1000), InvalidPipelineError);
    assert.throws(() => SlidingEventTimeWindows.of(-20_000, 10_000, -1000), InvalidPipelineError);
    assert.throws(() => SlidingEventTimeWindows.of(20_000, 10_000, -11_000), /\|offset\| < slide/);
    assert.throws(() => SlidingEventTimeWindows.of(20_000, 10_000, 11_000), /\|offset\| < slide/);
  });
  test(C + 'testProperties', () => {
    const a = SlidingEventTimeWindows.of(5000, 100);
    assert.equal(a.isEventTime(), true);
    assert.ok(a.getDefaultTrigger() instanceof EventTimeTrigger);
  });
}
