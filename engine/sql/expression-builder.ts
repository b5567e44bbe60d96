/**
 * Expressions, types and literals of the grammar's parse tree → ast.ts nodes. Precedence is
 * the grammar's; this only maps shapes, and names what it does not map yet.
 */
import type { ParserRuleContext } from 'antlr4ng';
import * as G from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import type { BinaryOp, Expr } from './ast.ts';
import { SqlUnsupportedError, SqlValidationError, type SqlPosition } from './errors.ts';
import { MAX_VARCHAR, T, parseTimestamp, type SqlType } from './types.ts';

/** Functions the grammar lexes as keywords, renamed by parser.ts before parsing (same length, so positions hold). */
export const KEYWORD_CALL_NAMES = new Map([
  ['_HAR_LENGTH', 'CHAR_LENGTH'],
  ['_HARACTER_LENGTH', 'CHARACTER_LENGTH'],
  ['_QRT', 'SQRT'],
]);

/** 1-based line and column of a node's first token. */
export function pos(ctx: ParserRuleContext): SqlPosition {
  return { line: ctx.start?.line ?? 1, column: (ctx.start?.column ?? 0) + 1 };
}

function unsupported(what: string, ctx: ParserRuleContext): never {
  throw new SqlUnsupportedError(what, pos(ctx));
}

/** A name as written: backquotes removed (`` `user` `` → user); case kept, as Flink's names are case-sensitive. */
export function identifierText(ctx: ParserRuleContext): string {
  const text = ctx.getText();
  if (text.startsWith('`') && text.endsWith('`') && text.length >= 2) return text.slice(1, -1).replaceAll('``', '`');
  if (text.startsWith('"') || text.startsWith("'")) {
    throw new SqlValidationError(`${text} is not a name: quote names with backquotes (\`name\`)`, pos(ctx));
  }
  return text;
}

/** A '...' literal's text (doubled quotes undone). */
export function stringLiteral(text: string): string {
  return text.slice(1, -1).replaceAll("''", "'");
}

const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1,
  SECOND: 1000,
  SECONDS: 1000,
  MINUTE: 60_000,
  MINUTES: 60_000,
  HOUR: 3_600_000,
  HOURS: 3_600_000,
  DAY: 86_400_000,
  DAYS: 86_400_000,
};

/** `INTERVAL '5' SECOND` → 5000: day-time intervals only (a month has no fixed length). */
export function buildIntervalMs(ctx: G.TimeIntervalExpressionContext): number {
  const multi = ctx.errorCapturingMultiUnitsInterval();
  if (!multi || multi.unitToUnitInterval()) return unsupported(`the interval ${ctx.getText()} (use INTERVAL 'n' SECOND/MINUTE/HOUR/DAY)`, ctx);
  const units = multi.multiUnitsInterval();
  let ms = 0;
  units.intervalValue().forEach((value, i) => {
    const unit = units.timeIntervalUnit(i)!.getText().toUpperCase();
    const factor = UNIT_MS[unit];
    if (factor === undefined) unsupported(`an interval in ${unit} (day-time intervals only: SECOND, MINUTE, HOUR, DAY)`, value);
    const raw = value.STRING_LITERAL() ? stringLiteral(value.STRING_LITERAL()!.getText()) : value.getText();
    const n = Number(raw.trim());
    if (!Number.isFinite(n)) throw new SqlValidationError(`'${raw}' is not a number of ${unit}`, pos(value));
    ms += n * factor!;
  });
  return ms;
}

