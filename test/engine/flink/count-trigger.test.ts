/** Port of Flink's `CountTriggerTest` (flink-streaming-java, runtime/operators/windowing). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CountTrigger, TimeWindow } from '../../../engine/runtime/windowing/index.ts';
import { TriggerTestHarness } from '../../harness/trigger-harness.ts';

const C = 'CountTriggerTest#';
const w = (start: number, end: number) => new TimeWindow(start, end);

test(C + 'testWindowSeparationAndFiring', () => {
  const h = new TriggerTestHarness(CountTrigger.of(3));
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.equal(h.numProcessingTimeTimers(), 0);
  assert.equal(h.numEventTimeTimers(), 0);
  assert.equal(h.numStateEntries(), 2);
  assert.equal(h.numStateEntries(w(0, 2)), 1);
  assert.equal(h.numStateEntries(w(2, 4)), 1);
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(0, 2)), 'FIRE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.equal(h.numStateEntries(), 1); // the count is cleared when it fires
  assert.equal(h.numStateEntries(w(0, 2)), 0);
  assert.equal(h.numStateEntries(w(2, 4)), 1);
  assert.equal(h.processElement(1, w(2, 4)), 'FIRE');
  assert.equal(h.numStateEntries(), 0);
});

test(C + 'testClear', () => {
  const h = new TriggerTestHarness(CountTrigger.of(3));
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.equal(h.numProcessingTimeTimers(), 0);
  assert.equal(h.numEventTimeTimers(), 0);
  assert.equal(h.numStateEntries(), 2);
  h.clearTriggerState(w(2, 4));
  assert.equal(h.numStateEntries(), 1);
  assert.equal(h.numStateEntries(w(0, 2)), 1);
  assert.equal(h.numStateEntries(w(2, 4)), 0);
  h.clearTriggerState(w(0, 2));
  assert.equal(h.numStateEntries(), 0);
});

test(C + 'testMergingWindows', () => {
  const h = new TriggerTestHarness(CountTrigger.of(3));
  assert.equal(h.processElement(1, w(0, 2)), 'CONTINUE');
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.equal(h.processElement(1, w(4, 6)), 'CONTINUE');
  assert.equal(h.numProcessingTimeTimers() + h.numEventTimeTimers(), 0);
  assert.equal(h.numStateEntries(), 3);
  h.mergeWindows(w(0, 4), [w(0, 2), w(2, 4)]);
  assert.equal(h.numStateEntries(), 2);
  assert.equal(h.numStateEntries(w(0, 2)), 0);
  assert.equal(h.numStateEntries(w(2, 4)), 0);
  assert.equal(h.numStateEntries(w(0, 4)), 1);
  assert.equal(h.numStateEntries(w(4, 6)), 1);
  assert.equal(h.processElement(1, w(0, 4)), 'FIRE');
  assert.equal(h.numStateEntries(), 1);
  assert.equal(h.numStateEntries(w(0, 4)), 0);
  assert.equal(h.numStateEntries(w(4, 6)), 1);
  assert.equal(h.processElement(1, w(4, 6)), 'CONTINUE');
  assert.equal(h.processElement(1, w(4, 6)), 'FIRE');
  assert.equal(h.numStateEntries(), 0);
});

test(C + 'testMergeSubsumingWindow', () => {
  const h = new TriggerTestHarness(CountTrigger.of(3));
  assert.equal(h.processElement(1, w(2, 4)), 'CONTINUE');
  assert.equal(h.processElement(1, w(4, 6)), 'CONTINUE');
  assert.equal(h.numProcessingTimeTimers() + h.numEventTimeTimers(), 0);
  assert.equal(h.numStateEntries(), 2);
  h.mergeWindows(w(0, 8), [w(2, 4), w(4, 6)]);
  assert.equal(h.numStateEntries(), 1);
  assert.equal(h.numStateEntries(w(0, 8)), 1);
  assert.equal(h.processElement(1, w(0, 8)), 'FIRE');
  assert.equal(h.numStateEntries(), 0);
});
