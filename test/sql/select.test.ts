/**
 * Projections, filters and scalar functions of Flink SQL on Weir's engine give DuckDB's answer
 * on the same CSV file (with Flink's semantics written out in DuckDB where the dialects differ:
 * integer division truncates, CONCAT of NULL is NULL, ROUND is half-up on the decimal value),
 * in streaming and batch mode at parallelism 1 and 2.
 */
import { after, before, test } from 'node:test';
import { closeDuckDB } from '../../engine/connectors/duckdb/instance.ts';
import { MODES, Scratch, assertSameRows, duckdbRows, eventsEnv, writeEvents } from './fixtures.ts';

const s = new Scratch('sql-select');
before(() => writeEvents(s));
after(async () => {
  await closeDuckDB();
  s.close();
});

const QUERY = `
  SELECT id, UPPER(\`user\`) AS u, amount * 2 AS a2, qty / 2 AS half, MOD(qty, 3) AS m,
    CASE WHEN amount > 50 THEN 'big' WHEN amount > 20 THEN 'mid' ELSE 'small' END AS size,
    COALESCE(name, 'none') AS nm, CHAR_LENGTH(COALESCE(name, '')) AS len, SUBSTRING(\`user\`, 2, 1) AS digit,
    CONCAT(\`user\`, '-', LOWER(name)) AS tag, ROUND(amount, 1) AS r, FLOOR(amount) AS f, CEIL(amount) AS c,
    ABS(qty) AS aq, CAST(qty AS DOUBLE) / 4 AS quarter, CAST(amount AS INT) AS ai, SECOND(ts) AS sec,
    NOT (qty BETWEEN -2 AND 2) AS outside, \`user\` IN ('u1', 'u3') AS odd
  FROM events
  WHERE qty <> 0 AND (amount > 10 OR name IS NULL) AND \`user\` LIKE 'u%'`;

const REFERENCE = `
  SELECT id, upper("user") AS u, amount * 2 AS a2, CAST(trunc(qty / 2) AS INTEGER) AS half, qty % 3 AS m,
    CASE WHEN amount > 50 THEN 'big' WHEN amount > 20 THEN 'mid' ELSE 'small' END AS size,
    coalesce(name, 'none') AS nm, length(coalesce(name, '')) AS len, substring("user", 2, 1) AS digit,
    "user" || '-' || lower(name) AS tag, CAST(round(CAST(amount AS DECIMAL(10, 2)), 1) AS DOUBLE) AS r, floor(amount) AS f, ceil(amount) AS c,
    abs(qty) AS aq, CAST(qty AS DOUBLE) / 4 AS quarter, CAST(trunc(amount) AS INTEGER) AS ai, second(ts) AS sec,
    NOT (qty BETWEEN -2 AND 2) AS outside, "user" IN ('u1', 'u3') AS odd
  FROM read_csv(${'$FILE'}, header = false, columns = {'id': 'INTEGER', 'user': 'VARCHAR', 'amount': 'DOUBLE', 'qty': 'INTEGER', 'name': 'VARCHAR', 'ts': 'TIMESTAMP'})
  WHERE qty <> 0 AND (amount > 10 OR name IS NULL) AND "user" LIKE 'u%'`;

const COLUMNS = ['id', 'u', 'a2', 'half', 'm', 'size', 'nm', 'len', 'digit', 'tag', 'r', 'f', 'c', 'aq', 'quarter', 'ai', 'sec', 'outside', 'odd'];

test('projections, filters and functions equal DuckDB in streaming and batch, p=1 and p=2', async () => {
  const expected = await duckdbRows(s, REFERENCE.replace('$FILE', s.lit('events.csv')), ['len', 'sec']);
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    const rows = await tEnv.executeSql(QUERY).collect();
    assertSameRows(rows, expected, COLUMNS, `${mode} p${parallelism}`);
  }
});

test('a view and a subquery over the table give the same rows as the query inline', async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 2);
  tEnv.executeSql("CREATE VIEW big AS SELECT id, amount, `user` FROM events WHERE amount > 90");
  const viaView = await tEnv.executeSql("SELECT id, amount * 10 AS x FROM big WHERE `user` = 'u2'").collect();
  const viaSubquery = await tEnv.executeSql("SELECT id, amount * 10 AS x FROM (SELECT id, amount, `user` FROM events WHERE amount > 90) b WHERE b.`user` = 'u2'").collect();
  const expected = await duckdbRows(s, `SELECT id, amount * 10 AS x FROM read_csv(${s.lit('events.csv')}, header = false, columns = {'id': 'INTEGER', 'user': 'VARCHAR', 'amount': 'DOUBLE', 'qty': 'INTEGER', 'name': 'VARCHAR', 'ts': 'TIMESTAMP'}) WHERE amount > 90 AND "user" = 'u2'`);
  assertSameRows(viaView, expected, ['id', 'x'], 'view');
  assertSameRows(viaSubquery, expected, ['id', 'x'], 'subquery');
});
