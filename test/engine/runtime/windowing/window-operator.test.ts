import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createWindowOperator,
  EventTimeSessionWindows,
  GlobalWindows,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WindowOperator,
  type WindowOperatorSpec,
  type Window,
  Trigger,
  CountTrigger,
  countWindowSpec,
  type ProcessWindowFunctionObject,
} from '../../../../engine/runtime/windowing/index.ts';
import { ValueStateDescriptor } from '../../../../engine/state/descriptors.ts';
import { InvalidPipelineError } from '../../../../engine/runtime/errors.ts';
import { OneInputOperatorHarness, type HarnessOptions } from '../../../harness/operator-harness.ts';

interface Ev {
  k: string;
  v: number;
}

const ev = (k: string, v: number): Ev => ({ k, v });
const sum = (a: Ev, b: Ev): Ev => ({ k: a.k, v: a.v + b.v });

/** Emits `{ key, start, end, v }` per firing: what most tests assert on. */
function summing(spec: Partial<WindowOperatorSpec> & Pick<WindowOperatorSpec, 'assigner'>, options: HarnessOptions = {}) {
  const op = createWindowOperator({
    contents: { kind: 'reduce', reduce: sum },
    windowFunction: { kind: 'simple', fn: (key: string, w: TimeWindow, r: Ev) => ({ key, start: w.start, end: w.end, v: r.v }) },
    ...spec,
  }) as WindowOperator;
  const h = new OneInputOperatorHarness(op, { keySelector: (e: Ev) => e.k, ...options });
  h.open();
  return { h, op };
}

/** Event-time timers and state entries left in the operator (everything must be cleaned up). */
function leftovers(op: WindowOperator): { timers: number; state: number } {
  const timers = (op as unknown as { timers: { eventTimers: { size: number }; processingTimers: { size: number } } }).timers;
  return { timers: timers.eventTimers.size + timers.processingTimers.size, state: op.stateEntries() };
}

describe('tumbling event-time windows', () => {
  test('fire per key when the watermark passes the end, stamped with maxTimestamp, before the watermark', () => {
    const { h, op } = summing({ assigner: TumblingEventTimeWindows.of(10) });
    h.processElement(ev('a', 1), 1);
    h.processElement(ev('a', 2), 5);
    h.processElement(ev('b', 10), 3);
    h.processElement(ev('a', 4), 12);
    h.processWatermark(8);
    assert.deepEqual(h.output(), []);
    h.processWatermark(9);
    assert.deepEqual(h.events(), [
      { kind: 'watermark', timestamp: 8 },
      { kind: 'record', value: { key: 'a', start: 0, end: 10, v: 3 }, timestamp: 9 },
      { kind: 'record', value: { key: 'b', start: 0, end: 10, v: 10 }, timestamp: 9 },
      { kind: 'watermark', timestamp: 9 },
    ]);
    h.processWatermark(Infinity);
    assert.deepEqual(h.output().slice(2), [{ value: { key: 'a', start: 10, end: 20, v: 4 }, timestamp: 19 }]);
    assert.deepEqual(h.watermarks(), [8, 9, Infinity]);
    assert.deepEqual(leftovers(op), { timers: 0, state: 0 });
  });

  test('offset and negative timestamps', () => {
    const { h } = summing({ assigner: TumblingEventTimeWindows.of(10, 3) });
    h.processElement(ev('a', 1), -8);
    h.processElement(ev('a', 2), 2);
    h.processElement(ev('a', 4), 3);
    h.processWatermark(Infinity);
    assert.deepEqual(h.outputValues(), [
      { key: 'a', start: -17, end: -7, v: 1 },
      { key: 'a', start: -7, end: 3, v: 2 },
      { key: 'a', start: 3, end: 13, v: 4 },
    ]);
  });

  test('a record without a timestamp fails with advice', () => {
    const { h } = summing({ assigner: TumblingEventTimeWindows.of(10) });
    assert.throws(() => h.processElement(ev('a', 1)), /Record has no timestamp: call assignTimestampsAndWatermarks\(\.\.\.\) before an event-time window, or use a processing-time window/);
  });

  test('aggregate contents with pass-through emit the aggregate result', () => {
    const avg = {
      createAccumulator: () => ({ s: 0, n: 0 }),
      add: (e: Ev, a: { s: number; n: number }) => ({ s: a.s + e.v, n: a.n + 1 }),
      getResult: (a: { s: number; n: number }) => a.s / a.n,
      merge: (a: { s: number; n: number }, b: { s: number; n: number }) => ({ s: a.s + b.s, n: a.n + b.n }),
    };
    const op = createWindowOperator({ assigner: TumblingEventTimeWindows.of(10), contents: { kind: 'aggregate', aggregate: avg }, windowFunction: { kind: 'pass' } });
    const h = new OneInputOperatorHarness(op, { keySelector: (e: Ev) => e.k });
    h.open();
    h.processElements([
      [ev('a', 1), 0],
      [ev('a', 2), 1],
      [ev('a', 6), 9],
    ]);
    h.processWatermark(20);
    assert.deepEqual(h.output(), [{ value: 3, timestamp: 9 }]);
  });

  test('a simple window function returning undefined emits nothing', () => {
    const { h } = summing({
      assigner: TumblingEventTimeWindows.of(10),
      windowFunction: { kind: 'simple', fn: (_k: string, _w: TimeWindow, r: Ev) => (r.v > 5 ? r.v : undefined) },
    });
    h.processElement(ev('a', 1), 0);
    h.processElement(ev('b', 9), 0);
    h.processWatermark(9);
    assert.deepEqual(h.outputValues(), [9]);
  });

  test('a watermark that does not advance is not forwarded and fires nothing', () => {
    const { h } = summing({ assigner: TumblingEventTimeWindows.of(10) });
    h.processWatermark(5);
    h.processElement(ev('a', 1), 7);
    h.processWatermark(5);
    h.processWatermark(3);
    assert.deepEqual(h.watermarks(), [5]);
    h.processWatermark(9);
    assert.deepEqual(h.outputValues(), [{ key: 'a', start: 0, end: 10, v: 1 }]);
  });
});

