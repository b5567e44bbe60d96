/**
 * Port of Flink's `ProcessingTimeoutTriggerTest` (flink-streaming-java,
 * runtime/operators/windowing). Flink's trigger harness starts processing time at
 * Long.MIN_VALUE; `MIN` stands for it here (JavaScript numbers cannot hold it exactly).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CountTrigger, ProcessingTimeoutTrigger, ProcessingTimeTrigger, PurgingTrigger, TimeWindow } from '../../../engine/runtime/windowing/index.ts';
import { TriggerTestHarness } from '../../harness/trigger-harness.ts';

const C = 'ProcessingTimeoutTriggerTest#';
const MIN = -1e15;
const w = new TimeWindow(0, 2);
const counts = (h: TriggerTestHarness) => [h.numStateEntries(), h.numProcessingTimeTimers(), h.numEventTimeTimers()];

test(C + 'testWindowFireWithoutResetTimer', () => {
  const h = new TriggerTestHarness(ProcessingTimeoutTrigger.of(CountTrigger.of(3), 50, false, true), MIN);
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.deepEqual(counts(h), [2, 1, 0]); // one state each for the timeout and the count
  assert.throws(() => h.advanceProcessingTimeFor(MIN + 40, w), /Must have exactly one timer firing/);
  assert.equal(h.advanceProcessingTimeFor(MIN + 50, w), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 0]);
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.equal(h.processElement(1, w), 'FIRE');
});

test(C + 'testWindowFireWithResetTimer', () => {
  const h = new TriggerTestHarness(ProcessingTimeoutTrigger.of(CountTrigger.of(3), 50, true, true), MIN);
  assert.throws(() => h.advanceProcessingTimeFor(0, w), /Must have exactly one timer firing/);
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.throws(() => h.advanceProcessingTimeFor(10, w), /Must have exactly one timer firing/);
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.deepEqual(counts(h), [2, 1, 0]);
  // not at 50: the second record reset the timer to 60
  assert.throws(() => h.advanceProcessingTimeFor(50, w), /Must have exactly one timer firing/);
  assert.equal(h.advanceProcessingTimeFor(60, w), 'FIRE');
  assert.deepEqual(counts(h), [0, 0, 0]);
  assert.equal(h.processElement(1, w, 0), 'CONTINUE');
  assert.equal(h.processElement(1, w, 10), 'CONTINUE');
  assert.equal(h.processElement(1, w, 20), 'FIRE');
});

test(C + 'testWindowFireWithoutClearOnTimeout', () => {
  const h = new TriggerTestHarness(ProcessingTimeoutTrigger.of(CountTrigger.of(3), 50, false, false), MIN);
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.deepEqual(counts(h), [2, 1, 0]);
  assert.equal(h.advanceProcessingTimeFor(MIN + 50, w), 'FIRE');
  assert.deepEqual(counts(h), [2, 0, 0], 'nothing cleared: neither the count nor the timeout state');
});

test(C + 'testWindowPurgingWhenInnerTriggerIsPurging', () => {
  const h = new TriggerTestHarness(ProcessingTimeoutTrigger.of(PurgingTrigger.of(ProcessingTimeTrigger.create()), 50, false, false), MIN);
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.equal(h.processElement(1, w), 'CONTINUE');
  assert.deepEqual(counts(h), [1, 2, 0]); // the timeout's state; its timer and the window-end timer
  assert.equal(h.advanceProcessingTimeFor(MIN + 50, w), 'FIRE_AND_PURGE');
  assert.deepEqual(counts(h), [1, 1, 0]);
});
