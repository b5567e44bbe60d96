// %% Soak job: an unbounded generator at ~20k records/s, a keyed window, an exactly-once JSONL sink, a checkpoint every 100 ms.
import { Sinks, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from 'weir';

interface Ev {
  key: number;
  ts: number;
  v: number;
}
const out = process.env.WEIR_SOAK_OUT ?? 'out/soak';
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.enableCheckpointing(Number(process.env.WEIR_SOAK_INTERVAL_MS ?? 100));
env
  .fromGenerator(Infinity, (i): Ev => ({ key: i % 100, ts: i, v: i & 1023 }), { recordsPerSecond: Number(process.env.WEIR_SOAK_RATE ?? 20_000) })
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts))
  .keyBy((e) => e.key)
  .window(TumblingEventTimeWindows.of(10_000))
  .aggregate({
    createAccumulator: () => ({ sum: 0, n: 0 }),
    add: (e: Ev, a: { sum: number; n: number }) => ((a.sum += e.v), a.n++, a),
    getResult: (a: { sum: number; n: number }) => a,
    merge: (a: { sum: number; n: number }, b: { sum: number; n: number }) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
  })
  .sinkTo(Sinks.jsonl(out, { semantics: 'exactly-once' }));
await env.execute('checkpoint soak');
