// %% [markdown]
// # Nexmark q14: calculation
//
// A user-defined function and a calculated column: bids converted to euros, kept between
// €10,000 and €500,000 (prices are in cents), with the part of the day they were made in (UTC)
// and how many 'c's their `extra` holds. nexmark-flink:
//
// ```sql
// SELECT auction, bidder, 0.908 * price AS price,
//   CASE WHEN HOUR(dateTime) >= 8 AND HOUR(dateTime) <= 18 THEN 'dayTime'
//        WHEN HOUR(dateTime) <= 6 OR HOUR(dateTime) >= 20 THEN 'nightTime'
//        ELSE 'otherTime' END AS bidTimeType,
//   dateTime, extra, count_char(extra, 'c') AS c_counts
// FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000
// ```

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
/** How many times `c` occurs in `text` (nexmark-flink's `count_char` function). */
function countChar(text: string, c: string): number {
  let n = 0;
  for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) n++;
  return n;
}

function bidTimeType(dateTime: number): string {
  const hour = new Date(dateTime).getUTCHours();
  return hour >= 8 && hour <= 18 ? 'dayTime' : hour <= 6 || hour >= 20 ? 'nightTime' : 'otherTime';
}

nexmark
  .filter(isBid)
  .map((b) => ({ ...b, euros: Math.round(b.price * 908) / 1000 }))
  .filter((b) => b.euros > 1_000_000 && b.euros < 50_000_000)
  .map((b) => ({
    auction: b.auction,
    bidder: b.bidder,
    price: b.euros,
    bidTimeType: bidTimeType(b.dateTime),
    dateTime: b.dateTime,
    extra: b.extra,
    c_counts: countChar(b.extra, 'c'),
  }))
  .sinkTo(sink);
await env.execute('nexmark q14');
