/**
 * Engine core throughput on one core: (a) a chained source → map → filter → sink pipeline,
 * (b) a keyed tumbling-window aggregation through the engine, (c) the same aggregation as a
 * hand-written loop — the floor the engine is measured against.
 */
import { StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../engine/index.ts';
import { bestRate, fmtRate } from './machine.ts';

interface Ev {
  key: number;
  ts: number;
  v: number;
}

const KEYS = 1000;
const WINDOW = 10_000;

function events(n: number): Ev[] {
  const out: Ev[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { key: (i * 7919) % KEYS, ts: i, v: i & 1023 };
  return out;
}

const sumAgg = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (e: Ev, acc: { sum: number; count: number }) => {
    acc.sum += e.v;
    acc.count++;
    return acc;
  },
  getResult: (acc: { sum: number; count: number }) => acc,
  merge: (a: { sum: number; count: number }, b: { sum: number; count: number }) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

async function chained(n: number): Promise<number> {
  let seen = 0;
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  env
    .fromSequence(1, n)
    .map((x) => x * 2)
    .filter((x) => (x & 3) === 0)
    .sinkTo({ invoke: () => void seen++ });
  await env.execute('bench-chained');
  return seen;
}

async function windowed(data: Ev[]): Promise<number> {
  let fired = 0;
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  env
    .fromCollection(data)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts))
    .keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of(WINDOW))
    .aggregate(sumAgg)
    .sinkTo({ invoke: () => void fired++ });
  await env.execute('bench-window');
  return fired;
}

/** The same aggregation by hand: per window a map of key → accumulator, fired as time passes. */
function handWritten(data: Ev[]): number {
  let fired = 0;
  const windows = new Map<number, Map<number, { sum: number; count: number }>>();
  let watermark = -Infinity;
  const fire = (upTo: number) => {
    for (const [start, perKey] of windows) {
      if (start + WINDOW - 1 > upTo) continue;
      for (const acc of perKey.values()) if (acc) fired++;
      windows.delete(start);
    }
  };
  for (let i = 0; i < data.length; i++) {
    const e = data[i]!;
    const start = e.ts - (e.ts % WINDOW);
    let perKey = windows.get(start);
    if (!perKey) windows.set(start, (perKey = new Map()));
    const acc = perKey.get(e.key);
    perKey.set(e.key, sumAgg.add(e, acc ?? sumAgg.createAccumulator()));
    if ((i & 1023) === 0 && e.ts - 1 > watermark) {
      watermark = e.ts - 1;
      fire(watermark);
    }
  }
  fire(Infinity);
  return fired;
}

export async function benchEngineCore(): Promise<string[]> {
  const lines: string[] = [];
  const n = 10_000_000;
  const a = await bestRate(n, 3, () => chained(n).then(() => undefined));
  lines.push(`(a) chained source→map→filter→sink: ${fmtRate(a.rate)} (${n.toLocaleString()} records, best ${a.ms.toFixed(0)} ms)`);
  const data = events(3_000_000);
  const expected = handWritten(data);
  const got = await windowed(data);
  if (got !== expected) throw new Error(`window benchmark disagrees with the hand-written loop: ${got} vs ${expected} results`);
  const b = await bestRate(data.length, 3, () => windowed(data).then(() => undefined));
  const c = await bestRate(data.length, 3, () => void handWritten(data));
  lines.push(`(b) keyed tumbling-window aggregate (${KEYS} keys, ${WINDOW / 1000}s windows): ${fmtRate(b.rate)} (${data.length.toLocaleString()} records, best ${b.ms.toFixed(0)} ms)`);
  lines.push(`(c) same aggregation, hand-written loop: ${fmtRate(c.rate)} (best ${c.ms.toFixed(0)} ms) → engine is ${(c.rate / b.rate).toFixed(2)}x slower than the loop`);
  return lines;
}
