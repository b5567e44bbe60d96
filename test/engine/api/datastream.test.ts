import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidPipelineError,
  JobExecutionError,
  OutputTag,
  Sinks,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  SlidingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
  type RuntimeContext,
  type ValueState,
} from '../../../engine/index.ts';
import { buildJobGraph } from '../../../engine/plan/chaining.ts';

const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();

test('map, filter and flatMap accept functions and rich function objects', async () => {
  const env = StreamExecutionEnvironment.create();
  const out = Sinks.collect<string>();
  let opened = 0;
  env
    .fromElements('a b', 'c', '', 'd e f')
    .flatMap((line: string) => line.split(' ').filter(Boolean))
    .map({
      open: () => void opened++,
      map: (w: string) => w.toUpperCase(),
    })
    .filter((w) => w !== 'C')
    .flatMap((w: string, collector) => {
      collector.collect(w);
      collector.collect(w + '!');
    })
    .sinkTo(out);
  await env.execute('words');
  assert.deepEqual(out.values, ['A', 'A!', 'B', 'B!', 'D', 'D!', 'E', 'E!', 'F', 'F!']);
  assert.equal(opened, 1);
});

test('union merges streams; the report counts records per operator', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const out = Sinks.collect<number>();
  const a = env.fromElements(1, 2, 3);
  const b = env.fromSequence(10, 19);
  const c = env.fromElements(100);
  a.union(b, c).map((x) => x * 2).uid('double').sinkTo(out);
  const result = await env.execute('union');
  assert.deepEqual([...out.values].sort((x, y) => x - y), [2, 4, 6, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 200]);
  const double = result.report.operators.find((o) => o.uid === 'double')!;
  assert.equal(double.recordsIn, 14);
  assert.equal(double.recordsOut, 14);
  assert.equal(double.parallelism, 2);
  assert.equal(result.report.status, 'FINISHED');
});

/** Tags each record with the subtask that saw it. */
function tagSubtask<T>() {
  // Per-instance data lives on `this`: every subtask gets its own copy of the object.
  return {
    sub: -1,
    open(ctx: RuntimeContext) {
      this.sub = ctx.getIndexOfThisSubtask();
    },
    map(v: T) {
      return { sub: this.sub, v };
    },
  };
}

test('partitioners route as Flink does', async () => {
  const run = async (partition: (s: ReturnType<StreamExecutionEnvironment['fromSequence']>) => any, parallelism = 3) => {
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const out = Sinks.collect<{ sub: number; v: number }>();
    partition(env.fromSequence(0, 11)).map(tagSubtask<number>()).setParallelism(parallelism).sinkTo(out);
    await env.execute('partition');
    return out.values;
  };
  const rebalanced = await run((s) => s.rebalance());
  assert.deepEqual([0, 1, 2].map((i) => rebalanced.filter((r) => r.sub === i).length), [4, 4, 4]);
  const global = await run((s) => s.global());
  assert.ok(global.every((r) => r.sub === 0));
  const broadcast = await run((s) => s.broadcast());
  assert.equal(broadcast.length, 36);
  const deprecatedAlias = await run((s) => s.broadcastAll());
  assert.equal(deprecatedAlias.length, 36);
  const custom = await run((s) => s.partitionCustom((k: number, n: number) => k % n, (x: number) => x));
  assert.ok(custom.every((r) => r.sub === r.v % 3));
  const shuffled = await run((s) => s.shuffle());
  assert.equal(shuffled.length, 12);
  const keyed = await run((s) => s.keyBy((x: number) => x % 4));
  for (const k of [0, 1, 2, 3]) assert.equal(new Set(keyed.filter((r) => r.v % 4 === k).map((r) => r.sub)).size, 1, 'one subtask per key');
});

test('rescale connects each producer to a local group of consumers', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const out = Sinks.collect<{ sub: number; v: { sub: number; v: number } }>();
  env.fromSequence(0, 99).map(tagSubtask<number>()).rescale().map(tagSubtask<{ sub: number; v: number }>()).setParallelism(4).sinkTo(out);
  await env.execute('rescale');
  for (const r of out.values) assert.equal(Math.floor(r.sub / 2), r.v.sub, 'producer i feeds consumers 2i and 2i+1');
});

