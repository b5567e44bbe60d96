/**
 * Port of Flink's `KeyedProcessOperatorTest` (flink-streaming-java, api/operators). Records
 * emitted from a processing-time timer carry no timestamp, as in current Flink (its operator
 * erases the timestamp there; the stored test from before that change expected the timer's time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedProcessOperator } from '../../../engine/runtime/operators/process.ts';
import { NO_TIMESTAMP } from '../../../engine/runtime/elements.ts';
import { ValueStateDescriptor } from '../../../engine/state/descriptors.ts';
import type { KeyedProcessFunction, RuntimeContext, TimeDomain } from '../../../engine/runtime/functions.ts';
import type { ValueState } from '../../../engine/state/state.ts';
import { OneInputOperatorHarness, type HarnessEvent } from '../../harness/operator-harness.ts';

const C = 'KeyedProcessOperatorTest#';

function harness<O>(fn: KeyedProcessFunction<number, number, O>, restore: ReturnType<OneInputOperatorHarness['snapshot']>[] = []) {
  const h = new OneInputOperatorHarness<O>(new KeyedProcessOperator<number, number, O>(fn), { keySelector: (x: number) => x });
  void h.open(restore);
  return h;
}

/** Flink's expected output: records (with timestamp, or none) and watermarks, in order. */
const rec = (value: unknown, timestamp = NO_TIMESTAMP): HarnessEvent => ({ kind: 'record', value, timestamp });
const wm = (timestamp: number): HarnessEvent => ({ kind: 'watermark', timestamp });

/** Emits `<value>TIME:<watermark or processing time> TS:<timestamp>` (Flink's QueryingFlatMapFunction). */
const querying = (domain: TimeDomain): KeyedProcessFunction<number, number, string> => ({
  processElement(value, ctx, out) {
    const time = domain === 'EVENT_TIME' ? ctx.timerService().currentWatermark() : ctx.timerService().currentProcessingTime();
    out.collect(`${value}TIME:${time} TS:${ctx.timestamp() ?? 'null'}`);
  },
  onTimer() {},
});

/** Emits the value and sets a timer 5 after the current time; the timer emits 1777 (TriggeringFlatMapFunction). */
const triggering = (domain: TimeDomain): KeyedProcessFunction<number, number, number> => ({
  processElement(value, ctx, out) {
    out.collect(value);
    if (domain === 'EVENT_TIME') ctx.timerService().registerEventTimeTimer(ctx.timerService().currentWatermark() + 5);
    else ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 5);
  },
  onTimer(_t, ctx, out) {
    assert.equal(ctx.timeDomain(), domain);
    out.collect(1777);
  },
});

/** Keeps the value in keyed state; the timer emits what the state holds (TriggeringStatefulFlatMapFunction). */
const triggeringStateful = (domain: TimeDomain): KeyedProcessFunction<number, number, string> => ({
  state: undefined as ValueState<number> | undefined,
  open(ctx: RuntimeContext) {
    this.state = ctx.getState(new ValueStateDescriptor<number>('seen-element'));
  },
  processElement(value, ctx, out) {
    out.collect(`INPUT:${value}`);
    this.state.update(value);
    if (domain === 'EVENT_TIME') ctx.timerService().registerEventTimeTimer(ctx.timerService().currentWatermark() + 5);
    else ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 5);
  },
  onTimer(_t, ctx, out) {
    assert.equal(ctx.timeDomain(), domain);
    out.collect(`STATE:${this.state.value()}`);
  },
});

test(C + 'testTimestampAndWatermarkQuerying', () => {
  const h = harness(querying('EVENT_TIME'));
  h.processWatermark(17);
  h.processElement(5, 12);
  h.processWatermark(42);
  h.processElement(6, 13);
  assert.deepEqual(h.events(), [wm(17), rec('5TIME:17 TS:12', 12), wm(42), rec('6TIME:42 TS:13', 13)]);
});

test(C + 'testTimestampAndProcessingTimeQuerying', () => {
  const h = harness(querying('PROCESSING_TIME'));
  h.setProcessingTime(17);
  h.processElement(5);
  h.setProcessingTime(42);
  h.processElement(6);
  assert.deepEqual(h.events(), [rec('5TIME:17 TS:null'), rec('6TIME:42 TS:null')]);
});

test(C + 'testEventTimeTimers', () => {
  const h = harness(triggering('EVENT_TIME'));
  h.processWatermark(0);
  h.processElement(17, 42);
  h.processWatermark(5);
  assert.deepEqual(h.events(), [wm(0), rec(17, 42), rec(1777, 5), wm(5)]);
});

test(C + 'testProcessingTimeTimers', () => {
  const h = harness(triggering('PROCESSING_TIME'));
  h.processElement(17);
  h.setProcessingTime(5);
  assert.deepEqual(h.events(), [rec(17), rec(1777)]);
});

test(C + 'testEventTimeTimerWithState', () => {
  const h = harness(triggeringStateful('EVENT_TIME'));
  h.processWatermark(1);
  h.processElement(17, 0); // timer at 6
  h.processWatermark(2);
  h.processElement(42, 1); // timer at 7
  h.processWatermark(6);
  h.processWatermark(7);
  assert.deepEqual(h.events(), [wm(1), rec('INPUT:17', 0), wm(2), rec('INPUT:42', 1), rec('STATE:17', 6), wm(6), rec('STATE:42', 7), wm(7)]);
});

test(C + 'testProcessingTimeTimerWithState', () => {
  const h = harness(triggeringStateful('PROCESSING_TIME'));
  h.setProcessingTime(1);
  h.processElement(17); // timer at 6
  h.setProcessingTime(2);
  h.processElement(42); // timer at 7
  h.setProcessingTime(6);
  h.setProcessingTime(7);
  assert.deepEqual(h.events(), [rec('INPUT:17'), rec('INPUT:42'), rec('STATE:17'), rec('STATE:42')]);
});

test(C + 'testSnapshotAndRestore', () => {
  const both: KeyedProcessFunction<number, number, string> = {
    processElement(_v, ctx) {
      ctx.timerService().registerProcessingTimeTimer(5);
      ctx.timerService().registerEventTimeTimer(6);
    },
    onTimer(_t, ctx, out) {
      out.collect(ctx.timeDomain() === 'EVENT_TIME' ? 'EVENT:1777' : 'PROC:1777');
    },
  };
  const h1 = harness(both);
  h1.processElement(5, 12);
  const snapshot = h1.snapshot();
  h1.close();
  const h2 = harness(both, [snapshot]);
  h2.setProcessingTime(5);
  h2.processWatermark(6);
  assert.deepEqual(h2.events(), [rec('PROC:1777'), rec('EVENT:1777', 6), wm(6)]);
});