describe('sliding event-time windows', () => {
  test('a record counts in each of its size/slide windows', () => {
    const { h } = summing({ assigner: SlidingEventTimeWindows.of(10, 5) });
    h.processElement(ev('a', 1), 3);
    h.processElement(ev('a', 10), 7);
    h.processElement(ev('a', 100), 12);
    h.processWatermark(Infinity);
    assert.deepEqual(h.output(), [
      { value: { key: 'a', start: -5, end: 5, v: 1 }, timestamp: 4 },
      { value: { key: 'a', start: 0, end: 10, v: 11 }, timestamp: 9 },
      { value: { key: 'a', start: 5, end: 15, v: 110 }, timestamp: 14 },
      { value: { key: 'a', start: 10, end: 20, v: 100 }, timestamp: 19 },
    ]);
  });

  test('a record late for some of its windows still counts in the others', () => {
    const { h, op } = summing({ assigner: SlidingEventTimeWindows.of(10, 5) });
    h.processWatermark(10);
    h.processElement(ev('a', 1), 7); // [0,10) is late, [5,15) is not
    h.processWatermark(Infinity);
    assert.deepEqual(h.outputValues(), [{ key: 'a', start: 5, end: 15, v: 1 }]);
    assert.equal(op.numLateRecordsDropped, 0);
  });
});

describe('lateness', () => {
  test('late records are dropped and counted by default', () => {
    const { h, op } = summing({ assigner: TumblingEventTimeWindows.of(10) });
    h.processElement(ev('a', 1), 5);
    h.processWatermark(9);
    h.processElement(ev('a', 2), 9);
    h.processElement(ev('a', 4), 0);
    h.processWatermark(Infinity);
    assert.deepEqual(h.outputValues(), [{ key: 'a', start: 0, end: 10, v: 1 }]);
    assert.equal(op.numLateRecordsDropped, 2);
  });

  test('with allowed lateness a late record fires the window again with the update; after it, the record is dropped', () => {
    const { h, op } = summing({ assigner: TumblingEventTimeWindows.of(10), allowedLateness: 5 });
    h.processElement(ev('a', 1), 5);
    h.processWatermark(9);
    assert.deepEqual(h.outputValues(), [{ key: 'a', start: 0, end: 10, v: 1 }]);
    h.processElement(ev('a', 2), 3); // late but allowed: fires at once
    assert.deepEqual(h.output().slice(1), [{ value: { key: 'a', start: 0, end: 10, v: 3 }, timestamp: 9 }]);
    h.processWatermark(13);
    h.processElement(ev('a', 4), 1); // 9 + 5 > 13: still allowed
    assert.deepEqual(h.outputValues().slice(2), [{ key: 'a', start: 0, end: 10, v: 7 }]);
    h.processWatermark(14); // 9 + 5 <= 14: the window is cleaned up
    assert.deepEqual(leftovers(op), { timers: 0, state: 0 });
    h.processElement(ev('a', 8), 2);
    h.processWatermark(Infinity);
    assert.equal(h.output().length, 3);
    assert.equal(op.numLateRecordsDropped, 1);
  });

  test('late records go to the late side output with their own timestamp, and are not counted as dropped', () => {
    const { h, op } = summing({ assigner: TumblingEventTimeWindows.of(10), allowedLateness: 2, lateDataTag: 'late' });
    h.processElement(ev('a', 1), 5);
    h.processWatermark(11);
    h.processElement(ev('a', 2), 4); // too late: 9 + 2 <= 11
    h.processElement(ev('a', 3), 12); // on time
    h.processWatermark(Infinity);
    assert.deepEqual(h.sideOutput('late'), [{ value: ev('a', 2), timestamp: 4 }]);
    assert.equal(op.numLateRecordsDropped, 0);
    assert.deepEqual(
      h.outputValues().map((r) => (r as { v: number }).v),
      [1, 3],
    );
  });
});

