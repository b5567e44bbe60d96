/**
 * What a `// %% [flink-sql]` cell runs: its statements through a table environment, after the
 * CREATE/DROP statements of the `[flink-sql]` cells above it (so the cell is whole on its own,
 * also where a taskmanager rebuilds its job); a SELECT's rows shown as a table, live in the
 * workbench while its job runs and at its end in `weir run`, an INSERT waited for. Errors name the notebook's line and column. (Flink's counterpart: the SQL
 * client running a script.)
 */
import { StreamExecutionEnvironment } from '../api/environment.ts';
import { executionHost } from '../runtime/host.ts';
import { ROW_KIND } from './changelog.ts';
import type { PlannedTable } from './planner.ts';
import type { Column, Row } from './catalog.ts';
import type { ParsedStatement } from './ast.ts';
import { SqlError, type SqlPosition } from './errors.ts';
import { StreamTableEnvironment } from './table-environment.ts';
import { formatValue, isNumeric, type SqlType } from './types.ts';

/** The statements of one `[flink-sql]` cell, parsed by the kernel, and where the cell starts in the notebook. */
export interface ParsedCell {
  startLine: number;
  statements: ParsedStatement[];
}

/** What the generated module of a `[flink-sql]` cell passes. */
export interface FlinkSqlCellSpec {
  /** This cell, or the error its text failed to parse with (already in notebook lines). */
  cell: ParsedCell | { error: { name: string; reason: string; position?: SqlPosition } };
  /** The `[flink-sql]` cells above, whose CREATE/DROP statements this cell's statements may use. */
  earlier: ParsedCell[];
}

/** An error of SQL text at `startLine` of the notebook, with the position in notebook lines. */
export function locatedSqlError(error: unknown, startLine: number): unknown {
  if (!(error instanceof SqlError) || !error.position) return error;
  const moved = new SqlError(error.reason, { line: startLine + error.position.line - 1, column: error.position.column });
  moved.name = error.name;
  return moved;
}

const DDL = new Set(['createTable', 'createView', 'dropTable']);

/** What a cell takes from the cells above: their DDL, and their `SET 'key' = 'value'`s (the SQL client's session). */
const fromEarlier = (parsed: ParsedStatement) => DDL.has(parsed.statement.kind) || (parsed.statement.kind === 'set' && parsed.statement.key !== undefined);

/**
 * Runs a `[flink-sql]` cell: its statements on a table environment over the host's default
 * environment, after the DDL of the cells above.
 *
 * @example
 * await runFlinkSqlCell({ cell: { startLine: 12, statements }, earlier: [{ startLine: 4, statements: ddl }] });
 */
export async function runFlinkSqlCell(spec: FlinkSqlCellSpec): Promise<void> {
  if ('error' in spec.cell) {
    const { name, reason, position } = spec.cell.error;
    const error = new SqlError(reason, position);
    error.name = name;
    throw error;
  }
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.forParsedStatements(env);
  for (const part of spec.earlier) {
    try {
      for (const parsed of part.statements) if (fromEarlier(parsed)) tEnv.executeStatement(parsed);
    } catch (error) {
      throw locatedSqlError(error, part.startLine);
    }
  }
  try {
    for (const parsed of spec.cell.statements) {
      const kind = parsed.statement.kind;
      const result = tEnv.executeStatement(parsed, kind === 'query' ? liveTable : undefined);
      if (kind === 'explain') log(String((await result.collect())[0]?.['result']));
      else if (kind === 'query') {
        const rows = await result.collect();
        // The workbench has shown the rows as they came, in the live table: its final state is these rows.
        if (executionHost().headless !== false) show(rows, result.columns());
      } else if (kind === 'set' && parsed.statement.key === undefined) show(await result.collect(), result.columns());
      else await result.await();
    }
  } catch (error) {
    throw locatedSqlError(error, spec.cell.startLine);
  }
}

/**
 * Sends a SELECT's changelog, its values as the table shows them, to a chart sink of type
 * 'table': the workbench draws it as a table that follows the changes (app/host/live-table.ts);
 * headless it is dropped. Added wherever the job is built, so the job's graph is the same in the
 * kernel and on the taskmanagers that rebuild it.
 */
function liveTable(table: PlannedTable): void {
  const columns = table.schema.columns;
  table.stream
    .map((row) => {
      const shown: Row = Object.fromEntries(columns.map((c) => [c.name, shownValue(row[c.name], c.type)]));
      if (row[ROW_KIND] !== undefined) shown[ROW_KIND] = row[ROW_KIND];
      return shown;
    })
    .name('LiveTableValues')
    .sinkTo({ sinkKind: 'chart', options: { type: 'table', x: '', y: [], columns: columns.map((c) => c.name) } })
    .name('Sink: live table');
}

/** The console at the time of the call: the kernel may give each cell's output a console of its own. */
const cellConsole = () => (globalThis as unknown as { console: { table(rows: unknown[], columns?: string[]): void; log(s: string): void } }).console;
const log = (text: string) => cellConsole().log(text);

/** Rows as a table under the cell (console.table): numbers stay numbers, other values as Flink prints them. */
function show(rows: Row[], columns: Column[]): void {
  const console = cellConsole();
  if (rows.length === 0) {
    console.log(`Empty set (columns: ${columns.map((c) => c.name).join(', ')})`);
    return;
  }
  const shown = rows.map((row) => Object.fromEntries(columns.map((c) => [c.name, shownValue(row[c.name], c.type)])));
  console.table(shown, columns.map((c) => c.name));
}

function shownValue(value: unknown, type: SqlType): unknown {
  if (value === null || value === undefined) return null;
  return isNumeric(type) || type.root === 'BOOLEAN' ? value : formatValue(value, type);
}
