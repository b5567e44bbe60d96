import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEverywhere } from '../../harness/everywhere.ts';
import {
  InvalidPipelineError,
  ListStateDescriptor,
  MapStateDescriptor,
  Sinks,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  WatermarkStrategy,
  type BroadcastContext,
  type BroadcastProcessFunction,
  type Collector,
  type ReadOnlyBroadcastContext,
  type ListState,
  type RuntimeContext,
  type ValueState,
} from '../../../engine/index.ts';
import { BroadcastStream } from '../../../engine/api/broadcast-stream.ts';

interface Ev {
  user: string;
  type: string;
  v: number;
}
interface Rule {
  type: string;
  factor: number;
}

const events: Ev[] = [
  { user: 'u1', type: 'a', v: 1 },
  { user: 'u2', type: 'b', v: 2 },
  { user: 'u3', type: 'a', v: 3 },
  { user: 'u1', type: 'c', v: 4 }, // no rule for c: never scaled
  { user: 'u4', type: 'b', v: 5 },
  { user: 'u2', type: 'a', v: 6 },
  { user: 'u5', type: 'a', v: 7 },
  { user: 'u6', type: 'b', v: 8 },
];
const ruleList: Rule[] = [
  { type: 'a', factor: 10 },
  { type: 'b', factor: 100 },
];
const scaled = events.filter((e) => e.type !== 'c').map((e) => `${e.user}:${e.v * (e.type === 'a' ? 10 : 100)}`);

const ruleState = new MapStateDescriptor<string, number>('rules');

/**
 * Not keyed: the two inputs interleave in any order, so events that arrive before their rule
 * wait in a per-subtask buffer (a field set in open(): each subtask has its own copy of the
 * function object) and are released when the rule arrives.
 */
class Scaler implements BroadcastProcessFunction<Ev, Rule, string> {
  private pending: Ev[] = [];
  open() {
    this.pending = [];
  }
  processElement(e: Ev, ctx: ReadOnlyBroadcastContext, out: Collector<string>) {
    const factor = ctx.getBroadcastState(ruleState).get(e.type);
    if (factor === undefined) this.pending.push(e);
    else out.collect(`${e.user}:${e.v * factor}`);
  }
  processBroadcastElement(r: Rule, ctx: BroadcastContext, out: Collector<string>) {
    ctx.getBroadcastState(ruleState).put(r.type, r.factor);
    for (const e of this.pending.filter((p) => p.type === r.type)) out.collect(`${e.user}:${e.v * r.factor}`);
    this.pending = this.pending.filter((p) => p.type !== r.type);
  }
}

test('non-keyed broadcast state: every subtask applies the rules to its share of the events', async () => {
  await assertEverywhere('broadcast', 
    (env) => {
      const out = Sinks.collect<string>();
      env
        .fromCollection(events)
        .rebalance()
        .connect(env.fromCollection(ruleList).broadcast(ruleState))
        .process(new Scaler())
        .sinkTo(out);
      return out;
    },
    () => scaled,
  );
});

test('every parallel instance receives every broadcast record', async () => {
  await assertEverywhere('broadcast', 
    (env) => {
      const out = Sinks.collect<string>();
      env
        .fromCollection(events)
        .connect(env.fromCollection(ruleList).broadcast(ruleState))
        .process<string>({
          subtask: -1,
          open(ctx: RuntimeContext) {
            this.subtask = ctx.getIndexOfThisSubtask();
          },
          processElement() {},
          processBroadcastElement(r, _ctx, o) {
            o.collect(`${r.type}@${this.subtask}`);
          },
        } as BroadcastProcessFunction<Ev, Rule, string> & { subtask: number })
        .sinkTo(out);
      return out;
    },
    (p) => ruleList.flatMap((r) => Array.from({ length: p }, (_, i) => `${r.type}@${i}`)),
  );
});

/**
 * Keyed: events that arrive before their rule wait in keyed list state; the rule releases the
 * waiting events of every key with applyToKeyedState. A keyed counter shows keyed state works on
 * the data side.
 */
class KeyedScaler implements BroadcastProcessFunction<Ev, Rule, string, string> {
  private pending!: ListState<Ev>;
  private seen!: ValueState<number>;
  open(ctx: RuntimeContext) {
    this.pending = ctx.getListState(new ListStateDescriptor<Ev>('pending'));
    this.seen = ctx.getState(new ValueStateDescriptor<number>('seen', 0));
  }
  processElement(e: Ev, ctx: ReadOnlyBroadcastContext<string>, out: Collector<string>) {
    const n = this.seen.value()! + 1;
    this.seen.update(n);
    const factor = ctx.getBroadcastState(ruleState).get(e.type);
    if (factor === undefined) this.pending.add(e);
    else out.collect(`${ctx.getCurrentKey()}:${e.v * factor}`);
  }
  processBroadcastElement(r: Rule, ctx: BroadcastContext, out: Collector<string>) {
    ctx.getBroadcastState(ruleState).put(r.type, r.factor);
    ctx.applyToKeyedState!('pending', (user) => {
      const waiting = this.pending.get();
      for (const e of waiting) if (e.type === r.type) out.collect(`${String(user)}:${e.v * r.factor}`);
      this.pending.update(waiting.filter((e) => e.type !== r.type));
    });
  }
}

