import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EventTimeSessionWindows,
  EventTimeTrigger,
  GlobalWindow,
  GlobalWindows,
  NeverTrigger,
  ProcessingTimeSessionWindows,
  ProcessingTimeTrigger,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from '../../../../engine/runtime/windowing/index.ts';
import { NO_TIMESTAMP } from '../../../../engine/runtime/elements.ts';
import { InvalidPipelineError } from '../../../../engine/runtime/errors.ts';

const clockAt = (t: number) => ({ currentProcessingTime: () => t });
const bounds = (ws: readonly { start: number; end: number }[]) => ws.map((w) => [w.start, w.end]);
const NO_TS_MESSAGE =
  'Record has no timestamp: call assignTimestampsAndWatermarks(...) before an event-time window, or use a processing-time window';

describe('TimeWindow', () => {
  test('maxTimestamp is end - 1, and touching windows intersect', () => {
    const w = new TimeWindow(0, 10);
    assert.equal(w.maxTimestamp(), 9);
    assert.ok(w.intersects(new TimeWindow(10, 20)));
    assert.ok(!w.intersects(new TimeWindow(11, 20)));
    assert.deepEqual(bounds([w.cover(new TimeWindow(5, 30))]), [[0, 30]]);
  });

  test('getWindowStartWithOffset handles negative timestamps and offsets', () => {
    assert.equal(TimeWindow.getWindowStartWithOffset(1_234, 0, 1_000), 1_000);
    assert.equal(TimeWindow.getWindowStartWithOffset(-1, 0, 1_000), -1_000);
    assert.equal(TimeWindow.getWindowStartWithOffset(-1_000, 0, 1_000), -1_000);
    assert.equal(TimeWindow.getWindowStartWithOffset(-1_001, 0, 1_000), -2_000);
    assert.equal(TimeWindow.getWindowStartWithOffset(2, 3, 10), -7);
    assert.equal(TimeWindow.getWindowStartWithOffset(3, 3, 10), 3);
    assert.equal(TimeWindow.getWindowStartWithOffset(5, -3, 10), -3);
  });

  test('mergeWindows groups overlapping and touching windows, sorted, equal ones once', () => {
    const calls: [number[][], number[]][] = [];
    TimeWindow.mergeWindows(
      [new TimeWindow(20, 30), new TimeWindow(0, 10), new TimeWindow(10, 15), new TimeWindow(40, 50), new TimeWindow(40, 50)],
      (merged, result) => calls.push([bounds(merged), [result.start, result.end]]),
    );
    assert.deepEqual(calls, [
      [
        [
          [0, 10],
          [10, 15],
        ],
        [0, 15],
      ],
    ]);
  });

  test('GlobalWindow is a singleton that never ends', () => {
    assert.equal(GlobalWindow.get(), GlobalWindow.get());
    assert.equal(GlobalWindow.get().maxTimestamp(), Infinity);
    assert.equal(GlobalWindow.get().start, -Infinity);
    assert.equal(GlobalWindow.get().end, Infinity);
  });
});

