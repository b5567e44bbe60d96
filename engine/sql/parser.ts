/**
 * Flink SQL text → statements, with dt-sql-parser's ANTLR grammar of Flink SQL (a maintained
 * grammar of Flink's dialect, not a hand-written one) and ast-builder.ts. Syntax errors come
 * back as `SqlParseError`s with the line and column of the offending token. This module and the
 * grammar are loaded on first use (table-environment.ts imports it dynamically): the grammar is
 * a megabyte of code that jobs without SQL need not load. (Flink's counterpart is its Calcite
 * parser, `FlinkSqlParserImpl`.)
 */
import { PredictionMode } from 'antlr4ng';
import { ErrorStrategy } from 'dt-sql-parser/dist/parser/common/errorStrategy.js';
import { FlinkSQL } from 'dt-sql-parser/dist/parser/flink/index.js';
import type { Expr, ParsedStatement } from './ast.ts';
import { buildStatements } from './ast-builder.ts';
import { KEYWORD_CALL_NAMES } from './expression-builder.ts';
import { SqlParseError } from './errors.ts';
import { rewriteSessionTvfs, type SessionTvfs } from './window-tvf-session-syntax.ts';

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
  const { tree, sessions } = parseProgram(sql);
  return buildStatements(tree, sql, (again) => parseProgram(again).tree, sessions);
}

function parseProgram(sql: string): { tree: ReturnType<typeof parseWith>['tree']; sessions: SessionTvfs } {
  grammar ??= new FlinkSQL();
  const g = grammar;
  const renamed = renameKeywordCalls(g, sql);
  // The grammar lacks the SESSION window TVF: it reads a TUMBLE written over it, at the same length.
  const { sql: text, sessions } = /SESSION/i.test(sql) ? rewriteSessionTvfs(renamed, g.getAllTokens(sql)) : { sql: renamed, sessions: new Map<number, string[]>() };
  // ANTLR's two-stage parse: the fast SLL prediction first, full LL only when SLL fails (SLL
  // alone, as dt-sql-parser runs it, refuses valid input such as `ABS(b) + f(b)`).
  let { tree, errors } = parseWith(grammar, text, PredictionMode.SLL);
  if (errors.length > 0) ({ tree, errors } = parseWith(grammar, text, PredictionMode.LL));
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new SqlParseError(`SQL parse error: ${first.message}`, { line: first.line, column: first.column });
  }
  return { tree, sessions };
}

/**
 * Functions of Flink that the grammar lexes as keywords and then refuses as calls
 * (`CHAR_LENGTH(s)` fails to parse in dt-sql-parser 4.5), under a name of the same length
 * that lexes as an identifier, so positions stay as written; ast-builder.ts maps them back.
 */
const KEYWORD_CALLS: Record<string, string> = Object.fromEntries([...KEYWORD_CALL_NAMES].map(([alias, name]) => [name, alias]));

function parseWith(g: FlinkSQL, sql: string, mode: number) {
  const errors: { line: number; column: number; message: string }[] = [];
  const parser = g.createParser(sql, (e) => errors.push({ line: e.startLine, column: e.startColumn, message: e.message }));
  parser.interpreter.predictionMode = mode;
  parser.buildParseTrees = true;
  parser.errorHandler = new ErrorStrategy();
  return { tree: parser.program(), errors };
}

function renameKeywordCalls(g: FlinkSQL, sql: string): string {
  if (!/CHAR_LENGTH|CHARACTER_LENGTH|SQRT/i.test(sql)) return sql;
  const tokens = g.getAllTokens(sql);
  let out = sql;
  tokens.forEach((t, i) => {
    const alias = KEYWORD_CALLS[(t.text ?? '').toUpperCase()];
    if (!alias) return;
    let next = i + 1;
    while (next < tokens.length && /^\s+$/.test(tokens[next]!.text ?? '')) next++;
    if (tokens[next]?.text !== '(') return;
    out = out.slice(0, t.start) + alias + out.slice(t.stop + 1);
  });
  return out;
}

/**
 * One SQL expression on its own (a watermark of a `Schema`), positions as in `text`.
 *
 * @example parseExpression("ts - INTERVAL '5' SECOND")
 */
export function parseExpression(text: string): Expr {
  const prefix = 'SELECT ';
  let parsed: ParsedStatement[];
  try {
    parsed = parseSql(`${prefix}${text} FROM t`);
  } catch (e) {
    if (e instanceof SqlParseError && e.position?.line === 1) throw new SqlParseError(e.reason, { line: 1, column: Math.max(1, e.position.column - prefix.length) });
    throw e;
  }
  const s = parsed[0]?.statement;
  const item = s?.kind === 'query' ? s.query.items[0] : undefined;
  if (parsed.length !== 1 || s?.kind !== 'query' || s.query.items.length !== 1 || item?.kind !== 'expr' || item.alias) {
    throw new SqlParseError(`not one SQL expression: ${text}`);
  }
  return item.expr;
}
