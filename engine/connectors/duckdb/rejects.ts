import type { DuckDBConnection } from '@duckdb/node-api';
import { REJECTED_FIELD, type RejectedRow } from '../../api/duckdb.ts';
import { safeInteger } from './values.ts';

/**
 * Reads and clears the rows DuckDB set aside during this connection's `store_rejects` scans
 * (its temporary `reject_errors` / `reject_scans` tables, which accumulate per connection).
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

/** A rejected row as the source emits it, for `routeRejects` to pick out. */
export function rejectedRecord(row: RejectedRow): Record<string, unknown> {
  return { [REJECTED_FIELD]: row };
}
