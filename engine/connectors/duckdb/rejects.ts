import type { DuckDBConnection } from '@duckdb/node-api';
import { REJECTED_FIELD, type RejectedRow } from '../../api/duckdb.ts';
import { safeInteger } from './values.ts';

/**
 * Reads and clears the rows DuckDB set aside during this connection's `store_rejects` scans
 * (its temporary `reject_errors` / `reject_scans` tables, which accumulate per connection), one
 * per line of input.
 * Resolves with none when no scan stored rejects.
 */
export async function takeRejectedRows(conn: DuckDBConnection): Promise<RejectedRow[]> {
  let rows: Record<string, unknown>[];
  try {
    const reader = await conn.runAndReadAll(
      `SELECT s.file_path, e.line, e.column_name, e.error_type, e.error_message, e.csv_line
       FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id)
       ORDER BY e.scan_id, e.file_id, e.line, e.column_idx`,
    );
    rows = reader.getRowObjects() as Record<string, unknown>[];
  } catch (e) {
    // No scan stored rejects on this connection: the tables do not exist.
    if (/reject_(errors|scans)/.test(String((e as Error).message))) return [];
    throw e;
  }
  await clearRejectedRows(conn);
  // DuckDB records a short line once per missing column: one rejected row per line, its first error.
  const seen = new Set<string>();
  rows = rows.filter((r) => {
    if (r['line'] === null) return true;
    const key = `${String(r['file_path'])}\u0000${String(r['line'])}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return rows.map((r) => ({
    file: String(r['file_path']),
    line: r['line'] === null ? null : Number(safeInteger(r['line'] as bigint)),
    column: (r['column_name'] as string | null) ?? null,
    errorType: String(r['error_type']),
    message: String(r['error_message']),
    text: (r['csv_line'] as string | null) ?? null,
  }));
}

/** Empties the reject tables (after a scan whose rejects must not be reported, e.g. a count). */
export async function clearRejectedRows(conn: DuckDBConnection): Promise<void> {
  try {
    await conn.run('DELETE FROM reject_errors; DELETE FROM reject_scans;');
  } catch {
    // Nothing stored yet.
  }
}

/** Rejected rows a summary or an error shows in full. */
const SHOWN = 3;

/** One rejected row as a line: `file:line: TYPE: message (line as written)`. */
export function describeRejectedRow(row: RejectedRow): string {
  const where = row.line === null ? row.file : `${row.file}:${row.line}`;
  const column = row.column ? ` in column "${row.column}"` : '';
  const text = row.text === null ? '' : ` — ${JSON.stringify(row.text.length > 200 ? `${row.text.slice(0, 200)}…` : row.text)}`;
  return `${where}: ${row.errorType}${column}: ${firstLine(row.message)}${text}`;
}

/** "2 rows rejected in a.csv, b.csv" and the first few, one per line; `total` counts rows not in `rows`. */
function summary(rows: RejectedRow[], total = rows.length, where = ''): string {
  const files = [...new Set(rows.map((r) => r.file))];
  const head = `${total} ${total === 1 ? 'row' : 'rows'} rejected in ${files.slice(0, SHOWN).join(', ')}${files.length > SHOWN ? ', …' : ''}${where}:`;
  const shown = rows.slice(0, SHOWN).map((r) => `  ${describeRejectedRow(r)}`);
  if (total > SHOWN) shown.push(`  … and ${total - SHOWN} more`);
  return [head, ...shown].join('\n');
}

/**
 * A source met rows it cannot read and nobody asked for them (no `rejects` side output): the
 * job fails, naming the files, the lines and why, rather than going on with some rows missing.
 */
export class RejectedRowsError extends Error {
  override name = 'RejectedRowsError';
  constructor(
    what: string,
    /** The rejected rows, or the first of them. */
    readonly rows: RejectedRow[],
    /** How many rows were rejected. */
    readonly total = rows.length,
  ) {
    super(`${what}: ${summary(rows, total)}\nFix the input, or route such rows to a side output: { rejects: new OutputTag<RejectedRow>('rejects') }`);
  }
}

/** Rejected rows a report carries at most (the cell lists them; all of them go to the side output). */
export const MAX_REPORTED_ROWS = 1000;

/** What a source tells about the rows it sent to its `rejects` side output (plain data). */
export interface RejectedRowsReport {
  /** The source, as errors name it: `fromDuckDB 'DuckDB'`, `replay 'Replay'`. */
  source: string;
  /** The files the rejected rows are in. */
  files: string[];
  /** Rows the reader read well from the same scan. */
  rowsRead: number;
  /** How many rows were rejected. */
  rejected: number;
  /** The first `MAX_REPORTED_ROWS` of them. */
  rows: RejectedRow[];
}

/** The `kind` that marks a console argument as a rejected-rows report. */
const REPORT_KIND = 'weir.rejected-rows';

/**
 * A rejected-rows report as a console argument: plain stderr (`weir run`) prints its summary
 * text, and the consoles that route output to notebook cells (the host's, a taskmanager's for
 * the workbench) recognise it by its `kind` and show it as a structured output. The console is
 * the seam every deployment already routes to the cell that started the job.
 */
interface ReportArgument {
  kind: typeof REPORT_KIND;
  report: RejectedRowsReport;
}

/**
 * The report a console argument carries, if it is one.
 *
 * @example
 * const report = rejectedRowsReportOf(args[0]);
 * if (report) context.output({ kind: 'rejects', report });
 */
export function rejectedRowsReportOf(value: unknown): RejectedRowsReport | undefined {
  return value !== null && typeof value === 'object' && (value as ReportArgument).kind === REPORT_KIND ? (value as ReportArgument).report : undefined;
}

/**
 * Tells the cell (or `weir run`'s stderr) how many rows went to the `rejects` side output, and
 * the first few: a side output nobody looks at must not hide that the input was bad.
 */
export function reportRejectedRows(what: string, rows: RejectedRow[], rowsRead: number): void {
  if (rows.length === 0) return;
  const text = `${what}: ${summary(rows, rows.length, ', sent to the rejects side output')}`;
  const report: RejectedRowsReport = { source: what, files: [...new Set(rows.map((r) => r.file))], rowsRead, rejected: rows.length, rows: rows.slice(0, MAX_REPORTED_ROWS).map(clipped) };
  const argument = { kind: REPORT_KIND, report, [Symbol.for('nodejs.util.inspect.custom')]: () => text };
  console.warn(argument);
}

/** Characters of a rejected row's line and message a report keeps (a line may be megabytes). */
const MAX_REPORTED_TEXT = 1000;

function clipped(row: RejectedRow): RejectedRow {
  const clip = (text: string): string => (text.length > MAX_REPORTED_TEXT ? `${text.slice(0, MAX_REPORTED_TEXT)}…` : text);
  return { ...row, message: clip(row.message), text: row.text === null ? null : clip(row.text) };
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line.trim();
}

/** A rejected row as the source emits it, for `routeRejects` to pick out. */
export function rejectedRecord(row: RejectedRow): Record<string, unknown> {
  return { [REJECTED_FIELD]: row };
}
