/**
 * Windows that fire by their end (default event-time trigger, no allowed lateness): the operator
 * keeps the pending windows instead of one timer per key and window. These tests pin what the
 * per-key timers guaranteed: firing order, nothing left behind, and snapshots that restore —
 * also rescaled, and also from a snapshot that still holds per-key timers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWindowOperator, SlidingEventTimeWindows, TumblingEventTimeWindows, type TimeWindow, type WindowOperator } from '../../../../engine/runtime/windowing/index.ts';
import { keyGroupOf, keyIdOf } from '../../../../engine/state/key-groups.ts';
import type { OperatorSnapshot } from '../../../../engine/runtime/operator.ts';
import { timerLists } from '../../../../engine/runtime/timer-snapshot.ts';
import { OneInputOperatorHarness, type HarnessOptions } from '../../../harness/operator-harness.ts';

interface Ev {
  k: unknown;
  v: number;
}
type Out = { key: unknown; start: number; v: number };

function makeOp(size = 10, slide = size, allowedLateness = 0): WindowOperator {
  return createWindowOperator({
    assigner: slide === size ? TumblingEventTimeWindows.of(size) : SlidingEventTimeWindows.of(size, slide),
    allowedLateness,
    contents: { kind: 'aggregate', aggregate: { createAccumulator: () => ({ v: 0 }), add: (e: Ev, a: { v: number }) => ((a.v += e.v), a), getResult: (a: { v: number }) => a.v, merge: (a, b) => ({ v: a.v + b.v }) } },
    windowFunction: { kind: 'simple', fn: (key: unknown, w: TimeWindow, v: number): Out => ({ key, start: w.start, v }) },
  }) as WindowOperator;
}

function harness(op: WindowOperator, options: HarnessOptions = {}) {
  return new OneInputOperatorHarness<Out>(op, { keySelector: (e: Ev) => e.k, ...options });
}

/** Timers and state entries left in the operator. */
function leftovers(op: WindowOperator): { timers: number; state: number } {
  const timers = (op as unknown as { timers: { eventTimers: { size: number } } }).timers;
  return { timers: timers.eventTimers.size, state: op.stateEntries() - op.operatorState.itemCount() };
}

/** Two keys whose key groups are in the opposite order of the keys' names. */
function keysInDescendingGroups(): [string, string] {
  for (let i = 0; ; i++) {
    const a = `k${i}`;
    const b = `k${i + 1}`;
    if (keyGroupOf(keyIdOf(a), 128) > keyGroupOf(keyIdOf(b), 128)) return [a, b];
  }
}

