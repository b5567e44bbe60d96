// %% [markdown]
// # Nexmark q1: currency conversion
//
// Every bid's price converted from dollars to euros (× 0.908). nexmark-flink:
// `SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid`, the price a
// DECIMAL(23, 3): here cents × 908 / 1000, exact to three decimals.

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
nexmark
  .filter(isBid)
  .map((b) => ({ auction: b.auction, bidder: b.bidder, price: Math.round(b.price * 908) / 1000, dateTime: b.dateTime, extra: b.extra }))
  .sinkTo(sink);
await env.execute('nexmark q1');
