// %% Benchmark job: a keyed tumbling-window aggregation at parallelism 2.
import { StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from 'weir';

const n = Number(process.env.WEIR_BENCH_RECORDS ?? 4_000_000);
interface Ev {
  key: number;
  ts: number;
  v: number;
}
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env
  .fromGenerator(n, (i): Ev => ({ key: (i * 7919) % 1000, ts: i, v: i & 1023 }))
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts))
  .keyBy((e) => e.key)
  .window(TumblingEventTimeWindows.of(10_000))
  .aggregate({
    createAccumulator: () => ({ sum: 0, n: 0 }),
    add: (e: Ev, a: { sum: number; n: number }) => ((a.sum += e.v), a.n++, a),
    getResult: (a: { sum: number; n: number }) => a,
    merge: (a: { sum: number; n: number }, b: { sum: number; n: number }) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
  })
  .sinkTo({ invoke: () => {} });
await env.execute('keyed windows');
