/**
 * Port of Flink's `ContinuousProcessingTimeTriggerTest` (flink-streaming-java,
 * runtime/operators/windowing): the trigger inside a window operator over one key (Flink's
 * NullByteKeySelector), with the same processing times and records, and the same firings
 * (window, sum of its records, at the window's last timestamp). Records without a timestamp are
 * Flink's NO_TIMESTAMP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContinuousProcessingTimeTrigger,
  createWindowOperator,
  ProcessingTimeSessionWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type TimeWindow,
  type WindowAssigner,
} from '../../../engine/runtime/windowing/index.ts';
import { OneInputOperatorHarness } from '../../harness/operator-harness.ts';

const C = 'ContinuousProcessingTimeTriggerTest#';

/** Flink's IntegerSumWindowFunction: the window and the sum of its records. */
function harness(assigner: WindowAssigner) {
  const op = createWindowOperator({
    assigner,
    trigger: ContinuousProcessingTimeTrigger.of(5),
    contents: { kind: 'list' },
    windowFunction: {
      kind: 'process',
      fn: (_key: number, ctx, els: Iterable<number>, out) => {
        const w = ctx.window as TimeWindow;
        out.collect([[w.start, w.end], [...els].reduce((a, b) => a + b, 0)]);
      },
    },
  });
  const h = new OneInputOperatorHarness(op, { keySelector: () => 0 });
  void h.open();
  return h;
}

/** `[[start, end], sum]` at `timestamp`. */
const fired = (start: number, end: number, sum: number, timestamp: number) => ({ value: [[start, end], sum], timestamp });

test(C + 'testProcessingTimeWindowFiring', () => {
  assert.equal(ContinuousProcessingTimeTrigger.of(5).canMerge(), true);
  const h = harness(TumblingProcessingTimeWindows.of(10));
  const expected: ReturnType<typeof fired>[] = [];
  h.setProcessingTime(0);
  h.processElement(1); // window [0, 10)
  h.setProcessingTime(2);
  h.processElement(2);
  h.setProcessingTime(5);
  expected.push(fired(0, 10, 3, 9));
  assert.deepEqual(h.output(), expected);
  h.setProcessingTime(7);
  h.processElement(3);
  h.setProcessingTime(9);
  expected.push(fired(0, 10, 6, 9));
  assert.deepEqual(h.output(), expected);
  h.setProcessingTime(10);
  h.processElement(3); // window [10, 20)
  h.setProcessingTime(15);
  expected.push(fired(10, 20, 3, 19));
  assert.deepEqual(h.output(), expected);
  h.setProcessingTime(18);
  h.processElement(3);
  h.setProcessingTime(20);
  expected.push(fired(10, 20, 6, 19));
  assert.deepEqual(h.output(), expected);
});

test(C + 'testEventTimeWindowFiring', () => {
  const h = harness(TumblingEventTimeWindows.of(10));
  const expected: ReturnType<typeof fired>[] = [];
  h.setProcessingTime(0);
  h.processElement(1, 1); // event-time window [0, 10)
  h.processElement(2, 3);
  h.processElement(3, 7);
  h.setProcessingTime(5);
  expected.push(fired(0, 10, 6, 9));
  assert.deepEqual(h.output(), expected);
  h.processElement(3, 8);
  h.setProcessingTime(10);
  expected.push(fired(0, 10, 9, 9));
  assert.deepEqual(h.output(), expected);
  h.processElement(3, 12); // event-time window [10, 20)
  h.setProcessingTime(15);
  expected.push(fired(10, 20, 3, 19));
  assert.deepEqual(h.output(), expected);
});

test(C + 'testMergingWindows', () => {
  assert.equal(ContinuousProcessingTimeTrigger.of(5).canMerge(), true);
  const h = harness(ProcessingTimeSessionWindows.withGap(10));
  const expected: ReturnType<typeof fired>[] = [];
  h.setProcessingTime(0);
  h.processElement(1); // window [0, 10)
  h.setProcessingTime(2);
  h.processElement(2); // window [2, 12), merged into [0, 12)
  h.setProcessingTime(5); // the merged timer still fires
  expected.push(fired(0, 12, 3, 11));
  assert.deepEqual(h.output(), expected);
  h.setProcessingTime(9);
  assert.deepEqual(h.output(), expected);
  h.setProcessingTime(10);
  expected.push(fired(0, 12, 3, 11));
  assert.deepEqual(h.output(), expected);
  h.setProcessingTime(15); // fires at the window's end
  expected.push(fired(0, 12, 3, 11));
  assert.deepEqual(h.output(), expected);
  h.setProcessingTime(100); // the window is gone
  assert.deepEqual(h.output(), expected);
});
