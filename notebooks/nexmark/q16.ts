// %% [markdown]
// # Nexmark q16: channel statistics report
//
// As q15, per channel and day, with the latest minute of the day that had a bid. nexmark-flink:
// `SELECT channel, DATE_FORMAT(dateTime, 'yyyy-MM-dd') AS day, max(DATE_FORMAT(dateTime, 'HH:mm'))
// AS minute, count(*) …, count(DISTINCT bidder) …, count(DISTINCT auction) … FROM bid GROUP BY
// channel, DATE_FORMAT(dateTime, 'yyyy-MM-dd')`.

// %%
import { StreamExecutionEnvironment, Sinks, params, isBid, ValueStateDescriptor, MapStateDescriptor } from 'weir';

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
import type { Bid, KeyedProcessFunction, MapState, ValueState } from 'weir';

/** The price range of a bid: 1 under $100, 2 under $10,000, 3 above. */
const rank = (price: number) => (price < 10_000 ? 1 : price < 1_000_000 ? 2 : 3);
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const minute = (t: number) => new Date(t).toISOString().slice(11, 16);

/**
 * Counts bids, distinct bidders and distinct auctions, in all (index 0) and per price range,
 * in keyed state: the counts, and which (range, bidder) and (range, auction) were seen.
 */
class BiddingStatistics {
  private counts!: ValueState<number[]>;
  private seen!: MapState<string, boolean>;

  open(ctx: { getState: <T>(d: ValueStateDescriptor<T>) => ValueState<T>; getMapState: <K, V>(d: MapStateDescriptor<K, V>) => MapState<K, V> }) {
    this.counts = ctx.getState(new ValueStateDescriptor<number[]>('bids, bidders and auctions per range'));
    this.seen = ctx.getMapState(new MapStateDescriptor<string, boolean>('bidders and auctions seen per range'));
  }

  /** Counts `b` and returns the key's columns. */
  add(b: Bid) {
    const c = this.counts.value() ?? new Array<number>(12).fill(0);
    for (const i of [0, rank(b.price)]) {
      c[i]!++;
      if (!this.seen.contains(`b${i} ${b.bidder}`)) {
        this.seen.put(`b${i} ${b.bidder}`, true);
        c[4 + i]!++;
      }
      if (!this.seen.contains(`a${i} ${b.auction}`)) {
        this.seen.put(`a${i} ${b.auction}`, true);
        c[8 + i]!++;
      }
    }
    this.counts.update(c);
    return {
      total_bids: c[0]!, rank1_bids: c[1]!, rank2_bids: c[2]!, rank3_bids: c[3]!,
      total_bidders: c[4]!, rank1_bidders: c[5]!, rank2_bidders: c[6]!, rank3_bidders: c[7]!,
      total_auctions: c[8]!, rank1_auctions: c[9]!, rank2_auctions: c[10]!, rank3_auctions: c[11]!,
    };
  }
}

// %%
nexmark
  .filter(isBid)
  .keyBy((b) => `${b.channel} ${day(b.dateTime)}`)
  .process<Record<string, unknown>>({
    open(ctx) {
      this.stats = new BiddingStatistics();
      this.stats.open(ctx);
      this.latest = ctx.getState(new ValueStateDescriptor<string>('latest minute'));
    },
    processElement(b, _ctx, out) {
      const m = minute(b.dateTime);
      const latest = this.latest.value() as string | undefined;
      if (latest === undefined || m > latest) this.latest.update(m);
      out.collect({ channel: b.channel, day: day(b.dateTime), minute: this.latest.value() as string, ...(this.stats as BiddingStatistics).add(b) });
    },
  } as KeyedProcessFunction<string, Bid, Record<string, unknown>>)
  .sinkTo(sink);
await env.execute('nexmark q16');
