// %% [markdown]
// # Nexmark q4: average price per category
//
// The average closing price per category. An auction closes at `expires`; its closing price is
// its highest bid made while it was open. nexmark-flink:
//
// ```sql
// SELECT Q.category, AVG(Q.final) FROM (
//   SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
//   WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
//   GROUP BY A.id, A.category) Q
// GROUP BY Q.category
// ```
//
// Step one keys auctions and bids by auction id and keeps the highest bid; an event-time timer
// at `expires` closes the auction. Step two keeps a running average per category: its last
// value per category is the query's answer (Flink SQL emits the same updates).

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
interface Open {
  category: number;
  dateTime: number;
  expires: number;
}
interface Closed {
  id: number;
  category: number;
  final: number;
}

const closed = nexmark
  .filter(isAuction)
  .connect(nexmark.filter(isBid))
  .keyBy((a) => a.id, (b) => b.auction)
  .process<Closed>({
    open(ctx) {
      this.auction = ctx.getState(new ValueStateDescriptor<Open>('auction'));
      this.highest = ctx.getState(new ValueStateDescriptor<number>('highest bid'));
      // Bids read before their auction (parallel sources interleave): [dateTime, price].
      this.early = ctx.getListState(new ListStateDescriptor<[number, number]>('early bids'));
      // Closed auctions are remembered, so that the bids that come after (most bids on hot
      // auctions do) are dropped at once instead of waiting as early bids.
      this.closed = ctx.getState(new ValueStateDescriptor<boolean>('closed'));
    },
    processElement1(a, ctx) {
      this.auction.update({ category: a.category, dateTime: a.dateTime, expires: a.expires });
      let highest = this.highest.value() as number | undefined;
      for (const [t, price] of this.early.get() as [number, number][]) {
        if (t >= a.dateTime && t <= a.expires && (highest === undefined || price > highest)) highest = price;
      }
      this.early.clear();
      if (highest !== undefined) this.highest.update(highest);
      ctx.timerService().registerEventTimeTimer(a.expires);
    },
    processElement2(b, ctx) {
      if (this.closed.value()) return;
      const a = this.auction.value() as Open | undefined;
      if (a === undefined) {
        // Its auction may still come; once event time passes the bid, it cannot (it would be late).
        this.early.add([b.dateTime, b.price]);
        ctx.timerService().registerEventTimeTimer(b.dateTime);
      } else if (b.dateTime >= a.dateTime && b.dateTime <= a.expires) {
        const highest = this.highest.value() as number | undefined;
        if (highest === undefined || b.price > highest) this.highest.update(b.price);
      }
    },
    onTimer(timestamp, ctx, out) {
      const a = this.auction.value() as Open | undefined;
      if (a === undefined) {
        this.early.update((this.early.get() as [number, number][]).filter(([t]) => t > timestamp));
        return;
      }
      if (timestamp !== a.expires) return;
      const highest = this.highest.value() as number | undefined;
      if (highest !== undefined) out.collect({ id: ctx.getCurrentKey() as number, category: a.category, final: highest });
      this.auction.clear();
      this.highest.clear();
      this.closed.update(true);
    },
  });

// %%
closed
  .keyBy((c) => c.category)
  .process<{ category: number; avg: number }>({
    open(ctx) {
      this.sum = ctx.getState(new ValueStateDescriptor<[number, number]>('sum and count'));
    },
    processElement(c, _ctx, out) {
      const [sum, count] = (this.sum.value() as [number, number] | undefined) ?? [0, 0];
      this.sum.update([sum + c.final, count + 1]);
      out.collect({ category: c.category, avg: (sum + c.final) / (count + 1) });
    },
  })
  .sinkTo(sink);
await env.execute('nexmark q4');
