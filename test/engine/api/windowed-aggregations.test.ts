/**
 * `sum`/`min`/`max`/`minBy`/`maxBy`/`apply` on windowed and all-windowed streams (Flink's
 * `WindowedStream` and `AllWindowedStream` aggregations), the same in streaming and batch mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GlobalWindows,
  InvalidPipelineError,
  Sinks,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type DataStream,
  type WindowedStream,
} from '../../../engine/index.ts';

interface R {
  k: string;
  v: number;
  tag: string;
  ts: number;
}

const rows: R[] = [
  { k: 'a', v: 3, tag: 'x', ts: 100 },
  { k: 'a', v: 1, tag: 'y', ts: 200 },
  { k: 'b', v: 7, tag: 'p', ts: 300 },
  { k: 'a', v: 5, tag: 'z', ts: 400 },
  { k: 'a', v: 1, tag: 'w', ts: 500 },
  { k: 'b', v: 2, tag: 'q', ts: 1200 },
  { k: 'a', v: 9, tag: 'v', ts: 1500 },
];

async function run<OUT>(mode: 'streaming' | 'batch', finish: (w: WindowedStream<R, string>) => DataStream<OUT>, all = false): Promise<OUT[]> {
  const env = StreamExecutionEnvironment.create({ mode, parallelism: 1 }); // one subtask: ties are decided by arrival order
  const out = Sinks.collect<OUT>();
  const s = env.fromCollection(rows).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<R>().withTimestampAssigner((r) => r.ts));
  const windowed = all ? (s.windowAll(TumblingEventTimeWindows.of(1000)) as unknown as WindowedStream<R, string>) : s.keyBy((r) => r.k).window(TumblingEventTimeWindows.of(1000));
  finish(windowed).sinkTo(out);
  await env.execute(`windowed aggregations (${mode})`);
  return [...out.values].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
}

for (const mode of ['streaming', 'batch'] as const) {
  test(`${mode}: sum/min/max keep the first record's other fields; minBy/maxBy keep a whole record`, async () => {
    assert.deepEqual(await run(mode, (w) => w.sum('v')), [
      { k: 'a', v: 10, tag: 'x', ts: 100 },
      { k: 'a', v: 9, tag: 'v', ts: 1500 },
      { k: 'b', v: 2, tag: 'q', ts: 1200 },
      { k: 'b', v: 7, tag: 'p', ts: 300 },
    ]);
    const first0 = (xs: R[]) => xs.filter((r) => r.k === 'a' && r.ts < 1000);
    assert.deepEqual(first0(await run(mode, (w) => w.min('v'))), [{ k: 'a', v: 1, tag: 'x', ts: 100 }]);
    assert.deepEqual(first0(await run(mode, (w) => w.max('v'))), [{ k: 'a', v: 5, tag: 'x', ts: 100 }]);
    assert.deepEqual(first0(await run(mode, (w) => w.minBy('v'))), [{ k: 'a', v: 1, tag: 'y', ts: 200 }]);
    assert.deepEqual(first0(await run(mode, (w) => w.minBy('v', false))), [{ k: 'a', v: 1, tag: 'w', ts: 500 }]);
    assert.deepEqual(first0(await run(mode, (w) => w.maxBy((r) => -r.v))), [{ k: 'a', v: 1, tag: 'y', ts: 200 }]);
  });

  test(`${mode}: apply gets the key, the window and every record`, async () => {
    const r = await run(mode, (w) => w.apply<string>((k, win, els, out) => out.collect(`${k}@${win.start}-${win.end}:${[...els].map((e) => e.tag).join('')}`)));
    assert.deepEqual(r, ['a@0-1000:xyzw', 'a@1000-2000:v', 'b@0-1000:p', 'b@1000-2000:q']);
  });

  test(`${mode}: windowAll has the same aggregations over the whole stream`, async () => {
    assert.deepEqual((await run(mode, (w) => w.sum('v'), true)).map((r) => r.v), [17, 11]);
    assert.deepEqual((await run(mode, (w) => w.maxBy('v'), true)).map((r) => r.tag), ['v', 'p']);
  });
}

test('positional aggregations on array records', async () => {
  const env = StreamExecutionEnvironment.create({ mode: 'batch' });
  const out = Sinks.collect<[string, number]>();
  env
    .fromElements<[string, number]>(['a', 1], ['a', 2], ['b', 5])
    .keyBy((t) => t[0])
    .window(GlobalWindows.createWithEndOfStreamTrigger())
    .sum(1)
    .sinkTo(out);
  await env.execute('positional');
  assert.deepEqual([...out.values].sort(), [['a', 3], ['b', 5]]);
});

test('bad fields are refused where the pipeline is written', () => {
  const env = StreamExecutionEnvironment.create();
  const w = env.fromElements<R>(rows[0]!).keyBy((r) => r.k).window(TumblingEventTimeWindows.of(10));
  assert.throws(() => w.sum(((r: R) => r.v) as never), InvalidPipelineError);
  assert.throws(() => w.min(-1), /array position/);
  assert.throws(() => w.maxBy(undefined as never), /maxBy\(\) needs a field/);
  assert.throws(() => w.apply(42 as never), /apply\(\) expects a WindowFunction/);
});
