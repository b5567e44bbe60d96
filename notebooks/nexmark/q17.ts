// %% [markdown]
// # Nexmark q17: auction statistics report
//
// Per auction and day: how many bids, how many in each of three price ranges, and the least,
// highest, average and total price. nexmark-flink:
//
// ```sql
// SELECT auction, DATE_FORMAT(dateTime, 'yyyy-MM-dd') AS day, count(*) AS total_bids,
//   count(*) FILTER (WHERE price < 10000) AS rank1_bids,
//   count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
//   count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
//   min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
// FROM bid GROUP BY auction, DATE_FORMAT(dateTime, 'yyyy-MM-dd')
// ```
//
// An unwindowed group-by: a keyed rolling aggregate that emits the updated row per bid (as
// Flink SQL's updates); the last row per (auction, day) is the answer. `avg` of a BIGINT is a
// BIGINT in Flink SQL, so it is truncated.

// %%
import { StreamExecutionEnvironment, Sinks, params, isBid } from 'weir';

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
interface Stats {
  auction: number;
  day: string;
  total_bids: number;
  rank1_bids: number;
  rank2_bids: number;
  rank3_bids: number;
  min_price: number;
  max_price: number;
  avg_price: number;
  sum_price: number;
}

nexmark
  .filter(isBid)
  .map((b): Stats => ({
    auction: b.auction,
    day: new Date(b.dateTime).toISOString().slice(0, 10),
    total_bids: 1,
    rank1_bids: b.price < 10_000 ? 1 : 0,
    rank2_bids: b.price >= 10_000 && b.price < 1_000_000 ? 1 : 0,
    rank3_bids: b.price >= 1_000_000 ? 1 : 0,
    min_price: b.price,
    max_price: b.price,
    avg_price: b.price,
    sum_price: b.price,
  }))
  .keyBy((s) => `${s.auction} ${s.day}`)
  .reduce((a, b) => {
    const total = a.total_bids + b.total_bids;
    const sum = a.sum_price + b.sum_price;
    return {
      auction: a.auction,
      day: a.day,
      total_bids: total,
      rank1_bids: a.rank1_bids + b.rank1_bids,
      rank2_bids: a.rank2_bids + b.rank2_bids,
      rank3_bids: a.rank3_bids + b.rank3_bids,
      min_price: Math.min(a.min_price, b.min_price),
      max_price: Math.max(a.max_price, b.max_price),
      avg_price: Math.floor(sum / total),
      sum_price: sum,
    };
  })
  .sinkTo(sink);
await env.execute('nexmark q17');
