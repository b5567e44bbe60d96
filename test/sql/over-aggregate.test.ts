/**
 * OVER aggregations (RANGE BETWEEN INTERVAL ... PRECEDING, ROWS BETWEEN n PRECEDING, UNBOUNDED
 * PRECEDING, each AND CURRENT ROW, in event-time order): every row once, append-only, with the
 * aggregates DuckDB's window functions give on the same file, streaming and batch at parallelism
 * 1 and 2; what Flink refuses is refused with its message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../engine/index.node.ts';
import { assertAppendOnlyInAllModes, duckdbRows, eventsEnv, eventsInDuckDB, eventsScratch } from './fixtures.ts';

const s = eventsScratch('sql-over-aggregate');

const events = () => eventsInDuckDB(s);

const assertAppendOnly = (query: string, expected: Row[], columns: string[], what: string) => assertAppendOnlyInAllModes(s, query, expected, columns, what);

test('RANGE BETWEEN INTERVAL 10 SECOND PRECEDING: SUM, COUNT, MAX per user equal DuckDB', async () => {
  const w = "PARTITION BY `user` ORDER BY ts RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW";
  const query = `SELECT id, \`user\`, SUM(amount) OVER (${w}) AS s10, COUNT(*) OVER (${w}) AS n10, MAX(qty) OVER (${w}) AS hi FROM events WHERE qty <> 0`;
  const expected = await duckdbRows(
    s,
    `SELECT id, "user", sum(amount) OVER w AS s10, count(*) OVER w AS n10, max(qty) OVER w AS hi FROM ${events()} WHERE qty <> 0
     WINDOW w AS (PARTITION BY "user" ORDER BY t RANGE BETWEEN 10000 PRECEDING AND CURRENT ROW)`,
    ['n10'],
  );
  await assertAppendOnly(query, expected, ['id', 'user', 's10', 'n10', 'hi'], 'RANGE 10 s');
});

test('ROWS BETWEEN 3 PRECEDING: AVG and MIN per user equal DuckDB', async () => {
  const w = 'PARTITION BY `user` ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW';
  const query = `SELECT id, AVG(amount) OVER (${w}) AS avg4, MIN(qty) OVER (${w}) AS lo FROM events`;
  const expected = await duckdbRows(
    s,
    `SELECT id, avg(amount) OVER w AS avg4, min(qty) OVER w AS lo FROM ${events()} WINDOW w AS (PARTITION BY "user" ORDER BY t ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)`,
  );
  await assertAppendOnly(query, expected, ['id', 'avg4', 'lo'], 'ROWS 3');
});

test('UNBOUNDED PRECEDING without a partition, and a running total filtered outside, equal DuckDB', async () => {
  const query = 'SELECT id, COUNT(name) OVER (ORDER BY ts) AS named FROM events';
  const expected = await duckdbRows(s, `SELECT id, count(name) OVER (ORDER BY t) AS named FROM ${events()}`, ['named']);
  await assertAppendOnly(query, expected, ['id', 'named'], 'unbounded RANGE');
  const total = `SELECT id, total FROM (
      SELECT id, SUM(qty) OVER (PARTITION BY \`user\` ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total FROM events)
    WHERE total > 0`;
  const expectedRunning = await duckdbRows(
    s,
    `SELECT id, total FROM (SELECT id, sum(qty) OVER (PARTITION BY "user" ORDER BY t ROWS UNBOUNDED PRECEDING) AS total FROM ${events()}) WHERE total > 0`,
    ['total'],
  );
  await assertAppendOnly(total, expectedRunning, ['id', 'total'], 'unbounded ROWS, filtered');
});

test("what Flink refuses in an OVER aggregation is refused with Flink's message", async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 1);
  const refused = (sql: string, message: RegExp) => assert.throws(() => tEnv.sqlQuery(sql), message, sql);
  refused('SELECT id, SUM(qty) OVER (PARTITION BY `user` ORDER BY amount) AS s FROM events', /OVER windows' ordering in stream mode must be defined on a time attribute\./);
  refused('SELECT id, SUM(qty) OVER (ORDER BY ts DESC) AS s FROM events', /The window can only be ordered in ASCENDING mode\./);
  refused(
    'SELECT id, SUM(qty) OVER (ORDER BY ts) AS s, SUM(qty) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s2 FROM events',
    /All aggregates must be computed on the same window\./,
  );
  refused('SELECT id, SUM(qty) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) AS s FROM events', /OVER ROW FOLLOWING windows are not supported yet\./);
  refused(
    'SELECT id, SUM(n) OVER (ORDER BY ts) AS s FROM (SELECT `user`, COUNT(*) AS n, MAX(ts) AS ts FROM events GROUP BY `user`)',
    /doesn't support consuming update changes which is produced by node GroupAggregate/,
  );
});