describe('tumbling assigners', () => {
  test('event time: one window of the given size, aligned to the epoch', () => {
    const a = TumblingEventTimeWindows.of(1_000);
    assert.deepEqual(bounds(a.assignWindows({}, 1_234, clockAt(0))), [[1_000, 2_000]]);
    assert.deepEqual(bounds(a.assignWindows({}, 1_000, clockAt(0))), [[1_000, 2_000]]);
    assert.deepEqual(bounds(a.assignWindows({}, 999, clockAt(0))), [[0, 1_000]]);
    assert.ok(a.isEventTime());
    assert.ok(!a.isMerging());
    assert.equal(a.getDefaultTrigger(), EventTimeTrigger.create());
  });

  test('event time: negative timestamps fall into the window below', () => {
    const a = TumblingEventTimeWindows.of(1_000);
    assert.deepEqual(bounds(a.assignWindows({}, -1, clockAt(0))), [[-1_000, 0]]);
    assert.deepEqual(bounds(a.assignWindows({}, -1_000, clockAt(0))), [[-1_000, 0]]);
    assert.deepEqual(bounds(a.assignWindows({}, -1_001, clockAt(0))), [[-2_000, -1_000]]);
  });

  test('event time: an offset shifts window starts (e.g. days in UTC+8)', () => {
    const hour = 3_600_000;
    const a = TumblingEventTimeWindows.of(24 * hour, -8 * hour);
    const [w] = a.assignWindows({}, Date.UTC(2024, 0, 1, 20), clockAt(0));
    // 20:00 UTC is 04:00 next day in UTC+8; that day started at 16:00 UTC.
    assert.equal(w!.start, Date.UTC(2024, 0, 1, 16));
    assert.equal(w!.end - w!.start, 24 * hour);
    assert.deepEqual(bounds(TumblingEventTimeWindows.of(10, 3).assignWindows({}, 2, clockAt(0))), [[-7, 3]]);
  });

  test('event time: a record without a timestamp is an error that says what to do', () => {
    assert.throws(() => TumblingEventTimeWindows.of(10).assignWindows({}, NO_TIMESTAMP, clockAt(0)), { message: NO_TS_MESSAGE });
  });

  test('processing time: the window of the clock, not of the record', () => {
    const a = TumblingProcessingTimeWindows.of(100);
    assert.deepEqual(bounds(a.assignWindows({}, NO_TIMESTAMP, clockAt(250))), [[200, 300]]);
    assert.ok(!a.isEventTime());
    assert.equal(a.getDefaultTrigger(), ProcessingTimeTrigger.create());
  });

  test('a record always lands in the window that contains it (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.integer({ min: 1, max: 1e7 }),
        fc.double({ min: -0.999, max: 0.999, noNaN: true }),
        (ts, size, frac) => {
          const offset = Math.trunc(frac * size);
          const [w] = TumblingEventTimeWindows.of(size, offset).assignWindows({}, ts, clockAt(0));
          return w!.start <= ts && ts < w!.end && w!.end - w!.start === size && (((w!.start - offset) % size) + size) % size === 0;
        },
      ),
    );
  });
});

describe('sliding assigners', () => {
  test('event time: a record lands in size/slide windows with the right bounds', () => {
    const a = SlidingEventTimeWindows.of(10, 5);
    assert.deepEqual(bounds(a.assignWindows({}, 7, clockAt(0))), [
      [5, 15],
      [0, 10],
    ]);
    assert.deepEqual(bounds(a.assignWindows({}, -1, clockAt(0))), [
      [-5, 5],
      [-10, 0],
    ]);
    assert.deepEqual(bounds(SlidingEventTimeWindows.of(10, 5, 2).assignWindows({}, 7, clockAt(0))), [
      [7, 17],
      [2, 12],
    ]);
  });

  test('every window contains the record, windows are slide apart, and there are size/slide of them (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 20 }), (ts, slide, factor) => {
        const size = slide * factor;
        const ws = SlidingEventTimeWindows.of(size, slide).assignWindows({}, ts, clockAt(0));
        if (ws.length !== factor) return false;
        return ws.every((w, i) => w.start <= ts && ts < w.end && w.end - w.start === size && (i === 0 || ws[i - 1]!.start - w.start === slide));
      }),
    );
  });

  test('processing time uses the clock', () => {
    const ws = SlidingProcessingTimeWindows.of(100, 50).assignWindows({}, NO_TIMESTAMP, clockAt(120));
    assert.deepEqual(bounds(ws), [
      [100, 200],
      [50, 150],
    ]);
  });

  test('event time without a timestamp is an error', () => {
    assert.throws(() => SlidingEventTimeWindows.of(10, 5).assignWindows({}, NO_TIMESTAMP, clockAt(0)), { message: NO_TS_MESSAGE });
  });
});

