/**
 * Interval joins (ON with equalities and bounds on the two sides' event times, BETWEEN or <, <=,
 * >, >=): append-only, equal to DuckDB's join on the same file, streaming and batch at parallelism
 * 1 and 2; an outer interval join is refused naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../engine/index.node.ts';
import { assertAppendOnlyInAllModes, duckdbRows, eventsEnv, eventsInDuckDB, eventsScratch } from './fixtures.ts';

const s = eventsScratch('sql-interval-join');

const events = () => eventsInDuckDB(s);

const assertAppendOnly = (query: string, expected: Row[], columns: string[], what: string) => assertAppendOnlyInAllModes(s, query, expected, columns, what);

test('a.ts BETWEEN b.ts - INTERVAL 5 SECOND AND b.ts per user equals DuckDB', async () => {
  const query = `SELECT a.id AS aid, b.id AS bid, a.ts AS ats, b.amount
    FROM (SELECT * FROM events WHERE qty > 0) a JOIN (SELECT * FROM events WHERE qty <= 0) b
    ON a.\`user\` = b.\`user\` AND a.ts BETWEEN b.ts - INTERVAL '5' SECOND AND b.ts`;
  const expected = await duckdbRows(
    s,
    `SELECT a.id AS aid, b.id AS bid, a.t AS ats, b.amount FROM ${events()} a JOIN ${events()} b
     ON a."user" = b."user" AND a.t BETWEEN b.t - 5000 AND b.t WHERE a.qty > 0 AND b.qty <= 0`,
    ['ats'],
  );
  await assertAppendOnly(query, expected, ['aid', 'bid', 'ats', 'amount'], 'BETWEEN');
});

test('strict bounds written either way round, with a further condition, equal DuckDB', async () => {
  const query = `SELECT a.id AS aid, b.id AS bid FROM events a JOIN events b
    ON a.\`user\` = b.\`user\` AND a.ts > b.ts - INTERVAL '6' SECOND AND b.ts + INTERVAL '4' SECOND > a.ts AND a.amount > b.amount`;
  const expected = await duckdbRows(
    s,
    `SELECT a.id AS aid, b.id AS bid FROM ${events()} a JOIN ${events()} b
     ON a."user" = b."user" AND a.t > b.t - 6000 AND b.t + 4000 > a.t AND a.amount > b.amount`,
  );
  await assertAppendOnly(query, expected, ['aid', 'bid'], 'strict bounds');
});

test('EXPLAIN names IntervalJoin with its bounds; an outer interval join is refused naming it', async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 1);
  const on = "ON a.`user` = b.`user` AND a.ts BETWEEN b.ts - INTERVAL '5' SECOND AND b.ts";
  assert.match(tEnv.explainSql(`SELECT a.id FROM events a JOIN events b ${on}`), /IntervalJoin\(joinType=\[InnerJoin\], windowBounds=\[isRowTime=true, leftLowerBound=-5000, leftUpperBound=0/);
  assert.throws(() => tEnv.sqlQuery(`SELECT a.id FROM events a LEFT JOIN events b ${on}`), /a LEFT OUTER interval join/);
});
