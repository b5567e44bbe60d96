// %% [markdown]
// # Nexmark q18: find last bid
//
// Each bidder's last bid on each auction: nexmark-flink's deduplication
// `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC)
// AS rank_number FROM bid) WHERE rank_number <= 1`.
//
// Keyed by (bidder, auction), a bid replaces the one kept when it is later, and is emitted: an
// update stream whose last row per key is the answer.

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
nexmark
  .filter(isBid)
  .keyBy((b) => `${b.bidder} ${b.auction}`)
  .process<{ auction: number; bidder: number; price: number; channel: string; url: string; dateTime: number; extra: string }>({
    open(ctx) {
      this.last = ctx.getState(new ValueStateDescriptor<number>('time of the last bid'));
    },
    processElement(b, _ctx, out) {
      const last = this.last.value() as number | undefined;
      if (last !== undefined && b.dateTime <= last) return;
      this.last.update(b.dateTime);
      out.collect({ auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, url: b.url, dateTime: b.dateTime, extra: b.extra });
    },
  })
  .sinkTo(sink);
await env.execute('nexmark q18');