describe('session windows', () => {
  test('records within the gap merge into one session; a gap ends it', () => {
    const { h, op } = summing({ assigner: EventTimeSessionWindows.withGap(10) });
    h.processElement(ev('a', 1), 0);
    h.processElement(ev('a', 2), 5);
    h.processElement(ev('a', 4), 30);
    h.processElement(ev('b', 8), 7);
    h.processWatermark(14);
    assert.deepEqual(h.output(), [{ value: { key: 'a', start: 0, end: 15, v: 3 }, timestamp: 14 }]);
    h.processWatermark(Infinity);
    assert.deepEqual(h.outputValues().slice(1), [
      { key: 'b', start: 7, end: 17, v: 8 },
      { key: 'a', start: 30, end: 40, v: 4 },
    ]);
    assert.deepEqual(leftovers(op), { timers: 0, state: 0 });
  });

  test('out-of-order records merge, and a record between two sessions bridges them into one', () => {
    const { h, op } = summing({ assigner: EventTimeSessionWindows.withGap(10) });
    h.processElement(ev('a', 1), 20);
    h.processElement(ev('a', 2), 0);
    h.processWatermark(5);
    assert.equal(leftovers(op).timers, 2); // [0,10) and [20,30)
    h.processElement(ev('a', 4), 10); // [10,20) touches both
    assert.equal(leftovers(op).timers, 1); // only the merged window's timer is left
    h.processWatermark(19);
    assert.deepEqual(h.output(), []);
    h.processWatermark(29);
    assert.deepEqual(h.output(), [{ value: { key: 'a', start: 0, end: 30, v: 7 }, timestamp: 29 }]);
    assert.deepEqual(leftovers(op), { timers: 0, state: 0 });
  });

  test('a late-but-allowed record bridges a fired session with a later one; merged-away windows are cleaned up', () => {
    const { h, op } = summing({ assigner: EventTimeSessionWindows.withGap(10), allowedLateness: 100 });
    h.processElement(ev('a', 1), 0);
    h.processElement(ev('a', 2), 20);
    h.processWatermark(15); // fires [0,10), which stays for its lateness
    assert.deepEqual(h.outputValues(), [{ key: 'a', start: 0, end: 10, v: 1 }]);
    h.processElement(ev('a', 4), 10);
    // [0,30) has its end timer (29) and cleanup timer (129); the merged windows' timers are gone.
    assert.equal(leftovers(op).timers, 2);
    h.processWatermark(29);
    assert.deepEqual(h.outputValues().slice(1), [{ key: 'a', start: 0, end: 30, v: 7 }]);
    h.processWatermark(128);
    assert.equal(h.output().length, 2, 'no firing from the merged-away windows');
    assert.ok(leftovers(op).state > 0);
    h.processWatermark(129); // cleanup of [0,30) at 29 + 100
    assert.deepEqual(leftovers(op), { timers: 0, state: 0 });
  });

  test('a record inside an existing session does not extend it', () => {
    const { h } = summing({ assigner: EventTimeSessionWindows.withDynamicGap((e: Ev) => (e.v === 1 ? 20 : 2)) });
    h.processElement(ev('a', 1), 0); // [0,20)
    h.processElement(ev('a', 2), 5); // [5,7) inside
    h.processWatermark(Infinity);
    assert.deepEqual(h.outputValues(), [{ key: 'a', start: 0, end: 20, v: 3 }]);
  });

  test('a late record that would open its own session is dropped', () => {
    const { h, op } = summing({ assigner: EventTimeSessionWindows.withGap(10) });
    h.processElement(ev('a', 1), 100);
    h.processWatermark(50);
    h.processElement(ev('a', 2), 10); // [10,20) is late
    h.processWatermark(Infinity);
    assert.deepEqual(h.outputValues(), [{ key: 'a', start: 100, end: 110, v: 1 }]);
    assert.equal(op.numLateRecordsDropped, 1);
  });

  test('processing-time sessions close after the gap on the manual clock', () => {
    const { h } = summing({ assigner: ProcessingTimeSessionWindows.withGap(10) });
    h.setProcessingTime(0);
    h.processElement(ev('a', 1));
    h.setProcessingTime(8);
    h.processElement(ev('a', 2)); // [8,18) merges with [0,10)
    h.setProcessingTime(16);
    assert.deepEqual(h.output(), []);
    h.setProcessingTime(17);
    assert.deepEqual(h.output(), [{ value: { key: 'a', start: 0, end: 18, v: 3 }, timestamp: 17 }]);
  });

  test('count trigger state merges with the sessions', () => {
    const { h } = summing({ assigner: EventTimeSessionWindows.withGap(10), trigger: CountTrigger.of(3) });
    h.processElement(ev('a', 1), 0);
    h.processElement(ev('a', 2), 20);
    assert.deepEqual(h.output(), []);
    h.processElement(ev('a', 4), 10); // bridges: counts 1 + 1 merge, + 1 = 3
    assert.deepEqual(h.outputValues(), [{ key: 'a', start: 0, end: 30, v: 7 }]);
  });

  test('per-window state is refused for merging windows', () => {
    const op = createWindowOperator({
      assigner: EventTimeSessionWindows.withGap(10),
      contents: { kind: 'list' },
      windowFunction: { kind: 'process', fn: (_k, ctx) => ctx.windowState() },
    });
    const h = new OneInputOperatorHarness(op, { keySelector: (e: Ev) => e.k });
    h.open();
    h.processElement(ev('a', 1), 0);
    assert.throws(() => h.processWatermark(Infinity), /Per-window state is not available for merging \(session\) windows/);
  });
});

