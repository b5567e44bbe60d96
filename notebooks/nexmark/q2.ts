// %% [markdown]
// # Nexmark q2: selection
//
// The bids on a set of auctions: those whose id is a multiple of 123. nexmark-flink:
// `SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0`.

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
  .filter((b) => b.auction % 123 === 0)
  .map((b) => ({ auction: b.auction, price: b.price }))
  .sinkTo(sink);
await env.execute('nexmark q2');
