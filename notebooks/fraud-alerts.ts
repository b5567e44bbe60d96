// %% [markdown]
// # Fraud rule: a small charge followed by a large one within a minute
//
// The classic Flink walkthrough: for each card, a transaction under $1 followed by one over
// $500 within one minute raises an alert. Keyed state remembers the small charge; an
// event-time timer forgets it after a minute.
//
// The rule reads event time only, so the answer is the same on every run: a large charge
// checks the minute against its own timestamp rather than trusting that the timer has fired
// (timers fire when a watermark passes them, and periodic watermarks arrive when the machine
// gets round to them), and a timer clears only the small charge it was set for.

// %%
import { StreamExecutionEnvironment, WatermarkStrategy, ValueStateDescriptor, Sinks } from 'weir';
import type { KeyedProcessFunction, ValueState, RuntimeContext } from 'weir';
import path from 'node:path';

interface Tx {
  card: string;
  amount: number;
  ts: number;
}
interface Alert {
  card: string;
  small: number;
  large: number;
  at: number;
}

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(2026);
const t0 = Date.UTC(2026, 5, 1);
const txs: Tx[] = [];
for (let i = 0; i < 20_000; i++) {
  const r = random();
  const amount = r < 0.03 ? Math.round(random() * 99) / 100 : r > 0.97 ? 500 + Math.round(random() * 2000) : Math.round(random() * 20000) / 100;
  txs.push({ card: `card-${Math.floor(random() * 200)}`, amount, ts: t0 + i * 1500 });
}

// %%
const ONE_MINUTE = 60_000;

class SmallThenLarge implements KeyedProcessFunction<string, Tx, Alert> {
  private flag!: ValueState<number>; // the small amount, while a large one would be suspicious
  private timer!: ValueState<number>; // when the small amount stops being suspicious

  open(ctx: RuntimeContext) {
    this.flag = ctx.getState(new ValueStateDescriptor<number>('small-amount'));
    this.timer = ctx.getState(new ValueStateDescriptor<number>('timer'));
  }

  processElement(tx: Tx, ctx: Parameters<KeyedProcessFunction<string, Tx, Alert>['processElement']>[1], out: { collect(a: Alert): void }) {
    const small = this.flag.value();
    const until = this.timer.value();
    // Within the minute by the transactions' own times, whether or not the timer has fired yet.
    if (small !== undefined && until !== undefined && tx.ts <= until && tx.amount > 500) {
      out.collect({ card: tx.card, small, large: tx.amount, at: tx.ts });
      this.clear(ctx);
    }
    if (tx.amount < 1) {
      // A new small charge starts a new minute; the previous one's timer would end it early.
      this.clear(ctx);
      this.flag.update(tx.amount);
      const at = tx.ts + ONE_MINUTE;
      ctx.timerService().registerEventTimeTimer(at);
      this.timer.update(at);
    }
  }

  onTimer(timestamp: number) {
    if (this.timer.value() !== timestamp) return;
    this.flag.clear();
    this.timer.clear();
  }

  private clear(ctx: { timerService(): { deleteEventTimeTimer(t: number): void } }) {
    const t = this.timer.value();
    if (t !== undefined) ctx.timerService().deleteEventTimeTimer(t);
    this.flag.clear();
    this.timer.clear();
  }
}

const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env
  .fromCollection(txs)
  // At the source's parallelism (1), chained to it: a card's transactions then reach the keyed
  // function in their order. Spread over 2 subtasks first, they would cross a rebalance and
  // arrive interleaved by timing, and the rule (order-sensitive) would vary from run to run.
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Tx>().withTimestampAssigner((t) => t.ts))
  .setParallelism(1)
  .keyBy((t) => t.card)
  .process(new SmallThenLarge())
  .uid('small-then-large')
  .sinkTo(Sinks.jsonl(path.join('out', 'fraud', 'alerts.jsonl')));

const result = await env.execute('fraud alerts');
const alerts = result.report.operators.find((o) => o.uid === 'small-then-large')!.recordsOut;
console.log(`${alerts} alerts from ${txs.length} transactions in ${result.netRuntimeMs} ms`);
