/**
 * Window Top-N and window deduplication (ROW_NUMBER() OVER (PARTITION BY window_start,
 * window_end, ...) over a window TVF or a window aggregate): append-only rows fired at window
 * end, equal to DuckDB's QUALIFY row_number() over the same windows, streaming and batch at
 * parallelism 1 and 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../engine/index.node.ts';
import { assertAppendOnlyInAllModes, duckdbRows, eventsEnv, eventsInDuckDB, eventsScratch } from './fixtures.ts';

const s = eventsScratch('sql-window-top-n');

const events = () => eventsInDuckDB(s);

const assertAppendOnly = (query: string, expected: Row[], columns: string[], what: string) => assertAppendOnlyInAllModes(s, query, expected, columns, what);

test('Top-3 rows per TUMBLE window by amount, over the window TVF, equal DuckDB', async () => {
  const query = `SELECT window_start, window_end, id, amount, rn FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY amount DESC) AS rn
      FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE qty > -3)
    WHERE rn <= 3`;
  const expected = await duckdbRows(
    s,
    `SELECT (t // 10000) * 10000 AS window_start, (t // 10000) * 10000 + 10000 AS window_end, id, amount,
       row_number() OVER (PARTITION BY t // 10000 ORDER BY amount DESC) AS rn
     FROM ${events()} WHERE qty > -3 QUALIFY rn <= 3`,
    ['window_start', 'window_end', 'rn'],
  );
  await assertAppendOnly(query, expected, ['window_start', 'window_end', 'id', 'amount', 'rn'], 'window Top-3');
});

test('Top-2 users per HOP window by their summed amount, over a window aggregate, equal DuckDB', async () => {
  const query = `SELECT * FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC, \`user\`) AS rownum
      FROM (
        SELECT window_start, window_end, \`user\`, SUM(amount) AS total, COUNT(*) AS n
        FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '20' SECOND))
        GROUP BY window_start, window_end, \`user\`))
    WHERE rownum <= 2`;
  const expected = await duckdbRows(
    s,
    `SELECT ws AS window_start, ws + 20000 AS window_end, "user", sum(amount) AS total, count(*) AS n,
       row_number() OVER (PARTITION BY ws ORDER BY sum(amount) DESC, "user") AS rownum
     FROM (SELECT *, unnest([(t // 10000) * 10000, (t // 10000) * 10000 - 10000]) AS ws FROM ${events()})
     GROUP BY ws, "user" QUALIFY rownum <= 2`,
    ['window_start', 'window_end', 'n', 'rownum'],
  );
  await assertAppendOnly(query, expected, ['window_start', 'window_end', 'user', 'total', 'n', 'rownum'], 'window Top-2 of an aggregate');
});

test('window deduplication keeps the last row per user and TUMBLE window, equal to DuckDB', async () => {
  const query = `SELECT window_start, \`user\`, id, ts FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, \`user\` ORDER BY ts DESC) AS rn
      FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '15' SECOND)))
    WHERE rn = 1`;
  const expected = await duckdbRows(
    s,
    `SELECT (t // 15000) * 15000 AS window_start, "user", id, t AS ts FROM ${events()}
     QUALIFY row_number() OVER (PARTITION BY t // 15000, "user" ORDER BY ts DESC) = 1`,
    ['window_start', 'ts'],
  );
  await assertAppendOnly(query, expected, ['window_start', 'user', 'id', 'ts'], 'window deduplication');
});

test('EXPLAIN names WindowRank and WindowDeduplicate; ranking a window TVF without its window is refused naming Window Top-N', async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 1);
  const tvf = "TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))";
  assert.match(
    tEnv.explainSql(`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY amount) AS rn FROM ${tvf}) WHERE rn <= 2`),
    /WindowRank\(rankType=\[ROW_NUMBER\], rankRange=\[rankStart=1, rankEnd=2\]/,
  );
  assert.match(
    tEnv.explainSql(`SELECT id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY ts) AS rn FROM ${tvf}) WHERE rn = 1`),
    /WindowDeduplicate\(keep=\[FirstRow\]/,
  );
  assert.throws(
    () => tEnv.sqlQuery(`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY \`user\` ORDER BY amount) AS rn FROM ${tvf}) WHERE rn <= 2`),
    /ROW_NUMBER\(\) over a window TVF without PARTITION BY window_start, window_end/,
  );
});
