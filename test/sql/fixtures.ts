/**
 * Shared data of the SQL tests: an events file (CSV without a header, as Flink's csv format
 * reads it; NULL names; timestamps up to 3 s out of order) and the DuckDB connection that
 * computes the reference answers on the same file.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { closeDuckDB } from '../../engine/connectors/duckdb/instance.ts';
import { StreamExecutionEnvironment, StreamTableEnvironment, type Row } from '../../engine/index.node.ts';
import { Scratch } from '../engine/connectors/duckdb/fixtures.ts';

export const EVENTS = 600;
const BASE = Date.UTC(2024, 0, 1);

/** Writes events.csv (id, user, amount, qty, name, ts) into the scratch folder. */
export function writeEvents(s: Scratch): void {
  const lines: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const user = `u${(i * 7) % 5}`;
    const amount = ((i * 37) % 10000) / 100;
    const qty = ((i * 13) % 21) - 7;
    const name = i % 9 === 0 ? '' : `Name${i % 4}`;
    // Up to 3 s early or late against the id order, so events arrive out of order.
    const ts = BASE + i * 1000 + (((i * 11) % 7) - 3) * 1000;
    lines.push(`${i},${user},${amount},${qty},${name},${new Date(ts).toISOString().replace('T', ' ').replace('Z', '')}`);
  }
  s.write('events.csv', `${lines.join('\n')}\n`);
}

/** A scratch folder with events.csv for one test file, removed (and DuckDB closed) after its tests. */
export function eventsScratch(prefix: string): Scratch {
  const s = new Scratch(prefix);
  before(() => writeEvents(s));
  after(async () => {
    await closeDuckDB();
    s.close();
  });
  return s;
}

/** events.csv as DuckDB reads it, with `t`: the timestamp in epoch ms. */
export function eventsInDuckDB(s: Scratch): string {
  return `(SELECT *, epoch_ms(ts) AS t FROM read_csv(${s.lit('events.csv')}, header = false, columns = {'id': 'INTEGER', 'user': 'VARCHAR', 'amount': 'DOUBLE', 'qty': 'INTEGER', 'name': 'VARCHAR', 'ts': 'TIMESTAMP'}))`;
}

/** The events table in Flink SQL, its path relative to `baseDir` when given. */
export function eventsDdl(s: Scratch, lateness = 5): string {
  return `CREATE TABLE events (
    id INT, \`user\` STRING, amount DOUBLE, qty INT, name STRING, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '${lateness}' SECOND
  ) WITH ('connector' = 'filesystem', 'path' = '${s.path('events.csv')}', 'format' = 'csv')`;
}

export const MODES = [
  { mode: 'streaming', parallelism: 1 },
  { mode: 'streaming', parallelism: 2 },
  { mode: 'batch', parallelism: 1 },
  { mode: 'batch', parallelism: 2 },
] as const;

/** A table environment over a fresh environment with the events table. */
export async function eventsEnv(s: Scratch, mode: 'streaming' | 'batch', parallelism: number) {
  const env = StreamExecutionEnvironment.create({ mode, parallelism, autoWatermarkInterval: 20 });
  const tEnv = await StreamTableEnvironment.create(env);
  tEnv.executeSql(eventsDdl(s));
  return { env, tEnv };
}

/** Rows with numbers rounded to 9 significant digits (sums of doubles differ in the last bits by order), sorted. */
export function normalized(rows: Row[], columns: string[]): unknown[][] {
  const round = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v);
  return rows
    .map((r) => columns.map((c) => round(r[c] ?? null)))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
}

/** DuckDB's rows of `sql`; the BIGINT `columns` (which DuckDB gives as text) as numbers. */
export async function duckdbRows(s: Scratch, sql: string, bigints: string[] = []): Promise<Row[]> {
  const rows = await s.rows(sql);
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, bigints.includes(k) && v !== null ? Number(v) : v])));
}

export function assertSameRows(actual: Row[], expected: Row[], columns: string[], what: string): void {
  assert.ok(expected.length > 0, `${what}: the reference has rows`);
  assert.deepEqual(normalized(actual, columns), normalized(expected, columns), what);
}

export { Scratch };

/**
 * Runs `query` over the events table in every mode of MODES and checks that it only inserts
 * (an append-only result) and that its rows are `expected`.
 */
export async function assertAppendOnlyInAllModes(s: Scratch, query: string, expected: Row[], columns: string[], what: string): Promise<void> {
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    const changes = await tEnv.executeSql(query).collectChangelog();
    assert.deepEqual([...new Set(changes.map((c) => c.kind))], ['+I'], `${what}: append-only, ${mode} p${parallelism}`);
    assertSameRows(changes.map((c) => c.row), expected, columns, `${what}, ${mode} p${parallelism}`);
  }
}