describe('windows firing by their end', () => {
  test('keys fire in the order of their first record in the window, across key groups', () => {
    const [late, early] = keysInDescendingGroups(); // `late` sits in the higher key group
    const op = makeOp();
    const h = harness(op);
    h.open();
    h.processElement({ k: late, v: 1 }, 1);
    h.processElement({ k: early, v: 2 }, 2);
    h.processElement({ k: late, v: 4 }, 3);
    h.processWatermark(9);
    assert.deepEqual(h.outputValues(), [
      { key: late, start: 0, v: 5 },
      { key: early, start: 0, v: 2 },
    ]);
    assert.deepEqual(leftovers(op), { timers: 0, state: 0 });
  });

  test('uses no timer per key and window, and a window fires once, when the watermark passes its end', () => {
    const op = makeOp(10, 5);
    const h = harness(op);
    h.open();
    for (let i = 0; i < 50; i++) h.processElement({ k: i, v: 1 }, 7);
    assert.equal(leftovers(op).timers, 0);
    h.processWatermark(8);
    assert.equal(h.outputValues().length, 0);
    h.processWatermark(9); // [0, 10) ends
    assert.equal(h.outputValues().length, 50);
    h.processWatermark(13);
    assert.equal(h.outputValues().length, 50);
    h.processWatermark(14); // [5, 15) ends
    assert.equal(h.outputValues().length, 100);
    assert.ok(h.outputValues().every((o) => o.v === 1));
    assert.deepEqual(leftovers(op), { timers: 0, state: 0 });
  });

  test('an array key reaches the window function as the object the key selector returned', () => {
    const key = ['user', 7];
    const h = harness(makeOp());
    h.open();
    h.processElement({ k: key, v: 3 }, 1);
    h.processWatermark(Infinity);
    assert.equal(h.outputValues()[0]!.key, key);
  });

  test('pending windows survive a snapshot, also rescaled to 2 subtasks', () => {
    const input: [Ev, number][] = [];
    // After the snapshot, nothing more goes into [20, 30): only the restored list makes it fire.
    for (let i = 0; i < 200; i++) input.push([{ k: `u${i % 37}`, v: i }, i < 120 ? i % 30 : i % 20]);
    const feed = (h: OneInputOperatorHarness<Out>, rows: [Ev, number][]) => rows.forEach(([e, t]) => h.processElement(e, t));
    const sorted = (rows: Out[]) => rows.map((r) => JSON.stringify(r)).sort();

    const whole = harness(makeOp());
    whole.open();
    feed(whole, input.slice(0, 120));
    whole.processWatermark(9);
    feed(whole, input.slice(120));
    whole.processWatermark(Infinity);

    const before = harness(makeOp());
    before.open();
    feed(before, input.slice(0, 120));
    before.processWatermark(9); // [0, 10) fires before the snapshot
    const fired = before.outputValues();
    const snap = before.snapshot();
    const after = [0, 1].map((subtask) => harness(makeOp(), { subtask, parallelism: 2 }));
    for (const h of after) {
      h.open([snap]);
      h.processWatermark(9); // watermarks are not in snapshots: the sources emit them again
    }
    for (const [e, t] of input.slice(120)) {
      const kg = keyGroupOf(keyIdOf(e.k), 128);
      after[kg < 64 ? 0 : 1]!.processElement(e, t);
    }
    for (const h of after) h.processWatermark(Infinity);
    const rest = after.flatMap((h) => h.outputValues());
    assert.ok(rest.length > 0);
    assert.deepEqual(sorted([...fired, ...rest]), sorted(whole.outputValues()));
  });

  test('restored into an operator with allowed lateness (which uses timers), pending windows fire at their end and again for late records', () => {
    const h1 = harness(makeOp());
    h1.open();
    h1.processElement({ k: 'a', v: 1 }, 1);
    h1.processElement({ k: 'b', v: 2 }, 12);
    const snap = h1.snapshot();
    const late = makeOp(10, 10, 5);
    const h2 = harness(late);
    h2.open([snap]);
    h2.processWatermark(9);
    assert.deepEqual(h2.outputValues(), [{ key: 'a', start: 0, v: 1 }]);
    h2.processElement({ k: 'a', v: 4 }, 5); // late, within the allowed lateness: the window fires again
    assert.deepEqual(h2.outputValues().slice(1), [{ key: 'a', start: 0, v: 5 }]);
    h2.processWatermark(Infinity);
    assert.deepEqual(h2.outputValues().slice(2), [{ key: 'b', start: 10, v: 2 }]);
    assert.deepEqual(leftovers(late), { timers: 0, state: 0 });
  });

  test('a snapshot holding per-key timers (taken before windows fired by their end) fires each key once', () => {
    const h1 = harness(makeOp());
    h1.open();
    h1.processElement({ k: 'a', v: 1 }, 1);
    h1.processElement({ k: 'b', v: 2 }, 2);
    const taken = h1.snapshot();
    // What an older snapshot held: the same contents, a timer per key at the window's end, and
    // no list of pending windows.
    const timers = ['a', 'b'].map((k) => [keyGroupOf(k, 128), k, 0, 9, 'e'] as [number, string, number, number, 'e']);
    const legacy: OperatorSnapshot = { keyed: taken.keyed, timers: [timers] };
    const h2 = harness(makeOp());
    h2.open([legacy]);
    assert.equal(timerLists(legacy.timers!)[0]!.length, 2);
    h2.processElement({ k: 'a', v: 4 }, 3);
    h2.processElement({ k: 'c', v: 8 }, 4);
    h2.processWatermark(Infinity);
    assert.deepEqual(
      h2.outputValues().sort((x, y) => String(x.key).localeCompare(String(y.key))),
      [
        { key: 'a', start: 0, v: 5 },
        { key: 'b', start: 0, v: 2 },
        { key: 'c', start: 0, v: 8 },
      ],
    );
  });
});
