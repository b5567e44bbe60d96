/**
 * Flink SQL text → statements through dt-sql-parser's Flink grammar: syntax errors and
 * constructs not run yet name their line and column; the statements Weir plans come out as
 * its own tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSql } from '../../engine/sql/parser.ts';
import { SqlParseError, SqlUnsupportedError } from '../../engine/sql/errors.ts';

function errorOf(sql: string): Error {
  try {
    parseSql(sql);
  } catch (e) {
    return e as Error;
  }
  assert.fail(`expected an error for ${sql}`);
}

test('a syntax error names its line and column', () => {
  const e = errorOf('SELECT a,\n  b\nFROM t WHERE');
  assert.ok(e instanceof SqlParseError);
  assert.deepEqual(e.position, { line: 3, column: 13 });
  assert.match(e.message, /incomplete.*line 3, column 13/);
  const typo = errorOf('SELECT a FROM t;\nSELEC b FROM t');
  assert.ok(typo instanceof SqlParseError);
  assert.equal(typo.position?.line, 2);
  assert.equal(typo.position?.column, 1);
});

test('a construct not run yet is refused where it is written', () => {
  const cases: [string, RegExp, number, number][] = [
    ['SELECT a\nFROM t\nORDER BY a', /ORDER BY/, 3, 1],
    ['SELECT a FROM t\n  UNION SELECT a FROM u', /UNION is not supported/, 2, 3],
    ['SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY ts RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM t', /an OVER RANGE frame of a number/, 1, 51],
    ["CREATE FUNCTION f AS 'com.x.F'", /CREATE FUNCTION/, 1, 1],
    ['SELECT a FROM t WHERE b IN (SELECT c FROM u)', /IN \(subquery\)/, 1, 25],
  ];
  for (const [sql, what, line, column] of cases) {
    const e = errorOf(sql);
    assert.ok(e instanceof SqlUnsupportedError, `${sql}: ${e}`);
    assert.match(e.message, what);
    assert.deepEqual(e.position, { line, column }, sql);
  }
});

test('functions the grammar lexes as keywords are calls all the same, at their own position', () => {
  const [parsed] = parseSql("SELECT a,\n  CHAR_LENGTH(COALESCE(s, '')) + SQRT(b) AS x FROM t");
  assert.equal(parsed?.statement.kind, 'query');
  if (parsed?.statement.kind !== 'query') return;
  const item = parsed.statement.query.items[1];
  assert.equal(item?.kind === 'expr' && item.expr.kind === 'binary' && item.expr.left.kind === 'call' && item.expr.left.name, 'CHAR_LENGTH');
  assert.deepEqual(item?.kind === 'expr' && item.expr.kind === 'binary' && item.expr.right.pos, { line: 2, column: 34 });
  assert.match(parsed.text, /CHAR_LENGTH\(COALESCE/);
});

test('DDL, window TVFs and expressions become the planner tree', () => {
  const [create, query] = parseSql(`
    CREATE TABLE clicks (\`user\` STRING, price DECIMAL(10, 2), ts TIMESTAMP(3), cost AS price * 2,
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
    WITH ('connector' = 'filesystem', 'path' = 'data/clicks.csv', 'format' = 'csv');
    SELECT window_start, COUNT(*) AS n FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTES))
    GROUP BY window_start, window_end`).map((p) => p.statement);
  assert.equal(create?.kind, 'createTable');
  if (create?.kind !== 'createTable') return;
  assert.deepEqual(create.columns.map((c) => c.name), ['user', 'price', 'ts', 'cost']);
  assert.deepEqual(create.columns[1]?.type, { root: 'DECIMAL', precision: 10, scale: 2 });
  assert.deepEqual(create.options, { connector: 'filesystem', path: 'data/clicks.csv', format: 'csv' });
  assert.equal(create.watermark?.column, 'ts');
  assert.equal(query?.kind, 'query');
  if (query?.kind !== 'query') return;
  assert.deepEqual(query.query.from, { kind: 'window', fn: 'HOP', table: 'clicks', timeColumn: 'ts', intervals: [60_000, 300_000], pos: { line: 5, column: 51 } });
});

test('an item starting with a column and a sign keeps SQL precedence (the grammar reads `a - b` as an alias)', () => {
  const [parsed] = parseSql('SELECT id,\n  a - b * 2 AS x, a + b > 3 FROM t');
  if (parsed?.statement.kind !== 'query') return assert.fail('a query');
  const [, x, y] = parsed.statement.query.items;
  assert.ok(x?.kind === 'expr' && y?.kind === 'expr');
  assert.equal(x.alias, 'x');
  assert.deepEqual(
    JSON.parse(JSON.stringify(x.expr, (k, v: unknown) => (k === 'type' ? undefined : v))),
    {
      kind: 'binary', op: '-', pos: { line: 2, column: 3 },
      left: { kind: 'column', name: 'a', pos: { line: 2, column: 3 } },
      right: { kind: 'binary', op: '*', pos: { line: 2, column: 7 }, left: { kind: 'column', name: 'b', pos: { line: 2, column: 7 } }, right: { kind: 'literal', value: 2, pos: { line: 2, column: 11 } } },
    },
  );
  assert.equal(y.expr.kind === 'binary' && y.expr.op, '>');
});
