/**
 * Port of Flink's `ProcessingTimeSessionWindowsTest` (flink-streaming-java,
 * runtime/operators/windowing). The assigner context's processing time is Flink's mocked
 * `getCurrentProcessingTime()`; the record timestamp (Flink: Long.MIN_VALUE, ignored) is
 * Number.MIN_SAFE_INTEGER. Time units are
 * milliseconds; invalid parameters throw InvalidPipelineError (Flink: IllegalArgumentException).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessingTimeSessionWindows, ProcessingTimeTrigger, TimeWindow, type WindowAssignerContext } from '../../../engine/runtime/windowing/index.ts';
import { InvalidPipelineError } from '../../../engine/runtime/errors.ts';
import { sessionMergeCases } from './session-merge-cases.ts';

const C = 'ProcessingTimeSessionWindowsTest#';
const IGNORED_TIMESTAMP = Number.MIN_SAFE_INTEGER;
const at = (now: number): WindowAssignerContext => ({ currentProcessingTime: () => now });
const windows = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
const assign = (a: ProcessingTimeSessionWindows, now: number) => windows(a.assignWindows('String', IGNORED_TIMESTAMP, at(now)));

test(C + 'testWindowAssignment', () => {
  const a = ProcessingTimeSessionWindows.withGap(5000);
  assert.deepEqual(assign(a, 0), [[0, 5000]]);
  assert.deepEqual(assign(a, 4999), [[4999, 9999]]);
  assert.deepEqual(assign(a, 5000), [[5000, 10000]]);
});

sessionMergeCases('ProcessingTimeSessionWindowsTest', (ws, cb) => ProcessingTimeSessionWindows.withGap(5000).mergeWindows(ws, cb));

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