test('keyed broadcast state: keyed state on the data side, applyToKeyedState on the broadcast side', async () => {
  await assertEverywhere('broadcast', 
    (env) => {
      const out = Sinks.collect<string>();
      env
        .fromCollection(events)
        .keyBy((e) => e.user)
        .connect(env.fromCollection(ruleList).broadcast(ruleState))
        .process(new KeyedScaler())
        .sinkTo(out);
      return out;
    },
    () => scaled,
  );
});

test('keyed broadcast process functions get event-time timers per key', async () => {
  await assertEverywhere('broadcast', 
    (env) => {
      const out = Sinks.collect<string>();
      env
        .fromCollection(events.map((e, i) => ({ ...e, ts: 1_000 + i })))
        .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev & { ts: number }>().withTimestampAssigner((e) => e.ts))
        .keyBy((e) => e.user)
        .connect(env.fromCollection(ruleList).broadcast(ruleState))
        .process<string>({
          processElement(_e, ctx) {
            ctx.timerService().registerEventTimeTimer(5_000);
          },
          processBroadcastElement() {},
          onTimer(ts, ctx, o) {
            o.collect(`${ctx.getCurrentKey()}@${ts}`);
          },
        })
        .sinkTo(out);
      return out;
    },
    () => [...new Set(events.map((e) => e.user))].map((u) => `${u}@5000`),
  );
});

test('the plan: input 1 uses the broadcast partitioner, input 0 keeps its own', () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const rules = env.fromCollection(ruleList);
  env
    .fromCollection(events)
    .keyBy((e) => e.user)
    .connect(rules.broadcast(ruleState))
    .process(new KeyedScaler())
    .uid('keyed')
    .print();
  env.fromCollection(events).connect(rules.broadcast(ruleState)).process(new Scaler()).uid('plain').print();
  const graph = env.getStreamGraph();
  const keyed = graph.vertices.find((v) => v.uid === 'keyed')!;
  const plain = graph.vertices.find((v) => v.uid === 'plain')!;
  assert.equal(keyed.kind, 'keyedBroadcastProcess');
  assert.equal(keyed.keyed, true);
  assert.equal(plain.kind, 'broadcastProcess');
  assert.equal(plain.keyed, false);
  assert.deepEqual(keyed.config, { broadcastStates: ['rules'] });
  const inputs = (id: number) => graph.edges.filter((e) => e.target === id).map((e) => [e.inputIndex, e.partitioner]);
  assert.deepEqual(inputs(keyed.id), [
    [0, 'hash'],
    [1, 'broadcast'],
  ]);
  assert.deepEqual(inputs(plain.id), [
    [0, 'rebalance'],
    [1, 'broadcast'],
  ]);
});

test('broadcast(...) needs MapStateDescriptors with distinct names; broadcast() with none is the broadcast partitioner', () => {
  const env = StreamExecutionEnvironment.create();
  const s = env.fromElements(1);
  assert.ok(s.broadcast(ruleState) instanceof BroadcastStream);
  assert.ok(!(s.broadcast() instanceof BroadcastStream));
  assert.throws(() => s.broadcast(undefined as never), /expects MapStateDescriptors/);
  assert.throws(() => s.broadcast(new ValueStateDescriptor('v') as never), /expects MapStateDescriptors.*a value state descriptor/);
  assert.throws(() => s.broadcast(ruleState, new MapStateDescriptor('rules')), /two descriptors named 'rules'/);
  assert.throws(() => s.connect(s.broadcast(ruleState)).process({ processElement() {} } as never), InvalidPipelineError);
});

test('using a broadcast state that was not passed to broadcast(...) fails the job, naming it', async () => {
  const env = StreamExecutionEnvironment.create();
  const other = new MapStateDescriptor<string, number>('other');
  env
    .fromCollection(events)
    .connect(env.fromCollection(ruleList).broadcast(ruleState))
    .process<string>({
      processElement() {},
      processBroadcastElement: (r, ctx) => ctx.getBroadcastState(other).put(r.type, r.factor),
    })
    .sinkTo(Sinks.collect());
  await assert.rejects(env.execute('typo'), /no broadcast state 'other'.*declared: 'rules'/);
});
