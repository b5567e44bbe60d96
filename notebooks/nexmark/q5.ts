// %% [markdown]
// # Nexmark q5: hot items
//
// The auctions with the most bids in the last 10 seconds, every 2 seconds. nexmark-flink counts
// bids per auction in sliding (HOP) windows of 10 s every 2 s, takes the largest count of each
// window and keeps the auctions that reach it.
//
// Step one is a sliding event-time window per auction; step two gathers each window's counts
// (they all carry the window's last millisecond as their time, so a 2 s tumbling window holds
// exactly one sliding window's results) and keeps the top ones.

// %%
import { StreamExecutionEnvironment, Sinks, params, isBid, SlidingEventTimeWindows, TumblingEventTimeWindows } from 'weir';

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
const counts = nexmark
  .filter(isBid)
  .keyBy((b) => b.auction)
  .window(SlidingEventTimeWindows.of(10_000, 2_000))
  .aggregate(
    { createAccumulator: () => 0, add: (_b, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
    (auction, w, num) => ({ auction, num, start: w.start }),
  );

// %%
counts
  .keyBy((c) => c.start)
  .window(TumblingEventTimeWindows.of(2_000))
  .apply((_start, _w, all, out) => {
    let max = 0;
    for (const c of all) max = Math.max(max, c.num);
    for (const c of all) if (c.num >= max) out.collect({ auction: c.auction, num: c.num });
  })
  .sinkTo(sink);
await env.execute('nexmark q5');
