/**
 * The rows a source could not read, under the cell that started its job: which files, how many
 * rows were read and rejected, the first few rejected rows (where, column, reason, the line as
 * written) and, one click away, every row the report carries. Flink has no counterpart: its CSV
 * format fails or skips silently (`ignoreParseErrors`); here nothing is dropped unseen.
 */
import type { CellOutput, RejectedRowsReport, TableValue } from '../../shared/workbench/protocol.ts';
import { h } from '../dom.ts';
import { tableView } from './table-view.ts';

/** Rejected rows shown without expanding. */
export const FIRST_REJECTED = 5;

const COLUMNS = ['Where', 'Column', 'Reason', 'Line as written'];

/**
 * A rejects output: summary, the first rows, and all of them behind "All N rejected rows".
 *
 * @example
 * outputs.append(rejectsView({ kind: 'rejects', report }));
 */
export function rejectsView(output: Extract<CellOutput, { kind: 'rejects' }>): HTMLElement {
  const { report } = output;
  const rows = report.rows.map(rowCells);
  const head = `${report.source}: ${count(report.rejected)} rejected, ${count(report.rowsRead)} read, sent to the rejects side output`;
  const all = h(
    'details',
    { class: 'rejects-all' },
    h('summary', {}, `All ${report.rejected.toLocaleString('en-US')} rejected rows`),
    tableView({ kind: 'table', columns: COLUMNS, rows }),
    report.rejected > rows.length
      ? h('div', { class: 'output-note' }, `The first ${rows.length.toLocaleString('en-US')} are listed here; all ${report.rejected.toLocaleString('en-US')} went to the rejects side output.`)
      : null,
  );
  return h(
    'div',
    { class: 'output output-rejects', role: 'status', 'data-rejected': report.rejected, 'data-read': report.rowsRead },
    h('div', { class: 'rejects-head' }, head),
    h('div', { class: 'rejects-files' }, tableView({ kind: 'table', columns: ['Rows read', 'Rows rejected', 'File'], rows: fileRows(report) })),
    h('div', { class: 'rejects-first' }, tableView({ kind: 'table', columns: COLUMNS, rows: rows.slice(0, FIRST_REJECTED) })),
    report.rejected > FIRST_REJECTED ? all : null,
  );
}

/** One row per file (numbers first: a path is long); with several files, the rows read are known for all of them together. */
function fileRows(report: RejectedRowsReport): TableValue[][] {
  if (report.files.length === 1) return [[report.rowsRead, report.rejected, report.files[0]!]];
  const perFile = report.files.map((file): TableValue[] => [null, report.rows.filter((r) => r.file === file).length, file]);
  return [...perFile, [report.rowsRead, report.rejected, 'all files']];
}

function rowCells(row: RejectedRowsReport['rows'][number]): TableValue[] {
  const file = row.file.split(/[\\/]/).pop() ?? row.file;
  const reason = `${row.errorType}: ${row.message.split('\n').find((l) => l.trim() !== '')?.trim() ?? ''}`;
  return [row.line === null ? file : `${file}:${row.line}`, row.column, reason, row.text];
}

function count(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`;
}
