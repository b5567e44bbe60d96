/**
 * SQL cells (`// %% [sql]`): DuckDB over files and job outputs, the batch half of the
 * workbench. A cell runs on the process's shared in-memory database, so tables a cell creates
 * are visible to later cells (and to `fromDuckDB` queries in the same process).
 */
import { DuckDBTypeId, JsonDuckDBValueConverter, ResultReturnType, type Json } from '@duckdb/node-api';
import { cellStatements, sqlCellError } from './sql-cell-errors.ts';
import { connectDuckDB, releaseConnection } from './instance.ts';
import { quoteLiteral } from './sql-text.ts';

/** Options of `runSqlCell`. */
export interface SqlCellOptions {
  /** Directory relative file paths are looked up in (the notebook's directory or the CLI's cwd). */
  cwd: string;
  /** Rows kept in `rows` (the total is counted anyway). Default 1000. */
  maxRows?: number;
  /** Rows shown in `text`. Default 50. */
  maxTextRows?: number;
}

/** What a SQL cell produced: the last statement's result. */
export interface SqlCellResult {
  columns: string[];
  /** Up to `maxRows` rows; values as JSON (numbers, strings; timestamps and big integers as strings). */
  rows: Json[][];
  /** Rows the statement returned in all. */
  rowCount: number;
  /** A plain-text table for terminals (`weir run`), with a "… N more rows" line when cut. */
  text: string;
}

/**
 * Runs the SQL of a cell (one or more statements, one at a time; the last one's rows are the
 * result). A failure is a `SqlCellError` at the line and column of the cell (see
 * sql-cell-errors.ts).
 *
 * @example
 * const { text } = await runSqlCell("SELECT zone, count(*) FROM read_json_auto('out/trips/*.jsonl') GROUP BY ALL", { cwd: process.cwd() });
 * console.log(text);
 */
export async function runSqlCell(sql: string, options: SqlCellOptions): Promise<SqlCellResult> {
  const maxRows = options.maxRows ?? 1000;
  const conn = await connectDuckDB();
  try {
    await conn.run(`SET file_search_path = ${quoteLiteral(options.cwd)}`);
    const statements = cellStatements(sql);
    if (statements.length === 0) return { columns: [], rows: [], rowCount: 0, text: 'OK' };
    let result;
    let statement = statements[0]!;
    const failed = (e: unknown) => sqlCellError(e instanceof Error ? e.message : String(e), statement, sql, e);
    for (statement of statements) {
      try {
        // Materialized in DuckDB (not streamed): a streamed result cannot report an error that
        // happens after its first rows (see checkStreamComplete). Only `maxRows` reach JS.
        result = await conn.run(statement.padded);
      } catch (e) {
        throw failed(e);
      }
    }
    result = result!;
    const columns = result.columnNames();
    const numeric = result.columnTypes().map((t) => NUMERIC_TYPES.has(t.typeId));
    const returnType = result.returnType;
    const rows: Json[][] = [];
    let rowCount = 0;
    for (;;) {
      let chunk;
      try {
        chunk = await result.fetchChunk();
      } catch (e) {
        throw failed(e);
      }
      if (!chunk || chunk.rowCount === 0) break;
      if (rows.length < maxRows) {
        for (const row of chunk.convertRows(JsonDuckDBValueConverter)) {
          if (rows.length >= maxRows) break;
          rows.push(row as Json[]);
        }
      }
      rowCount += chunk.rowCount;
    }
    if (returnType !== ResultReturnType.QUERY_RESULT) {
      // DDL and DML: no table to show.
      const changed = returnType === ResultReturnType.CHANGED_ROWS ? Number(rows[0]?.[0] ?? 0) : undefined;
      return { columns, rows, rowCount, text: changed === undefined ? 'OK' : `OK, ${changed} row${changed === 1 ? '' : 's'} changed` };
    }
    return { columns, rows, rowCount, text: formatTable(columns, rows, rowCount, options.maxTextRows ?? 50, numeric) };
  } finally {
    releaseConnection(conn);
  }
}

const MAX_CELL_WIDTH = 40;

const NUMERIC_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL, DuckDBTypeId.BIGNUM,
]);

function cellText(v: Json): string {
  if (v === null) return 'NULL';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const oneLine = s.replace(/\s*\n\s*/g, ' ');
  return oneLine.length > MAX_CELL_WIDTH ? `${oneLine.slice(0, MAX_CELL_WIDTH - 1)}…` : oneLine;
}

/**
 * A plain-text table: header, rule, up to `maxRows` rows (numeric columns right-aligned),
 * then "… N more rows" when there are more, and "(N rows)".
 *
 * @example
 * formatTable(['zone', 'trips'], [['A', 12], ['B', 7]], 2, 50);
 * // zone │ trips
 * // ─────┼──────
 * // A    │    12
 * // B    │     7
 * // (2 rows)
 */
export function formatTable(
  columns: string[],
  rows: Json[][],
  rowCount: number,
  maxRows: number,
  numeric: boolean[] = columns.map((_c, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number')),
): string {
  if (columns.length === 0) return 'OK';
  const shown = rows.slice(0, maxRows);
  const cells = shown.map((r) => r.map(cellText));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const lines = [
    columns.map((c, i) => pad(c, i)).join(' │ ').trimEnd(),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...cells.map((r) => r.map((s, i) => pad(s, i)).join(' │ ').trimEnd()),
  ];
  if (rowCount > shown.length) lines.push(`… ${rowCount - shown.length} more row${rowCount - shown.length === 1 ? '' : 's'}`);
  lines.push(`(${rowCount} row${rowCount === 1 ? '' : 's'})`);
  return lines.join('\n');
}
