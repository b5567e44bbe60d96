import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  createWindowOperator,
  EventTimeSessionWindows,
  MergingWindowSet,
  SlidingEventTimeWindows,
  TimeWindow,
  TumblingEventTimeWindows,
  type WindowAssigner,
  type WindowOperator,
} from '../../../../engine/runtime/windowing/index.ts';
import { OneInputOperatorHarness } from '../../../harness/operator-harness.ts';

interface Rec {
  k: string;
  ts: number;
  v: number;
}

/** What a window holds, independent of arrival order. */
interface Summary {
  sum: number;
  count: number;
  minTs: number;
  maxTs: number;
}

const summarize = {
  createAccumulator: (): Summary => ({ sum: 0, count: 0, minTs: Infinity, maxTs: -Infinity }),
  add: (r: Rec, a: Summary): Summary => ({ sum: a.sum + r.v, count: a.count + 1, minTs: Math.min(a.minTs, r.ts), maxTs: Math.max(a.maxTs, r.ts) }),
  getResult: (a: Summary) => a,
  merge: (a: Summary, b: Summary): Summary => ({ sum: a.sum + b.sum, count: a.count + b.count, minTs: Math.min(a.minTs, b.minTs), maxTs: Math.max(a.maxTs, b.maxTs) }),
};

type Row = [key: string, start: number, end: number, sum: number, count: number, minTs: number, maxTs: number];

const sortRows = (rows: Row[]) => rows.slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));

function addTo(groups: Map<string, Summary & { k: string; start: number; end: number }>, r: Rec, start: number, end: number): void {
  const id = `${r.k}|${start}|${end}`;
  const g = groups.get(id) ?? { k: r.k, start, end, ...summarize.createAccumulator() };
  groups.set(id, { ...g, ...summarize.add(r, g) });
}

/** Brute force: group every record by key and by each window that contains it. */
function reference(kind: Kind, records: Rec[]): Row[] {
  const groups = new Map<string, Summary & { k: string; start: number; end: number }>();
  if (kind.type === 'session') {
    const byKey = new Map<string, Rec[]>();
    for (const r of records) byKey.set(r.k, [...(byKey.get(r.k) ?? []), r]);
    for (const rs of byKey.values()) {
      rs.sort((a, b) => a.ts - b.ts);
      let start = rs[0]!.ts;
      let end = start + kind.gap;
      let members: Rec[] = [];
      const flush = () => members.forEach((m) => addTo(groups, m, start, end));
      for (const r of rs) {
        if (r.ts > end) {
          flush();
          start = r.ts;
          members = [];
        }
        members.push(r);
        end = Math.max(end, r.ts + kind.gap);
      }
      flush();
    }
  } else {
    const slide = kind.type === 'tumbling' ? kind.size : kind.slide;
    for (const r of records) {
      // Every start ≡ offset (mod slide) whose window [start, start + size) holds r.ts.
      const first = Math.floor((r.ts - kind.size - kind.offset) / slide) * slide + kind.offset;
      for (let start = first; start <= r.ts; start += slide) if (r.ts < start + kind.size) addTo(groups, r, start, start + kind.size);
    }
  }
  return sortRows([...groups.values()].map((g) => [g.k, g.start, g.end, g.sum, g.count, g.minTs, g.maxTs]));
}

type Kind =
  | { type: 'tumbling'; size: number; offset: number }
  | { type: 'sliding'; size: number; slide: number; offset: number }
  | { type: 'session'; gap: number };

function assignerOf(kind: Kind): WindowAssigner {
  switch (kind.type) {
    case 'tumbling':
      return TumblingEventTimeWindows.of(kind.size, kind.offset);
    case 'sliding':
      return SlidingEventTimeWindows.of(kind.size, kind.slide, kind.offset);
    case 'session':
      return EventTimeSessionWindows.withGap(kind.gap);
  }
}

/** Runs `records` in the given order; after each, the watermark trails the largest timestamp seen by `lag`. */
function runOperator(kind: Kind, records: Rec[], lag: number | undefined, mode: 'streaming' | 'batch' = 'streaming'): { rows: Row[]; op: WindowOperator } {
  const op = createWindowOperator({
    assigner: assignerOf(kind),
    contents: { kind: 'aggregate', aggregate: summarize },
    windowFunction: { kind: 'simple', fn: (k: string, w: TimeWindow, s: Summary): Row => [k, w.start, w.end, s.sum, s.count, s.minTs, s.maxTs] },
  }) as WindowOperator;
  const h = new OneInputOperatorHarness<Row>(op, { keySelector: (r: Rec) => r.k, mode });
  h.open();
  let maxSeen = -Infinity;
  for (const r of records) {
    h.processElement(r, r.ts);
    maxSeen = Math.max(maxSeen, r.ts);
    if (lag !== undefined) h.processWatermark(maxSeen - lag);
  }
  h.processWatermark(Infinity);
  h.endInput();
  for (const row of h.output()) assert.equal(row.timestamp, row.value[2] - 1, 'results carry the window max timestamp');
  return { rows: sortRows(h.outputValues()), op };
}