describe('processing-time windows', () => {
  test('tumbling windows fire when the manual clock passes their end', () => {
    const { h, op } = summing({ assigner: TumblingProcessingTimeWindows.of(10) });
    h.setProcessingTime(3);
    h.processElement(ev('a', 1));
    h.processElement(ev('b', 2));
    h.setProcessingTime(8);
    h.processElement(ev('a', 4));
    assert.deepEqual(h.output(), []);
    h.setProcessingTime(9);
    assert.deepEqual(h.output(), [
      { value: { key: 'a', start: 0, end: 10, v: 5 }, timestamp: 9 },
      { value: { key: 'b', start: 0, end: 10, v: 2 }, timestamp: 9 },
    ]);
    assert.deepEqual(leftovers(op), { timers: 0, state: 0 });
  });

  test('in batch mode processing-time windows fire at end of input', () => {
    const { h } = summing({ assigner: TumblingProcessingTimeWindows.of(10) }, { mode: 'batch' });
    h.processElement(ev('a', 1));
    h.processElement(ev('a', 2));
    assert.deepEqual(h.output(), []);
    h.endInput();
    assert.deepEqual(h.outputValues(), [{ key: 'a', start: 0, end: 10, v: 3 }]);
  });
});

describe('process window function', () => {
  test('sees all elements, the window, time, per-window and global state, and can emit to side outputs', () => {
    const firings = new ValueStateDescriptor<number>('firings', 0);
    const windowsSeen = new ValueStateDescriptor<number>('windows-seen', 0);
    const cleared: number[] = [];
    const fn: ProcessWindowFunctionObject<Ev, unknown, string, TimeWindow> = {
      process(key, ctx, elements, out) {
        const f = ctx.windowState().getState(firings);
        f.update(f.value()! + 1);
        const g = ctx.globalState().getState(windowsSeen);
        if (f.value() === 1) g.update(g.value()! + 1);
        const values = [...elements].map((e) => e.v);
        out.collect({ key, start: ctx.window.start, end: ctx.window.end, values, firing: f.value(), windowsOfKey: g.value(), wm: ctx.currentWatermark() });
        if (values.length > 2) ctx.output('big', { key, n: values.length });
      },
      clear(ctx) {
        cleared.push(ctx.window.start);
        ctx.windowState().getState(firings).clear();
      },
    };
    const op = createWindowOperator({
      assigner: TumblingEventTimeWindows.of(10),
      allowedLateness: 10,
      contents: { kind: 'list' },
      windowFunction: { kind: 'process', fn },
    }) as WindowOperator;
    const h = new OneInputOperatorHarness(op, { keySelector: (e: Ev) => e.k });
    h.open();
    h.processElement(ev('a', 1), 1);
    h.processElement(ev('a', 2), 2);
    h.processWatermark(9);
    h.processElement(ev('a', 3), 3); // late, allowed: second firing
    h.processElement(ev('a', 4), 12);
    h.processWatermark(19);
    assert.deepEqual(h.output(), [
      { value: { key: 'a', start: 0, end: 10, values: [1, 2], firing: 1, windowsOfKey: 1, wm: 9 }, timestamp: 9 },
      { value: { key: 'a', start: 0, end: 10, values: [1, 2, 3], firing: 2, windowsOfKey: 1, wm: 9 }, timestamp: 9 },
      { value: { key: 'a', start: 10, end: 20, values: [4], firing: 1, windowsOfKey: 2, wm: 19 }, timestamp: 19 },
    ]);
    assert.deepEqual(h.sideOutput('big'), [{ value: { key: 'a', n: 3 }, timestamp: 9 }]);
    assert.deepEqual(cleared, [0]); // [0,10) cleaned at 9 + 10 <= 19
    h.processWatermark(Infinity);
    assert.deepEqual(cleared, [0, 10]);
    assert.equal(op.stateEntries(), 1, 'only the per-key global state is left');
  });

  test('after an incremental aggregate, elements is the single result', () => {
    const seen: unknown[][] = [];
    const op = createWindowOperator({
      assigner: TumblingEventTimeWindows.of(10),
      contents: { kind: 'reduce', reduce: sum },
      windowFunction: {
        kind: 'process',
        fn: (key: string, ctx, elements: Iterable<Ev>, out) => {
          seen.push([...elements]);
          out.collect(`${key}@${(ctx.window as TimeWindow).end}`);
        },
      },
    });
    const h = new OneInputOperatorHarness(op, { keySelector: (e: Ev) => e.k });
    h.open();
    h.processElement(ev('a', 1), 1);
    h.processElement(ev('a', 2), 2);
    h.processWatermark(Infinity);
    assert.deepEqual(seen, [[ev('a', 3)]]);
    assert.deepEqual(h.output(), [{ value: 'a@10', timestamp: 9 }]);
  });

  test('the same state name in windowState() and globalState() is an error, not a silent collision', () => {
    const d = new ValueStateDescriptor<number>('x');
    const op = createWindowOperator({
      assigner: TumblingEventTimeWindows.of(10),
      contents: { kind: 'list' },
      windowFunction: {
        kind: 'process',
        fn: (_k, ctx) => {
          ctx.windowState().getState(d);
          ctx.globalState().getState(d);
        },
      },
    });
    const h = new OneInputOperatorHarness(op, { keySelector: (e: Ev) => e.k });
    h.open();
    h.processElement(ev('a', 1), 1);
    assert.throws(() => h.processWatermark(Infinity), /State 'x' is used in both windowState\(\) and globalState\(\)/);
  });
});

