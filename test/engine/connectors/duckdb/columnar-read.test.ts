/**
 * The columnar read path (column-readers.ts, record-builder.ts): every type's values, NULLs in
 * some chunks and not others, read through `fromDuckDB` and `replay` at parallelism 1 and 2,
 * equal DuckDB's own values (computed by DuckDB in SQL, and as @duckdb/node-api converts them
 * value by value); Parquet row-group splits read every row once and resume at the exact row.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDBDataChunk } from '@duckdb/node-api';
import { Sinks, StreamExecutionEnvironment } from '../../../../engine/index.node.ts';
import { closeDuckDB } from '../../../../engine/connectors/duckdb/instance.ts';
import { DuckDBQueryReader } from '../../../../engine/connectors/duckdb/query-reader.ts';
import { RowDecoder, toRecordValue } from '../../../../engine/connectors/duckdb/values.ts';
import { recordBuilder } from '../../../../engine/connectors/duckdb/record-builder.ts';
import { RecordingOutput, Scratch, drive } from './fixtures.ts';

const s = new Scratch('columnar');
const ROWS = 5000; // three chunks of 2048 rows, the last partial
const NULL_FROM = 2048; // the first chunk has no NULLs: its columns are typed arrays

/** A table with a column of each type, NULL in every 7th row after the first chunk. */
const TYPES = `
  SELECT i AS id,
    n(i, (i - 2500) * 3037000493)::BIGINT AS big,
    n(i, CASE WHEN i % 3 = 0 THEN 9007199254740993 + i WHEN i % 3 = 1 THEN -9007199254740993 - i ELSE 9007199254740991 - i END)::BIGINT AS unsafe,
    n(i, i - 2500)::INTEGER AS int, n(i, (i % 200) - 100)::SMALLINT AS small, n(i, (i % 200) - 100)::TINYINT AS tiny,
    n(i, i * 7)::UINTEGER AS uint, n(i, i * 1000003)::UBIGINT AS ubig, n(i, (i - 2500) * 99999999999)::HUGEINT AS huge,
    n(i, i * 0.25 - 17)::DOUBLE AS dbl, n(i, i * 0.5)::FLOAT AS flt,
    n(i, (i - 2500) / 10)::DECIMAL(4, 1) AS d4, n(i, (i - 2500) * 1.25)::DECIMAL(9, 2) AS d9,
    n(i, (i - 2500) * 1000.125)::DECIMAL(18, 3) AS d18, n(i, (i - 2500) * 123456789.5)::DECIMAL(38, 5) AS d38,
    n(i, TIMESTAMP '1969-12-31 23:59:59' + to_microseconds(i * 333))::TIMESTAMP AS ts,
    CASE WHEN i = 1 THEN 'infinity'::TIMESTAMP WHEN i = 2 THEN '-infinity'::TIMESTAMP ELSE n(i, TIMESTAMP '2026-01-01' + to_milliseconds(i)) END AS ts_inf,
    n(i, TIMESTAMPTZ '2026-03-01 12:00:00+00' + to_microseconds(i * 1001))::TIMESTAMPTZ AS tstz,
    n(i, TIMESTAMP '2026-01-01' + to_seconds(i))::TIMESTAMP_S AS ts_s,
    n(i, TIMESTAMP '2026-01-01' + to_milliseconds(i))::TIMESTAMP_MS AS ts_ms,
    n(i, TIMESTAMP '2026-01-01' + to_microseconds(i))::TIMESTAMP_NS AS ts_ns,
    n(i, DATE '1969-12-01' + i::INTEGER) AS day,
    n(i, ['', 'a', 'user-' || (i % 1000), 'exactly12byt', 'thirteen byte', 'héllo wörld', 'a much longer string than twelve bytes ' || i, '日本語'][i % 8 + 1]) AS str,
    n(i, i % 2 = 0) AS bool,
    n(i, [i, i + 1]) AS list, n(i, {'a': i, 'b': 'x' || i}) AS struct, n(i, MAP {'k': i}) AS map,
    n(i, INTERVAL (i) MINUTE) AS span
  FROM range(${ROWS}) t(i)`;

