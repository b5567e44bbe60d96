import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwoInputOperatorHarness } from '../../../harness/operator-harness.ts';
import {
  CoFlatMapOperator,
  CoMapOperator,
  CoProcessOperator,
  KeyedCoProcessOperator,
} from '../../../../engine/runtime/operators/co-process.ts';
import { NO_TIMESTAMP } from '../../../../engine/runtime/elements.ts';
import { ValueStateDescriptor } from '../../../../engine/state/descriptors.ts';
import type { CoProcessFunction, RuntimeContext } from '../../../../engine/runtime/functions.ts';
import type { ValueState } from '../../../../engine/state/state.ts';

interface Order {
  id: string;
  total: number;
}
interface Payment {
  orderId: string;
  amount: number;
}

test('CoMap applies map1 to input 1 and map2 to input 2, keeping each record timestamp', () => {
  const h = new TwoInputOperatorHarness<string>(new CoMapOperator<number, string, string>({ map1: (n) => `n${n}`, map2: (s) => s.toUpperCase() }));
  h.open();
  h.processElement1(1, 10);
  h.processElement2('a', 20);
  h.processElement1(2);
  assert.deepEqual(h.output(), [
    { value: 'n1', timestamp: 10 },
    { value: 'A', timestamp: 20 },
    { value: 'n2', timestamp: NO_TIMESTAMP },
  ]);
});

test('a two-input operator forwards the minimum of its inputs watermarks, and only when it advances', () => {
  const h = new TwoInputOperatorHarness(new CoMapOperator({ map1: (x) => x, map2: (x) => x }));
  h.open();
  h.processWatermark1(100);
  assert.deepEqual(h.watermarks(), []);
  h.processWatermark2(50);
  h.processWatermark2(150);
  h.processWatermark1(120);
  assert.deepEqual(h.watermarks(), [50, 100, 120]);
});

test('CoFlatMap emits through the collector and from returned iterables, with the input timestamp', () => {
  const h = new TwoInputOperatorHarness<string>(
    new CoFlatMapOperator<string, string, string>({
      flatMap1: (line) => line.split(' '),
      flatMap2: (word, out) => {
        out.collect(word);
        out.collect(word);
      },
    }),
  );
  h.open();
  h.processElement1('a b', 5);
  h.processElement2('c', 7);
  assert.deepEqual(h.output(), [
    { value: 'a', timestamp: 5 },
    { value: 'b', timestamp: 5 },
    { value: 'c', timestamp: 7 },
    { value: 'c', timestamp: 7 },
  ]);
});

test('CoFlatMap rejects a non-iterable return value with a message that names the method', () => {
  const h = new TwoInputOperatorHarness(new CoFlatMapOperator<number, number, number>({ flatMap1: () => 42 as never, flatMap2: () => {} }));
  h.open();
  assert.throws(() => h.processElement1(1, 0), /flatMap1\(\) returned number/);
});

test('connected-stream operators reject function objects without both methods', () => {
  assert.throws(() => new CoMapOperator({ map1: (x: number) => x } as never), /map1\(\.\.\.\) and map2\(\.\.\.\)/);
  assert.throws(() => new CoFlatMapOperator({ flatMap2: () => {} } as never), /flatMap1/);
  assert.throws(() => new CoProcessOperator((() => {}) as never), /processElement1\(\.\.\.\) and processElement2/);
});

