/**
 * The SESSION window TVF, which dt-sql-parser's grammar lacks, is read through a same-length
 * TUMBLE written over it: the parse gives SESSION with its PARTITION BY keys (bare, in
 * parentheses, quoted, across lines and comments), every other position stays as written, and
 * `session` elsewhere (a column, a string) is left alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Query } from '../../engine/sql/ast.ts';
import { parseSql } from '../../engine/sql/parser.ts';

function from(sql: string): Query['from'] {
  const s = parseSql(sql)[0]!.statement;
  assert.equal(s.kind, 'query');
  return (s as { query: Query }).query.from;
}

test('SESSION parses with its partition keys, however they are written', () => {
  assert.deepEqual(from("SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '5' MINUTE))"), {
    kind: 'window',
    fn: 'SESSION',
    table: 't',
    timeColumn: 'ts',
    intervals: [300_000],
    partitionBy: ['k'],
    pos: { line: 1, column: 21 },
  });
  const multi = from("SELECT * FROM TABLE(\n  session(TABLE t PARTITION BY (`user`,\n name), -- the keys\n DESCRIPTOR(ts), INTERVAL '10' SECOND))");
  assert.equal(multi.kind === 'window' && multi.fn, 'SESSION');
  assert.deepEqual(multi.kind === 'window' && multi.partitionBy, ['user', 'name']);
  const bare = from("SELECT * FROM TABLE(SESSION(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))");
  assert.deepEqual(bare.kind === 'window' && [bare.fn, bare.partitionBy], ['SESSION', undefined]);
  const tumble = from("SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))");
  assert.equal(tumble.kind === 'window' && tumble.fn, 'TUMBLE');
});

test('positions after a SESSION call stay as written, and session elsewhere is left alone', () => {
  // The error is at AND, after the blanked PARTITION BY on the same line: its column is as written.
  const sql = "SELECT * FROM TABLE(\nSESSION(TABLE t PARTITION BY a, b, DESCRIPTOR(ts), INTERVAL '1' SECOND)) WHERE AND";
  const column = sql.split('\n')[1]!.indexOf(' AND') + 2;
  assert.throws(() => parseSql(sql), new RegExp(`\\(line 2, column ${column}\\)`));
  const s = parseSql("SELECT `session` FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND)) WHERE page = 'TABLE(SESSION(TABLE x PARTITION BY y'")[0]!.statement;
  assert.equal(s.kind, 'query');
  const q = (s as { query: Query }).query;
  assert.deepEqual(q.items.map((i) => i.kind === 'expr' && i.expr.kind === 'column' && i.expr.name), ['session']);
  assert.deepEqual(q.where?.kind === 'binary' && q.where.right.kind === 'literal' && q.where.right.value, 'TABLE(SESSION(TABLE x PARTITION BY y');
  assert.equal(q.from.kind === 'window' && q.from.fn, 'TUMBLE');
});