before(async () => {
  await s.run(`CREATE MACRO n(i, v) AS CASE WHEN i >= ${NULL_FROM} AND i % 7 = 0 THEN NULL ELSE v END`);
  await s.run(`CREATE TABLE typed AS ${TYPES}`);
  await s.run(`COPY typed TO ${s.lit('typed.parquet')} (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
  await s.run(`COPY (SELECT * FROM range(20000) t(id)) TO ${s.lit('ids.parquet')} (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
});
after(async () => {
  await closeDuckDB();
  s.close();
});

/** What each value must be, computed by DuckDB (epoch ms, decimals as double, integers as text). */
async function expectedBySql(): Promise<Map<number, Record<string, unknown>>> {
  const rows = await s.rows(`SELECT id, big::VARCHAR AS big, unsafe::VARCHAR AS unsafe, int, small, tiny, uint, ubig::VARCHAR AS ubig, huge::VARCHAR AS huge,
      dbl, flt::DOUBLE AS flt, d4::DOUBLE AS d4, d9::DOUBLE AS d9, d18::DOUBLE AS d18, d38::DOUBLE AS d38,
      floor(epoch_us(ts) / 1000) AS ts, CASE WHEN isinf(ts_inf) THEN (CASE WHEN ts_inf > TIMESTAMP '2000-01-01' THEN 'inf' ELSE '-inf' END) ELSE (epoch_us(ts_inf) // 1000)::VARCHAR END AS ts_inf,
      floor(epoch_us(tstz) / 1000) AS tstz, epoch_ms(ts_s::TIMESTAMP) AS ts_s, epoch_ms(ts_ms::TIMESTAMP) AS ts_ms, floor(epoch_ns(ts_ns) / 1000000) AS ts_ns,
      strftime(day, '%Y-%m-%d') AS day, str, bool
    FROM typed`);
  return new Map(rows.map((r) => [Number(r['id']), r]));
}

/** Compares one record with the SQL-computed values. */
function checkRecord(r: Record<string, unknown>, e: Record<string, unknown>, where: string): void {
  const text = (v: unknown) => (v === null ? null : String(v));
  const num = (v: unknown) => (v === null ? null : Number(v));
  for (const c of ['big', 'unsafe', 'ubig', 'huge']) {
    assert.equal(text(r[c]), e[c], `${where}: ${c}`);
    if (r[c] !== null) assert.equal(typeof r[c], Number.isSafeInteger(Number(e[c])) && BigInt(String(e[c])) === BigInt(Number(e[c])) ? 'number' : 'bigint', `${where}: ${c} type`);
  }
  for (const c of ['int', 'small', 'tiny', 'uint', 'dbl', 'flt', 'd4', 'd9', 'd18', 'd38', 'ts', 'tstz', 'ts_s', 'ts_ms', 'ts_ns']) {
    assert.equal(r[c], num(e[c]), `${where}: ${c}`);
  }
  const inf = r['ts_inf'] === Infinity ? 'inf' : r['ts_inf'] === -Infinity ? '-inf' : text(r['ts_inf']);
  assert.equal(inf, e['ts_inf'], `${where}: ts_inf`);
  assert.equal(r['day'], e['day'], `${where}: day`);
  assert.equal(r['str'], e['str'], `${where}: str`);
  assert.equal(r['bool'], e['bool'], `${where}: bool`);
}

test('every type read column by column equals @duckdb/node-api value by value, and DuckDB\'s own values', async () => {
  const expected = await expectedBySql(); // first: a query on the connection ends a stream there
  const conn = await s.connection();
  const result = await conn.stream(`SELECT * FROM typed ORDER BY id`);
  const decoder = new RowDecoder(result.columnNames(), result.columnTypes());
  let seen = 0;
  for (let chunk: DuckDBDataChunk | null = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const records = decoder.decode(chunk);
    for (let row = 0; row < chunk.rowCount; row++) {
      const r = records[row]!;
      for (let c = 0; c < decoder.columns.length; c++) {
        const v = chunk.getColumnVector(c).getItem(row);
        assert.deepEqual(r[decoder.columns[c]!], v === null ? null : toRecordValue(v, decoder.types[c]!, toRecordValue), `row ${r['id']}, ${decoder.columns[c]}`);
      }
      checkRecord(r, expected.get(r['id'] as number)!, `row ${r['id']}`);
      seen++;
    }
  }
  assert.equal(seen, ROWS);
});

test('fromDuckDB and replay deliver DuckDB\'s values at parallelism 1 and 2 (Parquet row groups split)', async () => {
  const expected = await expectedBySql();
  for (const parallelism of [1, 2]) {
    const env = StreamExecutionEnvironment.create({ parallelism });
    const out = Sinks.collect<Record<string, unknown>>();
    env.fromDuckDB(`SELECT * FROM ${s.lit('typed.parquet')}`).sinkTo(out);
    await env.execute(`typed p${parallelism}`);
    assert.equal(out.values.length, ROWS, `parallelism ${parallelism}`);
    assert.equal(new Set(out.values.map((r) => r['id'])).size, ROWS, `parallelism ${parallelism}: every row once`);
    for (const r of out.values) checkRecord(r, expected.get(r['id'] as number)!, `p${parallelism} row ${r['id']}`);
    const row9 = out.values.find((r) => r['id'] === 9)!;
    assert.deepEqual([row9['list'], row9['struct'], row9['map'], row9['span']], [[9, 10], { a: 9, b: 'x9' }, [{ key: 'k', value: 9 }], { months: 0, days: 0, micros: 540_000_000 }]);
    assert.equal(out.values.find((r) => r['id'] === 2051)!['list'], null);
  }
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const out = Sinks.collect<Record<string, unknown>>();
  env.replay({ sql: `SELECT * FROM ${s.lit('typed.parquet')} WHERE ts IS NOT NULL`, timestampColumn: 'ts', speed: 'max' }).sinkTo(out);
  await env.execute('typed replay');
  const timed = [...expected.values()].filter((e) => e['ts'] !== null);
  assert.equal(out.values.length, timed.length);
  for (const r of out.values) checkRecord(r, expected.get(r['id'] as number)!, `replay row ${r['id']}`);
  const times = out.values.map((r) => r['ts'] as number);
  assert.ok(times.every((t, k) => k === 0 || times[k - 1]! <= t), 'replay is in event-time order');
});

test('constant and all-NULL columns (not stored per row by DuckDB) read like any other', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const out = Sinks.collect<Record<string, unknown>>();
  env
    .fromDuckDB(`SELECT 'abc' AS c, 42 AS k, 9007199254740993 AS big, NULL::INTEGER AS z, NULL::VARCHAR AS s, 'a long constant string over twelve' AS l, i FROM range(5000) t(i)`)
    .sinkTo(out);
  await env.execute('constants');
  assert.equal(out.values.length, 5000);
  for (const r of out.values) {
    assert.deepEqual(r, { c: 'abc', k: 42, big: 9007199254740993n, z: null, s: null, l: 'a long constant string over twelve', i: r['i'] });
  }
  assert.deepEqual(out.values.map((r) => r['i']), Array.from({ length: 5000 }, (_, i) => i));
});

test('Parquet row-group splits read every row once at any parallelism and resume at the exact row', async () => {
  const sql = `SELECT id FROM ${s.lit('ids.parquet')}`;
  for (const parallelism of [2, 3, 4]) {
    const options = { sql, name: 'ids', setup: [], rejects: false, split: 'auto' as const };
    const all: number[] = [];
    for (let subtask = 0; subtask < parallelism; subtask++) {
      const ctx = { subtask, parallelism, now: () => Date.now() };
      const full = new RecordingOutput<Record<string, unknown>>();
      const whole = new DuckDBQueryReader(options, ctx);
      await drive(whole, full);
      await whole.close();
      const ids = full.values.map((r) => r['id'] as number);
      assert.ok(ids.length > 0, `p${parallelism} subtask ${subtask} reads some row groups`);
      assert.ok(ids.every((id, k) => k === 0 || id === ids[k - 1]! + 1), `p${parallelism} subtask ${subtask} reads contiguous rows`);
      all.push(...ids);

      // Stop mid-chunk and mid-row-group, restore, and read the rest.
      const first = new RecordingOutput<Record<string, unknown>>();
      const a = new DuckDBQueryReader(options, ctx);
      const stopAt = Math.floor(ids.length * 0.55);
      await drive(a, first, { batch: 97, until: () => first.values.length >= stopAt });
      const position = a.snapshotPosition();
      await a.close();
      assert.match(String(position.splitId), /#rows \d+-\d+$/);
      const rest = new RecordingOutput<Record<string, unknown>>();
      const b = new DuckDBQueryReader(options, ctx);
      b.restorePosition(JSON.parse(JSON.stringify(position)));
      await drive(b, rest);
      await b.close();
      assert.deepEqual([...first.values, ...rest.values].map((r) => r['id']), ids, `p${parallelism} subtask ${subtask} resumed from ${JSON.stringify(position)}`);
    }
    assert.deepEqual(all.sort((x, y) => x - y), Array.from({ length: 20000 }, (_, i) => i), `p${parallelism}: every row once`);
  }
});

test('a record builder keeps column order, the last of repeated names, and a __proto__ column as a field', () => {
  const build = recordBuilder(['b', 'a', 'b', '__proto__']);
  const r = build([[1], [2], [3], [4]], 0);
  assert.deepEqual(Object.keys(r), ['b', 'a', '__proto__']);
  assert.equal(r['b'], 3);
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(r, '__proto__')?.value, 4);
  const plain = recordBuilder(['x y', 'é"\'']);
  assert.deepEqual(plain([[1], [2]], 0), { 'x y': 1, 'é"\'': 2 });
});