describe('count windows', () => {
  test('tumbling: every n records of a key, then purged; a partial window never fires', () => {
    const { h } = summing({ ...countWindowSpec(3), windowFunction: { kind: 'pass' } });
    for (let i = 1; i <= 7; i++) h.processElement(ev(i % 2 ? 'odd' : 'even', i));
    assert.deepEqual(h.output(), [
      { value: ev('odd', 1 + 3 + 5), timestamp: Infinity },
      { value: ev('even', 2 + 4 + 6), timestamp: Infinity },
    ]);
    for (let i = 8; i <= 12; i++) h.processElement(ev(i % 2 ? 'odd' : 'even', i));
    h.processWatermark(Infinity);
    h.endInput();
    assert.deepEqual(h.outputValues().slice(2), [ev('odd', 7 + 9 + 11), ev('even', 8 + 10 + 12)]);
  });

  test('sliding: the last size records every slide records', () => {
    const { h } = summing({ ...countWindowSpec(3, 2), windowFunction: { kind: 'pass' } });
    for (let i = 1; i <= 6; i++) h.processElement(ev('a', i));
    assert.deepEqual(h.outputValues(), [ev('a', 1 + 2), ev('a', 2 + 3 + 4), ev('a', 4 + 5 + 6)]);
  });

  test('global windows with the default trigger never fire, even at the end', () => {
    const { h, op } = summing({ assigner: GlobalWindows.create() });
    h.processElement(ev('a', 1), 5);
    h.processWatermark(Infinity);
    h.endInput();
    assert.deepEqual(h.output(), []);
    assert.equal(leftovers(op).timers, 0);
  });

  test('count windows are invalid with size or slide ≤ 0', () => {
    assert.throws(() => countWindowSpec(0), /countWindow: size must be a positive integer, got 0/);
    assert.throws(() => countWindowSpec(3, -1), /countWindow: slide must be a positive integer, got -1/);
  });
});

