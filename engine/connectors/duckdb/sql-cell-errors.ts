/**
 * Where in a SQL cell DuckDB found a problem. DuckDB marks it as `LINE n:` and a caret under
 * the line, but counts lines and columns from the start of the statement text it was given, and
 * for a statement after the first of a multi-statement string it points past the problem (the
 * statement's offset is counted twice). So a cell runs one statement at a time, each padded with
 * the newlines and spaces that come before it in the cell: DuckDB's line is then the cell's line,
 * and its caret the column. The location block is then taken out of the message, which says
 * everything else once.
 */
import { tokenizeSql } from './sql-text.ts';

/** One statement of a cell, padded so that DuckDB's positions are the cell's. */
export interface CellStatement {
  /** The statement with the cell's text before it blanked out (newlines kept). */
  padded: string;
  /** 1-based line and column of its first token in the cell. */
  line: number;
  column: number;
}

/**
 * A SQL cell's failure at a line and column of the cell.
 *
 * @example
 * // SQL cell: Parser Error: syntax error at or near "FORM" (line 2, column 10)
 */
export class SqlCellError extends Error {
  override name = 'SqlCellError';
  /** DuckDB's message without its location block. */
  readonly detail: string;

  constructor(
    detail: string,
    /** 1-based, within the cell. */
    readonly line: number,
    readonly column: number,
    options?: ErrorOptions,
  ) {
    super(`SQL cell: ${detail} (line ${line}, column ${column})`, options);
    this.detail = detail;
  }
}

/**
 * The statements of a cell, empty ones (only spaces and comments) left out.
 *
 * @example
 * cellStatements('SELECT 1;\nSELECT 2').map((s) => [s.line, s.column]); // [[1, 1], [2, 1]]
 */
export function cellStatements(sql: string): CellStatement[] {
  const statements: CellStatement[] = [];
  let start = 0;
  let first: number | undefined;
  const flush = (end: number): void => {
    if (first !== undefined) {
      const before = sql.slice(0, start).replace(/[^\n]/g, ' ');
      const { line, column } = positionOf(sql, first);
      statements.push({ padded: before + sql.slice(start, end), line, column });
    }
    first = undefined;
  };
  for (const token of tokenizeSql(sql)) {
    if (token.kind === 'punct' && token.text === ';') {
      flush(token.end);
      start = token.end;
    } else if (token.kind !== 'space' && token.kind !== 'comment' && first === undefined) {
      first = token.start;
    }
  }
  flush(sql.length);
  return statements;
}

/**
 * The cell error for DuckDB's `message` about `statement` of cell text `sql`: at DuckDB's
 * `LINE n:` and caret when it gave them, else at the statement's start.
 */
export function sqlCellError(message: string, statement: CellStatement, sql: string, cause?: unknown): SqlCellError {
  const lines = message.split('\n');
  const at = lines.findIndex((l) => /^LINE \d+: /.test(l));
  if (at < 0) return new SqlCellError(message.trim(), statement.line, statement.column, { cause });
  const [, lineText, snippet] = /^LINE (\d+): (.*)$/.exec(lines[at]!)!;
  const prefix = lines[at]!.length - snippet!.length;
  const caret = lines[at + 1]?.indexOf('^') ?? -1;
  const line = Number(lineText);
  let column = caret >= prefix ? caret - prefix + 1 : statement.column;
  // A long line is shown as a window of it, between '...'s: find the window in the cell's line.
  if (snippet!.startsWith('...') && caret >= prefix) {
    const window = snippet!.slice(3).replace(/\.\.\.$/, '');
    const found = (sql.split('\n')[line - 1] ?? '').indexOf(window);
    if (found >= 0) column = found + (caret - prefix - 3) + 1;
  }
  const detail = lines
    .filter((_, i) => i !== at && i !== at + 1)
    .join('\n')
    .trim();
  return new SqlCellError(detail, line, Math.max(1, column), { cause });
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}
