/**
 * Window TVFs CUMULATE and SESSION: aggregates grouped by window_start, window_end[, keys]
 * equal DuckDB's over the same windows (cumulating windows unnested; sessions found with LAG
 * over each partition), in streaming and batch mode at parallelism 1 and 2; without
 * aggregation each row gets its window's columns; misuse fails naming what and where.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamExecutionEnvironment, StreamTableEnvironment } from '../../engine/index.node.ts';
import { closeDuckDB } from '../../engine/connectors/duckdb/instance.ts';
import { MODES, Scratch, assertSameRows, duckdbRows, eventsDdl, writeEvents } from './fixtures.ts';

const s = new Scratch('sql-cumulate-session');
before(() => writeEvents(s));
after(async () => {
  await closeDuckDB();
  s.close();
});

const events = () => `(SELECT *, epoch_ms(ts) AS t FROM read_csv(${s.lit('events.csv')}, header = false, columns = {'id': 'INTEGER', 'user': 'VARCHAR', 'amount': 'DOUBLE', 'qty': 'INTEGER', 'name': 'VARCHAR', 'ts': 'TIMESTAMP'}))`;

/**
 * A table environment over the events table. Its watermark lags 7 s behind the largest
 * timestamp, more than the data's disorder (at most 5 s behind it): no session closes before
 * all its rows arrived, whatever the timing, so streaming gives the final answer.
 */
async function env(mode: 'streaming' | 'batch', parallelism: number) {
  const e = StreamExecutionEnvironment.create({ mode, parallelism, autoWatermarkInterval: 20 });
  const tEnv = await StreamTableEnvironment.create(e);
  tEnv.executeSql(eventsDdl(s, 7));
  return tEnv;
}

/** DuckDB's sessions of `rows` (with t and the partition column): a new session after a gap longer than `gap` ms. */
const sessions = (rows: string, partition: string, gap: number) => `
  (SELECT *, min(t) OVER (PARTITION BY ${partition}, sid) AS ws, max(t) OVER (PARTITION BY ${partition}, sid) + ${gap} AS we FROM (
     SELECT *, sum(CASE WHEN t - prev > ${gap} THEN 1 ELSE 0 END) OVER (PARTITION BY ${partition} ORDER BY t, id) AS sid FROM (
       SELECT *, lag(t) OVER (PARTITION BY ${partition} ORDER BY t, id) AS prev FROM ${rows})))`;

test('CUMULATE by key: COUNT, SUM, MAX equal DuckDB, streaming and batch, p=1 and p=2', async () => {
  const query = `
    SELECT window_start, window_end, \`user\`, COUNT(*) AS n, SUM(amount) AS total, MAX(qty) AS hi
    FROM TABLE(CUMULATE(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '20' SECOND))
    GROUP BY window_start, window_end, \`user\``;
  // Each row is in the windows [day start, end) of its 20 s period whose end is after it.
  const reference = `
    SELECT ws AS window_start, we AS window_end, "user", count(*) AS n, sum(amount) AS total, max(qty) AS hi FROM (
      SELECT *, (t // 20000) * 20000 AS ws, unnest(generate_series((t // 20000) * 20000 + ((t % 20000) // 5000 + 1) * 5000, (t // 20000) * 20000 + 20000, 5000)) AS we
      FROM ${events()})
    GROUP BY ALL`;
  const expected = await duckdbRows(s, reference, ['window_start', 'window_end', 'n']);
  const columns = ['window_start', 'window_end', 'user', 'n', 'total', 'hi'];
  for (const { mode, parallelism } of MODES) {
    const tEnv = await env(mode, parallelism);
    assertSameRows(await tEnv.executeSql(query).collect(), expected, columns, `${mode} p${parallelism}`);
  }
});

test('SESSION PARTITION BY user: sessions per user equal DuckDB, streaming and batch, p=1 and p=2', async () => {
  const query = `
    SELECT \`user\`, window_start, window_end, COUNT(*) AS n, SUM(qty) AS total, MIN(amount) AS lo
    FROM TABLE(SESSION(TABLE events PARTITION BY \`user\`, DESCRIPTOR(ts), INTERVAL '5' SECOND))
    GROUP BY \`user\`, window_start, window_end`;
  const reference = `SELECT "user", ws AS window_start, we AS window_end, count(*) AS n, sum(qty) AS total, min(amount) AS lo FROM ${sessions(events(), '"user"', 5000)} GROUP BY ALL`;
  const expected = await duckdbRows(s, reference, ['window_start', 'window_end', 'n', 'total']);
  assert.ok(new Set(expected.map((r) => r['user'])).size === 5 && expected.length > 20, `sessions break: ${expected.length} sessions`);
  const columns = ['user', 'window_start', 'window_end', 'n', 'total', 'lo'];
  for (const { mode, parallelism } of MODES) {
    const tEnv = await env(mode, parallelism);
    assertSameRows(await tEnv.executeSql(query).collect(), expected, columns, `${mode} p${parallelism}`);
  }
});

