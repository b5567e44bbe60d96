/**
 * `Sinks.duckdb`: append and upsert, table creation from the first records, existing tables,
 * one transaction per commit recorded in `_weir_commits`, idempotent commits, and nothing
 * written by a failed job.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sinks, StreamExecutionEnvironment } from '../../../../engine/index.node.ts';
import { closeDuckDB } from '../../../../engine/connectors/duckdb/instance.ts';
import { DuckDBTableSink } from '../../../../engine/connectors/duckdb/sink.ts';
import { inferColumns, stagedJson } from '../../../../engine/connectors/duckdb/sink-sql.ts';
import { Scratch } from './fixtures.ts';

const s = new Scratch('sink');
after(async () => {
  await closeDuckDB();
  s.close();
});

interface Total {
  zone: string;
  window: number;
  trips: number;
}

async function write(records: object[], sink: ReturnType<typeof Sinks.duckdb>, parallelism = 1): Promise<void> {
  const env = StreamExecutionEnvironment.create({ parallelism });
  env.fromCollection(records).rebalance().sinkTo(sink);
  await env.execute('sink test');
}

test('append creates the table from the first records and writes every record', async () => {
  const db = s.path('append.duckdb');
  const records = Array.from({ length: 5000 }, (_, i) => ({ zone: `z${i % 7}`, window: i % 100, trips: i, at: new Date(Date.UTC(2026, 0, 1) + i * 1000), big: 9007199254740993n + BigInt(i), ok: i % 2 === 0, tags: { i } }));
  await write(records, Sinks.duckdb({ database: db, table: 'totals' }), 3);
  const [summary] = await s.rowsIn(db, `SELECT count(*) AS n, sum(trips) AS trips, min("at") AS first, max(big) AS big, count(*) FILTER (ok) AS ok, max(tags->>'i') AS tag FROM totals`);
  assert.deepEqual(summary, { n: '5000', trips: 12497500, first: '2026-01-01 00:00:00', big: '9007199254745992', ok: '2500', tag: '999' });
  const columns = await s.rowsIn(db, `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'totals' ORDER BY ordinal_position`);
  assert.deepEqual(
    columns.map((c) => `${c['column_name']} ${c['data_type']}`),
    ['zone VARCHAR', 'window DOUBLE', 'trips DOUBLE', 'at TIMESTAMP', 'big BIGINT', 'ok BOOLEAN', 'tags JSON'],
  );
  const commits = await s.rowsIn(db, `SELECT subtask, checkpoint, rows FROM _weir_commits ORDER BY subtask`);
  assert.equal(commits.length, 3, 'one commit per subtask');
  assert.equal(commits.reduce((a, c) => a + Number(c['rows']), 0), 5000);
  const [staging] = await s.rowsIn(db, `SELECT count(*) AS n FROM _weir_staging`);
  assert.equal(staging!['n'], '0', 'staging is empty after the commit');

  // A second run appends again.
  await write(records.slice(0, 10), Sinks.duckdb({ database: db, table: 'totals' }));
  const [again] = await s.rowsIn(db, `SELECT count(*) AS n FROM totals`);
  assert.equal(again!['n'], '5010');
});

test('upsert keeps the latest row per key, across runs', async () => {
  const db = s.path('upsert.duckdb');
  const sink = () => Sinks.duckdb<Total>({ database: db, table: 'zone_totals', mode: 'upsert', key: ['zone', 'window'] });
  const first: Total[] = [];
  for (let i = 0; i < 3000; i++) first.push({ zone: `z${i % 5}`, window: i % 20, trips: i });
  await write(first, sink());
  const rows = await s.rowsIn(db, `SELECT zone, "window", trips FROM zone_totals ORDER BY zone, "window"`);
  assert.equal(rows.length, 20, 'one row per distinct (zone, window): i % 20 fixes both');
  // The latest record of key (z0, 0) is i = 2980.
  assert.deepEqual(rows[0], { zone: 'z0', window: 0, trips: 2980 });

  await write([{ zone: 'z0', window: 0, trips: -1 }, { zone: 'new', window: 1, trips: 1 }], sink());
  const after = await s.rowsIn(db, `SELECT zone, "window", trips FROM zone_totals WHERE zone IN ('z0', 'new') AND "window" IN (0, 1) ORDER BY zone`);
  assert.deepEqual(after, [{ zone: 'new', window: 1, trips: 1 }, { zone: 'z0', window: 0, trips: -1 }]);
  const [n] = await s.rowsIn(db, `SELECT count(*) AS n FROM zone_totals`);
  assert.equal(n!['n'], '21');
});

test('an existing table keeps its types; records are cast to them', async () => {
  const db = s.path('existing.duckdb');
  await s.rowsIn(db, `CREATE TABLE trips (zone VARCHAR PRIMARY KEY, day DATE, fare DECIMAL(8,2), n INTEGER)`);
  await write([{ zone: 'a', day: '2026-03-14', fare: 12.345, n: 3 }, { zone: 'b', day: '2026-03-15', fare: 1, n: 4 }], Sinks.duckdb({ database: db, table: 'trips', mode: 'upsert', key: 'zone' }));
  await write([{ zone: 'a', day: '2026-03-16', fare: 2, n: 5 }], Sinks.duckdb({ database: db, table: 'trips', mode: 'upsert', key: 'zone' }));
  const rows = await s.rowsIn(db, `SELECT zone, day::VARCHAR AS day, fare::VARCHAR AS fare, n FROM trips ORDER BY zone`);
  assert.deepEqual(rows, [
    { zone: 'a', day: '2026-03-16', fare: '2.00', n: 5 },
    { zone: 'b', day: '2026-03-15', fare: '1.00', n: 4 },
  ]);
});

test('a record that does not fit fails the job and writes nothing', async () => {
  const db = s.path('fail.duckdb');
  await s.rowsIn(db, `CREATE TABLE t (a INTEGER)`);
  await assert.rejects(write([{ a: 1 }, { a: 2, b: 3 }], Sinks.duckdb({ database: db, table: 't' })), /field 'b' that the table lacks/);
  await assert.rejects(write([{ a: 1 }, { a: 'not a number' }], Sinks.duckdb({ database: db, table: 't' })), /DuckDB sink .*not a number/s);
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  env
    .fromCollection([1, 2, 3, 4])
    .map((i) => {
      if (i === 4) throw new Error('boom');
      return { a: i };
    })
    .sinkTo(Sinks.duckdb({ database: db, table: 't' }));
  await assert.rejects(env.execute('fails'), /boom/);
  const [n] = await s.rowsIn(db, `SELECT (SELECT count(*) FROM t) AS t, (SELECT count(*) FROM _weir_staging) AS staged`);
  assert.deepEqual(n, { t: '0', staged: '0' });
});

test('a commit is idempotent by checkpoint id', async () => {
  const db = s.path('idempotent.duckdb');
  const ctx = { subtask: 0, parallelism: 1, operatorName: 'sink', jobName: 'job', note() {} };
  const sink = new DuckDBTableSink({ database: db, table: 't', mode: 'append', key: [], semantics: 'exactly-once' }, ctx);
  sink.open();
  for (let i = 0; i < 10; i++) sink.invoke({ i });
  sink.finish(); // stages and commits epoch 1
  // A replayed notification for the same checkpoint must not apply anything twice.
  const again = new DuckDBTableSink({ database: db, table: 't', mode: 'append', key: [], semantics: 'exactly-once' }, ctx);
  Object.assign(again, { id: (sink as unknown as { id: object }).id });
  again.open();
  again.invoke({ i: 99 });
  again.finish();
  const [n] = await s.rowsIn(db, `SELECT count(*) AS n, (SELECT count(*) FROM _weir_commits) AS commits FROM t`);
  assert.deepEqual(n, { n: '10', commits: '1' });
});

test('at-least-once commits batch by batch', async () => {
  const db = s.path('alo.duckdb');
  const records = Array.from({ length: 5000 }, (_, i) => ({ i }));
  await write(records, Sinks.duckdb({ database: db, table: 't', semantics: 'at-least-once' }));
  const [n] = await s.rowsIn(db, `SELECT count(*) AS n, (SELECT count(*) FROM _weir_commits) AS commits FROM t`);
  assert.deepEqual(n, { n: '5000', commits: '3' });
});

test('column inference and staged JSON', () => {
  assert.deepEqual(inferColumns([{ a: 1, b: null }, { a: 1.5, c: 2n, d: 'x' }, { b: true, e: 1, f: 2n }]), [
    { name: 'a', type: 'DOUBLE' },
    { name: 'b', type: 'BOOLEAN' },
    { name: 'c', type: 'BIGINT' },
    { name: 'd', type: 'VARCHAR' },
    { name: 'e', type: 'DOUBLE' },
    { name: 'f', type: 'BIGINT' },
  ]);
  assert.deepEqual(inferColumns([{ a: 1 }, { a: 'x' }, { n: null }]), [
    { name: 'a', type: 'VARCHAR' },
    { name: 'n', type: 'VARCHAR' },
  ]);
  const columns = [{ name: 'a', type: 'BIGINT' }, { name: 'b', type: 'VARCHAR' }, { name: 'm', type: 'JSON' }];
  assert.equal(stagedJson({ a: 12345678901234567890n, m: new Map([['k', 1]]) }, columns), '{"a":12345678901234567890,"b":null,"m":{"k":1}}');
});
