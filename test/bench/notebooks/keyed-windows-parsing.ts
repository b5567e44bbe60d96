// %% Benchmark job: the keyed window aggregation of keyed-windows.ts, with the per-record work
// of a job that reads text events: each record's time is parsed from an ISO-8601 string and
// its user id is normalised before the keyBy. Parallelism 2.
import { StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from 'weir';

const n = Number(process.env.WEIR_BENCH_RECORDS ?? 2_000_000);
const start = Date.UTC(2024, 0, 1);
interface Raw {
  user: string;
  at: string;
  amount: number;
}
interface Ev {
  user: string;
  ts: number;
  amount: number;
}
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env
  .fromGenerator(n, (i): Raw => ({ user: ` User-${(i * 7919) % 1000} `, at: new Date(start + i).toISOString(), amount: i & 1023 }))
  .map((r): Ev => ({ user: r.user.trim().toLowerCase(), ts: Date.parse(r.at), amount: r.amount }))
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts))
  .keyBy((e) => e.user)
  .window(TumblingEventTimeWindows.of(10_000))
  .aggregate({
    createAccumulator: () => ({ sum: 0, n: 0 }),
    add: (e: Ev, a: { sum: number; n: number }) => ((a.sum += e.amount), a.n++, a),
    getResult: (a: { sum: number; n: number }) => a,
    merge: (a: { sum: number; n: number }, b: { sum: number; n: number }) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
  })
  .sinkTo({ invoke: () => {} });
await env.execute('keyed windows, parsing');
