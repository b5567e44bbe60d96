// %% [markdown]
// # Nexmark q22: get URL directories
//
// The first three directories of each bid's URL. nexmark-flink:
// `SELECT auction, bidder, price, channel, SPLIT_INDEX(url, '/', 3) AS dir1, SPLIT_INDEX(url, '/', 4)
// AS dir2, SPLIT_INDEX(url, '/', 5) AS dir3 FROM bid` (SPLIT_INDEX counts from 0).

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
  .map((b) => {
    const parts = b.url.split('/');
    return { auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, dir1: parts[3] ?? null, dir2: parts[4] ?? null, dir3: parts[5] ?? null };
  })
  .sinkTo(sink);
await env.execute('nexmark q22');
