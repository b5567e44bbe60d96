import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TwoInputOperatorHarness } from '../../../harness/operator-harness.ts';
import { IntervalJoinOperator, type IntervalJoinBounds } from '../../../../engine/runtime/operators/interval-join.ts';
import { MAX_WATERMARK } from '../../../../engine/runtime/elements.ts';
import type { ProcessJoinFunction, RuntimeContext } from '../../../../engine/runtime/functions.ts';

interface Rec {
  id: string;
  key: string;
}

const byKey = { keySelector1: (r: Rec) => r.key, keySelector2: (r: Rec) => r.key };
const pairs: ProcessJoinFunction<Rec, Rec, string> = (l, r, ctx, out) => out.collect(`${l.id}-${r.id}@${ctx.getTimestamp()}`);

function harness(bounds: IntervalJoinBounds, fn: ProcessJoinFunction<Rec, Rec, string> = pairs) {
  const h = new TwoInputOperatorHarness<string>(new IntervalJoinOperator(fn, bounds), { ...byKey, name: 'join' });
  h.open();
  return h;
}

const L = (id: string, key = 'k'): Rec => ({ id, key });

test('joins l with r when l.ts + lower <= r.ts <= l.ts + upper, whichever arrives first, at max(l.ts, r.ts)', () => {
  const h = harness({ lower: -2, upper: 1 });
  h.processElement1(L('l5'), 5);
  h.processElement2(L('r2'), 2); // 5-2=3 > 2: no
  h.processElement2(L('r3'), 3); // lower bound, inclusive
  h.processElement2(L('r6'), 6); // upper bound, inclusive
  h.processElement2(L('r7'), 7); // no
  h.processElement1(L('l8'), 8); // with r6 (6 >= 6) and r7
  h.processElement2(L('r6', 'other'), 6); // other key: never
  assert.deepEqual(h.outputValues(), ['l5-r3@5', 'l5-r6@6', 'l8-r6@8', 'l8-r7@8']);
  assert.deepEqual(
    h.output().map((r) => r.timestamp),
    [5, 6, 8, 8],
  );
});

test('exclusive bounds leave out the interval ends', () => {
  const both = harness({ lower: -2, upper: 1, lowerBoundExclusive: true, upperBoundExclusive: true });
  const lowerOnly = harness({ lower: -2, upper: 1, lowerBoundExclusive: true });
  for (const h of [both, lowerOnly]) {
    h.processElement1(L('l'), 5);
    for (const ts of [3, 4, 5, 6]) h.processElement2(L(`r${ts}`), ts);
  }
  assert.deepEqual(both.outputValues(), ['l-r4@5', 'l-r5@5']);
  assert.deepEqual(lowerOnly.outputValues(), ['l-r4@5', 'l-r5@5', 'l-r6@6']);
});

test('the context gives both timestamps and side outputs at the result time', () => {
  const h = harness({ lower: 0, upper: 10 }, (l, r, ctx, out) => {
    out.collect(`${ctx.getLeftTimestamp()}/${ctx.getRightTimestamp()}/${ctx.getTimestamp()}`);
    ctx.output({ id: 'audit' }, `${l.id}+${r.id}`);
  });
  h.processElement2(L('r'), 7);
  h.processElement1(L('l'), 3);
  assert.deepEqual(h.output(), [{ value: '3/7/7', timestamp: 7 }]);
  assert.deepEqual(h.sideOutput('audit'), [{ value: 'l+r', timestamp: 7 }]);
});

test('records older than the watermark are dropped, or sent to the late-data side outputs', () => {
  const dropping = harness({ lower: -5, upper: 5 });
  const routing = harness({ lower: -5, upper: 5, leftLateDataTag: 'late-l', rightLateDataTag: 'late-r' });
  for (const h of [dropping, routing]) {
    h.processElement1(L('l10'), 10);
    h.processWatermark1(10);
    h.processWatermark2(10);
    h.processElement2(L('r9'), 9); // late: 9 < 10
    h.processElement1(L('l9'), 9); // late
    h.processElement2(L('r10'), 10); // on time (not older than the watermark)
  }
  assert.deepEqual(dropping.outputValues(), ['l10-r10@10']);
  assert.deepEqual(routing.outputValues(), ['l10-r10@10']);
  assert.deepEqual(routing.sideOutput('late-l'), [{ value: L('l9'), timestamp: 9 }]);
  assert.deepEqual(routing.sideOutput('late-r'), [{ value: L('r9'), timestamp: 9 }]);
});