test('operators chain when forward-connected with equal parallelism; disableChaining and parallelism break chains', () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.fromSequence(1, 10).map((x) => x).filter(() => true).map((x) => x).disableChaining().map((x) => x).setParallelism(3).print();
  const jg = buildJobGraph(env.getStreamGraph('chains'));
  const chains = jg.chains.map((c) => c.vertices.map((v) => v.kind).join('>'));
  // The sink takes the environment's parallelism (2), not its input's (3), as in Flink.
  assert.deepEqual(chains, ['source>map>filter', 'map', 'map', 'sink']);
});

test('an operator parallelism wins over the environment default', () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 4 });
  env.fromSequence(1, 10).map((x) => x).setParallelism(2).print();
  const g = env.getStreamGraph();
  assert.deepEqual(g.vertices.map((v) => v.parallelism), [4, 2, 4]);
});

test('process functions emit to side outputs', async () => {
  const env = StreamExecutionEnvironment.create();
  const odd = new OutputTag<number>('odd');
  const evens = Sinks.collect<number>();
  const odds = Sinks.collect<number>();
  const main = env.fromSequence(1, 6).process<number>({
    processElement(v, ctx, out) {
      if (v % 2) ctx.output(odd, v);
      else out.collect(v);
    },
  });
  main.sinkTo(evens);
  main.getSideOutput(odd).sinkTo(odds);
  await env.execute('sides');
  assert.deepEqual(evens.values, [2, 4, 6]);
  assert.deepEqual(odds.values, [1, 3, 5]);
});

test('rolling aggregations: every update in streaming, the final value per key in batch', async () => {
  type R = { k: string; v: number; tag: string };
  const rows: R[] = [
    { k: 'a', v: 3, tag: 'x' },
    { k: 'b', v: 1, tag: 'y' },
    { k: 'a', v: 1, tag: 'z' },
    { k: 'a', v: 5, tag: 'w' },
  ];
  const run = async (mode: 'streaming' | 'batch', f: (k: any) => any) => {
    const env = StreamExecutionEnvironment.create({ mode });
    const out = Sinks.collect<R>();
    f(env.fromCollection(rows).keyBy((r) => r.k)).sinkTo(out);
    await env.execute('agg');
    return out.values;
  };
  assert.deepEqual((await run('streaming', (k) => k.sum('v'))).map((r) => r.v), [3, 1, 4, 9]);
  assert.deepEqual(sorted(await run('batch', (k) => k.sum('v'))), sorted([{ k: 'a', v: 9, tag: 'x' }, { k: 'b', v: 1, tag: 'y' }]));
  assert.deepEqual((await run('batch', (k) => k.min('v'))).find((r) => r.k === 'a'), { k: 'a', v: 1, tag: 'x' });
  assert.deepEqual((await run('batch', (k) => k.minBy('v'))).find((r) => r.k === 'a'), { k: 'a', v: 1, tag: 'z' });
  assert.deepEqual((await run('batch', (k) => k.maxBy('v'))).find((r) => r.k === 'a'), { k: 'a', v: 5, tag: 'w' });
  assert.deepEqual((await run('streaming', (k) => k.max('v'))).map((r) => r.v), [3, 1, 3, 5]);
});

test('keyed process functions: state per key, timers deduplicated per key and time', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const out = Sinks.collect<string>();
  env
    .fromCollection([
      { k: 'a', ts: 10 },
      { k: 'a', ts: 20 },
      { k: 'b', ts: 30 },
      { k: 'a', ts: 40 },
    ])
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ k: string; ts: number }>().withTimestampAssigner((e) => e.ts))
    .keyBy((e) => e.k)
    .process<string>({
      count: undefined as ValueState<number> | undefined,
      open(ctx: RuntimeContext) {
        this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
      },
      processElement(_e, ctx, _out) {
        this.count!.update(this.count!.value()! + 1);
        ctx.timerService().registerEventTimeTimer(1000); // same timer for every record of a key
      },
      onTimer(ts, ctx, o) {
        o.collect(`${ctx.getCurrentKey()}:${this.count!.value()}@${ts}`);
      },
    })
    .sinkTo(out);
  await env.execute('timers');
  assert.deepEqual(out.values.sort(), ['a:3@1000', 'b:1@1000']);
});