describe('batch mode and restore', () => {
  test('batch mode needs no special casing: the final watermark fires everything', () => {
    const { h } = summing({ assigner: SlidingEventTimeWindows.of(10, 5) }, { mode: 'batch' });
    h.processElement(ev('a', 1), 3);
    h.processElement(ev('a', 2), 7);
    h.processWatermark(Infinity);
    h.endInput();
    assert.deepEqual(
      h.outputValues().map((r) => (r as { v: number }).v),
      [1, 3, 2],
    );
  });

  test('window contents survive a snapshot and restore', () => {
    const make = () =>
      createWindowOperator({
        assigner: TumblingEventTimeWindows.of(10),
        contents: { kind: 'reduce', reduce: sum },
        windowFunction: { kind: 'pass' },
      });
    const h1 = new OneInputOperatorHarness(make(), { keySelector: (e: Ev) => e.k });
    h1.open();
    h1.processElement(ev('a', 1), 1);
    const snap = h1.snapshot();
    const h2 = new OneInputOperatorHarness(make(), { keySelector: (e: Ev) => e.k });
    h2.open([snap]);
    h2.processElement(ev('a', 2), 2);
    h2.processWatermark(Infinity);
    assert.deepEqual(h2.outputValues(), [ev('a', 3)]);
  });
});

describe('createWindowOperator validation', () => {
  const base: WindowOperatorSpec = { assigner: TumblingEventTimeWindows.of(10), contents: { kind: 'list' }, windowFunction: { kind: 'pass' } };
  class NonMergingTrigger extends Trigger {
    onElement() {
      return 'CONTINUE' as const;
    }
    onEventTime() {
      return 'CONTINUE' as const;
    }
    onProcessingTime() {
      return 'CONTINUE' as const;
    }
    clear(_w: Window) {}
  }
  const cases: [string, WindowOperatorSpec, RegExp][] = [
    ['negative lateness', { ...base, allowedLateness: -1 }, /allowedLateness must be a non-negative number of milliseconds, got -1/],
    [
      'sessions with a trigger that cannot merge',
      { ...base, assigner: EventTimeSessionWindows.withGap(5), trigger: new NonMergingTrigger() },
      /A merging window assigner \(EventTimeSessionWindows\(5\)\) cannot be used with a trigger that does not support merging \(NonMergingTrigger\(\)\)/,
    ],
    [
      'sessions with an aggregate without merge',
      { ...base, assigner: EventTimeSessionWindows.withGap(5), contents: { kind: 'aggregate', aggregate: { createAccumulator: () => 0, add: () => 0, getResult: () => 0 } as never } },
      /aggregate\(\.\.\.\) on merging windows \(EventTimeSessionWindows\(5\)\) needs an AggregateFunction with merge/,
    ],
    ['reduce that is not a function', { ...base, contents: { kind: 'reduce', reduce: 3 as never } }, /reduce\(\.\.\.\) on a window expects a function/],
    ['process without process()', { ...base, windowFunction: { kind: 'process', fn: {} as never } }, /process\(\.\.\.\) on a window expects a function/],
    ['missing assigner', { ...base, assigner: undefined as never }, /window\(\.\.\.\) needs a window assigner/],
  ];
  for (const [name, spec, message] of cases) {
    test(name, () => {
      assert.throws(() => createWindowOperator(spec), (e: unknown) => e instanceof InvalidPipelineError && message.test(e.message));
    });
  }

  test('a window operator needs a keyed stream', () => {
    const h = new OneInputOperatorHarness(createWindowOperator(base));
    assert.throws(() => h.open(), /uses windows, which only works on a KeyedStream: call keyBy\(\.\.\.\)/);
  });
});
