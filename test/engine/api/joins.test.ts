import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEverywhere } from '../../harness/everywhere.ts';
import {
  EventTimeTrigger,
  GlobalWindows,
  InvalidPipelineError,
  OutputTag,
  Sinks,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TimeEvictor,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type Collector,
  type DataStream,
  type RuntimeContext,
} from '../../../engine/index.ts';

interface A {
  k: string;
  ts: number;
  v: number;
}
interface B {
  k: string;
  ts: number;
  w: string;
}

// Timestamps ascend per stream; keys and windows overlap in various ways.
const as: A[] = [
  { k: 'x', ts: 1, v: 1 },
  { k: 'y', ts: 2, v: 2 },
  { k: 'x', ts: 4, v: 3 },
  { k: 'z', ts: 9, v: 4 },
  { k: 'x', ts: 11, v: 5 },
  { k: 'y', ts: 14, v: 6 },
  { k: 'x', ts: 19, v: 7 },
  { k: 'y', ts: 23, v: 8 },
  { k: 'q', ts: 25, v: 9 },
];
const bs: B[] = [
  { k: 'x', ts: 0, w: 'a' },
  { k: 'x', ts: 3, w: 'b' },
  { k: 'y', ts: 8, w: 'c' },
  { k: 'x', ts: 10, w: 'd' },
  { k: 'y', ts: 12, w: 'e' },
  { k: 'y', ts: 15, w: 'f' },
  { k: 'x', ts: 21, w: 'g' },
  { k: 'w', ts: 22, w: 'h' },
  { k: 'y', ts: 27, w: 'i' },
];

function sources(env: StreamExecutionEnvironment): { a: DataStream<A>; b: DataStream<B> } {
  return {
    a: env.fromCollection(as).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<A>().withTimestampAssigner((e) => e.ts)),
    b: env.fromCollection(bs).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<B>().withTimestampAssigner((e) => e.ts)),
  };
}

/** Brute-force window join: pairs with equal keys in each common window. */
function windowJoinReference(windowsOf: (ts: number) => number[], pair: (a: A, b: B) => string): string[] {
  const out: string[] = [];
  for (const a of as) for (const b of bs) if (a.k === b.k) for (const w of windowsOf(a.ts)) if (windowsOf(b.ts).includes(w)) out.push(pair(a, b));
  return out;
}
const tumbling10 = (ts: number) => [Math.floor(ts / 10) * 10];

test('window join: every pair with equal keys in the same tumbling window', async () => {
  const expected = windowJoinReference(tumbling10, (a, b) => `${a.k}:${a.v}${b.w}`);
  assert.equal(expected.length, 10);
  await assertEverywhere('joins', (env) => {
    const { a, b } = sources(env);
    return a.join(b)
      .where((x) => x.k)
      .equalTo((y) => y.k)
      .window(TumblingEventTimeWindows.of(10))
      .apply((x, y) => `${x.k}:${x.v}${y.w}`);
  }, expected);
});

test('window join in sliding windows pairs records once per shared window, as Flink does', async () => {
  const sliding = (ts: number) => [Math.floor(ts / 5) * 5, Math.floor(ts / 5) * 5 - 5];
  const expected = windowJoinReference(sliding, (a, b) => `${a.v}${b.w}`);
  await assertEverywhere('joins', (env) => {
    const { a, b } = sources(env);
    return a.join(b)
      .where((x) => x.k)
      .equalTo((y) => y.k)
      .window(SlidingEventTimeWindows.of(10, 5))
      .apply((x, y) => `${x.v}${y.w}`);
  }, expected);
});

test('the flat join form emits any number of records per pair; undefined results of the plain form are dropped', async () => {
  const pairs = windowJoinReference(tumbling10, (a, b) => `${a.v}${b.w}`);
  await assertEverywhere('joins', 
    (env) => {
      const out = Sinks.collect<string>();
      const { a, b } = sources(env);
      const joined = a
        .join(b)
        .where((x) => x.k)
        .equalTo((y) => y.k)
        .window(TumblingEventTimeWindows.of(10));
      joined
        .apply<string>((x, y, o) => {
          o.collect(`${x.v}${y.w}`);
          o.collect(`${x.v}${y.w}!`);
        })
        .sinkTo(out);
      joined.apply((x, y) => (x.v % 2 === 0 ? `even ${x.v}${y.w}` : undefined)).sinkTo(out);
      return out;
    },
    [
      ...pairs.flatMap((p) => [p, `${p}!`]),
      ...pairs.filter((p) => Number.parseInt(p, 10) % 2 === 0).map((p) => `even ${p}`),
    ],
  );
});

