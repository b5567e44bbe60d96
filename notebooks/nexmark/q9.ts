// %% [markdown]
// # Nexmark q9: winning bids
//
// Each auction's winning bid: the highest bid made while it was open, the earliest of equal ones,
// with the auction's columns. nexmark-flink:
//
// ```sql
// SELECT * FROM (
//   SELECT A.*, B.auction, B.bidder, B.price, B.dateTime AS bid_dateTime, B.extra AS bid_extra,
//     ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.dateTime ASC) AS rownum
//   FROM auction A, bid B
//   WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires)
// WHERE rownum <= 1
// ```
//
// As in q4: auctions and bids keyed by auction id, the best bid kept, an event-time timer at
// `expires` emits it.

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

/** Whether bid `a` beats bid `b`: a higher price, or the same price earlier. */
const beats = (a: Bid, b: Bid | undefined) => b === undefined || a.price > b.price || (a.price === b.price && a.dateTime < b.dateTime);

nexmark
  .filter(isAuction)
  .connect(nexmark.filter(isBid))
  .keyBy((a) => a.id, (b) => b.auction)
  .process<Record<string, unknown>>({
    open(ctx) {
      this.auction = ctx.getState(new ValueStateDescriptor<Auction>('auction'));
      this.best = ctx.getState(new ValueStateDescriptor<Bid>('best bid'));
      this.early = ctx.getListState(new ListStateDescriptor<Bid>('early bids'));
      // Closed auctions are remembered, so that the bids that come after are dropped at once.
      this.closed = ctx.getState(new ValueStateDescriptor<boolean>('closed'));
    },
    processElement1(a, ctx) {
      this.auction.update(a);
      let best = this.best.value() as Bid | undefined;
      for (const b of this.early.get() as Bid[]) if (b.dateTime >= a.dateTime && b.dateTime <= a.expires && beats(b, best)) best = b;
      this.early.clear();
      if (best !== undefined) this.best.update(best);
      ctx.timerService().registerEventTimeTimer(a.expires);
    },
    processElement2(b, ctx) {
      if (this.closed.value()) return;
      const a = this.auction.value() as Auction | undefined;
      if (a === undefined) {
        this.early.add(b);
        ctx.timerService().registerEventTimeTimer(b.dateTime);
      } else if (b.dateTime >= a.dateTime && b.dateTime <= a.expires && beats(b, this.best.value() as Bid | undefined)) {
        this.best.update(b);
      }
    },
    onTimer(timestamp, _ctx, out) {
      const a = this.auction.value() as Auction | undefined;
      if (a === undefined) {
        this.early.update((this.early.get() as Bid[]).filter((b) => b.dateTime > timestamp));
        return;
      }
      if (timestamp !== a.expires) return;
      const b = this.best.value() as Bid | undefined;
      if (b !== undefined) {
        out.collect({
          id: a.id, itemName: a.itemName, description: a.description, initialBid: a.initialBid, reserve: a.reserve,
          dateTime: a.dateTime, expires: a.expires, seller: a.seller, category: a.category, extra: a.extra,
          auction: b.auction, bidder: b.bidder, price: b.price, bid_dateTime: b.dateTime, bid_extra: b.extra,
        });
      }
      this.auction.clear();
      this.best.clear();
      this.closed.update(true);
    },
  })
  .sinkTo(sink);
await env.execute('nexmark q9');
