// %% [markdown]
// # Nexmark q19: auction TOP-10 price
//
// The ten highest bids of each auction: nexmark-flink's Top-N
// `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number
// FROM bid) WHERE rank_number <= 10`.
//
// Keyed by auction, the top ten are kept in order; when a bid enters them, the ranks from its
// place down are emitted again (Flink SQL's update rows): the last row per (auction, rank) is
// the answer.

// %%
import { StreamExecutionEnvironment, Sinks, params, isBid, ValueStateDescriptor } from 'weir';

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
import type { Bid } from 'weir';

nexmark
  .filter(isBid)
  .keyBy((b) => b.auction)
  .process<Bid & { rank_number: number }>({
    open(ctx) {
      this.top = ctx.getState(new ValueStateDescriptor<Bid[]>('top ten'));
    },
    processElement(b, _ctx, out) {
      const top = (this.top.value() as Bid[] | undefined) ?? [];
      let at = top.findIndex((t) => b.price > t.price);
      if (at < 0) at = top.length;
      if (at >= 10) return;
      top.splice(at, 0, b);
      if (top.length > 10) top.pop();
      this.top.update(top);
      for (let i = at; i < top.length; i++) out.collect({ ...top[i]!, rank_number: i + 1 });
    },
  })
  .sinkTo(sink);
await env.execute('nexmark q19');