const kindArb: fc.Arbitrary<Kind> = fc.oneof(
  fc.record({ size: fc.integer({ min: 1, max: 40 }), frac: fc.double({ min: -0.99, max: 0.99, noNaN: true }) }).map(
    ({ size, frac }): Kind => ({ type: 'tumbling', size, offset: Math.trunc(frac * size) }),
  ),
  fc.record({ slide: fc.integer({ min: 1, max: 15 }), factor: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 0, max: 5 }), frac: fc.double({ min: -0.99, max: 0.99, noNaN: true }) }).map(
    ({ slide, factor, extra, frac }): Kind => ({ type: 'sliding', size: slide * factor + extra, slide, offset: Math.trunc(frac * slide) }),
  ),
  fc.integer({ min: 1, max: 30 }).map((gap): Kind => ({ type: 'session', gap })),
);

/**
 * Records with a bounded disorder: arrival order sorts by `ts + jitter`, jitter in [0, bound],
 * so every record arrives no more than `bound` behind the largest timestamp seen before it.
 */
const inputArb = fc
  .record({
    bound: fc.integer({ min: 0, max: 25 }),
    raw: fc.array(fc.record({ k: fc.constantFrom('a', 'b', 'c'), ts: fc.integer({ min: -100, max: 300 }), v: fc.integer({ min: -50, max: 50 }), jitter: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 60 }),
  })
  .map(({ bound, raw }) => ({
    bound,
    records: raw
      .map((r) => ({ ...r, arrival: r.ts + r.jitter * bound }))
      .sort((a, b) => a.arrival - b.arrival)
      .map(({ k, ts, v }): Rec => ({ k, ts, v })),
  }));

describe('window operator properties', () => {
  test('out-of-order input within the bound, watermarks trailing by the bound: same windows as grouping by key and window', () => {
    fc.assert(
      fc.property(kindArb, inputArb, (kind, { bound, records }) => {
        // Bounded-out-of-orderness watermarks are max - bound - 1. For sessions one more ms of lag:
        // a session [s, e) fires at watermark e - 1, and a record at exactly e (allowed at that
        // watermark) would touch it; Flink then starts a new session, where grouping would merge.
        const lag = bound + 1 + (kind.type === 'session' ? 1 : 0);
        const { rows, op } = runOperator(kind, records, lag);
        assert.deepEqual(rows, reference(kind, records));
        assert.equal(op.numLateRecordsDropped, 0);
        assert.equal(op.stateEntries(), 0, 'everything is cleaned up after the final watermark');
      }),
      { numRuns: 300 },
    );
  });

  test('streaming with watermarks and batch with only the final watermark give the same result', () => {
    fc.assert(
      fc.property(kindArb, inputArb, (kind, { bound, records }) => {
        const streaming = runOperator(kind, records, bound + 2).rows;
        const batch = runOperator(kind, records, undefined, 'batch').rows;
        assert.deepEqual(streaming, batch);
      }),
      { numRuns: 150 },
    );
  });

  test('merging window set: in-flight windows stay disjoint and every added window ends up inside one', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 40 }), (adds) => {
        let set = new MergingWindowSet(EventTimeSessionWindows.withGap(1), undefined);
        const stateOf = new Map<string, number>(); // state window → records it holds
        let total = 0;
        for (const [start, len] of adds) {
          const actual = set.addWindow(new TimeWindow(start, start + len), (_result, _merged, target, sources) => {
            const key = (w: TimeWindow) => `${w.start}:${w.end}`;
            for (const s of sources) {
              stateOf.set(key(target), (stateOf.get(key(target)) ?? 0) + (stateOf.get(key(s)) ?? 0));
              stateOf.delete(key(s));
            }
          });
          if (!(actual.start <= start && start + len <= actual.end)) return false;
          const sw = set.getStateWindow(actual)!;
          stateOf.set(`${sw.start}:${sw.end}`, (stateOf.get(`${sw.start}:${sw.end}`) ?? 0) + 1);
          total++;
          // Round-trip through the stored form, as the operator does per record.
          set = new MergingWindowSet(EventTimeSessionWindows.withGap(1), set.toStored());
        }
        const stored = set.toStored()!;
        const windows: TimeWindow[] = [];
        for (let i = 0; i < stored.length; i += 4) windows.push(new TimeWindow(stored[i]!, stored[i + 1]!));
        windows.sort((a, b) => a.start - b.start);
        const disjoint = windows.every((w, i) => i === 0 || windows[i - 1]!.end < w.start);
        const stateTotal = [...stateOf.values()].reduce((a, b) => a + b, 0);
        return disjoint && stateTotal === total && stateOf.size === windows.length;
      }),
      { numRuns: 300 },
    );
  });
});