/** A rich join function that keeps its subtask index on `this` (each instance has its own). */
function subtaskTagger(opened: number[]) {
  return {
    subtask: -1,
    open(ctx: RuntimeContext) {
      this.subtask = ctx.getIndexOfThisSubtask();
      opened.push(this.subtask);
    },
    join(x: A, y: B) {
      return `${x.v}${y.w}@${this.subtask}`;
    },
  };
}

test('join function objects are opened once per parallel instance, each with its own `this`', async () => {
  for (const parallelism of [1, 3]) {
    const env = StreamExecutionEnvironment.create({ parallelism });
    const out = Sinks.collect<string>();
    const opened: number[] = [];
    const { a, b } = sources(env);
    a.join(b)
      .where((x) => x.k)
      .equalTo((y) => y.k)
      .window(TumblingEventTimeWindows.of(10))
      .apply(subtaskTagger(opened))
      .sinkTo(out);
    await env.execute('rich join');
    assert.deepEqual(
      opened.sort(),
      Array.from({ length: parallelism }, (_, i) => i),
    );
    assert.equal(out.values.length, 10);
    assert.ok(out.values.every((v) => /@\d$/.test(v) && Number(v.slice(-1)) < parallelism));
  }
});

test('trigger and evictor reach the window: a global window fired at the end, recent records only', async () => {
  // GlobalWindows + EventTimeTrigger fires once, at the final watermark; TimeEvictor.of(5)
  // keeps the records of each key within 5 ms of its newest one (of either side).
  const expected: string[] = [];
  for (const k of new Set([...as.map((a) => a.k), ...bs.map((b) => b.k)])) {
    const max = Math.max(...as.filter((a) => a.k === k).map((a) => a.ts), ...bs.filter((b) => b.k === k).map((b) => b.ts));
    for (const a of as) for (const b of bs) if (a.k === k && b.k === k && a.ts > max - 5 && b.ts > max - 5) expected.push(`${a.v}${b.w}`);
  }
  assert.deepEqual(expected.sort(), ['7g', '8i']);
  await assertEverywhere('joins', (env) => {
    const { a, b } = sources(env);
    return a.join(b)
      .where((x) => x.k)
      .equalTo((y) => y.k)
      .window(GlobalWindows.create())
      .trigger(EventTimeTrigger.create())
      .evictor(TimeEvictor.of(5))
      .apply((x, y) => `${x.v}${y.w}`);
  }, expected);
});

test('coGroup gives both sides per key and window, also when one side is empty', async () => {
  const groups = new Map<string, { as: number[]; bs: string[] }>();
  const group = (k: string, ts: number) => {
    const id = `${k}@${tumbling10(ts)[0]}`;
    if (!groups.has(id)) groups.set(id, { as: [], bs: [] });
    return groups.get(id)!;
  };
  for (const a of as) group(a.k, a.ts).as.push(a.v);
  for (const b of bs) group(b.k, b.ts).bs.push(b.w);
  const expected = [...groups.values()].map((g) => `${g.as.join(',')}|${g.bs.join(',')}`);
  assert.ok(expected.includes('4|'), 'a group with no right records');
  assert.ok(expected.includes('|h'), 'a group with no left records');
  await assertEverywhere('joins', (env) => {
    const out = Sinks.collect<string>();
    const { a, b } = sources(env);
    a.coGroup(b)
      .where((x) => x.k)
      .equalTo((y) => y.k)
      .window(TumblingEventTimeWindows.of(10))
      .apply<string>((xs, ys, o) => {
        o.collect(`${xs.map((x) => x.v).sort((p, q) => p - q).join(',')}|${ys.map((y) => y.w).sort().join(',')}`);
      })
      .sinkTo(out);
    return out;
  }, expected);
});

/** Brute-force interval join. */
function intervalReference(lower: number, upper: number, lowerEx = false, upperEx = false): string[] {
  const out: string[] = [];
  for (const a of as) {
    for (const b of bs) {
      const lo = a.ts + lower;
      const hi = a.ts + upper;
      if (a.k === b.k && (lowerEx ? b.ts > lo : b.ts >= lo) && (upperEx ? b.ts < hi : b.ts <= hi)) out.push(`${a.v}${b.w}@${Math.max(a.ts, b.ts)}`);
    }
  }
  return out;
}