test('invalid parameters fail where the pipeline is defined, naming the problem', () => {
  assert.throws(() => StreamExecutionEnvironment.create({ parallelism: 0 }), /Parallelism of 'StreamExecutionEnvironment' must be an integer ≥ 1, got 0/);
  const env = StreamExecutionEnvironment.create();
  assert.throws(() => env.fromElements(1).map((x) => x).setParallelism(-1), InvalidPipelineError);
  assert.throws(() => TumblingEventTimeWindows.of(0), /size/);
  assert.throws(() => SlidingEventTimeWindows.of(100, 0), /slide/);
  assert.throws(() => WatermarkStrategy.forBoundedOutOfOrderness(-1), /bound must be a number ≥ 0/);
  assert.throws(() => env.fromElements(1).keyBy((x) => x).countWindow(0), /countWindow: size must be an integer > 0/);
});

test('an unbounded source in batch mode is refused before the job starts', async () => {
  const env = StreamExecutionEnvironment.create({ mode: 'batch' });
  env.fromGenerator(Infinity, (i) => i).print();
  await assert.rejects(env.execute('endless'), /Source 'Source: Generator' is unbounded, but the job runs in batch mode/);
});

test('a non-finite timestamp fails the job at the first such record, naming the operator', async () => {
  const env = StreamExecutionEnvironment.create();
  env
    .fromElements({ ts: 1 }, { ts: Number.NaN })
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ ts: number }>().withTimestampAssigner((e) => e.ts))
    .print();
  await assert.rejects(env.execute('bad ts'), (e: unknown) => {
    assert.ok(e instanceof JobExecutionError);
    assert.match(e.message, /Timestamps\/Watermarks/);
    assert.match(e.message, /returned NaN for record \{"ts":null\}/);
    return true;
  });
});

test('keyed state on a non-keyed stream is a clear error', async () => {
  const env = StreamExecutionEnvironment.create();
  env
    .fromElements(1)
    .map({
      open(ctx: RuntimeContext) {
        ctx.getState(new ValueStateDescriptor<number>('x'));
      },
      map: (x: number) => x,
    })
    .print();
  await assert.rejects(env.execute('not keyed'), /Operator 'Map' uses keyed state \('x'\), which only works on a KeyedStream: call keyBy/);
});

test("a user function's exception fails the job with the user's message and the original error as cause", async () => {
  const env = StreamExecutionEnvironment.create();
  const boom = new Error('bad record 3');
  env
    .fromSequence(1, 5)
    .map((x) => {
      if (x === 3) throw boom;
      return x;
    })
    .name('parse')
    .print();
  await assert.rejects(env.execute('fails'), (e: unknown) => {
    assert.ok(e instanceof JobExecutionError);
    assert.equal(e.cause, boom);
    assert.match(e.message, /Job 'fails' failed in operator 'parse' .*: bad record 3/);
    assert.equal((e as JobExecutionError & { report: { status: string } }).report.status, 'FAILED');
    return true;
  });
});

test('a job without sinks is refused', async () => {
  const env = StreamExecutionEnvironment.create();
  env.fromElements(1).map((x) => x);
  await assert.rejects(env.execute('no sink'), /has no sinks/);
});

test('print prefixes lines with the subtask when parallel', async () => {
  const lines: string[] = [];
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.localExecutionOptions = { print: (l) => lines.push(l) };
  env.fromSequence(1, 4).print('n');
  await env.execute('print');
  assert.equal(lines.length, 4);
  assert.ok(lines.every((l) => /^n:[12]> \d$/.test(l)), lines.join(','));
});

