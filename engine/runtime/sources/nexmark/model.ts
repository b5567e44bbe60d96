/**
 * The three kinds of Nexmark events: people register, open auctions and bid on them
 * (nexmark-flink's `model/Person`, `Auction` and `Bid`, flattened into one record with a `type`
 * tag instead of its `Event` wrapper of three nullable fields). Times are epoch milliseconds.
 */

/** A person who registered on the auction site. */
export interface Person {
  readonly type: 'person';
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  /** Event time (ms). */
  readonly dateTime: number;
  readonly extra: string;
}

/** An item put up for auction by `seller` (a person's id), open from `dateTime` to `expires`. */
export interface Auction {
  readonly type: 'auction';
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  /** Event time (ms): when the auction opened. */
  readonly dateTime: number;
  /** When it closes (ms). */
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

/** A bid of `price` (in cents) by person `bidder` on auction `auction`. */
export interface Bid {
  readonly type: 'bid';
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  /** Event time (ms). */
  readonly dateTime: number;
  readonly extra: string;
}

/**
 * One Nexmark event: a `Person`, an `Auction` or a `Bid`, told apart by `type`.
 *
 * @example
 * const bids = env.fromNexmark({ events: 1_000_000 }).filter(isBid);
 */
export type NexmarkEvent = Person | Auction | Bid;

/**
 * Whether the event is a bid (a type guard for `filter`).
 *
 * @example
 * env.fromNexmark({ events: 10_000 }).filter(isBid).map((b) => b.price)
 */
export function isBid(event: NexmarkEvent): event is Bid {
  return event.type === 'bid';
}

/**
 * Whether the event is an auction (a type guard for `filter`).
 *
 * @example
 * env.fromNexmark({ events: 10_000 }).filter(isAuction).map((a) => a.category)
 */
export function isAuction(event: NexmarkEvent): event is Auction {
  return event.type === 'auction';
}

/**
 * Whether the event is a new person (a type guard for `filter`).
 *
 * @example
 * env.fromNexmark({ events: 10_000 }).filter(isPerson).map((p) => p.state)
 */
export function isPerson(event: NexmarkEvent): event is Person {
  return event.type === 'person';
}
