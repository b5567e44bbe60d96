// %% Benchmark job: small records through one keyed exchange (source → keyBy → sink).
import { StreamExecutionEnvironment } from 'weir';

const n = Number(process.env.WEIR_BENCH_RECORDS ?? 5_000_000);
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
let sunk = 0;
env
  .fromGenerator(n, (i) => ({ key: i % 1000, ts: i, value: i & 255 }))
  .keyBy((r) => r.key)
  .sinkTo({ invoke: () => void sunk++ });
await env.execute('keyed exchange');
