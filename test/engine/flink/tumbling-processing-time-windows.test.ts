/**
 * Port of Flink's `TumblingProcessingTimeWindowsTest` (flink-streaming-java,
 * runtime/operators/windowing). The assigner context's processing time is Flink's mocked
 * `getCurrentProcessingTime()`; the record timestamp (Flink: Long.MIN_VALUE, ignored) is
 * Number.MIN_SAFE_INTEGER. Time units are milliseconds; invalid parameters throw
 * InvalidPipelineError (Flink: IllegalArgumentException) with Weir's wording of the same rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessingTimeTrigger, TumblingProcessingTimeWindows, type TimeWindow, type WindowAssignerContext } from '../../../engine/runtime/windowing/index.ts';
import { InvalidPipelineError } from '../../../engine/runtime/errors.ts';

const C = 'TumblingProcessingTimeWindowsTest#';
const IGNORED_TIMESTAMP = Number.MIN_SAFE_INTEGER;
const at = (now: number): WindowAssignerContext => ({ currentProcessingTime: () => now });
const assign = (a: TumblingProcessingTimeWindows, now: number) =>
  a.assignWindows('String', IGNORED_TIMESTAMP, at(now)).map((w: TimeWindow) => [w.start, w.end]);

test(C + 'testWindowAssignment', () => {
  const a = TumblingProcessingTimeWindows.of(5000);
  assert.deepEqual(assign(a, 0), [[0, 5000]]);
  assert.deepEqual(assign(a, 4999), [[0, 5000]]);
  assert.deepEqual(assign(a, 5000), [[5000, 10000]]);
});

test(C + 'testWindowAssignmentWithOffset', () => {
  const a = TumblingProcessingTimeWindows.of(5000, 100);
  assert.deepEqual(assign(a, 100), [[100, 5100]]);
  assert.deepEqual(assign(a, 5099), [[100, 5100]]);
  assert.deepEqual(assign(a, 5100), [[5100, 10100]]);
});

test(C + 'testWindowAssignmentWithNegativeOffset', () => {
  const a = TumblingProcessingTimeWindows.of(5000, -100);
  assert.deepEqual(assign(a, 100), [[-100, 4900]]);
  assert.deepEqual(assign(a, 4899), [[-100, 4900]]);
  assert.deepEqual(assign(a, 4900), [[4900, 9900]]);
});

test(C + 'testTimeUnits', () => {
  const a = TumblingProcessingTimeWindows.of(5 * 1000, 1 * 1000);
  assert.deepEqual(assign(a, 1000), [[1000, 6000]]);
  assert.deepEqual(assign(a, 5999), [[1000, 6000]]);
  assert.deepEqual(assign(a, 6000), [[6000, 11000]]);
});

test(C + 'testInvalidParameters', () => {
  assert.throws(() => TumblingProcessingTimeWindows.of(-1000), InvalidPipelineError);
  assert.throws(() => TumblingProcessingTimeWindows.of(10_000, 20_000), /\|offset\| < size/);
});

test(C + 'testProperties', () => {
  const a = TumblingProcessingTimeWindows.of(5000, 100);
  assert.equal(a.isEventTime(), false);
  assert.ok(a.getDefaultTrigger() instanceof ProcessingTimeTrigger);
});
