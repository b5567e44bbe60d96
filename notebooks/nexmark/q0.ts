// %% [markdown]
// # Nexmark q0: pass-through
//
// The bids go straight through: what it costs to read, convert and write records, with no work
// on them. nexmark-flink: `SELECT auction, bidder, price, dateTime, extra FROM bid`.
// Run with `npx weir run notebooks/nexmark/q0.ts --param events=1000000`, or time it with
// `npx weir bench nexmark --query q0`.

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

// %% [markdown]
// Keep the bids and project their columns.

// %%
nexmark
  .filter(isBid)
  .map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra }))
  .sinkTo(sink);
await env.execute('nexmark q0');
