/**
 * Runs a compiled notebook: imports the cell modules one after the other. Importing a module
 * evaluates it, top-level `await` included, so a cell has finished before the next one starts.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Notebook, NotebookCell } from '../shared/notebook/model.ts';
import type { CellRunResult } from '../shared/notebook/run.ts';
import type { CompiledNotebook } from './compile.ts';
import { locateRuntimeError } from './locate.ts';
import { watchProcessFailures } from './process-failures.ts';

/** @deprecated SQL cells run now; kept for hosts that still mention the old reason. */
export const SQL_SKIP_REASON = 'SQL cells are run by the DuckDB kernel';

/** A SQL cell's result table, for hosts that render it (the CLI prints `text`). */
export interface SqlCellOutput {
  cell: number;
  columns: string[];
  rows: unknown[][];
  rowCount: number;
  /** An aligned plain-text table. */
  text: string;
}

/** Hooks called as cells run. */
export interface CellRunHooks {
  /** A cell is about to run (every cell, in order, until one fails). */
  onCellStart?(cell: CellStart): void;
  /** A cell has finished, failed or been skipped. */
  onCellEnd?(result: CellRunResult): void;
  /** A SQL cell produced a table; without this hook the table is printed to stdout. */
  onSqlResult?(output: SqlCellOutput): void;
}

/** The cell that is about to run. */
export interface CellStart {
  /** 1-based cell number. */
  cell: number;
  kind: NotebookCell['kind'];
  title?: string;
  /** The compiled module of a code cell: importing it again rebuilds the cell's jobs elsewhere. */
  modulePath?: string;
}

/**
 * Runs every cell in order and stops at the first failure; the cells after it are `not-run`.
 * Markdown cells do nothing; SQL cells are skipped for now.
 *
 * @example
 * const results = await evaluateNotebook(notebook, compiled, { onCellEnd: (r) => console.error(r.cell, r.status) });
 */
export async function evaluateNotebook(notebook: Notebook, compiled: CompiledNotebook, hooks: CellRunHooks = {}): Promise<CellRunResult[]> {
  const results: CellRunResult[] = [];
  const watch = watchProcessFailures();
  let failed = false;
  try {
    for (const [index, cell] of notebook.cells.entries()) {
      const base = baseResult(cell, index);
      if (failed) {
        results.push({ ...base, status: 'not-run', durationMs: 0 });
        continue;
      }
      const start: CellStart = { cell: index + 1, kind: cell.kind };
      if (cell.title !== undefined) start.title = cell.title;
      const module = compiled.cells.find((c) => c.index === index)?.modulePath;
      if (module) start.modulePath = module;
      hooks.onCellStart?.(start);
      const started = performance.now();
      let result: CellRunResult;
      if (cell.kind === 'sql') {
        result = await runSql(cell, index, base, started, hooks, compiled.notebookPath);
        if (result.status === 'failed') failed = true;
      } else if (cell.kind === 'markdown') {
        result = { ...base, status: 'done', durationMs: 0 };
      } else {
        const compiledCell = compiled.cells.find((c) => c.index === index);
        try {
          if (compiledCell) await Promise.race([import(pathToFileURL(compiledCell.modulePath).href), watch.failure]);
          result = { ...base, status: 'done', durationMs: performance.now() - started };
        } catch (error) {
          failed = true;
          result = { ...base, status: 'failed', durationMs: performance.now() - started, error: locateRuntimeError(error, index, compiled) };
        }
      }
      results.push(result);
      hooks.onCellEnd?.(result);
    }
  } finally {
    watch.dispose();
  }
  return results;
}

/** The result fields that do not depend on how the cell ran. */
export function baseResult(cell: NotebookCell, index: number): Pick<CellRunResult, 'cell' | 'kind' | 'title'> {
  const base: Pick<CellRunResult, 'cell' | 'kind' | 'title'> = { cell: index + 1, kind: cell.kind };
  if (cell.title !== undefined) base.title = cell.title;
  return base;
}

/**
 * Runs a SQL cell with DuckDB (loaded on first use, so notebooks without SQL never load it)
 * in the notebook's folder, where the notebook's jobs write their relative outputs too.
 */
async function runSql(
  cell: NotebookCell,
  index: number,
  base: Pick<CellRunResult, 'cell' | 'kind' | 'title'>,
  started: number,
  hooks: CellRunHooks,
  notebookPath: string,
): Promise<CellRunResult> {
  try {
    const { runSqlCell } = await import('../../engine/connectors/duckdb/sql-cell.ts');
    const out = await runSqlCell(cell.source, { cwd: path.dirname(notebookPath) });
    const output: SqlCellOutput = { cell: index + 1, columns: out.columns, rows: out.rows, rowCount: out.rowCount, text: out.text };
    if (hooks.onSqlResult) hooks.onSqlResult(output);
    else process.stdout.write(out.text.endsWith('\n') ? out.text : `${out.text}\n`);
    return { ...base, status: 'done', durationMs: performance.now() - started };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    // A SqlCellError knows the line and column of the cell DuckDB pointed at.
    const at = e as Error & { line?: unknown; column?: unknown };
    const line = e.name === 'SqlCellError' && typeof at.line === 'number' ? at.line : 1;
    const column = e.name === 'SqlCellError' && typeof at.column === 'number' ? at.column : 1;
    return {
      ...base,
      status: 'failed',
      durationMs: performance.now() - started,
      error: { cell: index + 1, phase: 'runtime', file: notebookPath, line: cell.startLine + line - 1, column, name: e.name, message: e.message, frames: [], stack: e.stack ?? e.message },
    };
  }
}
