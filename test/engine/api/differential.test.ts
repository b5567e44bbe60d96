/**
 * Differential tests: on random out-of-order input within the watermark bound, the streaming
 * run, the batch run and a brute-force reference agree on every window result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EventTimeSessionWindows,
  Sinks,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type WindowAssigner,
} from '../../../engine/index.ts';

interface Ev {
  key: string;
  ts: number;
  v: number;
}

const BOUND = 50;

/** Events in delivery order, each at most BOUND ms behind the largest timestamp before it. */
const eventsArb = fc
  .array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), gap: fc.integer({ min: 0, max: 40 }), delay: fc.integer({ min: 0, max: BOUND }), v: fc.integer({ min: -5, max: 100 }) }), {
    minLength: 1,
    maxLength: 120,
  })
  .map((rows) => {
    let t = 1000;
    const evs = rows.map((r) => {
      t += r.gap;
      return { key: r.key, ts: t, v: r.v, deliverAt: t + r.delay };
    });
    // Delivering by (ts + delay) keeps every event within BOUND of the max timestamp seen.
    evs.sort((x, y) => x.deliverAt - y.deliverAt || x.ts - y.ts);
    return evs.map(({ key, ts, v }) => ({ key, ts, v }));
  });

/** A punctuated watermark after every event: as aggressive as the bound allows. */
const eager = () =>
  WatermarkStrategy.forGenerator<Ev>(() => {
    let max = -Infinity;
    return {
      onEvent: (_e, ts, out) => {
        max = Math.max(max, ts);
        out.emitWatermark(max - BOUND - 1);
      },
      onPeriodicEmit: () => {},
    };
  }).withTimestampAssigner((e) => e.ts);

type Row = { key: string; start: number; end: number; sum: number; n: number };

async function runEngine(events: Ev[], assigner: () => WindowAssigner, mode: 'streaming' | 'batch', parallelism: number): Promise<string[]> {
  const env = StreamExecutionEnvironment.create({ mode, parallelism });
  const out = Sinks.collect<Row>();
  env
    .fromCollection(events)
    .assignTimestampsAndWatermarks(eager())
    .keyBy((e) => e.key)
    .window(assigner())
    .aggregate(
      {
        createAccumulator: () => ({ sum: 0, n: 0 }),
        add: (e: Ev, a: { sum: number; n: number }) => ({ sum: a.sum + e.v, n: a.n + 1 }),
        getResult: (a: { sum: number; n: number }) => a,
        merge: (a: { sum: number; n: number }, b: { sum: number; n: number }) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
      },
      (key, w, r) => ({ key, start: w.start, end: w.end, sum: r.sum, n: r.n }),
    )
    .sinkTo(out);
  await env.execute(`differential ${mode}`);
  return out.values.map((r) => JSON.stringify(r)).sort();
}

function reference(events: Ev[], windowsOf: (ts: number) => [number, number][]): string[] {
  const acc = new Map<string, Row>();
  for (const e of events) {
    for (const [start, end] of windowsOf(e.ts)) {
      const id = `${e.key}|${start}`;
      const r = acc.get(id) ?? { key: e.key, start, end, sum: 0, n: 0 };
      r.sum += e.v;
      r.n++;
      acc.set(id, r);
    }
  }
  return [...acc.values()].map((r) => JSON.stringify(r)).sort();
}

function sessionReference(events: Ev[], gap: number): string[] {
  const byKey = new Map<string, Ev[]>();
  for (const e of events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  const rows: string[] = [];
  for (const [key, evs] of byKey) {
    evs.sort((a, b) => a.ts - b.ts);
    let cur: Row | undefined;
    for (const e of evs) {
      // Flink merges session windows that touch: [a, b) and [b, c) become [a, c).
      if (cur && e.ts <= cur.end) {
        cur.end = Math.max(cur.end, e.ts + gap);
        cur.sum += e.v;
        cur.n++;
      } else {
        if (cur) rows.push(JSON.stringify(cur));
        cur = { key, start: e.ts, end: e.ts + gap, sum: e.v, n: 1 };
      }
    }
    if (cur) rows.push(JSON.stringify(cur));
  }
  return rows.sort();
}

const cases: { name: string; assigner: () => WindowAssigner; ref: (evs: Ev[]) => string[] }[] = [
  {
    name: 'tumbling',
    assigner: () => TumblingEventTimeWindows.of(100),
    ref: (evs) => reference(evs, (ts) => [[ts - (ts % 100), ts - (ts % 100) + 100]]),
  },
  {
    name: 'sliding',
    assigner: () => SlidingEventTimeWindows.of(100, 25),
    ref: (evs) =>
      reference(evs, (ts) => {
        const out: [number, number][] = [];
        for (let start = ts - (ts % 25); start > ts - 100; start -= 25) out.push([start, start + 100]);
        return out;
      }),
  },
  { name: 'session', assigner: () => EventTimeSessionWindows.withGap(30), ref: (evs) => sessionReference(evs, 30) },
];

for (const c of cases) {
  test(`${c.name} windows: streaming = batch = brute force on out-of-order input within the bound`, async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, fc.integer({ min: 1, max: 3 }), async (events, parallelism) => {
        const expected = c.ref(events);
        const streaming = await runEngine(events, c.assigner, 'streaming', parallelism);
        const batch = await runEngine(events, c.assigner, 'batch', parallelism);
        assert.deepEqual(streaming, expected);
        assert.deepEqual(batch, expected);
      }),
      { numRuns: 60 },
    );
  });
}