test('buffered records are cleaned up once no on-time record can match them', () => {
  const op = new IntervalJoinOperator(pairs, { lower: -3, upper: 4 });
  const h = new TwoInputOperatorHarness<string>(op, byKey);
  h.open();
  h.processElement1(L('l'), 10); // kept until the watermark reaches 10 + 4
  h.processElement2(L('r'), 20); // kept until the watermark reaches 20 + 3
  assert.equal(op.stateEntries(), 2);
  h.processWatermark1(13);
  h.processWatermark2(13);
  assert.equal(op.stateEntries(), 2);
  h.processWatermark1(14);
  h.processWatermark2(14);
  assert.equal(op.stateEntries(), 1, 'left record gone at l.ts + upper');
  h.processWatermark1(23);
  h.processWatermark2(23);
  assert.equal(op.stateEntries(), 0, 'right record gone at r.ts - lower');
  assert.deepEqual(h.watermarks(), [13, 14, 23], 'watermarks are forwarded');
});

test('records arriving just above the watermark still meet partners at the interval edge', () => {
  const h = harness({ lower: -1, upper: 2 });
  h.processElement1(L('l5'), 5); // matches right records in [4, 7]
  h.processElement2(L('r5'), 5); // matches left records in [3, 6]
  h.processWatermark1(5.5);
  h.processWatermark2(5.5);
  h.processElement1(L('l6'), 6); // on time; 6 - 1 <= 5: meets r5
  h.processWatermark1(6.5);
  h.processWatermark2(6.5);
  h.processElement2(L('r7'), 7); // on time; 7 <= 5 + 2: meets l5 (and l6)
  assert.deepEqual(h.outputValues(), ['l5-r5@5', 'l6-r5@6', 'l5-r7@7', 'l6-r7@7']);
});

test('with bounds entirely in the past or future, cleanup is at the record time itself', () => {
  const past = new IntervalJoinOperator(pairs, { lower: -10, upper: -5 });
  const future = new IntervalJoinOperator(pairs, { lower: 5, upper: 10 });
  for (const op of [past, future]) {
    const h = new TwoInputOperatorHarness<string>(op, byKey);
    h.open();
    h.processElement1(L('l'), 100);
    h.processElement2(L('r'), 100);
    h.processWatermark1(100);
    h.processWatermark2(100);
    // past: left records go at l.ts, right ones at r.ts + 10; future: right at r.ts, left at l.ts + 10.
    assert.equal(op.stateEntries(), 1, 'one side is cleaned up at its own time');
    h.processWatermark1(110);
    h.processWatermark2(110);
    assert.equal(op.stateEntries(), 0);
  }
});

test('fractional timestamps are cleaned up exactly (timers name the buffered time)', () => {
  const op = new IntervalJoinOperator(pairs, { lower: -0.2, upper: 0.1 });
  const h = new TwoInputOperatorHarness<string>(op, byKey);
  h.open();
  h.processElement1(L('l'), 0.1);
  h.processElement2(L('r'), 0.3);
  h.processWatermark1(MAX_WATERMARK);
  h.processWatermark2(MAX_WATERMARK);
  assert.equal(op.stateEntries(), 0);
});

test('a record without a timestamp fails with a hint to assign timestamps', () => {
  const h = harness({ lower: 0, upper: 1 });
  assert.throws(() => h.processElement1(L('l')), /Interval join 'join' received a left record without a timestamp.*assignTimestampsAndWatermarks/);
  assert.throws(() => h.processElement2(L('r')), /right record without a timestamp/);
});

test('the operator checks its bounds and needs keyed inputs', () => {
  assert.throws(() => new IntervalJoinOperator(pairs, { lower: 5, upper: 1 }), /lower bound 5 is greater than its upper bound 1/);
  assert.throws(() => new IntervalJoinOperator(pairs, { lower: Number.NaN, upper: 1 }), /finite/);
  const h = new TwoInputOperatorHarness(new IntervalJoinOperator(pairs, { lower: 0, upper: 1 }));
  assert.throws(() => h.open(), /keyBy/);
});

test('an object function gets open(ctx) and processElement', async () => {
  const fn = {
    prefix: '',
    open(ctx: RuntimeContext) {
      this.prefix = `${ctx.getTaskName()}:`;
    },
    processElement(l: Rec, r: Rec, _ctx: unknown, out: { collect(s: string): void }) {
      out.collect(`${this.prefix}${l.id}-${r.id}`);
    },
  };
  const h = new TwoInputOperatorHarness<string>(new IntervalJoinOperator(fn, { lower: 0, upper: 0 }), { ...byKey, name: 'ij' });
  await h.open();
  h.processElement1(L('a'), 1);
  h.processElement2(L('b'), 1);
  assert.deepEqual(h.outputValues(), ['ij:a-b']);
});