/** A column type of DDL or CAST. */
export function buildType(ctx: G.ColumnTypeContext): SqlType {
  const name = (ctx._colType?.text ?? ctx.getText()).toUpperCase();
  const one = ctx.lengthOneDimension();
  const length = one ? Number(one.decimalLiteral().getText()) : undefined;
  const two = ctx.lengthTwoOptionalDimension();
  const p = two ? Number(two.decimalLiteral(0)!.getText()) : undefined;
  const s = two?.decimalLiteral(1) ? Number(two.decimalLiteral(1)!.getText()) : undefined;
  switch (name) {
    case 'BOOLEAN':
    case 'DATE':
      return { root: name };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return { root: name };
    case 'INTEGER':
      return T.INT;
    case 'FLOAT':
    case 'DOUBLE':
      return { root: name };
    case 'DECIMAL':
    case 'DEC':
    case 'NUMERIC':
      return { root: 'DECIMAL', precision: p ?? 10, scale: s ?? 0 };
    case 'STRING':
      return T.STRING;
    case 'CHAR':
      return { root: 'CHAR', precision: length ?? 1 };
    case 'VARCHAR':
      return { root: 'VARCHAR', precision: length ?? MAX_VARCHAR };
    case 'TIME':
      return { root: 'TIME', precision: length ?? 0 };
    case 'TIMESTAMP_LTZ':
      return { root: 'TIMESTAMP_LTZ', precision: length ?? 6 };
    case 'TIMESTAMP':
      if (ctx.KW_WITH() && !ctx.KW_LOCAL()) return unsupported('TIMESTAMP WITH TIME ZONE', ctx);
      return { root: ctx.KW_LOCAL() ? 'TIMESTAMP_LTZ' : 'TIMESTAMP', precision: length ?? 6 };
    default:
      return unsupported(`the type ${name}`, ctx);
  }
}

/** Any expression node of the grammar. */
export function buildExpression(ctx: ParserRuleContext): Expr {
  if (ctx instanceof G.ExpressionContext) return buildExpression(ctx.booleanExpression());
  if (ctx instanceof G.LogicalNotContext) return { kind: 'unary', op: 'NOT', operand: buildExpression(ctx.booleanExpression()), pos: pos(ctx) };
  if (ctx instanceof G.LogicalBinaryContext) {
    return { kind: 'binary', op: ctx.KW_AND() ? 'AND' : 'OR', left: buildExpression(ctx.booleanExpression(0)!), right: buildExpression(ctx.booleanExpression(1)!), pos: pos(ctx) };
  }
  if (ctx instanceof G.LogicalNestedContext) {
    const test = ctx.KW_TRUE() ? 'TRUE' : ctx.KW_FALSE() ? 'FALSE' : ctx.KW_UNKNOWN() ? 'UNKNOWN' : 'NULL';
    return { kind: 'is', operand: buildExpression(ctx.booleanExpression()), test, negated: ctx.KW_NOT() !== null, pos: pos(ctx) };
  }
  if (ctx instanceof G.ExistsContext) return unsupported('EXISTS', ctx);
  if (ctx instanceof G.PredicatedContext) {
    const value = buildExpression(ctx.valueExpression());
    const predicate = ctx.predicate();
    return predicate ? buildPredicate(value, predicate) : value;
  }
  if (ctx instanceof G.ValueExpressionDefaultContext) return buildExpression(ctx.primaryExpression());
  if (ctx instanceof G.ComparisonContext) {
    const text = ctx.comparisonOperator().getText();
    const op = text === '!=' ? '<>' : text;
    if (!['=', '<>', '<', '<=', '>', '>='].includes(op)) return unsupported(`the operator ${text}`, ctx.comparisonOperator());
    return { kind: 'binary', op: op as BinaryOp, left: buildExpression(ctx.valueExpression(0)!), right: buildExpression(ctx.valueExpression(1)!), pos: pos(ctx) };
  }
  if (ctx instanceof G.ArithmeticBinaryContext) {
    const op = ctx._operator?.text?.toUpperCase() ?? '';
    if (!['+', '-', '*', '/', '%', '||'].includes(op)) return unsupported(`the operator ${op}`, ctx);
    return { kind: 'binary', op: op as BinaryOp, left: buildExpression(ctx.valueExpression(0)!), right: buildExpression(ctx.valueExpression(1)!), pos: pos(ctx) };
  }
  if (ctx instanceof G.ArithmeticUnaryContext) {
    const op = ctx._operator?.text ?? '';
    if (op !== '-' && op !== '+') return unsupported(`the operator ${op}`, ctx);
    return { kind: 'unary', op, operand: buildExpression(ctx.valueExpression()), pos: pos(ctx) };
  }
  if (ctx instanceof G.ParenthesizedExpressionContext) return buildExpression(ctx.expression());
  if (ctx instanceof G.ColumnReferenceContext) return columnFromIds(ctx.columnNamePath().uid().identifier(), ctx);
  if (ctx instanceof G.DereferenceContext) return columnFromIds(ctx.dereferenceDefinition().uid().identifier(), ctx);
  if (ctx instanceof G.ConstantDefaultContext) return buildConstant(ctx.constant());
  if (ctx instanceof G.FunctionCallContext) return buildCall(ctx.functionCallExpression());
  if (ctx instanceof G.CastContext) return { kind: 'cast', operand: buildExpression(ctx.expression()), type: buildType(ctx.columnType()), pos: pos(ctx) };
  if (ctx instanceof G.SearchedCaseContext || ctx instanceof G.SimpleCaseContext) {
    const whens = ctx.whenClause().map((w) => ({ when: buildExpression(w.expression(0)!), then: buildExpression(w.expression(1)!) }));
    const operand = ctx instanceof G.SimpleCaseContext ? ctx._value : undefined;
    const otherwise = ctx._elseExpression;
    return { kind: 'case', ...(operand ? { operand: buildExpression(operand) } : {}), whens, ...(otherwise ? { otherwise: buildExpression(otherwise) } : {}), pos: pos(ctx) };
  }
  if (ctx instanceof G.ExtractContext) {
    return { kind: 'extract', unit: ctx.identifier().getText().toUpperCase(), operand: buildExpression(ctx.valueExpression()), pos: pos(ctx) };
  }
  if (ctx instanceof G.PositionContext) {
    return { kind: 'call', name: 'POSITION', args: [buildExpression(ctx.valueExpression(0)!), buildExpression(ctx.valueExpression(1)!)], distinct: false, star: false, pos: pos(ctx) };
  }
  if (ctx instanceof G.SubqueryExpressionContext) return unsupported('a subquery in an expression', ctx);
  if (ctx instanceof G.SubscriptContext) return unsupported('subscripts (x[i])', ctx);
  if (ctx instanceof G.FirstContext || ctx instanceof G.LastContext) return unsupported(ctx.getChild(0)!.getText().toUpperCase(), ctx);
  if (ctx instanceof G.StarContext) return unsupported('* in an expression', ctx);
  return unsupported(`the expression ${ctx.getText()}`, ctx);
}

