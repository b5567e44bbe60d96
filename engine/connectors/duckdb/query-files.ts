/**
 * The files a source's query names, resolved against the job's base directory (the notebook's
 * folder) rather than the working directory of whichever process runs the reader, and checked
 * before DuckDB reads them: a missing file fails the job naming the absolute path looked at.
 * (Flink's FileSource likewise resolves its paths when the job is built, not per worker.)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { expandGlob } from './splits.ts';
import { fileLiterals, isGlob, quoteLiteral } from './sql-text.ts';

/** A file a query names that is not there. */
export class MissingInputError extends Error {
  override name = 'MissingInputError';
  constructor(
    what: string,
    /** The absolute path (or glob) looked at. */
    readonly file: string,
    written: string,
    baseDir: string | undefined,
  ) {
    const relative = written !== file && baseDir ? ` ('${written}' in the query, relative to ${baseDir})` : '';
    super(`${what}: no file matches ${file}${relative}`);
  }
}

/** Whether a path names something other than a local file (http://, s3://, ...). */
function isRemote(file: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(file);
}

/** A database option resolved against the base directory (':memory:' and absent stay as they are). */
export function resolveDatabase(database: string | undefined, baseDir: string | undefined): string | undefined {
  if (!database || database === ':memory:' || !baseDir || isRemote(database)) return database;
  return path.resolve(baseDir, database);
}

/**
 * `sql` with each relative file it reads made absolute against `baseDir`, after checking that
 * every local file (or glob) it names matches something.
 *
 * @example
 * await resolveQueryFiles(conn, "SELECT * FROM 'data/x.csv'", '/home/me/notebooks', "fromDuckDB 'x'");
 * // "SELECT * FROM '/home/me/notebooks/data/x.csv'"
 */
export async function resolveQueryFiles(conn: DuckDBConnection, sql: string, baseDir: string | undefined, what: string): Promise<string> {
  let out = sql;
  // Back to front, so the offsets of earlier literals stay valid.
  for (const token of fileLiterals(sql).reverse()) {
    const written = token.value ?? '';
    if (!written || isRemote(written)) continue;
    const file = baseDir ? path.resolve(baseDir, written) : path.resolve(written);
    const found = isGlob(file) ? (await expandGlob(conn, file)).length > 0 : existsSync(file);
    if (!found) throw new MissingInputError(what, file, written, baseDir);
    if (file !== written) out = out.slice(0, token.start) + quoteLiteral(file) + out.slice(token.end);
  }
  return out;
}
