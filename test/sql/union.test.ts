/**
 * UNION ALL: the rows of every input, columns cast to their common type (INT and DOUBLE give
 * DOUBLE), equal DuckDB's UNION ALL in streaming and batch mode at parallelism 1 and 2; a window
 * TVF over a UNION ALL view keeps the event-time attribute; a union with an updating input is
 * updating, and its final state equals DuckDB's; inputs of different widths are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MODES, assertSameRows, duckdbRows, eventsEnv, eventsInDuckDB, eventsScratch } from './fixtures.ts';

const s = eventsScratch('sql-union');

const events = () => eventsInDuckDB(s);

test('UNION ALL of three inputs, INT and DOUBLE columns unified, equals DuckDB (streaming and batch, p=1 and p=2)', async () => {
  const query = `
    SELECT id, qty AS v, LOWER(\`user\`) AS src FROM events WHERE qty > 5
    UNION ALL SELECT id, amount, CONCAT(\`user\`, '!') FROM events WHERE amount < 10
    UNION ALL SELECT id + 1000, qty * 2, UPPER(\`user\`) FROM events WHERE id < 30`;
  const reference = `
    SELECT id, CAST(qty AS DOUBLE) AS v, lower("user") AS src FROM ${events()} WHERE qty > 5
    UNION ALL SELECT id, amount, "user" || '!' FROM ${events()} WHERE amount < 10
    UNION ALL SELECT id + 1000, CAST(qty * 2 AS DOUBLE), upper("user") FROM ${events()} WHERE id < 30`;
  const expected = await duckdbRows(s, reference);
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    const table = tEnv.sqlQuery(query);
    assert.deepEqual(table.getResolvedSchema().columns.map((c) => c.type), ['INT', 'DOUBLE', 'STRING']);
    assertSameRows(await table.execute().collect(), expected, ['id', 'v', 'src'], `${mode} p${parallelism}`);
  }
});

test('a TUMBLE window over a UNION ALL view counts the rows of both inputs (the event-time attribute is kept)', async () => {
  const expected = await duckdbRows(s, `SELECT (t // 10000) * 10000 AS window_start, count(*) AS n FROM ${events()} WHERE qty <> 0 GROUP BY ALL`, ['window_start', 'n']);
  for (const mode of ['streaming', 'batch'] as const) {
    const { tEnv } = await eventsEnv(s, mode, 2);
    tEnv.executeSql('CREATE VIEW signed AS SELECT id, ts FROM events WHERE qty > 0 UNION ALL SELECT id, ts FROM events WHERE qty < 0');
    const rows = await tEnv.executeSql('SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE signed, DESCRIPTOR(ts), INTERVAL \'10\' SECOND)) GROUP BY window_start, window_end').collect();
    assertSameRows(rows, expected, ['window_start', 'n'], mode);
  }
});

test('UNION ALL with an updating input is updating; its final state equals DuckDB', async () => {
  const query = 'SELECT `user`, COUNT(*) AS n FROM events GROUP BY `user` UNION ALL SELECT `user`, CAST(id AS BIGINT) FROM events WHERE id < 5';
  const expected = await duckdbRows(s, `SELECT "user", count(*) AS n FROM ${events()} GROUP BY ALL UNION ALL SELECT "user", id FROM ${events()} WHERE id < 5`, ['n']);
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    const result = tEnv.executeSql(query);
    assertSameRows(await result.collect(), expected, ['user', 'n'], `${mode} p${parallelism}`);
    if (mode === 'streaming') assert.ok((await result.collectChangelog()).some((c) => c.kind === '-U'), 'updates pass through the union');
  }
});

test('UNION ALL of inputs of different widths, and UNION without ALL, are refused', async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 1);
  assert.throws(() => tEnv.sqlQuery('SELECT id FROM events UNION ALL SELECT id, qty FROM events'), /UNION ALL: input 2 has 2 columns, the first has 1/);
  assert.throws(() => tEnv.sqlQuery('SELECT id FROM events UNION SELECT id FROM events'), /UNION is not supported yet/);
});
