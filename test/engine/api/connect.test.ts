import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEverywhere, EVERYWHERE } from '../../harness/everywhere.ts';
import {
  InvalidPipelineError,
  OutputTag,
  Sinks,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  WatermarkStrategy,
  type CoProcessFunction,
  type Collector,
  type DataStream,
  type KeyedProcessContext,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from '../../../engine/index.ts';
import { ConnectedStreams } from '../../../engine/api/connected-streams.ts';
import { BroadcastConnectedStream } from '../../../engine/api/broadcast-stream.ts';
import { MapStateDescriptor } from '../../../engine/state/descriptors.ts';
import type { CollectSink } from '../../../engine/index.ts';

interface Order {
  id: string;
  total: number;
  ts: number;
}
interface Payment {
  orderId: string;
  amount: number;
  ts: number;
}

const orders: Order[] = [
  { id: 'o1', total: 10, ts: 1_000 },
  { id: 'o2', total: 5, ts: 1_100 },
  { id: 'o3', total: 8, ts: 1_200 },
  { id: 'o4', total: 3, ts: 1_300 },
  { id: 'o5', total: 7, ts: 1_400 },
  { id: 'o6', total: 1, ts: 1_500 },
];
// o1 paid in two parts, o2 never, o3 too little, o4 paid before the order, o5 and o6 paid.
const payments: Payment[] = [
  { orderId: 'o4', amount: 3, ts: 900 },
  { orderId: 'o1', amount: 4, ts: 1_010 },
  { orderId: 'o3', amount: 2, ts: 1_210 },
  { orderId: 'o1', amount: 6, ts: 1_060 },
  { orderId: 'o5', amount: 7, ts: 1_450 },
  { orderId: 'o6', amount: -1, ts: 1_460 },
  { orderId: 'o6', amount: 1, ts: 1_470 },
];

function sources(env: StreamExecutionEnvironment): { o: DataStream<Order>; p: DataStream<Payment> } {
  return {
    o: env.fromCollection(orders).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Order>().withTimestampAssigner((e) => e.ts)),
    p: env
      .fromCollection([...payments].sort((a, b) => a.ts - b.ts))
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Payment>().withTimestampAssigner((e) => e.ts)),
  };
}

test('connect(...).map applies map1 to the first stream and map2 to the second', async () => {
  await assertEverywhere('connect', 
    (env) => {
      const { o, p } = sources(env);
      return o.connect(p)
        .map({ map1: (x) => `order ${x.id}`, map2: (y) => `payment ${y.orderId}:${y.amount}` });
    },
    [...orders.map((x) => `order ${x.id}`), ...payments.map((y) => `payment ${y.orderId}:${y.amount}`)],
  );
});

test('connect(...).flatMap emits through the collector or returned iterables', async () => {
  await assertEverywhere('connect', 
    (env) => {
      const out = Sinks.collect<string>();
      env
        .fromElements('a b', 'c')
        .connect(env.fromElements(1, 2))
        .flatMap<string>({
          flatMap1: (line) => line.split(' '),
          flatMap2: (n, o) => {
            for (let i = 0; i < n; i++) o.collect(`#${n}`);
          },
        })
        .sinkTo(out);
      return out;
    },
    ['a', 'b', 'c', '#1', '#2', '#2'],
  );
});

/**
 * Matches orders with payments by order id, in any arrival order; unpaid orders are reported by
 * an event-time timer 100 ms after the order. Invalid payments go to a side output.
 */
const invalid = new OutputTag<Payment>('invalid-payments');
class OrderMatcher implements CoProcessFunction<Order, Payment, string, string> {
  private order!: ValueState<Order>;
  private paid!: ValueState<number>;
  private done!: ValueState<boolean>;

  open(ctx: RuntimeContext) {
    this.order = ctx.getState(new ValueStateDescriptor<Order>('order'));
    this.paid = ctx.getState(new ValueStateDescriptor<number>('paid', 0));
    this.done = ctx.getState(new ValueStateDescriptor<boolean>('done', false));
  }
  processElement1(order: Order, ctx: KeyedProcessContext<string>, out: Collector<string>) {
    this.order.update(order);
    ctx.timerService().registerEventTimeTimer(order.ts + 100);
    this.check(ctx.getCurrentKey(), out);
  }
  processElement2(payment: Payment, ctx: KeyedProcessContext<string>, out: Collector<string>) {
    if (payment.amount <= 0) return ctx.output(invalid, payment);
    this.paid.update(this.paid.value()! + payment.amount);
    this.check(ctx.getCurrentKey(), out);
  }
  onTimer(ts: number, ctx: OnTimerContext<string>, out: Collector<string>) {
    if (!this.done.value()) out.collect(`${ctx.getCurrentKey()} unpaid at ${ts}`);
  }
  private check(key: string, out: Collector<string>) {
    const order = this.order.value();
    if (!order || this.done.value() || this.paid.value()! < order.total) return;
    this.done.update(true);
    out.collect(`${key} paid`);
  }
}

