/** Port of Flink's `EventTimeTriggerTest` (flink-streaming-java, runtime/operators/windowing). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventTimeTrigger, TimeWindow } from '../../../engine/runtime/windowing/index.ts';
import { TriggerTestHarness } from '../../harness/trigger-harness.ts';

const C = 'EventTimeTriggerTest#';
const w = (start: number, end: number) => new TimeWindow(start, end);
const counts = (h: TriggerTestHarness) => [h.numStateEntries(), h.numProcessingTimeTimers(), h.numEventTimeTimers()];

test(C + 'testWindowSeparationAndFiring', () => {
  const h = new TriggerTestHarness(EventTimeTrigger.create());
  for (const win of [w(0, 2), w(0, 2), w(0, 2), w(2, 4), w(2, 4)]) assert.equal(h.processElement(1, win), 'CONTINUE');
  assert.deepEqual(counts(h), [0, 0, 2]);
  assert.equal(h.numEventTimeTimers(w(0, 2)), 1);
  assert.equal(h.numEventTimeTimers(w(2, 4)), 1);
  assert.equal(h.advanceWatermarkFor(2, w(0, 2)), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 1]);
  assert.equal(h.numEventTimeTimers(w(0, 2)), 0);
  assert.equal(h.numEventTimeTimers(w(2, 4)), 1);
  assert.equal(h.advanceWatermarkFor(4, w(2, 4)), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 0]);
});

test(C + 'testLateElementTriggersImmediately', () => {
  const h = new TriggerTestHarness(EventTimeTrigger.create());
  h.advanceWatermark(2);
  assert.equal(h.processElement(1, w(0, 2)), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 0]);
});

test(C + 'testClear', () => {
  const h = new TriggerTestHarness(EventTimeTrigger.create());
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.deepEqual(counts(h), [0, 0, 2]);
  h.clearTriggerState(w(2, 4));
  assert.deepEqual(counts(h), [0, 0, 1]);
  assert.equal(h.numEventTimeTimers(w(0, 2)), 1);
  assert.equal(h.numEventTimeTimers(w(2, 4)), 0);
  h.clearTriggerState(w(0, 2));
  assert.deepEqual(counts(h), [0, 0, 0]);
});

test(C + 'testMergingWindows', () => {
  const h = new TriggerTestHarness(EventTimeTrigger.create());
  assert.equal(EventTimeTrigger.create().canMerge(), true);
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.deepEqual(counts(h), [0, 0, 2]);
  h.mergeWindows(w(0, 4), [w(0, 2), w(2, 4)]);
  assert.deepEqual(counts(h), [0, 0, 1]);
  assert.equal(h.numEventTimeTimers(w(0, 2)), 0);
  assert.equal(h.numEventTimeTimers(w(2, 4)), 0);
  assert.equal(h.numEventTimeTimers(w(0, 4)), 1);
  assert.equal(h.advanceWatermarkFor(4, w(0, 4)), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 0]);
});

test(C + 'testMergingLateWindows', () => {
  const h = new TriggerTestHarness(EventTimeTrigger.create());
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.deepEqual(counts(h), [0, 0, 2]);
  h.advanceWatermark(10);
  assert.deepEqual(counts(h), [0, 0, 0]);
  h.mergeWindows(w(0, 4), [w(0, 2), w(2, 4)]);
  assert.deepEqual(counts(h), [0, 0, 0]); // a merged window that is already late registers no timer
  assert.equal(h.numEventTimeTimers(w(0, 4)), 0);
});
