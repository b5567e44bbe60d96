/**
 * Checks a Nexmark query's output against its DuckDB reference: the same events (made by the
 * same generator, options and seed) are loaded into an in-memory DuckDB, the reference SQL runs
 * there, and both results are compared as multisets of rows over the compared columns.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { NexmarkGenerator } from '../../../engine/runtime/sources/nexmark/generator.ts';
import { nexmarkConfig, type NexmarkOptions } from '../../../engine/runtime/sources/nexmark/config.ts';
import { NEXMARK_REFERENCES, type NexmarkReference } from './reference.ts';

/** What the comparison found. */
export interface NexmarkVerification {
  verified: boolean;
  /** Rows compared (the reference's). */
  rows: number;
  /** Up to five rows only one side has, `-` the reference's, `+` the query's. */
  differences: string[];
}

const TABLES = `
  CREATE TABLE person (id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime BIGINT, extra VARCHAR);
  CREATE TABLE auction (id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, dateTime BIGINT, expires BIGINT, seller BIGINT, category BIGINT, extra VARCHAR);
  CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime BIGINT, extra VARCHAR);`;

/**
 * Loads the events `options` describe into tables `person`, `auction` and `bid`.
 *
 * @example
 * await loadNexmarkTables(conn, { events: 50_000 });
 */
export async function loadNexmarkTables(conn: DuckDBConnection, options: NexmarkOptions): Promise<void> {
  await conn.run(TABLES);
  const gen = new NexmarkGenerator(nexmarkConfig(options));
  const person = await conn.createAppender('person');
  const auction = await conn.createAppender('auction');
  const bid = await conn.createAppender('bid');
  const big = (n: number) => BigInt(n);
  for (let n = 0; n < gen.config.events; n++) {
    const e = gen.event(n);
    if (e.type === 'bid') {
      bid.appendBigInt(big(e.auction));
      bid.appendBigInt(big(e.bidder));
      bid.appendBigInt(big(e.price));
      bid.appendVarchar(e.channel);
      bid.appendVarchar(e.url);
      bid.appendBigInt(big(e.dateTime));
      bid.appendVarchar(e.extra);
      bid.endRow();
    } else if (e.type === 'auction') {
      auction.appendBigInt(big(e.id));
      auction.appendVarchar(e.itemName);
      auction.appendVarchar(e.description);
      auction.appendBigInt(big(e.initialBid));
      auction.appendBigInt(big(e.reserve));
      auction.appendBigInt(big(e.dateTime));
      auction.appendBigInt(big(e.expires));
      auction.appendBigInt(big(e.seller));
      auction.appendBigInt(big(e.category));
      auction.appendVarchar(e.extra);
      auction.endRow();
    } else {
      person.appendBigInt(big(e.id));
      person.appendVarchar(e.name);
      person.appendVarchar(e.emailAddress);
      person.appendVarchar(e.creditCard);
      person.appendVarchar(e.city);
      person.appendVarchar(e.state);
      person.appendBigInt(big(e.dateTime));
      person.appendVarchar(e.extra);
      person.endRow();
    }
  }
  for (const a of [person, auction, bid]) a.closeSync();
}

/** One value as compared: numbers to 12 significant digits (DuckDB's DECIMAL and DOUBLE, JavaScript's number), the rest as text. */
function canonical(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) {
    const n = Number(value);
    return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
  }
  return JSON.stringify(value ?? null);
}

function rowKey(row: Record<string, unknown>, columns: string[]): string {
  return columns.map((c) => canonical(row[c])).join('|');
}

/** The rows a JSONL sink directory (or file) holds, in each file's order. */
export function readJsonlOutput(output: string): Record<string, unknown>[] {
  let files: string[];
  try {
    files = readdirSync(output)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .map((f) => path.join(output, f));
  } catch {
    files = [];
  }
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

/**
 * The reference result of Nexmark query `query` over the events `options` describe, as the
 * compared keys of its rows, sorted.
 *
 * @example
 * const expected = await nexmarkReferenceRows('q5', { events: 50_000 });
 */
export async function nexmarkReferenceRows(query: string, options: NexmarkOptions): Promise<string[]> {
  const reference = referenceOf(query);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await loadNexmarkTables(conn, options);
    const rows = (await conn.runAndReadAll(reference.sql)).getRowObjectsJson() as Record<string, unknown>[];
    return rows.map((r) => rowKey(r, reference.columns)).sort();
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Compares `rows`, the output of Nexmark query `query`, with its reference result `expected`
 * (from `nexmarkReferenceRows`).
 *
 * @example
 * compareNexmarkOutput('q5', readJsonlOutput('out/q5/'), expected).verified
 */
export function compareNexmarkOutput(query: string, rows: Record<string, unknown>[], expected: string[]): NexmarkVerification {
  const reference = referenceOf(query);
  let actual = rows;
  if (reference.lastPerKey) {
    const last = new Map<string, Record<string, unknown>>();
    for (const row of rows) last.set(rowKey(row, reference.lastPerKey), row);
    actual = [...last.values()];
  }
  const got = actual.map((r) => rowKey(r, reference.columns)).sort();
  return { verified: expected.length === got.length && expected.every((k, i) => k === got[i]), rows: expected.length, differences: difference(expected, got) };
}

/**
 * Compares `rows`, the output of Nexmark query `query` over the events `options` describe,
 * with the query's DuckDB reference.
 *
 * @example
 * const { verified } = await verifyNexmarkQuery('q5', readJsonlOutput('out/q5/'), { events: 50_000 });
 */
export async function verifyNexmarkQuery(query: string, rows: Record<string, unknown>[], options: NexmarkOptions): Promise<NexmarkVerification> {
  return compareNexmarkOutput(query, rows, await nexmarkReferenceRows(query, options));
}

function referenceOf(query: string): NexmarkReference {
  const reference: NexmarkReference | undefined = NEXMARK_REFERENCES[query];
  if (!reference) throw new Error(`Nexmark ${query} has no DuckDB reference; queries with one: ${Object.keys(NEXMARK_REFERENCES).join(', ')}`);
  return reference;
}

/** Up to five rows of each sorted list that the other lacks. */
function difference(want: string[], got: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while ((i < want.length || j < got.length) && out.length < 5) {
    if (j >= got.length || (i < want.length && want[i]! < got[j]!)) out.push(`- ${want[i++]!}`);
    else if (i >= want.length || got[j]! < want[i]!) out.push(`+ ${got[j++]!}`);
    else {
      i++;
      j++;
    }
  }
  return out;
}
