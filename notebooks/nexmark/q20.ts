// %% [markdown]
// # Nexmark q20: expand bid with auction
//
// Bids on category-10 auctions, with the auction's columns. nexmark-flink:
// `SELECT ... FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id WHERE A.category = 10`.
//
// A regular join keyed by auction id: bids that come before their auction (nexmark picks ids a
// little ahead) wait for it; auctions stay for the bids to come.

// %%
import { StreamExecutionEnvironment, Sinks, params, isAuction, isBid, ValueStateDescriptor, ListStateDescriptor } from 'weir';

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
import type { Auction, Bid } from 'weir';

const expand = (b: Bid, a: Auction) => ({
  auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, url: b.url, bid_dateTime: b.dateTime, bid_extra: b.extra,
  itemName: a.itemName, description: a.description, initialBid: a.initialBid, reserve: a.reserve, auction_dateTime: a.dateTime,
  expires: a.expires, seller: a.seller, category: a.category, auction_extra: a.extra,
});

nexmark
  .filter(isBid)
  .connect(nexmark.filter(isAuction).filter((a) => a.category === 10))
  .keyBy((b) => b.auction, (a) => a.id)
  .process<ReturnType<typeof expand>>({
    open(ctx) {
      this.auction = ctx.getState(new ValueStateDescriptor<Auction>('auction'));
      this.waiting = ctx.getListState(new ListStateDescriptor<Bid>('bids waiting for their auction'));
    },
    processElement1(b, _ctx, out) {
      const a = this.auction.value() as Auction | undefined;
      if (a) out.collect(expand(b, a));
      else this.waiting.add(b);
    },
    processElement2(a, _ctx, out) {
      this.auction.update(a);
      for (const b of this.waiting.get() as Bid[]) out.collect(expand(b, a));
      this.waiting.clear();
    },
  })
  .sinkTo(sink);
await env.execute('nexmark q20');
