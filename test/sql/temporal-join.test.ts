/**
 * Event-time temporal joins (`JOIN rates FOR SYSTEM_TIME AS OF e.ts`) against a versioned table
 * (primary key and watermark): each row joins the version current at its time, append-only,
 * equal to DuckDB's ASOF JOIN on the same files, INNER and LEFT, streaming and batch at
 * parallelism 1 and 2; a table without a primary key or rowtime is refused with Flink's message.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MODES, assertSameRows, duckdbRows, eventsEnv, eventsInDuckDB, eventsScratch } from './fixtures.ts';

const s = eventsScratch('sql-temporal-join');
const events = () => eventsInDuckDB(s);
const BASE = Date.UTC(2024, 0, 1);

// A rate per user that changes every 40 s, the users' changes 7 s apart; u3's first comes at
// 48 s (its earlier events find no version); u9 has no events.
before(() => {
  const lines: string[] = [];
  for (let k = 0; k < 16; k++) {
    for (const [j, user] of ['u0', 'u1', 'u2', 'u3', 'u4', 'u9'].entries()) {
      if (user === 'u3' && k === 0) continue;
      const ts = BASE + 20_000 + k * 40_000 + j * 7_000;
      lines.push(`${user},${(1 + k / 10 + j / 100).toFixed(2)},${new Date(ts).toISOString().replace('T', ' ').replace('Z', '')}`);
    }
  }
  s.write('rates.csv', `${lines.join('\n')}\n`);
});

const ratesDuckDB = () =>
  `(SELECT *, epoch_ms(ts) AS t FROM read_csv(${s.lit('rates.csv')}, header = false, columns = {'user': 'VARCHAR', 'rate': 'DOUBLE', 'ts': 'TIMESTAMP'}))`;

async function env(mode: 'streaming' | 'batch', parallelism: number, primaryKey = ', PRIMARY KEY (`user`) NOT ENFORCED') {
  const { tEnv } = await eventsEnv(s, mode, parallelism);
  tEnv.executeSql(`CREATE TABLE rates (\`user\` STRING, rate DOUBLE, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND${primaryKey})
    WITH ('connector' = 'filesystem', 'path' = '${s.path('rates.csv')}', 'format' = 'csv')`);
  return tEnv;
}

test('INNER and LEFT temporal joins give each event the rate current at its time, equal to DuckDB ASOF JOIN', async () => {
  const inner = 'SELECT e.id, r.rate, e.amount * r.rate AS cost FROM events e JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.`user` = r.`user` WHERE e.qty > -5';
  const left = 'SELECT e.id, r.rate FROM events e LEFT JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON r.`user` = e.`user`';
  const expectedInner = await duckdbRows(
    s,
    `SELECT e.id, r.rate, e.amount * r.rate AS cost FROM ${events()} e ASOF JOIN ${ratesDuckDB()} r ON e."user" = r."user" AND e.t >= r.t WHERE e.qty > -5`,
  );
  const expectedLeft = await duckdbRows(s, `SELECT e.id, r.rate FROM ${events()} e ASOF LEFT JOIN ${ratesDuckDB()} r ON e."user" = r."user" AND e.t >= r.t`);
  assert.ok(expectedLeft.some((r) => r['rate'] === null), 'some events come before their first rate');
  for (const { mode, parallelism } of MODES) {
    const tEnv = await env(mode, parallelism);
    const changes = await tEnv.executeSql(inner).collectChangelog();
    assert.deepEqual([...new Set(changes.map((c) => c.kind))], ['+I'], `append-only, ${mode} p${parallelism}`);
    assertSameRows(changes.map((c) => c.row), expectedInner, ['id', 'rate', 'cost'], `INNER, ${mode} p${parallelism}`);
    assertSameRows(await tEnv.executeSql(left).collect(), expectedLeft, ['id', 'rate'], `LEFT, ${mode} p${parallelism}`);
  }
});

test("a versioned table without a primary key, or a join without it in ON, is refused with Flink's message", async () => {
  const noKey = await env('streaming', 1, '');
  assert.throws(
    () => noKey.sqlQuery('SELECT e.id FROM events e JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.`user` = r.`user`'),
    /Temporal Table Join requires primary key in versioned table, but no primary key can be found/,
  );
  const tEnv = await env('streaming', 1);
  assert.throws(
    () => tEnv.sqlQuery('SELECT e.id FROM events e JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.amount = r.rate'),
    /must be included in the equivalence condition of temporal join/,
  );
  assert.match(tEnv.explainSql('SELECT e.id FROM events e JOIN rates FOR SYSTEM_TIME AS OF e.ts AS r ON e.`user` = r.`user`'), /TemporalJoin\(joinType=\[InnerJoin\]/);
});
