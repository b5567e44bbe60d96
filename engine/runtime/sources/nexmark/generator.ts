/**
 * Makes Nexmark event number n (nexmark-flink's `NexmarkGenerator` with its Person, Auction and
 * Bid generators), as a pure function of the configuration and n:
 *
 * - n modulo (1 + 3 + 46) says the kind: the first `person` numbers of each 50 are people, the
 *   next `auction` auctions, the rest bids; ids count people and auctions from 1000 on.
 * - Event n happens at `baseTime + n × interEventDelay`: one timeline for the whole stream,
 *   whatever the parallelism (nexmark-flink gives each parallel generator its own timeline).
 * - Sellers and bidders are mostly "hot" people (the first or second of the latest hundred),
 *   bids mostly on a hot auction (the first of the latest hundred); the others pick among the
 *   active people or the auctions in flight, a few ids ahead of the newest.
 * - `extra` pads each record to its average size.
 *
 * One deliberate difference: nexmark-flink adds FIRST_PERSON_ID to a bid's bidder twice, so
 * bidders never name a generated person; here it is added once, so `bid.bidder` joins `person.id`.
 */
import type { Auction, Bid, NexmarkEvent, Person } from './model.ts';
import type { NexmarkConfig } from './config.ts';
import { EventRandom } from './random.ts';

const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
/** Ids this far beyond the newest person or auction may be chosen (they appear "early"). */
const ID_LEAD = 10;
/** Hot people and auctions are one in this many of the latest. */
const HOT_GROUP = 100;

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const CHANNELS = 10_000;

/** The four-digit groups of credit card numbers, made once. */
const CARD_GROUPS = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));

interface Channels {
  hotUrls: string[];
  names: string[];
  urls: string[];
}
let channels: Channels | undefined;
/** Bid channels and their URLs (nexmark's channel cache): fixed for every run. */
function channelTable(): Channels {
  if (channels) return channels;
  const r = new EventRandom();
  r.reset(0xc4a77e1, 0);
  const baseUrl = () => `https://www.nexmark.com/${r.nextStringWith(5, '_')}/${r.nextStringWith(5, '_')}/${r.nextStringWith(5, '_')}/item.htm?query=1`;
  const hotUrls = HOT_CHANNELS.map(() => baseUrl());
  const names: string[] = [];
  const urls: string[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    const url = baseUrl();
    names.push(`channel-${i}`);
    // Nine in ten channel URLs carry the channel's id (bit-reversed, as nexmark does), for q21.
    urls.push(r.nextInt(10) > 0 ? `${url}&channel_id=${Math.abs(reverseBits(i))}` : url);
  }
  channels = { hotUrls, names, urls };
  return channels;
}

/** Java's `Integer.reverse`: the 32 bits of `i` in reverse order, as a signed int. */
function reverseBits(i: number): number {
  let v = i >>> 0;
  let r = 0;
  for (let b = 0; b < 32; b++) {
    r = (r << 1) | (v & 1);
    v >>>= 1;
  }
  return r | 0;
}

/**
 * Nexmark's events by number.
 *
 * @example
 * const gen = new NexmarkGenerator(nexmarkConfig({ events: 100 }));
 * gen.event(0); // { type: 'person', id: 1000, ... }
 */
export class NexmarkGenerator {
  private readonly random = new EventRandom();

  constructor(readonly config: NexmarkConfig) {}

  /** Event time of event `n` (ms). */
  timestamp(n: number): number {
    return this.config.baseTime + Math.floor(Math.floor(n * this.config.interEventDelayUs) / 1000);
  }

  /** The kind of event `n`. */
  kind(n: number): NexmarkEvent['type'] {
    const c = this.config;
    const rem = n % c.totalProportion;
    return rem < c.personProportion ? 'person' : rem < c.personProportion + c.auctionProportion ? 'auction' : 'bid';
  }

  /** Event number `n`: the same for the same configuration, wherever and whenever it is made. */
  event(n: number): NexmarkEvent {
    this.random.reset(this.config.seed, n);
    const kind = this.kind(n);
    const ts = this.timestamp(n);
    return kind === 'bid' ? this.bid(n, ts) : kind === 'auction' ? this.auction(n, ts) : this.person(n, ts);
  }

