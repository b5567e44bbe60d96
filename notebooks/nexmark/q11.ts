// %% [markdown]
// # Nexmark q11: user sessions
//
// How many bids each bidder makes per session of activity: a session ends after 10 seconds
// without a bid. nexmark-flink: `SELECT bidder, count(*), SESSION_START(...), SESSION_END(...)
// FROM bid GROUP BY bidder, SESSION(dateTime, INTERVAL '10' SECOND)`. A session runs from its
// first bid to 10 s after its last.

// %%
import { StreamExecutionEnvironment, Sinks, params, isBid, EventTimeSessionWindows } from 'weir';

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
  .keyBy((b) => b.bidder)
  .window(EventTimeSessionWindows.withGap(10_000))
  .aggregate(
    { createAccumulator: () => 0, add: (_b, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
    (bidder, w, count) => ({ bidder, bid_count: count, starttime: w.start, endtime: w.end }),
  )
  .sinkTo(sink);
await env.execute('nexmark q11');
