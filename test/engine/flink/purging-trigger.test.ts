/**
 * Port of Flink's `PurgingTriggerTest` (flink-streaming-java, runtime/operators/windowing). Flink
 * mocks the nested trigger; here it is a scripted trigger whose next result the test sets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PurgingTrigger, TimeWindow, Trigger, type TriggerContext, type TriggerResult } from '../../../engine/runtime/windowing/index.ts';
import { TriggerTestHarness } from '../../harness/trigger-harness.ts';

const C = 'PurgingTriggerTest#';
const w = (start: number, end: number) => new TimeWindow(start, end);

/** A trigger that answers what `next` says and records the calls it got. */
class ScriptedTrigger extends Trigger {
  next: TriggerResult = 'CONTINUE';
  onElementTimers: { domain: 'event' | 'processing'; times: number[] } | undefined;
  readonly calls: string[] = [];
  onElement(_e: unknown, _t: number, _w: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (this.onElementTimers) {
      for (const t of this.onElementTimers.times) {
        if (this.onElementTimers.domain === 'event') ctx.registerEventTimeTimer(t);
        else ctx.registerProcessingTimeTimer(t);
      }
      return 'CONTINUE';
    }
    return this.next;
  }
  onEventTime(): TriggerResult {
    return this.next;
  }
  onProcessingTime(): TriggerResult {
    return this.next;
  }
  clear(window: TimeWindow): void {
    this.calls.push(`clear ${window.start}-${window.end}`);
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: TimeWindow): void {
    this.calls.push(`merge ${window.start}-${window.end}`);
  }
}

test(C + 'testAllMethodsImplemented', () => {
  for (const method of ['onElement', 'onEventTime', 'onProcessingTime', 'clear', 'canMerge', 'onMerge', 'toString']) {
    assert.ok(Object.prototype.hasOwnProperty.call(PurgingTrigger.prototype, method), `PurgingTrigger implements ${method}`);
  }
});

test(C + 'testForwarding', () => {
  const nested = new ScriptedTrigger();
  const h = new TriggerTestHarness(PurgingTrigger.of(nested));
  const expected: [TriggerResult, TriggerResult][] = [
    ['CONTINUE', 'CONTINUE'],
    ['FIRE', 'FIRE_AND_PURGE'],
    ['FIRE_AND_PURGE', 'FIRE_AND_PURGE'],
    ['PURGE', 'PURGE'],
  ];
  for (const [given, out] of expected) {
    nested.next = given;
    assert.equal(h.processElement(1, w(0, 2)), out);
  }

  nested.onElementTimers = { domain: 'event', times: [1, 2, 3, 4] };
  h.processElement(1, w(0, 2));
  assert.equal(h.numEventTimeTimers(w(0, 2)), 4);
  expected.forEach(([given, out], i) => {
    nested.next = given;
    assert.equal(h.advanceWatermarkFor(i + 1, w(0, 2)), out);
  });

  nested.onElementTimers = { domain: 'processing', times: [1, 2, 3, 4] };
  h.processElement(1, w(0, 2));
  assert.equal(h.numProcessingTimeTimers(w(0, 2)), 4);
  assert.equal(h.numEventTimeTimers(w(0, 2)), 0);
  expected.forEach(([given, out], i) => {
    nested.next = given;
    assert.equal(h.advanceProcessingTimeFor(i + 1, w(0, 2)), out);
  });

  h.mergeWindows(w(0, 2), [w(0, 1)]);
  assert.equal(nested.calls.filter((c) => c.startsWith('merge')).length, 1);
  nested.calls.length = 0;
  h.clearTriggerState(w(0, 2));
  assert.deepEqual(nested.calls, ['clear 0-2']);
});
