/**
 * Top-N and deduplication (ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) with rn <= N or
 * rn = 1 in the outer WHERE): their final state equals DuckDB's QUALIFY row_number() on the same
 * file, streaming and batch at parallelism 1 and 2; the changes are the ones Flink's Rank and
 * Deduplicate functions emit (-U/+U for shifted ranks, -D/+I without rn, -U/+U of a replaced
 * row); a Top-N over an updating aggregate retracts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Schema, StreamExecutionEnvironment, StreamTableEnvironment } from '../../engine/index.node.ts';
import { MODES, assertSameRows, duckdbRows, eventsEnv, eventsInDuckDB, eventsScratch } from './fixtures.ts';

const s = eventsScratch('sql-top-n');

const events = () => eventsInDuckDB(s);

test('Top-3 per user by amount, with and without rn, equals DuckDB (streaming and batch, p=1 and p=2)', async () => {
  const withRank = `SELECT * FROM (SELECT id, \`user\`, amount, ROW_NUMBER() OVER (PARTITION BY \`user\` ORDER BY amount DESC) AS rn FROM events WHERE qty > -5) WHERE rn <= 3`;
  const withoutRank = `SELECT \`user\`, id, amount * 2 AS twice FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY \`user\` ORDER BY amount ASC) AS rownum FROM events) t WHERE rownum < 3 AND t.qty <> 0`;
  const expectedWith = await duckdbRows(
    s,
    `SELECT id, "user", amount, row_number() OVER (PARTITION BY "user" ORDER BY amount DESC) AS rn FROM ${events()} WHERE qty > -5 QUALIFY rn <= 3`,
    ['rn'],
  );
  const expectedWithout = await duckdbRows(
    s,
    `SELECT "user", id, amount * 2 AS twice FROM (SELECT *, row_number() OVER (PARTITION BY "user" ORDER BY amount ASC) AS rownum FROM ${events()}) WHERE rownum < 3 AND qty <> 0`,
  );
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    const ranked = tEnv.executeSql(withRank);
    assertSameRows(await ranked.collect(), expectedWith, ['id', 'user', 'amount', 'rn'], `with rn, ${mode} p${parallelism}`);
    const plain = tEnv.executeSql(withoutRank);
    assertSameRows(await plain.collect(), expectedWithout, ['user', 'id', 'twice'], `without rn, ${mode} p${parallelism}`);
    const kinds = (await plain.collectChangelog()).map((c) => c.kind);
    assert.deepEqual([...new Set(kinds)].sort(), mode === 'batch' ? ['+I'] : ['+I', '-D'], `without rn: inserts and deletes, ${mode} p${parallelism}`);
  }
});

test("the changes of a Top-2 are Flink's: -U/+U for each shifted rank with rn, -D then +I without", async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const tEnv = await StreamTableEnvironment.create(env);
  const scores = env.fromElements({ k: 'a', score: 5 }, { k: 'a', score: 3 }, { k: 'b', score: 7 }, { k: 'a', score: 9 }, { k: 'a', score: 1 }, { k: 'a', score: 4 });
  tEnv.createTemporaryView('scores', scores, Schema.newBuilder().column('k', 'STRING').column('score', 'INT').build());
  const ranked = await tEnv.executeSql('SELECT k, score, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY score DESC) AS rn FROM scores) WHERE rn <= 2').collectChangelog();
  assert.deepEqual(
    ranked.map((c) => `${c.kind}[${String(c.row['k'])}, ${String(c.row['score'])}, ${String(c.row['rn'])}]`),
    ['+I[a, 5, 1]', '+I[a, 3, 2]', '+I[b, 7, 1]', '-U[a, 5, 1]', '+U[a, 9, 1]', '-U[a, 3, 2]', '+U[a, 5, 2]'],
  );
  const plain = await tEnv.executeSql('SELECT k, score FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY score DESC) AS rn FROM scores) WHERE rn <= 2').collectChangelog();
  assert.deepEqual(
    plain.map((c) => `${c.kind}[${String(c.row['k'])}, ${String(c.row['score'])}]`),
    ['+I[a, 5]', '+I[a, 3]', '+I[b, 7]', '-D[a, 3]', '+I[a, 9]'],
  );
});

test('deduplication on event time: keep-first replaces its row when an earlier one comes late, keep-last with each later one', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const tEnv = await StreamTableEnvironment.create(env);
  const clicks = env.fromElements({ k: 'a', ts: 5_000 }, { k: 'a', ts: 3_000 }, { k: 'b', ts: 1_000 }, { k: 'a', ts: 4_000 }, { k: 'a', ts: 3_000 });
  tEnv.createTemporaryView('clicks', clicks, Schema.newBuilder().column('k', 'STRING').column('ts', 'TIMESTAMP(3)').watermark('ts', "ts - INTERVAL '10' SECOND").build());
  const dedup = (order: string) => `SELECT k, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts ${order}) AS rn FROM clicks) WHERE rn = 1`;
  const show = (changes: { kind: string; row: Record<string, unknown> }[]) => changes.map((c) => `${c.kind}[${String(c.row['k'])}, ${Number(c.row['ts']) / 1000}]`);
  assert.deepEqual(show(await tEnv.executeSql(dedup('ASC')).collectChangelog()), ['+I[a, 5]', '-U[a, 5]', '+U[a, 3]', '+I[b, 1]']);
  // Keep-last: every later row of a is earlier than its first, so none replaces it.
  assert.deepEqual(show(await tEnv.executeSql(dedup('DESC')).collectChangelog()), ['+I[a, 5]', '+I[b, 1]']);
});

test('deduplication keeps the first or last row per user by event time, equal to DuckDB (streaming and batch, p=1 and p=2)', async () => {
  for (const [order, keep] of [['ASC', 'first'], ['DESC', 'last']] as const) {
    const query = `SELECT id, \`user\`, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY \`user\` ORDER BY ts ${order}) AS rn FROM events WHERE amount > 10) WHERE rn = 1`;
    const expected = await duckdbRows(s, `SELECT id, "user", t AS ts FROM ${events()} WHERE amount > 10 QUALIFY row_number() OVER (PARTITION BY "user" ORDER BY ts ${order}) = 1`, ['ts']);
    for (const { mode, parallelism } of MODES) {
      const { tEnv } = await eventsEnv(s, mode, parallelism);
      const result = tEnv.executeSql(query);
      assertSameRows(await result.collect(), expected, ['id', 'user', 'ts'], `keep ${keep}, ${mode} p${parallelism}`);
      const changes = await result.collectChangelog();
      if (mode === 'batch') assert.ok(changes.every((c) => c.kind === '+I'));
      // Keep-last replaces its row with each later one; keep-first only when an earlier row comes late.
      else if (keep === 'last') assert.deepEqual([...new Set(changes.map((c) => c.kind))].sort(), ['+I', '+U', '-U'], `keep ${keep} updates`);
    }
  }
});

test('Top-2 names per user by an updating count retracts, and its final state equals DuckDB', async () => {
  const query = `SELECT \`user\`, name, n, rn FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY \`user\` ORDER BY n DESC, name) AS rn
      FROM (SELECT \`user\`, name, COUNT(*) AS n FROM events WHERE name IS NOT NULL GROUP BY \`user\`, name))
    WHERE rn <= 2`;
  const expected = await duckdbRows(
    s,
    `SELECT "user", name, n, row_number() OVER (PARTITION BY "user" ORDER BY n DESC, name) AS rn
     FROM (SELECT "user", name, count(*) AS n FROM ${events()} WHERE name IS NOT NULL GROUP BY ALL) QUALIFY rn <= 2`,
    ['n', 'rn'],
  );
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    assertSameRows(await tEnv.executeSql(query).collect(), expected, ['user', 'name', 'n', 'rn'], `${mode} p${parallelism}`);
  }
});

test('ROW_NUMBER without a bound, RANK() and ROW_NUMBER outside Top-N are refused naming them', async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 1);
  assert.throws(() => tEnv.sqlQuery('SELECT * FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY `user` ORDER BY ts) AS rn FROM events) WHERE rn > 2'), /ROW_NUMBER\(\) without an upper bound on 'rn'/);
  assert.throws(() => tEnv.sqlQuery('SELECT * FROM (SELECT id, RANK() OVER (PARTITION BY `user` ORDER BY ts) AS r FROM events) WHERE r <= 2'), /RANK OVER \(\.\.\.\) \(only ROW_NUMBER\(\) runs/);
  assert.throws(() => tEnv.sqlQuery('SELECT id, ROW_NUMBER() OVER (PARTITION BY `user` ORDER BY ts) AS rn FROM events'), /ROW_NUMBER\(\) outside Top-N or deduplication/);
});