test('SESSION without PARTITION BY, grouped by a further key, and PARTITION BY (a, b) in parentheses', async () => {
  // Rows with qty > 5 leave gaps in time: sessions over all of them, then counted per user.
  const query = `
    SELECT window_start, window_end, \`user\`, COUNT(*) AS n
    FROM TABLE(SESSION(TABLE events, DESCRIPTOR(ts), INTERVAL '3' SECOND))
    WHERE qty > 5
    GROUP BY window_start, window_end, \`user\``;
  const reference = `SELECT ws AS window_start, we AS window_end, "user", count(*) AS n FROM ${sessions(`(SELECT *, 0 AS one FROM ${events()} WHERE qty > 5)`, 'one', 3000)} GROUP BY ALL`;
  const expected = await duckdbRows(s, reference, ['window_start', 'window_end', 'n']);
  for (const { mode, parallelism } of [MODES[1], MODES[3]]) {
    const tEnv = await env(mode, parallelism);
    assertSameRows(await tEnv.executeSql(query).collect(), expected, ['window_start', 'window_end', 'user', 'n'], `${mode} p${parallelism}`);
  }
  const byTwo = `
    SELECT \`user\`, name, window_start, window_end, COUNT(*) AS n
    FROM TABLE(SESSION(TABLE events PARTITION BY (\`user\`, name), DESCRIPTOR(ts), INTERVAL '8' SECOND))
    GROUP BY \`user\`, name, window_start, window_end`;
  const twoReference = `SELECT "user", name, ws AS window_start, we AS window_end, count(*) AS n FROM ${sessions(events(), '"user", name', 8000)} GROUP BY ALL`;
  const tEnv = await env('streaming', 2);
  assertSameRows(await tEnv.executeSql(byTwo).collect(), await duckdbRows(s, twoReference, ['window_start', 'window_end', 'n']), ['user', 'name', 'window_start', 'window_end', 'n'], 'PARTITION BY (user, name)');
});

test('CUMULATE and SESSION without aggregation give each row its window columns', async () => {
  const tEnv = await env('streaming', 2);
  const cumulate = await tEnv.executeSql(`SELECT id, window_start, window_end, window_time FROM TABLE(CUMULATE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '30' SECOND)) WHERE id < 60`).collect();
  const cumulateReference = `
    SELECT id, ws AS window_start, we AS window_end, we - 1 AS window_time FROM (
      SELECT id, (t // 30000) * 30000 AS ws, unnest(generate_series((t // 30000) * 30000 + ((t % 30000) // 10000 + 1) * 10000, (t // 30000) * 30000 + 30000, 10000)) AS we
      FROM ${events()} WHERE id < 60)`;
  assertSameRows(cumulate, await duckdbRows(s, cumulateReference, ['window_start', 'window_end', 'window_time']), ['id', 'window_start', 'window_end', 'window_time'], 'CUMULATE rows');
  const session = await tEnv.executeSql(`SELECT id, \`user\`, window_start, window_end FROM TABLE(SESSION(TABLE events PARTITION BY \`user\`, DESCRIPTOR(ts), INTERVAL '5' SECOND)) WHERE id < 200`).collect();
  const sessionReference = `SELECT id, "user", ws AS window_start, we AS window_end FROM ${sessions(events(), '"user"', 5000)} WHERE id < 200`;
  assertSameRows(session, await duckdbRows(s, sessionReference, ['window_start', 'window_end']), ['id', 'user', 'window_start', 'window_end'], 'SESSION rows');
});

test('misuse of CUMULATE and SESSION fails naming what and where', async () => {
  const tEnv = await env('streaming', 1);
  assert.throws(
    () => tEnv.sqlQuery(`SELECT window_start, COUNT(*) FROM TABLE(CUMULATE(TABLE events, DESCRIPTOR(ts), INTERVAL '7' SECOND, INTERVAL '20' SECOND)) GROUP BY window_start, window_end`),
    /CUMULATE requires the max size to be a positive integral multiple of the step, got size 20000 ms and step 7000 ms \(line 1, column 42\)/,
  );
  assert.throws(
    () => tEnv.sqlQuery(`SELECT window_start, COUNT(*) FROM TABLE(SESSION(TABLE events PARTITION BY \`user\`, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end`),
    /a SESSION window whose PARTITION BY column 'user' is not a GROUP BY column is not supported yet \(line 1, column 42\)/,
  );
  assert.throws(
    () => tEnv.sqlQuery(`SELECT * FROM TABLE(SESSION(TABLE events PARTITION BY nope, DESCRIPTOR(ts), INTERVAL '5' SECOND))`),
    /Column 'nope' of PARTITION BY not found in \[id, user, amount, qty, name, ts\] \(line 1, column 21\)/,
  );
  // Positions after a rewritten SESSION call stay where they were written.
  assert.throws(() => tEnv.sqlQuery(`SELECT * FROM TABLE(SESSION(TABLE events PARTITION BY \`user\`, DESCRIPTOR(ts), INTERVAL '5' SECOND)) WHERE nope > 1`), /Column 'nope' not found .*\(line 1, column 107\)/);
  assert.throws(() => tEnv.sqlQuery(`SELECT * FROM TABLE(SESSION(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '1' SECOND))`), /SESSION expects SESSION\(TABLE t \[PARTITION BY k\], DESCRIPTOR\(ts\), gap\)/);
});
