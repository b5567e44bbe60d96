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
import { sessionMergeCases } from './session-merge-cases.ts';

const ctx: WindowAssignerContext = { currentProcessingTime: () => 0 };
const windows = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]).sort((a, b) => a[0]! - b[0]!);

{
  const C = 'EventTimeSessionWindowsTest#';
  sessionMergeCases('EventTimeSessionWindowsTest', (ws, cb) => EventTimeSessionWindows.withGap(5000).mergeWindows(ws, cb));
  test(C + 'testWindowAssignment', () => {
    const a = EventTimeSessionWindows.withGap(5000);
    assert.deepEqual(windows(a.assignWindows('String', 0, ctx)), [[0, 5000]]);
    assert.deepEqual(windows(a.assignWindows('String', 4999, ctx)), [[4999, 9999]]);
    assert.deepEqual(windows(a.assignWindows('String', 5000, ctx)), [[5000, 10000]]);
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
