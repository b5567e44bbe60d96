/**
 * Flink SQL text → statements, with dt-sql-parser's ANTLR grammar of Flink SQL (a maintained
 * grammar of Flink's dialect, not a hand-written one) and ast-builder.ts. Syntax errors come
 * back as `SqlParseError`s with the line and column of the offending token. This module and the
 * grammar are loaded on first use (table-environment.ts imports it dynamically): the grammar is
 * a megabyte of code that jobs without SQL need not load. (Flink's counterpart is its Calcite
 * parser, `FlinkSqlParserImpl`.)
 */
import { FlinkSQL } from 'dt-sql-parser/dist/parser/flink/index.js';
import type { ParsedStatement } from './ast.ts';
import { buildStatements } from './ast-builder.ts';
import { SqlParseError } from './errors.ts';

let grammar: FlinkSQL | undefined;

/**
 * The statements of `sql` (separated by `;`), or a `SqlParseError` at the first syntax error.
 * `firstLine` shifts reported lines, for SQL that starts inside a larger file (a notebook cell).
 *
 * @example
 * parseSql("SELECT name FROM users WHERE age > 30")[0].statement.kind  // 'query'
 * parseSql("SELEC 1")  // throws SqlParseError: ... (line 1, column 1)
 */
export function parseSql(sql: string): ParsedStatement[] {
  grammar ??= new FlinkSQL();
  const errors: { line: number; column: number; message: string }[] = [];
  const tree = grammar.parse(sql, (e) => errors.push({ line: e.startLine, column: e.startColumn, message: e.message }));
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new SqlParseError(`SQL parse error: ${first.message}`, { line: first.line, column: first.column });
  }
  return buildStatements(tree, sql);
}
