// %% [markdown]
// # Nexmark q3: local item suggestion
//
// Who sells in category 10 in Oregon, Idaho or California: auctions joined with their sellers.
// nexmark-flink: `SELECT P.name, P.city, P.state, A.id FROM auction A JOIN person P ON A.seller = P.id
// WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA')`.
//
// A regular (unwindowed) join: both sides keyed by the person's id. A seller may show up a few
// events after their first auction (nexmark picks ids a little ahead), so auctions wait in state
// for their seller; sellers stay in state for the auctions to come.

// %%
import { StreamExecutionEnvironment, Sinks, params, isAuction, isPerson, ValueStateDescriptor, ListStateDescriptor } from 'weir';

// The bench (`weir bench nexmark`) and the tests pass these; `weir run` takes them as --param.
const events = params.getNumber('events', 100_000);
// Events per second of event time (nexmark's default 10,000); fewer spread small runs over more windows.
const eventsPerSecond = params.getNumber('events-per-second', 10_000);
const checkpointInterval = params.getNumber('checkpoint-interval', 0);
const output = params.get('output', '') ?? '';

const env = StreamExecutionEnvironment.create();
if (checkpointInterval > 0) env.enableCheckpointing(checkpointInterval);
const nexmark = env.fromNexmark({ events, eventsPerSecond });
// Without an output directory the results are dropped, as by the 'blackhole' sink of nexmark-flink.
const sink = output ? Sinks.jsonl(output) : { invoke() {} };

// %%
interface Seller {
  name: string;
  city: string;
  state: string;
}

const auctions = nexmark.filter(isAuction).filter((a) => a.category === 10);
const sellers = nexmark.filter(isPerson).filter((p) => p.state === 'OR' || p.state === 'ID' || p.state === 'CA');

auctions
  .connect(sellers)
  .keyBy((a) => a.seller, (p) => p.id)
  .process<{ name: string; city: string; state: string; id: number }>({
    open(ctx) {
      this.seller = ctx.getState(new ValueStateDescriptor<Seller>('seller'));
      this.waiting = ctx.getListState(new ListStateDescriptor<number>('auctions waiting for their seller'));
    },
    processElement1(a, _ctx, out) {
      const p = this.seller.value() as Seller | undefined;
      if (p) out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
      else this.waiting.add(a.id);
    },
    processElement2(p, _ctx, out) {
      this.seller.update({ name: p.name, city: p.city, state: p.state });
      for (const id of this.waiting.get() as number[]) out.collect({ name: p.name, city: p.city, state: p.state, id });
      this.waiting.clear();
    },
  })
  .sinkTo(sink);
await env.execute('nexmark q3');
