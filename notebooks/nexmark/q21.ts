// %% [markdown]
// # Nexmark q21: add a column
//
// Each bid's channel id: a fixed one for the four big channels, otherwise the `channel_id`
// parameter of its URL; bids with neither are dropped. nexmark-flink:
//
// ```sql
// SELECT auction, bidder, price, channel,
//   CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
//        WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
//        ELSE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id
// FROM bid
// WHERE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) IS NOT NULL
//    OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')
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
const KNOWN: Record<string, string> = { apple: '0', google: '1', facebook: '2', baidu: '3' };
const CHANNEL_ID = /(&|^)channel_id=([^&]*)/;

nexmark
  .filter(isBid)
  .flatMap((b) => {
    const known = KNOWN[b.channel.toLowerCase()];
    const channelId = known ?? CHANNEL_ID.exec(b.url)?.[2];
    return channelId === undefined ? [] : [{ auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, channel_id: channelId }];
  })
  .sinkTo(sink);
await env.execute('nexmark q21');