test('late records: dropped by default, or sent to the late side output, and allowed lateness fires the window again', async () => {
  type E = { k: string; ts: number };
  const events: E[] = [
    { k: 'a', ts: 1 },
    { k: 'a', ts: 150 }, // watermark passes the end of [0, 100)
    { k: 'a', ts: 50 }, // late for [0, 100)
  ];
  const strategy = WatermarkStrategy.forGenerator<E>(() => ({
    onEvent: (_e, ts, out) => out.emitWatermark(ts - 1),
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e) => e.ts);
  const run = async (lateness: number) => {
    const env = StreamExecutionEnvironment.create();
    const late = new OutputTag<E>('late');
    const out = Sinks.collect<string>();
    const lateOut = Sinks.collect<E>();
    const w = env
      .fromCollection(events)
      .assignTimestampsAndWatermarks(strategy)
      .keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(100))
      .allowedLateness(lateness)
      .sideOutputLateData(late)
      .process<string>((k, ctx, els, o) => o.collect(`${ctx.window.start}:${[...els].length}`));
    w.sinkTo(out);
    w.getSideOutput(late).sinkTo(lateOut);
    await env.execute('late');
    return { fired: out.values, late: lateOut.values };
  };
  const strict = await run(0);
  assert.deepEqual(strict.fired, ['0:1', '100:1']);
  assert.deepEqual(strict.late, [{ k: 'a', ts: 50 }]);
  const lenient = await run(100);
  assert.deepEqual(lenient.fired, ['0:1', '0:2', '100:1']);
  assert.deepEqual(lenient.late, []);
});

test('ingestion time stamps records with the processing time at which they are read', async () => {
  const env = StreamExecutionEnvironment.create();
  const out = Sinks.collect<number | undefined>();
  const before = Date.now();
  env
    .fromElements('x', 'y')
    .assignTimestampsAndWatermarks(WatermarkStrategy.forIngestionTime<string>())
    .process<number | undefined>({ processElement: (_v, ctx, o) => o.collect(ctx.timestamp()) })
    .sinkTo(out);
  await env.execute('ingestion');
  assert.equal(out.values.length, 2);
  for (const ts of out.values) assert.ok(ts !== undefined && ts >= before && ts <= Date.now());
});

test('operator state is per parallel instance and visible through the runtime context', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const out = Sinks.collect<{ sub: number; n: number }>();
  env
    .fromSequence(1, 10)
    .map({
      seen: [] as number[],
      sub: 0,
      open(ctx: RuntimeContext) {
        this.seen = ctx.getOperatorStateStore().getListState<number>('seen');
        this.sub = ctx.getIndexOfThisSubtask();
      },
      map(x: number) {
        this.seen.push(x);
        return { sub: this.sub, n: this.seen.length };
      },
    })
    .sinkTo(out);
  await env.execute('operator state');
  for (const sub of [0, 1]) assert.deepEqual(out.values.filter((r) => r.sub === sub).map((r) => r.n), [1, 2, 3, 4, 5]);
});

test('getExecutionPlan shows the graph, the chains and the subtasks', () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.fromSequence(1, 10).map((x) => x).keyBy((x) => x % 2).reduce((a, b) => a + b).print();
  const plan = JSON.parse(env.getExecutionPlan('p'));
  assert.equal(plan.streamGraph.vertices.length, 4);
  assert.deepEqual(plan.jobGraph.map((c: { operators: string[] }) => c.operators.length), [2, 2]);
  assert.equal(plan.jobGraph[1].inputs[0].partitioner, 'hash');
  assert.equal(plan.executionGraph.length, 4);
});

test('the plan carries source and watermark configuration as plain data', () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env
    .fromGenerator(1000, (i) => ({ ts: i }), { recordsPerSecond: 50 })
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<{ ts: number }>(250).withTimestampAssigner((e) => e.ts).withIdleness(5000))
    .print();
  env.fromSequence(3, 9).print();
  const { streamGraph } = JSON.parse(env.getExecutionPlan('p')) as { streamGraph: { vertices: { name: string; config: Record<string, unknown> }[] } };
  const config = (name: string) => streamGraph.vertices.find((v) => v.name === name)!.config;
  assert.deepEqual(config('Source: Generator'), { source: 'Generator', bounded: true, count: 1000, recordsPerSecond: 50 });
  assert.deepEqual(config('Timestamps/Watermarks'), { watermarks: 'bounded out-of-orderness 250 ms', idleTimeoutMs: 5000 });
  assert.deepEqual(config('Source: Sequence'), { source: 'Sequence', bounded: true, from: 3, to: 9 });
});
