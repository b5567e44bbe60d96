/**
 * The `nexmark` connector: `CREATE TABLE ... WITH ('connector' = 'nexmark', 'events.num' = ...)`
 * reads the events of Weir's Nexmark generator (the one `env.fromNexmark` uses) as rows of one
 * table, as nexmark-flink's `NexmarkTableSourceFactory` does with its option names. Weir's SQL
 * has no ROW type, so the nested `person`/`auction`/`bid` columns of nexmark-flink's DDL are
 * flattened: `person.id` is the column `person_id`, `bid.price` is `bid_price`, and so on;
 * `event_type` is 0 for a person, 1 for an auction, 2 for a bid. A column may be left out of
 * the DDL; a column the generator does not know is an error naming it.
 */
import type { DataStream } from '../api/datastream.ts';
import type { StreamExecutionEnvironment } from '../api/environment.ts';
import type { NexmarkOptions } from '../runtime/sources/nexmark/config.ts';
import type { NexmarkEvent } from '../runtime/sources/nexmark/model.ts';
import type { Row } from './catalog.ts';
import { option, type ConnectorTable } from './connectors.ts';
import { SqlValidationError } from './errors.ts';

const EVENT_TYPE = { person: 0, auction: 1, bid: 2 } as const;

/** The flattened columns of each kind of event, as the event's own field names. */
const FIELDS: Record<NexmarkEvent['type'], readonly string[]> = {
  person: ['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra'],
  auction: ['id', 'itemName', 'description', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'extra'],
  bid: ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'],
};

/** Every column a nexmark table may declare. */
const COLUMNS = new Set(['event_type', ...Object.entries(FIELDS).flatMap(([kind, fields]) => fields.map((f) => `${kind}_${f}`))]);

function numberOption(table: ConnectorTable, key: string): number | undefined {
  const value = option(table, key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new SqlValidationError(`table '${table.name}': the nexmark option '${key}' must be a number ≥ 0, got '${value}'`, table.pos);
  return n;
}

/** nexmark-flink's options, as `env.fromNexmark`'s. */
export function nexmarkOptions(table: ConnectorTable): NexmarkOptions {
  const rate = numberOption(table, 'first-event.rate');
  const nextRate = numberOption(table, 'next-event.rate');
  if (nextRate !== undefined && nextRate !== (rate ?? 10_000)) {
    throw new SqlValidationError(`table '${table.name}': a 'next-event.rate' other than 'first-event.rate' (Weir's generator has one rate)`, table.pos);
  }
  const events = numberOption(table, 'events.num');
  const person = numberOption(table, 'person.proportion');
  const auction = numberOption(table, 'auction.proportion');
  const bid = numberOption(table, 'bid.proportion');
  const options: NexmarkOptions = { events: events === undefined || events === 0 ? Infinity : events };
  if (rate !== undefined) options.eventsPerSecond = rate;
  if (person !== undefined || auction !== undefined || bid !== undefined) options.proportions = { person: person ?? 1, auction: auction ?? 3, bid: bid ?? 46 };
  const rateLimited = option(table, 'rate.limited');
  if (rateLimited !== undefined) options.rateLimited = rateLimited === 'true';
  return options;
}

/**
 * The rows of a nexmark table: one row per event, the columns of the other kinds NULL.
 *
 * @example
 * CREATE TABLE datagen (event_type INT, bid_auction BIGINT, bid_price BIGINT, bid_dateTime TIMESTAMP(3))
 * WITH ('connector' = 'nexmark', 'events.num' = '100000');
 */
export function nexmarkSource(env: StreamExecutionEnvironment, table: ConnectorTable): DataStream<Row> {
  for (const c of table.physical) {
    if (!COLUMNS.has(c.name)) {
      throw new SqlValidationError(`table '${table.name}': the nexmark connector has no column '${c.name}' (columns: event_type, person_*, auction_*, bid_* as in nexmark-flink's DDL, flattened)`, table.pos);
    }
  }
  const columns = table.physical.map((c) => c.name);
  return env
    .fromNexmark(nexmarkOptions(table))
    .map((event: NexmarkEvent) => {
      const row: Row = {};
      const prefix = `${event.type}_`;
      const fields = event as unknown as Record<string, unknown>;
      for (const c of columns) {
        if (c === 'event_type') row[c] = EVENT_TYPE[event.type];
        else row[c] = c.startsWith(prefix) ? (fields[c.slice(prefix.length)] ?? null) : null;
      }
      return row;
    })
    .name(`nexmark ${table.name}`);
}
