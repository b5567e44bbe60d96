import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountTrigger,
  createWindowOperator,
  EventTimeTrigger,
  GlobalWindows,
  isFire,
  isPurge,
  ProcessingTimeTrigger,
  PurgingTrigger,
  TimeWindow,
  Trigger,
  TriggerResult,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type TriggerContext,
  type WindowOperator,
  type WindowOperatorSpec,
} from '../../../../engine/runtime/windowing/index.ts';
import { ValueStateDescriptor } from '../../../../engine/state/descriptors.ts';
import { InvalidPipelineError } from '../../../../engine/runtime/errors.ts';
import { OneInputOperatorHarness } from '../../../harness/operator-harness.ts';

interface Ev {
  k: string;
  v: number;
}
const ev = (k: string, v: number): Ev => ({ k, v });

function harness(spec: Pick<WindowOperatorSpec, 'assigner' | 'trigger'>) {
  const op = createWindowOperator({
    ...spec,
    contents: { kind: 'reduce', reduce: (a: Ev, b: Ev) => ({ k: a.k, v: a.v + b.v }) },
    windowFunction: { kind: 'simple', fn: (_k: string, _w: unknown, r: Ev) => r.v },
  }) as WindowOperator;
  const h = new OneInputOperatorHarness(op, { keySelector: (e: Ev) => e.k });
  h.open();
  return h;
}

describe('TriggerResult', () => {
  test('fire and purge flags', () => {
    assert.deepEqual(
      [TriggerResult.CONTINUE, TriggerResult.FIRE, TriggerResult.PURGE, TriggerResult.FIRE_AND_PURGE].map((r) => [isFire(r), isPurge(r)]),
      [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ],
    );
  });
});

describe('CountTrigger and PurgingTrigger', () => {
  test('CountTrigger fires every n records per key with the running contents', () => {
    const h = harness({ assigner: GlobalWindows.create(), trigger: CountTrigger.of(2) });
    for (const v of [1, 2, 3, 4, 5]) h.processElement(ev('a', v));
    h.processElement(ev('b', 100));
    assert.deepEqual(h.outputValues(), [1 + 2, 1 + 2 + 3 + 4]);
  });

  test('PurgingTrigger(CountTrigger) emits each batch once', () => {
    const h = harness({ assigner: GlobalWindows.create(), trigger: PurgingTrigger.of(CountTrigger.of(2)) });
    for (const v of [1, 2, 3, 4, 5]) h.processElement(ev('a', v));
    assert.deepEqual(h.outputValues(), [1 + 2, 3 + 4]);
  });

  test('PurgingTrigger(EventTimeTrigger) with lateness: a late firing emits only the late records', () => {
    const op = createWindowOperator({
      assigner: TumblingEventTimeWindows.of(10),
      trigger: PurgingTrigger.of(EventTimeTrigger.create()),
      allowedLateness: 100,
      contents: { kind: 'reduce', reduce: (a: number, b: number) => a + b },
      windowFunction: { kind: 'pass' },
    });
    const h = new OneInputOperatorHarness(op, { keySelector: () => 'k' });
    h.open();
    h.processElement(1, 1);
    h.processElement(2, 2);
    h.processWatermark(9);
    h.processElement(4, 3);
    assert.deepEqual(h.outputValues(), [3, 4]);
  });

  test('invalid counts are rejected with the value', () => {
    assert.throws(() => CountTrigger.of(0), (e: unknown) => e instanceof InvalidPipelineError && /CountTrigger\.of: maxCount must be a positive number, got 0/.test(e.message));
    assert.throws(() => ContinuousEventTimeTrigger.of(-1), /ContinuousEventTimeTrigger\.of: interval must be a positive number, got -1/);
    assert.throws(() => ContinuousProcessingTimeTrigger.of(0), /ContinuousProcessingTimeTrigger\.of: interval must be a positive number, got 0/);
  });
});

