/**
 * SQL cell errors at the line and column of the cell, said once: DuckDB's positions in a cell
 * of several statements, on long lines, and for errors that have none.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cellStatements, type SqlCellError } from '../../../../engine/connectors/duckdb/sql-cell-errors.ts';
import { runSqlCell } from '../../../../engine/connectors/duckdb/sql-cell.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-sql-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function failure(sql: string): Promise<SqlCellError> {
  try {
    await runSqlCell(sql, { cwd: dir });
  } catch (error) {
    assert.equal((error as Error).name, 'SqlCellError', String(error));
    return error as SqlCellError;
  }
  assert.fail(`no error from ${sql}`);
}

/** The text at a 1-based line and column of `sql`. */
function at(sql: string, e: SqlCellError, length: number): string {
  return sql.split('\n')[e.line - 1]!.slice(e.column - 1, e.column - 1 + length);
}

describe('SQL cell errors', () => {
  it('splits a cell into statements at semicolons outside strings and comments', () => {
    const statements = cellStatements("SELECT ';' AS a; -- one; two\n  SELECT 2;\n\n-- only a comment;\n");
    assert.deepEqual(statements.map((s) => [s.line, s.column]), [[1, 1], [2, 3]]);
    assert.equal(statements[1]!.padded.split('\n').length, 2, 'padded with the lines before it');
  });

  it('points a syntax error in the third statement at its line and column', async () => {
    const sql = 'CREATE TABLE t AS SELECT 1 AS x;\nSELECT x FROM t;\nSELECT x\n  FROM t WHERE x = = 1';
    const e = await failure(sql);
    assert.deepEqual([e.line, e.column], [4, 'FROM t WHERE x = = 1'.indexOf('= 1') + 3]);
    assert.match(e.detail, /^Parser Error: syntax error at or near "="$/);
  });

  it('points a binder error after an earlier statement at the column it names, not past it', async () => {
    const sql = 'SELECT 1;\n\nSELECT nope\nFROM range(3)';
    const e = await failure(sql);
    assert.deepEqual([e.line, at(sql, e, 4)], [3, 'nope']);
    assert.equal(e.detail.match(/Referenced column "nope"/g)?.length, 1, 'said once');
    assert.doesNotMatch(e.detail, /LINE \d+:/);
  });

  it('finds the column on a long line that DuckDB shows as a window', async () => {
    const columns = Array.from({ length: 30 }, (_, i) => `${i} AS column_number_${i}`).join(', ');
    const sql = `SELECT 1;\nSELECT ${columns}, missing_column FROM range(1)`;
    const e = await failure(sql);
    assert.deepEqual([e.line, at(sql, e, 'missing_column'.length)], [2, 'missing_column']);
  });

  it('places an error without a position at its statement', async () => {
    const sql = "SELECT 1;\n  SELECT * FROM 'missing.csv'";
    const e = await failure(sql);
    assert.deepEqual([e.line, e.column], [2, 3]);
    assert.match(e.message, /^SQL cell: IO Error: No files found .*missing\.csv/);
  });
});
