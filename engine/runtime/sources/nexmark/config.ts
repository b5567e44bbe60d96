/**
 * What a Nexmark source generates: nexmark-flink's `NexmarkConfiguration` defaults and the
 * derived values of its `GeneratorConfig`, checked once at the edge.
 */
import { InvalidPipelineError } from '../../errors.ts';

/** Options of `env.fromNexmark`. Every field but `events` has nexmark-flink's default. */
export interface NexmarkOptions {
  /** How many events in all (people, auctions and bids); `Infinity` for an endless stream. */
  events: number;
  /** Event-time rate: event n happens at `baseTime + n / eventsPerSecond` s (default 10,000, nexmark's `first-event.rate`). */
  eventsPerSecond?: number;
  /** Emit no faster than `eventsPerSecond` of wall-clock time (default false: as fast as downstream takes them). */
  rateLimited?: boolean;
  /** Event time of event 0, epoch ms (default 2026-01-01T00:00:00Z, so every run sees the same times). */
  baseTime?: number;
  /** Seeds the random choices; the same seed gives the same events (default 0). */
  seed?: number;
  /** Out of every `person + auction + bid` events, how many are of each kind (default 1, 3, 46). */
  proportions?: { person: number; auction: number; bid: number };
  /** Bids are on a hot auction with probability 1 - 1/hotAuctionRatio (default 2). */
  hotAuctionRatio?: number;
  /** Auctions are by a hot seller with probability 1 - 1/hotSellersRatio (default 4). */
  hotSellersRatio?: number;
  /** Bids are by a hot bidder with probability 1 - 1/hotBiddersRatio (default 4). */
  hotBiddersRatio?: number;
  /** Average size of a person, an auction and a bid in bytes; `extra` pads them to it (default 200, 500, 100). */
  avgSizes?: { person: number; auction: number; bid: number };
  /** Auctions in flight at any time, which sets how long auctions last (default 100). */
  numInFlightAuctions?: number;
  /** People who sell and bid at any time (default 1,000). */
  numActivePeople?: number;
}

/** The options with every default filled in. */
export interface NexmarkConfig {
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly rateLimited: boolean;
  readonly baseTime: number;
  readonly seed: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  readonly totalProportion: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
  readonly numInFlightAuctions: number;
  readonly numActivePeople: number;
  /** Microseconds of event time between two events. */
  readonly interEventDelayUs: number;
}

const positiveInteger = (value: number, what: string): number => {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidPipelineError(`fromNexmark: ${what} must be a positive integer, got ${value}`);
  return value;
};

/** Fills in nexmark-flink's defaults and rejects what cannot be generated, naming the option. */
export function nexmarkConfig(options: NexmarkOptions): NexmarkConfig {
  if (typeof options !== 'object' || options === null) throw new InvalidPipelineError('fromNexmark: expects options, e.g. { events: 1_000_000 }');
  const events = options.events;
  if (!(events === Infinity || (Number.isSafeInteger(events) && events >= 0))) {
    throw new InvalidPipelineError(`fromNexmark: events must be an integer ≥ 0 or Infinity, got ${String(events)}`);
  }
  const eventsPerSecond = options.eventsPerSecond ?? 10_000;
  if (!(eventsPerSecond > 0 && Number.isFinite(eventsPerSecond))) throw new InvalidPipelineError(`fromNexmark: eventsPerSecond must be > 0, got ${eventsPerSecond}`);
  const baseTime = options.baseTime ?? Date.UTC(2026, 0, 1);
  if (!Number.isSafeInteger(baseTime)) throw new InvalidPipelineError(`fromNexmark: baseTime must be epoch milliseconds, got ${baseTime}`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new InvalidPipelineError(`fromNexmark: seed must be an integer, got ${seed}`);
  const p = options.proportions ?? { person: 1, auction: 3, bid: 46 };
  const sizes = options.avgSizes ?? { person: 200, auction: 500, bid: 100 };
  const config: NexmarkConfig = {
    events,
    eventsPerSecond,
    rateLimited: options.rateLimited ?? false,
    baseTime,
    seed,
    personProportion: positiveInteger(p.person, 'proportions.person'),
    auctionProportion: positiveInteger(p.auction, 'proportions.auction'),
    bidProportion: positiveInteger(p.bid, 'proportions.bid'),
    totalProportion: p.person + p.auction + p.bid,
    hotAuctionRatio: positiveInteger(options.hotAuctionRatio ?? 2, 'hotAuctionRatio'),
    hotSellersRatio: positiveInteger(options.hotSellersRatio ?? 4, 'hotSellersRatio'),
    hotBiddersRatio: positiveInteger(options.hotBiddersRatio ?? 4, 'hotBiddersRatio'),
    avgPersonByteSize: positiveInteger(sizes.person, 'avgSizes.person'),
    avgAuctionByteSize: positiveInteger(sizes.auction, 'avgSizes.auction'),
    avgBidByteSize: positiveInteger(sizes.bid, 'avgSizes.bid'),
    numInFlightAuctions: positiveInteger(options.numInFlightAuctions ?? 100, 'numInFlightAuctions'),
    numActivePeople: positiveInteger(options.numActivePeople ?? 1000, 'numActivePeople'),
    interEventDelayUs: 1_000_000 / eventsPerSecond,
  };
  return config;
}