test('interval join: pairs with r.ts in [l.ts + lower, l.ts + upper], at the larger timestamp', async () => {
  const expected = intervalReference(-3, 2);
  assert.ok(expected.length >= 5);
  await assertEverywhere('joins', (env) => {
    const out = Sinks.collect<string>();
    const { a, b } = sources(env);
    a.keyBy((x) => x.k)
      .intervalJoin(b.keyBy((y) => y.k))
      .between(-3, 2)
      .process((x, y, ctx, o) => {
        assert.equal(ctx.getLeftTimestamp(), x.ts);
        assert.equal(ctx.getRightTimestamp(), y.ts);
        o.collect(`${x.v}${y.w}@${ctx.getTimestamp()}`);
      })
      .sinkTo(out);
    return out;
  }, expected);
});

test('interval join with exclusive bounds and an object function', async () => {
  const expected = intervalReference(-1, 3, true, true);
  assert.notDeepEqual(expected.sort(), intervalReference(-1, 3).sort(), 'the data has records on the bounds');
  await assertEverywhere('joins', (env) => {
    const out = Sinks.collect<string>();
    const { a, b } = sources(env);
    a.keyBy((x) => x.k)
      .intervalJoin(b.keyBy((y) => y.k))
      .between(-1, 3)
      .lowerBoundExclusive()
      .upperBoundExclusive()
      .process({
        processElement(x: A, y: B, ctx, o: Collector<string>) {
          o.collect(`${x.v}${y.w}@${ctx.getTimestamp()}`);
        },
      })
      .sinkTo(out);
    return out;
  }, expected);
});

test('interval join results carry the larger of the two timestamps downstream', async () => {
  const expected = intervalReference(-3, 2).map((p) => p.replace(/^.*@/, 'ts @'));
  await assertEverywhere('joins', (env) => {
    const { a, b } = sources(env);
    return a.keyBy((x) => x.k)
      .intervalJoin(b.keyBy((y) => y.k))
      .between(-3, 2)
      .process<number>((x, _y, _ctx, o) => o.collect(x.v))
      .process<string>({ processElement: (_v, ctx, o) => o.collect(`ts @${ctx.timestamp()}`) });
  }, expected);
});

test('interval join of records without timestamps fails with a hint', async () => {
  const env = StreamExecutionEnvironment.create();
  env
    .fromCollection(as)
    .keyBy((x) => x.k)
    .intervalJoin(env.fromCollection(bs).keyBy((y) => y.k))
    .between(0, 1)
    .process(() => {})
    .sinkTo(Sinks.collect());
  await assert.rejects(env.execute('no time'), /Interval Join.*without a timestamp.*assignTimestampsAndWatermarks/s);
});

test('the plan: a window join is two taggers and a keyed window; an interval join one keyed two-input vertex', () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const { a, b } = sources(env);
  a.join(b)
    .where((x) => x.k)
    .equalTo((y) => y.k)
    .window(TumblingEventTimeWindows.of(10))
    .apply((x, y) => [x, y])
    .uid('window-join')
    .print();
  a.keyBy((x) => x.k)
    .intervalJoin(b.keyBy((y) => y.k))
    .between(-5, 5)
    .upperBoundExclusive()
    .process(() => {})
    .uid('interval-join')
    .print();
  const g = env.getStreamGraph();
  const join = g.vertices.find((v) => v.uid === 'window-join')!;
  assert.equal(join.kind, 'window');
  assert.equal(join.keyed, true);
  assert.match(join.name, /^Window Join\(/);
  assert.deepEqual(join.config, { assigner: String(TumblingEventTimeWindows.of(10)), allowedLateness: 0, function: 'join' });
  const joinInputs = g.edges.filter((e) => e.target === join.id);
  assert.deepEqual(
    joinInputs.map((e) => [e.inputIndex, e.partitioner]),
    [
      [0, 'hash'],
      [0, 'hash'],
    ],
  );
  assert.deepEqual(
    joinInputs.map((e) => g.vertices.find((v) => v.id === e.source)!.name),
    ['Join: Tag Left', 'Join: Tag Right'],
  );
  const interval = g.vertices.find((v) => v.uid === 'interval-join')!;
  assert.equal(interval.kind, 'intervalJoin');
  assert.equal(interval.keyed, true);
  assert.deepEqual(interval.config, { lowerBound: -5, upperBound: 5, lowerBoundExclusive: false, upperBoundExclusive: true });
  assert.deepEqual(
    g.edges.filter((e) => e.target === interval.id).map((e) => [e.inputIndex, e.partitioner]),
    [
      [0, 'hash'],
      [1, 'hash'],
    ],
  );
});

