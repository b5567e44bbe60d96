/**
 * Port of Flink's `ContinuousEventTimeTriggerTest` (flink-streaming-java,
 * runtime/operators/windowing). Flink now caps the next firing time at the window's end
 * (`Math.min(time + interval, window.maxTimestamp())`), as Weir does; with the test's 2 ms
 * windows and its 1 h interval that early timer is the window-end timer itself, so timer counts
 * per window are 1 where the test written before the cap counted 2 (see README.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContinuousEventTimeTrigger, TimeWindow } from '../../../engine/runtime/windowing/index.ts';
import { TriggerTestHarness } from '../../harness/trigger-harness.ts';

const C = 'ContinuousEventTimeTriggerTest#';
const w = (start: number, end: number) => new TimeWindow(start, end);
const HOUR = 3_600_000;
const counts = (h: TriggerTestHarness<TimeWindow>) => [h.numStateEntries(), h.numProcessingTimeTimers(), h.numEventTimeTimers()];

test(C + 'testTriggerHandlesAllOnTimerCalls', () => {
  const h = new TriggerTestHarness<TimeWindow>(ContinuousEventTimeTrigger.of(5));
  assert.deepEqual(counts(h), [0, 0, 0]);
  h.advanceWatermark(10); // the windows below are late: no trigger state is created
  assert.equal(h.processElement(1, w(0, 2)), 'FIRE');
  // a cleanup timer firing with no trigger state must not fail
  assert.equal(h.invokeOnEventTime(20, w(0, 2)), 'CONTINUE');
});

test(C + 'testWindowSeparationAndFiring (adapted: fire time capped at the window end)', () => {
  const h = new TriggerTestHarness<TimeWindow>(ContinuousEventTimeTrigger.of(HOUR));
  for (const win of [w(0, 2), w(0, 2), w(0, 2), w(2, 4), w(2, 4)]) assert.equal(h.processElement(1, win, win.start), 'CONTINUE');
  assert.deepEqual(counts(h), [2, 0, 2]);
  assert.ok(h.advanceWatermark(2).some((f) => f.window.start === 0 && f.result === 'FIRE'));
  assert.deepEqual(counts(h), [2, 0, 1]); // Flink: state 2 (the end timer fires without touching it), timers 3 before the cap
  assert.ok(h.advanceWatermark(4).some((f) => f.window.start === 2 && f.result === 'FIRE'));
  assert.deepEqual(counts(h), [2, 0, 0]); // Flink: 2 and 2 before the cap
});

test(C + 'testLateElementTriggersImmediately', () => {
  const h = new TriggerTestHarness<TimeWindow>(ContinuousEventTimeTrigger.of(HOUR));
  h.advanceWatermark(2);
  assert.equal(h.processElement(1, w(0, 2)), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 0]);
});

test(C + 'testClear (adapted: fire time capped at the window end)', () => {
  const h = new TriggerTestHarness<TimeWindow>(ContinuousEventTimeTrigger.of(HOUR));
  assert.equal(h.processElement(1, w(0, 2), 0), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4), 2), 'CONTINUE');
  assert.deepEqual(counts(h), [2, 0, 2]);
  h.clearTriggerState(w(2, 4));
  assert.equal(h.numStateEntries(), 1);
  assert.equal(h.numEventTimeTimers(w(0, 2)), 1);
  h.clearTriggerState(w(0, 2));
  assert.equal(h.numStateEntries(), 0);
});

test(C + 'testMergingWindows (adapted: fire time capped at the window end)', () => {
  const h = new TriggerTestHarness<TimeWindow>(ContinuousEventTimeTrigger.of(HOUR));
  assert.equal(ContinuousEventTimeTrigger.of(HOUR).canMerge(), true);
  assert.equal(h.processElement(1, w(0, 2), 0), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4), 2), 'CONTINUE');
  assert.deepEqual(counts(h), [2, 0, 2]);
  h.mergeWindows(w(0, 4), [w(0, 2), w(2, 4)]);
  assert.equal(h.numStateEntries(), 1, 'the fire times merged into the merge result');
  assert.equal(h.numEventTimeTimers(w(0, 4)), 1, 'the merged fire time is registered for the merge result');
  const fired = h.advanceWatermark(4);
  assert.ok(fired.some((f) => f.window.start === 0 && f.window.end === 4 && f.result === 'FIRE'));
  assert.equal(h.numStateEntries(), 1, 'the merged window re-arms its next firing');
});
