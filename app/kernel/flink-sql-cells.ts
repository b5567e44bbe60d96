/**
 * `// %% [flink-sql]` cells as code cells: each becomes one statement that runs its statements
 * through the Table API (`runFlinkSqlCell` of 'weir'), with the CREATE/DROP statements of the
 * `[flink-sql]` cells above it. A cell is then compiled, run, rebuilt on taskmanagers and
 * shown like any code cell, and reads no name of another cell. The SQL is parsed here, once:
 * the generated code carries the parsed statements, so a taskmanager that rebuilds the job
 * never loads or runs the grammar (a cold parse takes seconds on a loaded machine, longer
 * than a taskmanager may go without answering heartbeats). A parse error becomes code that
 * throws it, at its notebook line, when the cell runs.
 */
import type { ParsedStatement } from '../../engine/sql/ast.ts';
import type { Notebook, NotebookCell } from '../shared/notebook/model.ts';

type ParserModule = typeof import('../../engine/sql/parser.ts');
let parser: ParserModule | undefined;

/** Loads the Flink SQL grammar, which `flinkSqlCellsAsCode` needs for notebooks with `[flink-sql]` cells. */
export async function loadFlinkSqlParser(notebook: Notebook): Promise<void> {
  if (notebook.cells.some((c) => c.kind === 'flink-sql')) parser ??= await import('../../engine/sql/parser.ts');
}

/** Whether `flinkSqlCellsAsCode` can convert this notebook now (it has no `[flink-sql]` cell, or the grammar is loaded). */
export function flinkSqlParserReady(notebook: Notebook): boolean {
  return parser !== undefined || !notebook.cells.some((c) => c.kind === 'flink-sql');
}

/**
 * The notebook with its `[flink-sql]` cells turned into the code cells that run them
 * (`loadFlinkSqlParser` first).
 *
 * @example
 * await loadFlinkSqlParser(notebook);
 * flinkSqlCellsAsCode(notebook).cells[0].kind // 'code'
 */
export function flinkSqlCellsAsCode(notebook: Notebook): Notebook {
  if (!notebook.cells.some((c) => c.kind === 'flink-sql')) return notebook;
  if (!parser) throw new Error('flinkSqlCellsAsCode: call loadFlinkSqlParser(notebook) first');
  const { parseSql } = parser;
  const earlier: { startLine: number; statements: ParsedStatement[] }[] = [];
  const cells = notebook.cells.map((cell): NotebookCell => {
    if (cell.kind !== 'flink-sql') return cell;
    let spec: unknown;
    try {
      const parsed = { startLine: cell.startLine, statements: parseSql(cell.source) };
      spec = { cell: parsed, earlier: [...earlier] };
      earlier.push(parsed);
    } catch (error) {
      const e = error as { name: string; reason?: string; message: string; position?: { line: number; column: number } };
      const position = e.position ? { line: cell.startLine + e.position.line - 1, column: e.position.column } : undefined;
      spec = { cell: { error: { name: e.name, reason: e.reason ?? e.message, ...(position ? { position } : {}) } }, earlier: [] };
    }
    const { raw: _raw, ...rest } = cell;
    return { ...rest, kind: 'code', source: `await (await import('weir')).runFlinkSqlCell(${JSON.stringify(spec)});` };
  });
  return { ...notebook, cells };
}