function columnFromIds(ids: G.IdentifierContext[], ctx: ParserRuleContext): Expr {
  const names = ids.map(identifierText);
  if (names.length === 1) return { kind: 'column', name: names[0]!, pos: pos(ctx) };
  if (names.length === 2) return { kind: 'column', qualifier: names[0]!, name: names[1]!, pos: pos(ctx) };
  return unsupported(`the nested field reference ${names.join('.')}`, ctx);
}

function buildPredicate(value: Expr, ctx: G.PredicateContext): Expr {
  const negated = ctx.KW_NOT() !== null;
  const at = pos(ctx);
  const kind = ctx._kind?.text?.toUpperCase();
  if (ctx.KW_BETWEEN()) {
    if (ctx.KW_SYMMETRIC()) return unsupported('BETWEEN SYMMETRIC', ctx);
    return { kind: 'between', operand: value, low: buildExpression(ctx._lower!), high: buildExpression(ctx._upper!), negated, pos: at };
  }
  if (kind === 'IN') {
    if (ctx.queryStatement()) return unsupported('IN (subquery)', ctx);
    return { kind: 'in', operand: value, list: ctx.expression().map(buildExpression), negated, pos: at };
  }
  const like = ctx.likePredicate();
  if (like) {
    if (like._quantifier) return unsupported('LIKE ANY/ALL', like);
    const escape = like.stringLiteral();
    return {
      kind: 'like',
      operand: value,
      pattern: buildExpression(like.valueExpression()!),
      negated: like.KW_NOT() !== null,
      ...(escape ? { escape: stringLiteral(escape.getText()) } : {}),
      pos: at,
    };
  }
  if (ctx.KW_IS() && (kind === 'NULL' || kind === 'TRUE' || kind === 'FALSE' || kind === 'UNKNOWN')) {
    return { kind: 'is', operand: value, test: kind, negated, pos: at };
  }
  if (ctx.KW_IS() && ctx.KW_DISTINCT()) return unsupported('IS DISTINCT FROM', ctx);
  return unsupported(`the predicate ${ctx.getText()}`, ctx);
}

