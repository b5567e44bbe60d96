/** Port of Flink's `ProcessingTimeTriggerTest` (flink-streaming-java, runtime/operators/windowing). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessingTimeTrigger, TimeWindow } from '../../../engine/runtime/windowing/index.ts';
import { TriggerTestHarness } from '../../harness/trigger-harness.ts';

const C = 'ProcessingTimeTriggerTest#';
const w = (start: number, end: number) => new TimeWindow(start, end);
const counts = (h: TriggerTestHarness) => [h.numStateEntries(), h.numEventTimeTimers(), h.numProcessingTimeTimers()];

test(C + 'testWindowSeparationAndFiring', () => {
  const h = new TriggerTestHarness(ProcessingTimeTrigger.create());
  for (const win of [w(0, 2), w(0, 2), w(0, 2), w(2, 4), w(2, 4)]) assert.equal(h.processElement(1, win), 'CONTINUE');
  assert.deepEqual(counts(h), [0, 0, 2]);
  assert.equal(h.numProcessingTimeTimers(w(0, 2)), 1);
  assert.equal(h.numProcessingTimeTimers(w(2, 4)), 1);
  assert.equal(h.advanceProcessingTimeFor(2, w(0, 2)), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 1]);
  assert.equal(h.numProcessingTimeTimers(w(0, 2)), 0);
  assert.equal(h.numProcessingTimeTimers(w(2, 4)), 1);
  assert.equal(h.advanceProcessingTimeFor(4, w(2, 4)), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 0]);
});

test(C + 'testClear', () => {
  const h = new TriggerTestHarness(ProcessingTimeTrigger.create());
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.deepEqual(counts(h), [0, 0, 2]);
  h.clearTriggerState(w(2, 4));
  assert.deepEqual(counts(h), [0, 0, 1]);
  assert.equal(h.numProcessingTimeTimers(w(0, 2)), 1);
  assert.equal(h.numProcessingTimeTimers(w(2, 4)), 0);
  h.clearTriggerState(w(0, 2));
  assert.deepEqual(counts(h), [0, 0, 0]);
});

test(C + 'testMergingWindows', () => {
  const h = new TriggerTestHarness(ProcessingTimeTrigger.create());
  assert.equal(ProcessingTimeTrigger.create().canMerge(), true);
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.deepEqual(counts(h), [0, 0, 2]);
  h.mergeWindows(w(0, 4), [w(0, 2), w(2, 4)]);
  assert.deepEqual(counts(h), [0, 0, 1]);
  assert.equal(h.numProcessingTimeTimers(w(0, 4)), 1);
  assert.equal(h.advanceProcessingTimeFor(4, w(0, 4)), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 0]);
});

test(C + 'testMergingLateWindows', () => {
  const h = new TriggerTestHarness(ProcessingTimeTrigger.create());
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.deepEqual(counts(h), [0, 0, 2]);
  h.advanceProcessingTime(10);
  assert.deepEqual(counts(h), [0, 0, 0]);
  h.mergeWindows(w(0, 4), [w(0, 2), w(2, 4)]);
  assert.deepEqual(counts(h), [0, 0, 0]);
  assert.equal(h.numProcessingTimeTimers(w(0, 4)), 0);
});