const matcherResult = ['o1 paid', 'o2 unpaid at 1200', 'o3 unpaid at 1300', 'o4 paid', 'o5 paid', 'o6 paid'];

test('connect(...).keyBy(k1, k2).process shares keyed state between inputs and fires timers per key', async () => {
  const invalidSinks: CollectSink<string>[] = [];
  await assertEverywhere('connect', (env) => {
    const out = Sinks.collect<string>();
    const bad = Sinks.collect<string>();
    invalidSinks.push(bad);
    const { o, p } = sources(env);
    const matched = o
      .connect(p)
      .keyBy(
        (x) => x.id,
        (y) => y.orderId,
      )
      .process(new OrderMatcher());
    matched.sinkTo(out);
    matched.getSideOutput(invalid).map((x) => `${x.orderId}:${x.amount}`).sinkTo(bad);
    return out;
  }, matcherResult);
  assert.equal(invalidSinks.length, EVERYWHERE.length);
  for (const bad of invalidSinks) assert.deepEqual(bad.values, ['o6:-1']);
});

test('connecting two keyed streams is keyed too (Flink: both inputs are KeyedStreams)', async () => {
  await assertEverywhere('connect', (env) => {
    const { o, p } = sources(env);
    return o.keyBy((x) => x.id)
      .connect(p.keyBy((y) => y.orderId))
      .process(new OrderMatcher());
  }, matcherResult);
});

test('timers on connected streams that are not keyed fail the job with a keyBy hint', async () => {
  const env = StreamExecutionEnvironment.create();
  const { o, p } = sources(env);
  o.connect(p)
    .process<string>({
      processElement1: (_x, ctx) => ctx.timerService().registerEventTimeTimer(5),
      processElement2: () => {},
    })
    .sinkTo(Sinks.collect());
  await assert.rejects(env.execute('no keys'), /Co-Process.*registerEventTimeTimer.*keyBy/s);
});

test('the plan shows one two-input operator: hash edges on both inputs when keyed', () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const { o, p } = sources(env);
  o.connect(p)
    .keyBy(
      (x) => x.id,
      (y) => y.orderId,
    )
    .process(new OrderMatcher())
    .uid('matcher')
    .print();
  o.connect(p)
    .map({ map1: (x) => x.id, map2: (y) => y.orderId })
    .uid('co-map')
    .print();
  const graph = env.getStreamGraph();
  const keyed = graph.vertices.find((v) => v.uid === 'matcher')!;
  assert.equal(keyed.kind, 'keyedCoProcess');
  assert.equal(keyed.keyed, true);
  assert.deepEqual(
    graph.edges.filter((e) => e.target === keyed.id).map((e) => [e.inputIndex, e.partitioner]),
    [
      [0, 'hash'],
      [1, 'hash'],
    ],
  );
  const coMap = graph.vertices.find((v) => v.uid === 'co-map')!;
  assert.equal(coMap.kind, 'coMap');
  assert.equal(coMap.keyed, false);
  assert.deepEqual(
    graph.edges.filter((e) => e.target === coMap.id).map((e) => [e.inputIndex, e.partitioner]),
    [
      [0, 'forward'],
      [1, 'forward'],
    ],
  );
});

test('connect returns ConnectedStreams, or BroadcastConnectedStream for a broadcast stream', () => {
  const env = StreamExecutionEnvironment.create();
  const a = env.fromElements(1);
  const b = env.fromElements('x');
  const connected = a.connect(b);
  assert.ok(connected instanceof ConnectedStreams);
  assert.equal(connected.getFirstInput(), a);
  assert.equal(connected.getSecondInput(), b);
  assert.ok(a.connect(b.broadcast(new MapStateDescriptor<string, string>('s'))) instanceof BroadcastConnectedStream);
});

test('invalid connect calls fail where the pipeline is defined, naming the problem', () => {
  const env = StreamExecutionEnvironment.create();
  const a = env.fromElements(1);
  const b = env.fromElements('x');
  assert.throws(() => a.connect(b).keyBy((x) => x, 'id' as never), /keyBy\(key1, key2\) expects two functions/);
  assert.throws(() => a.connect(b).map({ map1: (x: number) => x } as never), /map\(\) expects an object with map1\(\.\.\.\) and map2\(\.\.\.\)/);
  assert.throws(() => a.connect(b).flatMap((() => {}) as never), /flatMap1/);
  assert.throws(() => a.connect(b).process({ processElement1() {} } as never), /processElement2/);
  assert.throws(() => a.connect(null as never), InvalidPipelineError);
  const other = StreamExecutionEnvironment.create().fromElements('y');
  assert.throws(() => a.connect(other), /same environment/);
});