function buildConstant(ctx: G.ConstantContext): Expr {
  const at = pos(ctx);
  const interval = ctx.timeIntervalExpression();
  if (interval) return { kind: 'literal', value: buildIntervalMs(interval), type: T.INTERVAL, pos: at };
  if (ctx.timePointLiteral()) return unsupported(`the literal ${ctx.getText()}`, ctx);
  const str = ctx.stringLiteral();
  if (str) {
    const text = str.getText();
    // The grammar takes `name` in backquotes as a string literal here; in Flink it is a column.
    if (text.startsWith('`')) return { kind: 'column', name: identifierText(str), pos: at };
    if (text.startsWith('"')) throw new SqlValidationError(`${text}: use single quotes for strings and backquotes for names`, at);
    return { kind: 'literal', value: stringLiteral(text), type: { root: 'CHAR', precision: stringLiteral(text).length }, pos: at };
  }
  const dec = ctx.decimalLiteral();
  if (dec) {
    const n = Number(dec.getText()) * (ctx.HYPHEN_SIGN() ? -1 : 1);
    if (!Number.isSafeInteger(n)) return unsupported(`the integer literal ${dec.getText()} beyond 2^53`, ctx);
    return { kind: 'literal', value: n, type: Math.abs(n) <= 2147483647 ? T.INT : T.BIGINT, pos: at };
  }
  const bool = ctx.booleanLiteral();
  if (bool) return { kind: 'literal', value: bool.getText().toUpperCase() === 'TRUE', type: T.BOOLEAN, pos: at };
  const real = ctx.REAL_LITERAL();
  if (real) {
    const text = real.getText();
    if (/e/i.test(text)) return { kind: 'literal', value: Number(text), type: T.DOUBLE, pos: at };
    const [int = '', frac = ''] = text.split('.');
    return { kind: 'literal', value: Number(text), type: { root: 'DECIMAL', precision: Math.max(1, int.length + frac.length), scale: frac.length }, pos: at };
  }
  if (ctx.KW_NULL() && !ctx.KW_NOT()) return { kind: 'literal', value: null, type: T.NULL, pos: at };
  return unsupported(`the literal ${ctx.getText()}`, ctx);
}

function buildCall(ctx: G.FunctionCallExpressionContext): Expr {
  const at = pos(ctx);
  const noParams = ctx.reservedKeywordsNoParamsUsedAsFuncName();
  if (noParams) return { kind: 'call', name: noParams.getText().toUpperCase(), args: [], distinct: false, star: false, pos: at };
  const typed = ctx.functionNameAndParams();
  if (typed) {
    const interval = typed.timeIntervalExpression();
    if (interval) return { kind: 'literal', value: buildIntervalMs(interval), type: T.INTERVAL, pos: at };
    const kind = typed.reservedKeywordsFollowParamsUsedAsFuncName()!.getText().toUpperCase();
    const text = stringLiteral(typed.STRING_LITERAL()!.getText());
    if (kind === 'TIMESTAMP') {
      const ms = parseTimestamp(text);
      if (ms === null) throw new SqlValidationError(`'${text}' is not a TIMESTAMP: expected 'yyyy-MM-dd HH:mm:ss[.SSS]'`, at);
      return { kind: 'literal', value: ms, type: T.TIMESTAMP3, pos: at };
    }
    if (kind === 'DATE') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new SqlValidationError(`'${text}' is not a DATE: expected 'yyyy-MM-dd'`, at);
      return { kind: 'literal', value: text, type: T.DATE, pos: at };
    }
    return unsupported(`the literal ${kind} '${text}'`, ctx);
  }
  const nameCtx = ctx.functionNameWithParams()!;
  const uid = nameCtx.uid();
  if (uid && uid.identifier().length > 1) return unsupported(`the qualified function name ${uid.getText()}`, nameCtx);
  const name = KEYWORD_CALL_NAMES.get((uid ? identifierText(uid.identifier(0)!) : nameCtx.getText()).toUpperCase()) ?? (uid ? identifierText(uid.identifier(0)!) : nameCtx.getText()).toUpperCase();
  const quantifier = ctx.setQuantifier()?.getText().toUpperCase();
  let star = false;
  const args: Expr[] = [];
  for (const param of ctx.functionParam()) {
    const expr = param.expression();
    const keyword = param.reservedKeywordsUsedAsFuncParam();
    const unit = param.timeIntervalUnit() ?? param.timePointUnit();
    if (keyword?.getText() === '*' || (expr && expr.getText() === '*')) star = true;
    else if (expr) args.push(buildExpression(expr));
    else if (unit) args.push({ kind: 'unit', unit: unit.getText().toUpperCase(), pos: pos(param) });
    else return unsupported(`this argument of ${name}`, param);
  }
  return { kind: 'call', name, args, distinct: quantifier === 'DISTINCT', star, pos: at };
}
