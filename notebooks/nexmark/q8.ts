// %% [markdown]
// # Nexmark q8: new users
//
// People who opened an auction in the 10-second window in which they registered. nexmark-flink
// groups people by (id, name, window) and auctions by (seller, window) in 10 s tumbling windows
// and joins the two on id = seller and the same window.
//
// A window co-group does both at once: per person id and window, the people and the auctions
// they sold; a person with at least one auction is a new user.

// %%
import { StreamExecutionEnvironment, Sinks, params, isAuction, isPerson, TumblingEventTimeWindows } from 'weir';

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
const WINDOW = 10_000;

nexmark
  .filter(isPerson)
  .coGroup(nexmark.filter(isAuction))
  .where((p) => p.id)
  .equalTo((a) => a.seller)
  .window(TumblingEventTimeWindows.of(WINDOW))
  .apply<{ id: number; name: string; starttime: number }>((people, auctions, out) => {
    if (auctions.length === 0) return;
    for (const p of people) out.collect({ id: p.id, name: p.name, starttime: p.dateTime - (p.dateTime % WINDOW) });
  })
  .sinkTo(sink);
await env.execute('nexmark q8');