describe('session and global assigners', () => {
  test('event-time sessions: [ts, ts + gap), merging, event-time trigger', () => {
    const a = EventTimeSessionWindows.withGap(30);
    assert.deepEqual(bounds(a.assignWindows({}, 100, clockAt(0))), [[100, 130]]);
    assert.ok(a.isMerging());
    assert.ok(a.isEventTime());
    assert.equal(a.getDefaultTrigger(), EventTimeTrigger.create());
    assert.throws(() => a.assignWindows({}, NO_TIMESTAMP, clockAt(0)), { message: NO_TS_MESSAGE });
  });

  test('dynamic gap comes from the record; a bad gap names the extractor and the value', () => {
    const a = EventTimeSessionWindows.withDynamicGap((e: { gap: number }) => e.gap);
    assert.deepEqual(bounds(a.assignWindows({ gap: 7 }, 10, clockAt(0))), [[10, 17]]);
    assert.throws(() => a.assignWindows({ gap: 0 }, 10, clockAt(0)), /EventTimeSessionWindows\.withDynamicGap: the gap extractor returned 0/);
    const b = EventTimeSessionWindows.withDynamicGap({ extract: (e: { gap: number }) => e.gap * 2 });
    assert.deepEqual(bounds(b.assignWindows({ gap: 7 }, 10, clockAt(0))), [[10, 24]]);
  });

  test('processing-time sessions start at the clock', () => {
    const a = ProcessingTimeSessionWindows.withGap(10);
    assert.deepEqual(bounds(a.assignWindows({}, NO_TIMESTAMP, clockAt(42))), [[42, 52]]);
    assert.ok(a.isMerging());
    assert.ok(!a.isEventTime());
  });

  test('global windows: one window, never-firing default trigger, not event time', () => {
    const a = GlobalWindows.create();
    assert.deepEqual(a.assignWindows(), [GlobalWindow.get()]);
    assert.equal(a.getDefaultTrigger(), NeverTrigger.create());
    assert.ok(!a.isEventTime());
  });

  test('namespace keys: starts for fixed-size windows, start:end for sessions, and back', () => {
    const t = TumblingEventTimeWindows.of(10);
    assert.equal(t.windowNamespace(new TimeWindow(20, 30)), 20);
    assert.deepEqual(bounds([t.windowForNamespace(20)]), [[20, 30]]);
    const s = SlidingEventTimeWindows.of(10, 5);
    assert.deepEqual(bounds([s.windowForNamespace(-5)]), [[-5, 5]]);
    const e = EventTimeSessionWindows.withGap(5);
    assert.equal(e.windowNamespace(new TimeWindow(-3, 9)), '-3:9');
    assert.deepEqual(bounds([e.windowForNamespace('-3:9')]), [[-3, 9]]);
    assert.equal(GlobalWindows.create().windowForNamespace(), GlobalWindow.get());
  });
});

describe('validation', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['tumbling size 0', () => TumblingEventTimeWindows.of(0), /TumblingEventTimeWindows\.of: size must be a positive number of milliseconds, got 0/],
    ['tumbling size -5', () => TumblingProcessingTimeWindows.of(-5), /TumblingProcessingTimeWindows\.of: size .* got -5/],
    ['tumbling size NaN', () => TumblingEventTimeWindows.of(Number.NaN), /TumblingEventTimeWindows\.of: size .* got NaN/],
    ['tumbling offset = size', () => TumblingEventTimeWindows.of(10, 10), /TumblingEventTimeWindows\.of: offset must satisfy \|offset\| < size \(10 ms\), got 10/],
    ['tumbling offset = -size', () => TumblingEventTimeWindows.of(10, -12), /\|offset\| < size \(10 ms\), got -12/],
    ['sliding slide 0', () => SlidingEventTimeWindows.of(10, 0), /SlidingEventTimeWindows\.of: slide must be .* got 0/],
    ['sliding size 0', () => SlidingProcessingTimeWindows.of(0, 5), /SlidingProcessingTimeWindows\.of: size must be .* got 0/],
    ['sliding offset ≥ slide', () => SlidingEventTimeWindows.of(10, 5, 5), /SlidingEventTimeWindows\.of: offset must satisfy \|offset\| < slide \(5 ms\), got 5/],
    ['session gap 0', () => EventTimeSessionWindows.withGap(0), /EventTimeSessionWindows\.withGap: gap must be .* got 0/],
    ['processing session gap -1', () => ProcessingTimeSessionWindows.withGap(-1), /ProcessingTimeSessionWindows\.withGap: gap must be .* got -1/],
    ['dynamic gap not a function', () => EventTimeSessionWindows.withDynamicGap(42 as never), /EventTimeSessionWindows\.withDynamicGap: expects a function/],
  ];
  for (const [name, make, message] of cases) {
    test(name, () => {
      assert.throws(make, (e: unknown) => e instanceof InvalidPipelineError && message.test(e.message));
    });
  }
});