test('late records of an interval join can go to side outputs', async () => {
  // A watermark right after each record (max timestamp - 1), instead of periodic ones.
  const punctuated = WatermarkStrategy.forGenerator<A>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent: (_e, ts, wm) => {
        max = Math.max(max, ts);
        wm.emitWatermark(max - 1);
      },
      onPeriodicEmit: () => {},
    };
  }).withTimestampAssigner((e) => e.ts);
  // A self-join of one out-of-order stream: both inputs come from the same producer through
  // identical channels, read in turn, so the watermark 99 (after x@100) has reached the join
  // on both inputs before x@5 arrives on either: x@5 is late on both sides.
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const s = env
    .fromCollection([
      { k: 'x', ts: 100, v: 1 },
      { k: 'x', ts: 5, v: 2 },
    ])
    .assignTimestampsAndWatermarks(punctuated);
  const lateLeft = new OutputTag<A>('late-left');
  const lateRight = new OutputTag<A>('late-right');
  const joined = s
    .keyBy((x) => x.k)
    .intervalJoin(s.keyBy((y) => y.k))
    .between(-1_000, 1_000)
    .sideOutputLeftLateData(lateLeft)
    .sideOutputRightLateData(lateRight)
    .process<string>((x, y, _c, o) => o.collect(`${x.v}-${y.v}`));
  const out = Sinks.collect<string>();
  const late = Sinks.collect<string>();
  joined.sinkTo(out);
  joined.getSideOutput(lateLeft).map((x) => `late left ${x.v}`).sinkTo(late);
  joined.getSideOutput(lateRight).map((y) => `late right ${y.v}`).sinkTo(late);
  await env.execute('late');
  assert.deepEqual(out.values, ['1-1']);
  assert.deepEqual(late.values.sort(), ['late left 2', 'late right 2']);
});

test('invalid joins fail where the pipeline is defined, naming the problem', () => {
  const env = StreamExecutionEnvironment.create();
  const { a, b } = sources(env);
  const w = TumblingEventTimeWindows.of(10);
  assert.throws(() => a.join(b).window(w), /join\(\): where\(keySelector\) is missing before window/);
  assert.throws(() => a.join(b).where((x) => x.k).window(w), /join\(\): equalTo\(keySelector\) is missing before window/);
  assert.throws(() => a.join(b).equalTo((y) => y.k as never), /equalTo\(\.\.\.\) needs where\(\.\.\.\) first/);
  assert.throws(() => a.join(b).where((x) => x.k).equalTo((y) => y.k).apply((x, y) => [x, y]), /window\(assigner\) is missing before apply/);
  assert.throws(() => a.join(b).apply((x, y) => [x, y]), /where\(keySelector\) is missing before apply/);
  assert.throws(() => a.join(b).where('k' as never), /where\(\.\.\.\) expects a key selector function/);
  assert.throws(() => a.join(b).where((x) => x.k).equalTo((y) => y.k).window({} as never), /expects a window assigner/);
  assert.throws(() => a.join(b).where((x) => x.k).equalTo((y) => y.k).trigger(EventTimeTrigger.create()), /trigger\(\.\.\.\) needs window\(assigner\) first/);
  assert.throws(() => a.join(b).where((x) => x.k).equalTo((y) => y.k).window(w).allowedLateness(-1), /allowedLateness.*≥ 0/);
  assert.throws(() => a.join(b).where((x) => x.k).equalTo((y) => y.k).window(w).apply({} as never), /apply\(\) expects a function or an object with a join\(\) method/);
  assert.throws(() => a.coGroup(b).where((x) => x.k).window(w), /coGroup\(\): equalTo\(keySelector\) is missing/);
  assert.throws(() => a.coGroup(b).where((x) => x.k).equalTo((y) => y.k).window(w).apply({} as never), /coGroup\(\) method/);
  assert.throws(() => a.join(StreamExecutionEnvironment.create().fromElements(1) as never), /same environment/);

  const ka = a.keyBy((x) => x.k);
  const kb = b.keyBy((y) => y.k);
  assert.throws(() => ka.intervalJoin(kb).between(10, 5), /between\(10, 5\): the lower bound 10 is greater than the upper bound 5/);
  assert.throws(() => ka.intervalJoin(kb).between(0, Number.POSITIVE_INFINITY), /finite/);
  assert.throws(() => ka.intervalJoin(kb).process(() => {}), /between\(lowerMs, upperMs\) is missing before process/);
  assert.throws(() => ka.intervalJoin(kb).lowerBoundExclusive(), /lowerBoundExclusive\(\) needs between/);
  assert.throws(() => ka.intervalJoin(b as never), /expects a keyed stream: call other.keyBy/);
  assert.throws(() => ka.intervalJoin(kb).between(0, 1).process({} as never), /processElement\(\) method/);
  assert.throws(() => ka.intervalJoin(kb).between(0, 1).process({} as never), InvalidPipelineError);
});
