/**
 * The SQL around users' queries: lexing, globs, store_rejects rewriting, split planning, SQL
 * cells, and that a process using DuckDB sources and sinks exits by itself.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asSubquery, fileLiterals, isGlob, withStoreRejects } from '../../../../engine/connectors/duckdb/sql-text.ts';
import { planSplits } from '../../../../engine/connectors/duckdb/splits.ts';
import { closeDuckDB, connectDuckDB, releaseConnection } from '../../../../engine/connectors/duckdb/instance.ts';
import { formatTable, runSqlCell } from '../../../../engine/connectors/duckdb/sql-cell.ts';
import { Scratch, writeEvents } from './fixtures.ts';

const s = new Scratch('sql');
before(() => writeEvents(s));
after(async () => {
  await closeDuckDB();
  s.close();
});

test('file literals, globs and subqueries respect strings and comments', () => {
  const sql = `-- reads 'not/*.csv'\nSELECT 'a*b' AS x FROM read_parquet('data/*.parquet', hive_partitioning = true) JOIN 'z.csv' USING (id); -- done`;
  assert.deepEqual(fileLiterals(sql).map((t) => t.value), ['data/*.parquet', 'z.csv']);
  assert.equal(isGlob('data/*.parquet'), true);
  assert.equal(isGlob('data/a.parquet'), false);
  assert.equal(asSubquery(sql).endsWith('USING (id)'), true);
  assert.throws(() => asSubquery('SELECT 1; SELECT 2'), /one SQL query/);
  assert.equal(fileLiterals(`SELECT * FROM 'it''s.csv'`)[0]!.value, "it's.csv");
});

test('store_rejects is added to CSV scans that do not choose their error handling', () => {
  assert.equal(withStoreRejects(`SELECT * FROM read_csv('a.csv', header = true)`).sql, `SELECT * FROM read_csv('a.csv', header = true, store_rejects = true)`);
  assert.equal(withStoreRejects(`SELECT * FROM 'a.csv' JOIN 'b.parquet' USING (k)`).sql, `SELECT * FROM read_csv('a.csv', store_rejects = true) JOIN 'b.parquet' USING (k)`);
  assert.equal(withStoreRejects(`SELECT * FROM read_csv('a.csv', ignore_errors = true)`).scans, 0);
  assert.equal(withStoreRejects(`SELECT * FROM read_csv_auto('a.csv', columns = {'x': 'INT'})`).sql, `SELECT * FROM read_csv_auto('a.csv', columns = {'x': 'INT'}, store_rejects = true)`);
});

test('splits: by file for a row-wise scan of a glob, by Parquet row groups when files are fewer than subtasks, by hash otherwise', async () => {
  const conn = await connectDuckDB();
  try {
    const glob = s.lit('parts', '*', '*.parquet');
    const byFile = await Promise.all([0, 1, 2].map((i) => planSplits(conn, `SELECT id, user FROM ${glob} WHERE amount > 3`, i, 3, 'auto')));
    assert.deepEqual(byFile.map((splits) => splits.length), [2, 1, 1]);
    assert.ok(byFile.flat().every((sp) => !sp.id.startsWith('hash:') && sp.sql.includes(sp.id)));
    const aggregate = await planSplits(conn, `SELECT user, count(*) FROM ${glob} GROUP BY user`, 1, 3, 'auto');
    assert.deepEqual(aggregate.map((sp) => sp.id), ['hash:1/3']);
    // 4 files of one row group (1500 rows) each among 5 subtasks: one file each, the last none.
    const tooFew = await Promise.all([0, 1, 2, 3, 4].map((i) => planSplits(conn, `SELECT * FROM ${glob}`, i, 5, 'auto')));
    assert.deepEqual(
      tooFew.map((splits) => splits.map((sp) => sp.id.replace(/^.*parts\//, ''))),
      [['part=0/p0.parquet#rows 0-1500'], ['part=1/p0.parquet#rows 0-1500'], ['part=2/p0.parquet#rows 0-1500'], ['part=3/p0.parquet#rows 0-1500'], []],
    );
    const aggregateOfFew = await planSplits(conn, `SELECT user, count(*) FROM ${glob} GROUP BY user`, 0, 5, 'auto');
    assert.deepEqual(aggregateOfFew.map((sp) => sp.id), ['hash:0/5']);
    const one = s.lit('parts', 'part=0', 'p0.parquet');
    const oneFile = await planSplits(conn, `SELECT id FROM ${one} WHERE amount > 3`, 0, 2, 'auto');
    assert.deepEqual(oneFile.map((sp) => sp.id.replace(/^.*parts\//, '')), ['part=0/p0.parquet#rows 0-1500']);
    // Inside a call the file cannot be swapped for a subquery: by hash.
    const inCall = await planSplits(conn, `SELECT id FROM read_parquet(${one})`, 1, 2, 'auto');
    assert.deepEqual(inCall.map((sp) => sp.id), ['hash:1/2']);
    const forced = await planSplits(conn, `SELECT * FROM ${glob}`, 4, 5, 'files');
    assert.deepEqual(forced, []);
    const single = await planSplits(conn, `SELECT * FROM ${glob};`, 0, 1, 'auto');
    assert.deepEqual(single.map((sp) => sp.id), ['all']);
  } finally {
    releaseConnection(conn);
  }
});

test('a SQL cell returns rows and a plain-text table, relative paths from cwd', async () => {
  const r = await runSqlCell(`SELECT user, count(*) AS n FROM read_csv('events.csv') GROUP BY user ORDER BY user`, { cwd: s.dir });
  assert.deepEqual(r.columns, ['user', 'n']);
  assert.equal(r.rowCount, 10);
  assert.equal(r.rows.length, 10);
  assert.equal(r.text.split('\n')[0], 'user │   n');
  assert.match(r.text, /\(10 rows\)$/);

  const many = await runSqlCell(`CREATE TABLE nums AS SELECT range AS i FROM range(120); SELECT * FROM nums`, { cwd: s.dir });
  assert.equal(many.rowCount, 120);
  const lines = many.text.split('\n');
  assert.equal(lines.length, 2 + 50 + 2);
  assert.equal(lines.at(-2), '… 70 more rows');
  // Cells share the in-memory database.
  assert.equal((await runSqlCell(`SELECT count(*) AS n FROM nums`, { cwd: s.dir })).rows[0]![0], '120');
  assert.equal((await runSqlCell(`CREATE TABLE empty (a INT)`, { cwd: s.dir })).text, 'OK');
  await assert.rejects(runSqlCell(`SELECT * FROM 'missing.csv'`, { cwd: s.dir }), /SQL cell: IO Error: No files found .*missing\.csv/);
});

test('formatTable aligns numbers right and cuts long values', () => {
  const text = formatTable(['name', 'n'], [['a', 1], ['a much longer name that goes on and on and on', 200], [null, null]], 3, 50);
  assert.deepEqual(text.split('\n'), [
    'name                                     │    n',
    '─────────────────────────────────────────┼─────',
    'a                                        │    1',
    'a much longer name that goes on and on … │  200',
    'NULL                                     │ NULL',
    '(3 rows)',
  ]);
});

test('a process that reads, replays and writes with DuckDB exits by itself', async () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  const db = s.path('exit.duckdb');
  const script = `
    import { StreamExecutionEnvironment, Sinks } from ${JSON.stringify(path.join(root, 'engine/index.node.ts'))};
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    env.fromDuckDB("SELECT * FROM ${s.lit('events.parquet').replace(/"/g, '\\"')}").sinkTo(Sinks.duckdb({ database: ${JSON.stringify(db)}, table: 't' }));
    env.replay({ sql: "SELECT * FROM ${s.lit('events.csv').replace(/"/g, '\\"')}", timestampColumn: 'ts', speed: 'max' }).sinkTo(Sinks.collect());
    await env.execute('exits');
    console.log('done');
  `;
  // A process that does not exit is killed after 3 minutes and fails the test (it takes a few
  // seconds; a loaded CI machine needed over 20).
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 180_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve({ stdout });
    });
  });
  assert.equal(stdout.trim(), 'done');
  const [n] = await s.rowsIn(db, 'SELECT count(*) AS n FROM t');
  assert.equal(n!['n'], '6000');
});
