/**
 * DuckDB's errors made readable in a job failure: DuckDB already names the file, the line and
 * often the column of bad input, but across several lines of advice. `DuckDBQueryError` pulls
 * those facts out (as fields and as the first line of the message) and keeps DuckDB's text.
 */

/** Where in which file DuckDB found a problem, when it said so. */
export interface InputLocation {
  file?: string;
  line?: number;
  column?: string;
}

/**
 * A failed DuckDB query of a source or sink, with the location of the bad input when DuckDB
 * reported one.
 *
 * @example
 * // fromDuckDB 'trips': CSV error in trips.csv, line 26002: Expected Number of Columns: 3 Found: 2
 */
export class DuckDBQueryError extends Error {
  override name = 'DuckDBQueryError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: string | undefined;
  /** DuckDB's own message, whole. */
  readonly duckdbMessage: string;

  constructor(what: string, cause: unknown, fallbackFile?: string) {
    const raw = cause instanceof Error ? cause.message : String(cause);
    const loc = locateInputError(raw);
    if (!loc.file && fallbackFile) loc.file = fallbackFile;
    super(`${what}: ${summarize(raw, loc)}\n${indent(raw)}`, { cause });
    this.file = loc.file;
    this.line = loc.line;
    this.column = loc.column;
    this.duckdbMessage = raw;
  }
}

/** Reads file, line and column out of a DuckDB error message. */
export function locateInputError(message: string): InputLocation {
  const loc: InputLocation = {};
  const file =
    /^\s*file = (.+)$/m.exec(message)?.[1] ??
    /in file "([^"]+)"/.exec(message)?.[1] ??
    /No files found that match the pattern "([^"]+)"/.exec(message)?.[1] ??
    /(?:Cannot open file|Could not open file|File) "([^"]+)"/i.exec(message)?.[1] ??
    /when sniffing file "([^"]+)"/.exec(message)?.[1];
  if (file) loc.file = file.trim();
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1] ?? /\bin line (\d+)/.exec(message)?.[1] ?? /\bline[: ]+(\d+)/i.exec(message)?.[1];
  if (line) loc.line = Number(line);
  const column = /converting column "([^"]+)"/.exec(message)?.[1] ?? /\bcolumn "([^"]+)"/.exec(message)?.[1];
  if (column) loc.column = column;
  return loc;
}

function summarize(raw: string, loc: InputLocation): string {
  const lines = raw.split('\n').map((l) => l.trim());
  let first = lines[0]!;
  // "CSV Error on Line: 12" says where; the reason is on a later line.
  if (/CSV Error on Line/.test(first)) {
    const reason = lines.slice(1).find((l) => l && !/^(Original Line|Possible fixes)/.test(l));
    if (reason) first = `${first}: ${reason}`;
  }
  const where = [loc.file && `in ${loc.file}`, loc.line !== undefined && `line ${loc.line}`, loc.column && `column "${loc.column}"`].filter(Boolean).join(', ');
  return where ? `${first} (${where})` : first;
}

function indent(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 12)
    .map((l) => `  | ${l}`)
    .join('\n');
}
