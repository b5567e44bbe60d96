// %% [markdown]
// # Nexmark q7: highest bid
//
// The highest bid of each 10-second tumbling window (all of them, when several bids share the
// highest price). nexmark-flink joins the bids with each window's maximum price:
//
// ```sql
// SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra FROM bid B
// JOIN (SELECT MAX(price) AS maxprice, window_end AS dateTime
//       FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
//       GROUP BY window_start, window_end) B1
// ON B.price = B1.maxprice
// WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime
// ```
//
// Here one window over the whole stream keeps the highest bids as it goes. (The SQL's BETWEEN
// includes a bid at exactly the window's end, which belongs to the next window; this notebook
// keeps the window's own bids, as Nexmark's original q7 does.)

// %%
import { StreamExecutionEnvironment, Sinks, params, isBid, TumblingEventTimeWindows } from 'weir';

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
interface Highest {
  auction: number;
  price: number;
  bidder: number;
  dateTime: number;
  extra: string;
}

const keepHighest = {
  createAccumulator: (): Highest[] => [],
  add: (b: Highest, top: Highest[]): Highest[] => {
    const price = top.length ? top[0]!.price : -1;
    if (b.price > price) return [b];
    if (b.price === price) top.push(b);
    return top;
  },
  getResult: (top: Highest[]) => top,
  merge: (a: Highest[], b: Highest[]) => (!a.length ? b : !b.length ? a : a[0]!.price > b[0]!.price ? a : b[0]!.price > a[0]!.price ? b : [...a, ...b]),
};

nexmark
  .filter(isBid)
  .map((b): Highest => ({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra }))
  .windowAll(TumblingEventTimeWindows.of(10_000))
  .aggregate(keepHighest)
  .flatMap((top) => top)
  .sinkTo(sink);
await env.execute('nexmark q7');