test('batch mode: nothing is late before the final watermark, which cleans everything up', () => {
  const op = new IntervalJoinOperator(pairs, { lower: 0, upper: 5 });
  const h = new TwoInputOperatorHarness<string>(op, { ...byKey, mode: 'batch' });
  h.open();
  h.processElement2(L('r'), 3);
  h.processElement1(L('l'), 1);
  h.processWatermark1(MAX_WATERMARK);
  h.processWatermark2(MAX_WATERMARK);
  h.endInput();
  assert.deepEqual(h.outputValues(), ['l-r@3']);
  assert.equal(op.stateEntries(), 0);
});

/**
 * The model: a record is late when its timestamp is below the operator's watermark (the
 * minimum of the inputs' watermarks) on arrival; every pair of on-time records of one key whose
 * times fit the interval is emitted once. Watermarks sit between integer timestamps, so no
 * record ever has exactly the watermark's time (which the watermark contract excludes).
 */
test('property: output equals the nested-loop join of on-time records, and state ends empty', () => {
  // Records, a watermark on one input, or one on both (so that the operator's watermark often
  // lands right below a record time: where off-by-one cleanup bugs would show).
  const event = fc.oneof(
    fc.record({ kind: fc.constant('rec' as const), side: fc.integer({ min: 0, max: 1 }), key: fc.constantFrom('a', 'b'), ts: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ kind: fc.constant('wm' as const), side: fc.integer({ min: 0, max: 2 }), ts: fc.integer({ min: 0, max: 6 }) }),
  );
  fc.assert(
    fc.property(
      fc.array(event, { maxLength: 40 }),
      fc.integer({ min: -4, max: 4 }),
      fc.integer({ min: 0, max: 5 }),
      fc.boolean(),
      fc.boolean(),
      (events, lower, width, lowerEx, upperEx) => {
        const bounds: IntervalJoinBounds = { lower, upper: lower + width, lowerBoundExclusive: lowerEx, upperBoundExclusive: upperEx, leftLateDataTag: 'late' };
        const op = new IntervalJoinOperator<{ id: string; key: string }, { id: string; key: string }, string>(pairs, bounds);
        const h = new TwoInputOperatorHarness<string>(op, byKey);
        h.open();
        const inputWm = [-Infinity, -Infinity];
        let wm = -Infinity;
        const onTime: { side: number; id: string; key: string; ts: number }[][] = [[], []];
        let lateLeft = 0;
        events.forEach((e, i) => {
          if (e.kind === 'wm') {
            for (const side of e.side === 2 ? [0, 1] : [e.side]) {
              const w = Math.max(inputWm[side]!, e.ts + 0.5);
              inputWm[side] = w;
              if (side === 0) h.processWatermark1(w);
              else h.processWatermark2(w);
            }
            wm = Math.max(wm, Math.min(inputWm[0]!, inputWm[1]!));
            return;
          }
          const rec = { id: `${e.side ? 'r' : 'l'}${i}`, key: e.key };
          if (e.ts >= wm) onTime[e.side]!.push({ ...rec, side: e.side, ts: e.ts });
          else if (e.side === 0) lateLeft++;
          if (e.side === 0) h.processElement1(rec, e.ts);
          else h.processElement2(rec, e.ts);
        });
        const expected: string[] = [];
        for (const l of onTime[0]!) {
          for (const r of onTime[1]!) {
            const lo = l.ts + bounds.lower;
            const hi = l.ts + bounds.upper;
            const inLower = lowerEx ? r.ts > lo : r.ts >= lo;
            const inUpper = upperEx ? r.ts < hi : r.ts <= hi;
            if (l.key === r.key && inLower && inUpper) expected.push(`${l.id}-${r.id}@${Math.max(l.ts, r.ts)}`);
          }
        }
        h.processWatermark1(MAX_WATERMARK);
        h.processWatermark2(MAX_WATERMARK);
        assert.deepEqual(h.outputValues().sort(), expected.sort());
        assert.equal(h.sideOutput('late').length, lateLeft);
        assert.equal(op.stateEntries(), 0);
      },
    ),
    { numRuns: 1000 },
  );
});
