/**
 * `[flink-sql]` cells in the notebook format: read and written back unchanged, and turned into
 * code cells that carry their parsed statements and the DDL cells above them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNotebook, serializeNotebook } from '../../app/shared/notebook/format.ts';
import { flinkSqlCellsAsCode, flinkSqlParserReady, loadFlinkSqlParser } from '../../app/kernel/flink-sql-cells.ts';

const TEXT = `// %% [flink-sql] Tables
// CREATE TABLE t (a INT) WITH ('connector' = 'datagen');

// %%
const x = 1;

// %% [flink-sql]
// SELECT a FROM t;
// SELEC oops
`;

test('a [flink-sql] cell is read and written back byte for byte', () => {
  const notebook = parseNotebook(TEXT);
  assert.deepEqual(notebook.cells.map((c) => [c.kind, c.title, c.source, c.startLine]), [
    ['flink-sql', 'Tables', "CREATE TABLE t (a INT) WITH ('connector' = 'datagen');", 2],
    ['code', undefined, 'const x = 1;', 5],
    ['flink-sql', undefined, 'SELECT a FROM t;\nSELEC oops', 8],
  ]);
  assert.equal(serializeNotebook(notebook), TEXT);
  assert.equal(serializeNotebook({ cells: [{ kind: 'flink-sql', source: 'SELECT 1', markerLine: 0, startLine: 0 }] }), '// %% [flink-sql]\n// SELECT 1\n');
});

test('[flink-sql] cells become code cells carrying parsed statements, or their parse error at the notebook line', async () => {
  const notebook = parseNotebook(TEXT);
  assert.equal(flinkSqlParserReady(notebook), false);
  await loadFlinkSqlParser(notebook);
  const code = flinkSqlCellsAsCode(notebook);
  assert.deepEqual(code.cells.map((c) => c.kind), ['code', 'code', 'code']);
  assert.equal(code.cells[1]!.source, 'const x = 1;');
  const specOf = (source: string) => JSON.parse(/runFlinkSqlCell\((.*)\);$/.exec(source)![1]!) as { cell: any; earlier: any[] };
  const first = specOf(code.cells[0]!.source);
  assert.equal(first.cell.startLine, 2);
  assert.equal(first.cell.statements[0].statement.kind, 'createTable');
  assert.deepEqual(first.earlier, []);
  const third = specOf(code.cells[2]!.source);
  assert.deepEqual(third.cell.error.position, { line: 9, column: 1 });
  assert.equal(third.cell.error.name, 'SqlParseError');
  // One line, no declarations: the cell's lines and the notebook's names stay as they were.
  assert.ok(!code.cells[0]!.source.includes('\n'));
});