test('CoProcess (not keyed) gives timestamps, watermark and side outputs; timers and getCurrentKey ask for keyBy', () => {
  const seen: string[] = [];
  const fn: CoProcessFunction<number, string, string> = {
    processElement1(v, ctx, out) {
      seen.push(`ts=${ctx.timestamp()} wm=${ctx.timerService().currentWatermark()}`);
      out.collect(`1:${v}`);
    },
    processElement2(v, ctx, out) {
      ctx.output({ id: 'strings' }, v);
      out.collect(`2:${v}`);
    },
  };
  const h = new TwoInputOperatorHarness<string>(new CoProcessOperator(fn), { name: 'matcher' });
  h.open();
  h.processWatermark1(3);
  h.processWatermark2(4);
  h.processElement1(7, 9);
  h.processElement2('x', 11);
  assert.deepEqual(seen, ['ts=9 wm=3']);
  assert.deepEqual(h.output(), [
    { value: '1:7', timestamp: 9 },
    { value: '2:x', timestamp: 11 },
  ]);
  assert.deepEqual(h.sideOutput('strings'), [{ value: 'x', timestamp: 11 }]);

  const timers = new TwoInputOperatorHarness(
    new CoProcessOperator<number, number, never>({
      processElement1: (_v, ctx) => ctx.timerService().registerEventTimeTimer(10),
      processElement2: (_v, ctx) => void ctx.getCurrentKey(),
    }),
    { name: 'timers' },
  );
  timers.open();
  assert.throws(() => timers.processElement1(1, 1), /'timers' calls registerEventTimeTimer.*keyBy/);
  assert.throws(() => timers.processElement2(1, 1), /getCurrentKey\(\).*keyBy/);
});

/** Matches orders with payments per order id; unpaid orders time out 100 ms after the order. */
function orderMatcher(): CoProcessFunction<Order, Payment, string, string> & { order?: ValueState<Order>; paid?: ValueState<number> } {
  return {
    open(ctx: RuntimeContext) {
      this.order = ctx.getState(new ValueStateDescriptor<Order>('order'));
      this.paid = ctx.getState(new ValueStateDescriptor<number>('paid', 0));
    },
    processElement1(order, ctx, out) {
      this.order!.update(order);
      if (this.paid!.value()! >= order.total) out.collect(`${ctx.getCurrentKey()} paid`);
      else ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 100);
    },
    processElement2(payment, ctx, out) {
      const paid = this.paid!.value()! + payment.amount;
      this.paid!.update(paid);
      const order = this.order!.value();
      if (order && paid >= order.total) out.collect(`${ctx.getCurrentKey()} paid`);
    },
    onTimer(ts, ctx, out) {
      const order = this.order!.value();
      if (order && this.paid!.value()! < order.total) out.collect(`${ctx.getCurrentKey()} unpaid at ${ts} (${ctx.timeDomain()})`);
    },
  };
}

test('KeyedCoProcess shares keyed state between the inputs and fires timers per key', () => {
  const h = new TwoInputOperatorHarness<string>(new KeyedCoProcessOperator(orderMatcher()), {
    keySelector1: (o: Order) => o.id,
    keySelector2: (p: Payment) => p.orderId,
  });
  h.open();
  h.processElement1({ id: 'a', total: 10 }, 1);
  h.processElement1({ id: 'b', total: 5 }, 2);
  h.processElement2({ orderId: 'a', amount: 4 }, 3);
  h.processElement2({ orderId: 'c', amount: 9 }, 4); // paid before its order arrives
  h.processElement2({ orderId: 'a', amount: 6 }, 5);
  h.processElement1({ id: 'c', total: 9 }, 6);
  assert.deepEqual(h.outputValues(), ['a paid', 'c paid']);
  h.clearOutput();
  h.processWatermark1(200);
  h.processWatermark2(200);
  assert.deepEqual(h.output(), [{ value: 'b unpaid at 102 (EVENT_TIME)', timestamp: 102 }]);
  assert.deepEqual(h.watermarks(), [200]);
});

test('KeyedCoProcess: processing-time timers fire on the clock, once per key and time, without a timestamp', () => {
  const fired: string[] = [];
  const h = new TwoInputOperatorHarness<string>(
    new KeyedCoProcessOperator<string, string, string, string>({
      processElement1: (_v, ctx) => ctx.timerService().registerProcessingTimeTimer(50),
      processElement2: (_v, ctx) => ctx.timerService().registerProcessingTimeTimer(50),
      onTimer(ts, ctx, out) {
        fired.push(`${ctx.getCurrentKey()}@${ts} ${ctx.timeDomain()}`);
        out.collect(ctx.getCurrentKey());
      },
    }),
    { keySelector1: (s: string) => s, keySelector2: (s: string) => s },
  );
  h.open();
  h.processElement1('k', 1);
  h.processElement2('k', 2); // same key and time: deduplicated
  h.processElement2('j', 3);
  h.setProcessingTime(49);
  assert.deepEqual(fired, []);
  h.setProcessingTime(50);
  assert.deepEqual(fired.sort(), ['j@50 PROCESSING_TIME', 'k@50 PROCESSING_TIME']);
  assert.ok(h.output().every((r) => r.timestamp === NO_TIMESTAMP));
});

