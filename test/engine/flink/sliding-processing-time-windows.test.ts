/**
 * Port of Flink's `SlidingProcessingTimeWindowsTest` (flink-streaming-java,
 * runtime/operators/windowing). The assigner context's processing time is Flink's mocked
 * `getCurrentProcessingTime()`; the record timestamp (Flink: Long.MIN_VALUE, ignored) is
 * Number.MIN_SAFE_INTEGER. Time units are milliseconds; invalid parameters throw
 * InvalidPipelineError (Flink: IllegalArgumentException) with Weir's wording of the same rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessingTimeTrigger, SlidingProcessingTimeWindows, type TimeWindow, type WindowAssignerContext } from '../../../engine/runtime/windowing/index.ts';
import { InvalidPipelineError } from '../../../engine/runtime/errors.ts';

const C = 'SlidingProcessingTimeWindowsTest#';
const IGNORED_TIMESTAMP = Number.MIN_SAFE_INTEGER;
const at = (now: number): WindowAssignerContext => ({ currentProcessingTime: () => now });
const windows = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]).sort((a, b) => a[0]! - b[0]!);
/** Five windows of `size`, the first starting at `first`, one slide (1 s) apart. */
const starts = (first: number, size: number) => [0, 1, 2, 3, 4].map((i) => [first + i * 1000, first + i * 1000 + size]);
const assign = (a: SlidingProcessingTimeWindows, now: number) => windows(a.assignWindows('String', IGNORED_TIMESTAMP, at(now)));

test(C + 'testWindowAssignment', () => {
  const a = SlidingProcessingTimeWindows.of(5000, 1000);
  assert.deepEqual(assign(a, 0), starts(-4000, 5000));
  assert.deepEqual(assign(a, 4999), starts(0, 5000));
  assert.deepEqual(assign(a, 5000), starts(1000, 5000));
});

test(C + 'testWindowAssignmentWithOffset', () => {
  const a = SlidingProcessingTimeWindows.of(5000, 1000, 100);
  assert.deepEqual(assign(a, 100), starts(-3900, 5000));
  assert.deepEqual(assign(a, 5099), starts(100, 5000));
  assert.deepEqual(assign(a, 5100), starts(1100, 5000));
});

test(C + 'testWindowAssignmentWithNegativeOffset', () => {
  const a = SlidingProcessingTimeWindows.of(5000, 1000, -100);
  assert.deepEqual(assign(a, 0), starts(-4100, 5000));
  assert.deepEqual(assign(a, 4899), starts(-100, 5000));
  assert.deepEqual(assign(a, 4900), starts(900, 5000));
});

test(C + 'testTimeUnits', () => {
  const a = SlidingProcessingTimeWindows.of(5 * 1000, 1 * 1000, 500);
  assert.deepEqual(assign(a, 100), starts(-4500, 5000));
  assert.deepEqual(assign(a, 5499), starts(500, 5000));
  assert.deepEqual(assign(a, 5100), starts(500, 5000));
});

test(C + 'testInvalidParameters', () => {
  assert.throws(() => SlidingProcessingTimeWindows.of(-2000, 1000), InvalidPipelineError);
  assert.throws(() => SlidingProcessingTimeWindows.of(2000, -1000), InvalidPipelineError);
  assert.throws(() => SlidingProcessingTimeWindows.of(-20_000, 10_000, -1000), InvalidPipelineError);
  assert.throws(() => SlidingProcessingTimeWindows.of(20_000, 10_000, -11_000), /\|offset\| < slide/);
  assert.throws(() => SlidingProcessingTimeWindows.of(20_000, 10_000, 11_000), /\|offset\| < slide/);
});

test(C + 'testProperties', () => {
  const a = SlidingProcessingTimeWindows.of(5000, 100);
  assert.equal(a.isEventTime(), false);
  assert.ok(a.getDefaultTrigger() instanceof ProcessingTimeTrigger);
});