describe('continuous triggers', () => {
  test('ContinuousEventTimeTrigger fires every interval of event time, then at the end of the window', () => {
    const h = harness({ assigner: TumblingEventTimeWindows.of(20), trigger: ContinuousEventTimeTrigger.of(5) });
    h.processElement(ev('a', 1), 1);
    h.processElement(ev('a', 2), 3);
    h.processWatermark(4);
    assert.deepEqual(h.outputValues(), []);
    h.processWatermark(5);
    assert.deepEqual(h.outputValues(), [3]);
    h.processElement(ev('a', 4), 7);
    h.processWatermark(10);
    h.processElement(ev('a', 8), 12);
    h.processWatermark(15);
    assert.deepEqual(h.outputValues(), [3, 7, 15]);
    h.processWatermark(19);
    assert.deepEqual(h.output().slice(3), [{ value: 15, timestamp: 19 }]);
    h.processWatermark(100);
    assert.equal(h.output().length, 4);
  });

  test('ContinuousEventTimeTrigger on a global window stops re-arming at the final watermark', () => {
    const h = harness({ assigner: GlobalWindows.create(), trigger: ContinuousEventTimeTrigger.of(5) });
    h.processElement(ev('a', 1), 1);
    h.processElement(ev('a', 2), 6);
    h.processWatermark(12);
    assert.deepEqual(h.outputValues(), [3, 3]); // at 5 and 10
    h.processWatermark(Infinity); // fires the pending firing at 15, and returns (no re-arming forever)
    assert.deepEqual(h.outputValues().slice(0, 3), [3, 3, 3]);
  });

  test(
    'a timer at the end of a global window (Infinity) fires at the final watermark, as in Flink',
    () => {
      const h = harness({ assigner: GlobalWindows.create(), trigger: EventTimeTrigger.create() });
      h.processElement(ev('a', 1), 1);
      h.processElement(ev('a', 2), 6);
      h.processWatermark(Infinity);
      assert.deepEqual(h.output(), [{ value: 3, timestamp: Infinity }]);
    },
  );

  test('ContinuousProcessingTimeTrigger fires every interval of the manual clock', () => {
    const h = harness({ assigner: TumblingProcessingTimeWindows.of(20), trigger: ContinuousProcessingTimeTrigger.of(5) });
    h.setProcessingTime(2);
    h.processElement(ev('a', 1));
    h.setProcessingTime(4);
    assert.deepEqual(h.outputValues(), []);
    h.setProcessingTime(5);
    assert.deepEqual(h.outputValues(), [1]);
    h.processElement(ev('a', 2));
    h.setProcessingTime(12);
    assert.deepEqual(h.outputValues(), [1, 3]); // at 10
    h.processElement(ev('a', 4));
    h.setProcessingTime(19); // at 15, and at 19 = min(20, maxTimestamp) before cleanup
    assert.deepEqual(h.output().slice(2), [
      { value: 7, timestamp: 19 },
      { value: 7, timestamp: 19 },
    ]);
    h.setProcessingTime(100);
    assert.equal(h.output().length, 4);
  });
});

describe('processing-time trigger', () => {
  test('fires at the window end on the manual clock, once', () => {
    const h = harness({ assigner: TumblingProcessingTimeWindows.of(100), trigger: ProcessingTimeTrigger.create() });
    h.setProcessingTime(10);
    h.processElement(ev('a', 1));
    h.setProcessingTime(50);
    h.processElement(ev('a', 2));
    h.setProcessingTime(98);
    assert.deepEqual(h.output(), []);
    h.setProcessingTime(99);
    assert.deepEqual(h.output(), [{ value: 3, timestamp: 99 }]);
    h.setProcessingTime(1000);
    assert.equal(h.output().length, 1);
  });
});

describe('custom triggers', () => {
  test('a trigger keeps per-window state through the context and cleans it in clear', () => {
    const max = new ValueStateDescriptor<number>('max');
    /** Fires when a record exceeds the window's maximum so far by 10 or more. */
    class JumpTrigger extends Trigger<Ev, TimeWindow> {
      onElement(e: Ev, _ts: number, w: TimeWindow, ctx: TriggerContext) {
        const m = ctx.getPartitionedState(max);
        const prev = m.value();
        m.update(Math.max(prev ?? e.v, e.v));
        ctx.registerEventTimeTimer(w.maxTimestamp());
        return prev !== undefined && e.v - prev >= 10 ? TriggerResult.FIRE : TriggerResult.CONTINUE;
      }
      onEventTime(t: number, w: TimeWindow) {
        return t === w.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
      }
      onProcessingTime() {
        return TriggerResult.CONTINUE;
      }
      clear(w: TimeWindow, ctx: TriggerContext) {
        ctx.getPartitionedState(max).clear();
        ctx.deleteEventTimeTimer(w.maxTimestamp());
      }
    }
    const h = harness({ assigner: TumblingEventTimeWindows.of(10), trigger: new JumpTrigger() });
    h.processElement(ev('a', 1), 1);
    h.processElement(ev('a', 5), 2);
    h.processElement(ev('a', 20), 3);
    h.processElement(ev('b', 30), 3);
    assert.deepEqual(h.outputValues(), [26]);
    h.processWatermark(9);
    assert.deepEqual(h.outputValues(), [26, 26, 30]);
    const op = h.operator as WindowOperator;
    assert.equal(op.stateEntries(), 0);
  });
});