test('KeyedCoProcess in batch mode fires processing-time timers at the end of input', () => {
  const h = new TwoInputOperatorHarness<string>(
    new KeyedCoProcessOperator<string, string, string, string>({
      processElement1: (_v, ctx) => ctx.timerService().registerProcessingTimeTimer(1e12),
      processElement2: () => {},
      onTimer: (_ts, ctx, out) => out.collect(`${ctx.getCurrentKey()}`),
    }),
    { keySelector1: (s: string) => s, keySelector2: (s: string) => s, mode: 'batch' },
  );
  h.open();
  h.processElement1('k', 1);
  assert.deepEqual(h.outputValues(), []);
  h.endInput();
  assert.deepEqual(h.outputValues(), ['k']);
});

test('KeyedCoProcess needs key selectors: without them it fails at open with a keyBy hint', () => {
  const h = new TwoInputOperatorHarness(new KeyedCoProcessOperator(orderMatcher()));
  assert.throws(() => h.open(), /keyBy/);
});

test('CoMap on keyed inputs sets the key per record, so map1/map2 can use keyed state', () => {
  const count = new ValueStateDescriptor<number>('count', 0);
  const fn = {
    state: undefined as ValueState<number> | undefined,
    open(ctx: RuntimeContext) {
      this.state = ctx.getState(count);
    },
    bump(): number {
      const n = this.state!.value()! + 1;
      this.state!.update(n);
      return n;
    },
    map1(k: string) {
      return `${k}#${this.bump()}`;
    },
    map2(p: { k: string }) {
      return `${p.k}#${this.bump()}`;
    },
  };
  const h = new TwoInputOperatorHarness<string>(new CoMapOperator(fn), { keySelector1: (k: string) => k, keySelector2: (p: { k: string }) => p.k });
  h.open();
  h.processElement1('a', 0);
  h.processElement2({ k: 'a' }, 0);
  h.processElement2({ k: 'b' }, 0);
  h.processElement1('a', 0);
  assert.deepEqual(h.outputValues(), ['a#1', 'a#2', 'b#1', 'a#3']);
});

test('keyed state of a KeyedCoProcess survives a snapshot and restore', () => {
  const keys = { keySelector1: (o: Order) => o.id, keySelector2: (p: Payment) => p.orderId };
  const h1 = new TwoInputOperatorHarness<string>(new KeyedCoProcessOperator(orderMatcher()), keys);
  h1.open();
  h1.processElement1({ id: 'a', total: 10 }, 1);
  h1.processElement2({ orderId: 'a', amount: 4 }, 2);
  const snap = h1.snapshot();

  const h2 = new TwoInputOperatorHarness<string>(new KeyedCoProcessOperator(orderMatcher()), keys);
  h2.open([snap]);
  h2.processElement2({ orderId: 'a', amount: 6 }, 3);
  assert.deepEqual(h2.outputValues(), ['a paid']);
});

test('each operator instance gets its own copy of a shared function object, so open() state stays per subtask', () => {
  const shared = {
    name: '',
    open(ctx: RuntimeContext) {
      this.name = `subtask ${ctx.getIndexOfThisSubtask()}`;
    },
    map1(this: { name: string }) {
      return this.name;
    },
    map2(this: { name: string }) {
      return this.name;
    },
  };
  const harnesses = [0, 1].map((subtask) => new TwoInputOperatorHarness<string>(new CoMapOperator(shared), { subtask, parallelism: 2 }));
  for (const h of harnesses) h.open();
  harnesses[0]!.processElement1(null);
  harnesses[1]!.processElement2(null);
  assert.deepEqual(
    harnesses.map((h) => h.outputValues()[0]),
    ['subtask 0', 'subtask 1'],
  );
  assert.equal(shared.name, '', 'the shared object is not written to');
});
