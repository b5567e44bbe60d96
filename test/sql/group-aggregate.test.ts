/**
 * Group aggregations without a window: updating results whose final state equals DuckDB's
 * GROUP BY on the same file (COUNT, SUM, MIN, MAX, AVG, COUNT(DISTINCT), HAVING, a global
 * aggregate, and an aggregate over an updating aggregate, which retracts), in streaming and
 * batch mode at parallelism 1 and 2; the changelog is Flink's (+I, then -U/+U pairs); batch emits
 * final rows only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MODES, assertSameRows, duckdbRows, eventsEnv, eventsInDuckDB, eventsScratch } from './fixtures.ts';

const s = eventsScratch('sql-group-aggregate');

const events = () => eventsInDuckDB(s);

test('GROUP BY with COUNT, SUM, MIN, MAX, AVG, COUNT(DISTINCT) and HAVING: final state equals DuckDB, streaming and batch, p=1 and p=2', async () => {
  const query = `
    SELECT \`user\`, name, COUNT(*) AS n, SUM(amount) AS total, MIN(qty) AS lo, MAX(qty) AS hi, AVG(qty) AS avg_qty,
      COUNT(DISTINCT qty) AS qtys, MAX(amount) - MIN(amount) AS spread
    FROM events
    WHERE qty <> 0
    GROUP BY \`user\`, name
    HAVING COUNT(*) > 5`;
  const reference = `
    SELECT "user", name, count(*) AS n, sum(amount) AS total, min(qty) AS lo, max(qty) AS hi, CAST(trunc(sum(qty) / count(qty)) AS INTEGER) AS avg_qty,
      count(DISTINCT qty) AS qtys, max(amount) - min(amount) AS spread
    FROM ${events()} WHERE qty <> 0 GROUP BY ALL HAVING count(*) > 5`;
  const expected = await duckdbRows(s, reference, ['n', 'qtys']);
  const columns = ['user', 'name', 'n', 'total', 'lo', 'hi', 'avg_qty', 'qtys', 'spread'];
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    const result = tEnv.executeSql(query);
    assertSameRows(await result.collect(), expected, columns, `${mode} p${parallelism}`);
    const kinds = new Set((await result.collectChangelog()).map((c) => c.kind));
    if (mode === 'batch') assert.deepEqual([...kinds], ['+I'], 'batch emits final rows only');
    // HAVING COUNT(*) > 5 filters out each group's +I (a count of 1): its first row is a +U, as in Flink.
    else assert.deepEqual([...kinds].sort(), ['+U', '-U'], 'streaming emits updates');
  }
});

test('the changelog of a count per user is +I of 1, then -U of n and +U of n + 1 for each further row', async () => {
  const expected = await duckdbRows(s, `SELECT "user", count(*) AS n FROM ${events()} GROUP BY ALL`, ['n']);
  for (const parallelism of [1, 2]) {
    const { tEnv } = await eventsEnv(s, 'streaming', parallelism);
    const changes = await tEnv.executeSql('SELECT `user`, COUNT(*) AS n FROM events GROUP BY `user`').collectChangelog();
    for (const { user, n: total } of expected) {
      const mine = changes.filter((c) => c.row['user'] === user).map((c) => `${c.kind}${String(c.row['n'])}`);
      const flink = ['+I1'];
      for (let n = 1; n < (total as number); n++) flink.push(`-U${n}`, `+U${n + 1}`);
      assert.deepEqual(mine, flink, `p${parallelism} ${String(user)}`);
    }
  }
});

test('a global aggregate and an aggregate over an updating aggregate (retractions) equal DuckDB', async () => {
  const inner = 'SELECT g, COUNT(*) AS n, SUM(qty) AS s FROM (SELECT MOD(id, 37) AS g, qty FROM events) GROUP BY g';
  const outer = `SELECT n, COUNT(*) AS n_groups, MIN(s) AS lo, MAX(s) AS hi, COUNT(DISTINCT s) AS sums FROM (${inner}) GROUP BY n`;
  const expectedOuter = await duckdbRows(
    s,
    `SELECT n, count(*) AS n_groups, min(s) AS lo, max(s) AS hi, count(DISTINCT s) AS sums
     FROM (SELECT id % 37 AS g, count(*) AS n, sum(qty) AS s FROM ${events()} GROUP BY ALL) GROUP BY n`,
    ['n', 'n_groups', 'lo', 'hi', 'sums'],
  );
  const expectedGlobal = await duckdbRows(s, `SELECT count(*) AS n, sum(qty) AS s, max(name) AS top_name FROM ${events()}`, ['n', 's']);
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    assertSameRows(await tEnv.executeSql(outer).collect(), expectedOuter, ['n', 'n_groups', 'lo', 'hi', 'sums'], `nested ${mode} p${parallelism}`);
    const global = tEnv.executeSql('SELECT COUNT(*) AS n, SUM(qty) AS s, MAX(name) AS top_name FROM events');
    assertSameRows(await global.collect(), expectedGlobal, ['n', 's', 'top_name'], `global ${mode} p${parallelism}`);
  }
});

test('a non-grouped column and a group by expression are refused naming them', async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 1);
  assert.throws(() => tEnv.executeSql('SELECT `user`, amount, COUNT(*) FROM events GROUP BY `user`'), /Expression 'amount' is not being grouped \(line 1, column 16\)/);
  assert.throws(() => tEnv.executeSql('SELECT COUNT(*) FROM events GROUP BY MOD(id, 2)'), /GROUP BY an expression .* is not supported yet/);
});

test('SELECT DISTINCT is a group aggregation by its columns: its final state equals DuckDB', async () => {
  const expected = await duckdbRows(s, `SELECT DISTINCT "user", qty % 3 AS m FROM ${events()} WHERE amount > 20`);
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    const rows = await tEnv.executeSql('SELECT DISTINCT `user`, MOD(qty, 3) AS m FROM events WHERE amount > 20').collect();
    assertSameRows(rows, expected, ['user', 'm'], `${mode} p${parallelism}`);
  }
});
