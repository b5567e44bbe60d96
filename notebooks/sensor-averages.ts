// %% [markdown]
// # Sensor averages: tumbling and sliding event-time windows
//
// Twenty sensors report a temperature every 5 seconds for two hours, slightly out of order
// (up to 10 s late). We compute the average per sensor per minute (tumbling windows) and a
// 5-minute moving average that advances every minute (sliding windows), and run the same
// pipeline in streaming and in batch mode to check that the final answers agree.

// %%
import { StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, SlidingEventTimeWindows, Sinks } from 'weir';
import type { AggregateFunction } from 'weir';
import path from 'node:path';
import fs from 'node:fs';

interface Reading {
  sensor: string;
  ts: number;
  celsius: number;
}

/** A small deterministic PRNG (mulberry32), so every run sees the same data. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const start = Date.UTC(2026, 0, 1, 8, 0, 0);
const random = prng(42);
const readings: Reading[] = [];
for (let i = 0; i < 2 * 3600 / 5; i++) {
  for (let s = 0; s < 20; s++) {
    const ts = start + i * 5000 + Math.floor(random() * 10_000); // up to 10 s out of order
    readings.push({ sensor: `s${String(s).padStart(2, '0')}`, ts, celsius: 18 + s * 0.5 + Math.sin(i / 50) * 3 + random() });
  }
}
console.log(`${readings.length} readings from ${new Date(start).toISOString()}`);

// %% [markdown]
// An average is an aggregate: keep (sum, count), merge for free.

// %%
const average: AggregateFunction<Reading, { sum: number; n: number }, number> = {
  createAccumulator: () => ({ sum: 0, n: 0 }),
  add: (r, acc) => ({ sum: acc.sum + r.celsius, n: acc.n + 1 }),
  getResult: (acc) => Math.round((acc.sum / acc.n) * 100) / 100,
  merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
};

const outDir = path.join('out', 'sensor-averages');

async function run(mode: 'streaming' | 'batch') {
  const env = StreamExecutionEnvironment.create({ mode, parallelism: 2 });
  const readingsStream = env
    .fromCollection(readings)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Reading>(10_000).withTimestampAssigner((r) => r.ts));
  const perSensor = readingsStream.keyBy((r) => r.sensor);
  perSensor
    .window(TumblingEventTimeWindows.of(60_000))
    .aggregate(average, (sensor, w, avg) => ({ sensor, start: w.start, avg }))
    .uid('minute-average')
    .sinkTo(Sinks.jsonl(path.join(outDir, mode, 'minute/')));
  perSensor
    .window(SlidingEventTimeWindows.of(5 * 60_000, 60_000))
    .aggregate(average, (sensor, w, avg) => ({ sensor, end: w.end, avg }))
    .uid('moving-average')
    .sinkTo(Sinks.chart({ type: 'line', x: 'end', y: 'avg', series: 'sensor', title: '5-minute moving average' }));
  return env.execute(`sensor averages (${mode})`);
}

const streaming = await run('streaming');
console.log(`streaming: ${streaming.netRuntimeMs} ms`);

// %% Batch mode gives the same final answer
const batch = await run('batch');
// With parallelism 2 the JSONL sink writes one part file per subtask into the directory.
const lines = (mode: string) => {
  const dir = path.join(outDir, mode, 'minute');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n'))
    .sort();
};
const same = JSON.stringify(lines('streaming')) === JSON.stringify(lines('batch'));
console.log(`batch: ${batch.netRuntimeMs} ms; ${lines('batch').length} minute averages; streaming = batch: ${same}`);
if (!same) throw new Error('streaming and batch results differ');
