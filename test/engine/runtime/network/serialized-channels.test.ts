import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../../../engine/index.ts';
import { deploy, type ChannelId } from '../../../../engine/runtime/deployment.ts';
import { TaskRunner } from '../../../../engine/runtime/task-runner.ts';
import { SYSTEM_CLOCK } from '../../../../engine/runtime/processing-time.ts';
import { InMemoryPipe } from '../../../../engine/runtime/network/credit/in-memory-pipe.ts';

interface Purchase {
  user: string;
  ts: number;
  amount: number;
  tags: string[];
  at: Date;
  coupon: string | null;
}

const purchases: Purchase[] = Array.from({ length: 20_000 }, (_, i) => ({
  user: `user-${(i * 7919) % 97}`,
  ts: i * 10,
  amount: (i % 50) + 0.25,
  tags: i % 3 ? ['web'] : [],
  at: new Date(1_700_000_000_000 + i * 10),
  coupon: i % 5 ? null : `C${i % 11}`,
}));

/** The same pipeline: keyed windows (hash exchange) and a rebalance → keyBy chain. */
function build(env: StreamExecutionEnvironment, out: string[]): void {
  env
    .fromCollection(purchases)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Purchase>().withTimestampAssigner((p) => p.ts))
    .rebalance()
    .map((p) => ({ ...p, big: p.amount > 40, day: p.at.getUTCDate() }))
    .keyBy((p) => p.user)
    .window(TumblingEventTimeWindows.of(5_000))
    .aggregate({
      createAccumulator: () => ({ n: 0, sum: 0, coupons: 0, tags: 0, big: 0 }),
      add: (p, a) => ({ n: a.n + 1, sum: a.sum + p.amount, coupons: a.coupons + (p.coupon ? 1 : 0), tags: a.tags + p.tags.length, big: a.big + (p.big ? 1 : 0) }),
      getResult: (a) => a,
      merge: (a, b) => ({ n: a.n + b.n, sum: a.sum + b.sum, coupons: a.coupons + b.coupons, tags: a.tags + b.tags, big: a.big + b.big }),
    })
    .sinkTo({ invoke: (r) => void out.push(JSON.stringify(r)) });
}

test('a job through serialising, credit-based channels gives the same output as through local ones', async () => {
  const expected: string[] = [];
  const local = StreamExecutionEnvironment.create({ parallelism: 3 });
  build(local, expected);
  await local.execute('local');

  const got: string[] = [];
  const env = StreamExecutionEnvironment.create({ parallelism: 3 });
  build(env, got);
  const job = env.buildJob('serialised');
  const pipes = new Map<string, InMemoryPipe>();
  const pipe = (id: ChannelId) => {
    const key = `${id.edge}:${id.producer}:${id.consumer}`;
    let p = pipes.get(key);
    if (!p) pipes.set(key, (p = new InMemoryPipe(key, { buffers: 2 })));
    return p;
  };
  let wake = () => {};
  const deployment = deploy(job, {
    clock: SYSTEM_CLOCK,
    print: () => {},
    channels: { writer: (id) => pipe(id).writer, reader: (id) => pipe(id).reader },
    wake: () => wake(),
  });
  const runner = new TaskRunner(deployment.tasks, SYSTEM_CLOCK);
  wake = runner.wake;
  for (const p of pipes.values()) {
    p.writer.onWritable = runner.wake;
    p.reader.onData = runner.wake;
  }
  await runner.run();
  for (const t of deployment.tasks) assert.deepEqual(t.close(), []);

  assert.ok(pipes.size > 0);
  assert.ok([...pipes.values()].every((p) => p.reader.ended && p.writer.finished));
  assert.ok(expected.length > 100);
  assert.deepEqual(got.sort(), expected.sort());
});