  private person(n: number, dateTime: number): Person {
    const r = this.random;
    const name = `${FIRST_NAMES[r.nextInt(FIRST_NAMES.length)]!} ${LAST_NAMES[r.nextInt(LAST_NAMES.length)]!}`;
    const emailAddress = `${r.nextString(7)}@${r.nextString(5)}.com`;
    const creditCard = `${CARD_GROUPS[r.nextInt(10_000)]!} ${CARD_GROUPS[r.nextInt(10_000)]!} ${CARD_GROUPS[r.nextInt(10_000)]!} ${CARD_GROUPS[r.nextInt(10_000)]!}`;
    const city = US_CITIES[r.nextInt(US_CITIES.length)]!;
    const state = US_STATES[r.nextInt(US_STATES.length)]!;
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    const extra = r.nextExtra(size, this.config.avgPersonByteSize);
    return { type: 'person', id: this.lastPerson(n) + FIRST_PERSON_ID, name, emailAddress, creditCard, city, state, dateTime, extra };
  }

  private auction(n: number, dateTime: number): Auction {
    const r = this.random;
    const c = this.config;
    const seller =
      (r.nextInt(c.hotSellersRatio) > 0 ? Math.floor(this.lastPerson(n) / HOT_GROUP) * HOT_GROUP : this.somePerson(n)) + FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + r.nextInt(NUM_CATEGORIES);
    const initialBid = r.nextPrice();
    const expires = dateTime + this.auctionLength(n, dateTime);
    const itemName = r.nextString(20);
    const description = r.nextString(100);
    const reserve = initialBid + r.nextPrice();
    const extra = r.nextExtra(8 + itemName.length + description.length + 40, c.avgAuctionByteSize);
    return { type: 'auction', id: this.lastAuction(n) + FIRST_AUCTION_ID, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra };
  }

  private bid(n: number, dateTime: number): Bid {
    const r = this.random;
    const c = this.config;
    const auction =
      (r.nextInt(c.hotAuctionRatio) > 0 ? Math.floor(this.lastAuction(n) / HOT_GROUP) * HOT_GROUP : this.someAuction(n)) + FIRST_AUCTION_ID;
    // The second of the latest hundred people, so that hot bidders are not the hot sellers.
    const bidder =
      (r.nextInt(c.hotBiddersRatio) > 0 ? Math.floor(this.lastPerson(n) / HOT_GROUP) * HOT_GROUP + 1 : this.somePerson(n)) + FIRST_PERSON_ID;
    const price = r.nextPrice();
    const table = channelTable();
    let channel: string;
    let url: string;
    if (r.nextInt(2) > 0) {
      const i = r.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = table.hotUrls[i]!;
    } else {
      const i = r.nextInt(CHANNELS);
      channel = table.names[i]!;
      url = table.urls[i]!;
    }
    const extra = r.nextExtra(32, c.avgBidByteSize);
    return { type: 'bid', auction, bidder, price, channel, url, dateTime, extra };
  }

  /** The newest person id (base 0) at event `n`: the one being made if `n` is a person. */
  private lastPerson(n: number): number {
    const c = this.config;
    const epoch = Math.floor(n / c.totalProportion);
    const offset = Math.min(n % c.totalProportion, c.personProportion - 1);
    return epoch * c.personProportion + offset;
  }

  /** The newest auction id (base 0) at event `n`: the one being made if `n` is an auction. */
  private lastAuction(n: number): number {
    const c = this.config;
    let epoch = Math.floor(n / c.totalProportion);
    let offset = n % c.totalProportion;
    if (offset < c.personProportion) {
      epoch--;
      offset = c.auctionProportion - 1;
    } else if (offset >= c.personProportion + c.auctionProportion) {
      offset = c.auctionProportion - 1;
    } else {
      offset -= c.personProportion;
    }
    return epoch * c.auctionProportion + offset;
  }

  /** One of the active people, or a few ids ahead of the newest (base 0). */
  private somePerson(n: number): number {
    const people = this.lastPerson(n) + 1;
    const active = Math.min(people, this.config.numActivePeople);
    return people - active + this.random.nextInt(active + ID_LEAD);
  }

  /** One of the auctions likely in flight, or a few ids ahead of the newest (base 0). */
  private someAuction(n: number): number {
    const last = this.lastAuction(n);
    const first = Math.max(last - this.config.numInFlightAuctions, 0);
    return first + this.random.nextInt(last - first + 1 + ID_LEAD);
  }

  /** How long an auction opened at event `n` lasts: on average until `numInFlightAuctions` more have opened. */
  private auctionLength(n: number, dateTime: number): number {
    const c = this.config;
    const eventsForAuctions = Math.floor((c.numInFlightAuctions * c.totalProportion) / c.auctionProportion);
    const horizon = this.timestamp(n + eventsForAuctions) - dateTime;
    return 1 + this.random.nextInt(Math.max(horizon * 2, 1));
  }
}
