/**
 * The grammar's parse tree → Weir's SQL tree (ast.ts). Each construct the planner does not run
 * yet fails here or in the planner with a `SqlUnsupportedError` naming it and its position,
 * never silently. (Flink's counterpart: Calcite's `SqlParser` producing `SqlNode`s.)
 */
import type { ParserRuleContext } from 'antlr4ng';
import * as G from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import type { ColumnDef, Expr, FromItem, OverFrame, ParsedStatement, Query, SelectItem, Statement } from './ast.ts';
import { buildExpression, buildIntervalMs, buildType, identifierText, pos, stringLiteral } from './expression-builder.ts';
import { SqlUnsupportedError, SqlValidationError, type SqlPosition } from './errors.ts';
import type { SessionTvfs } from './window-tvf-session-syntax.ts';

/** Parses SQL text again (for the one ambiguity of the grammar that needs it, see `buildSelectItem`). */
export type Reparse = (sql: string) => G.ProgramContext;
let reparse: Reparse | undefined;
let source = '';
let sessionTvfs: SessionTvfs = new Map();

/** The statements of a parsed program, each with its own text; `sessions`: the SESSION TVFs the parser rewrote. */
export function buildStatements(program: G.ProgramContext, sql: string, parseAgain: Reparse, sessions: SessionTvfs = new Map()): ParsedStatement[] {
  reparse = parseAgain;
  source = sql;
  sessionTvfs = sessions;
  const out: ParsedStatement[] = [];
  for (const single of program.singleStatement()) {
    const stmt = single.sqlStatement();
    if (!stmt) continue;
    const start = stmt.start?.start ?? 0;
    const stop = stmt.stop?.stop ?? sql.length - 1;
    out.push({ statement: buildStatement(stmt), text: sql.slice(start, stop + 1) });
  }
  return out;
}

/** The construct's own words, for error messages: `CREATE FUNCTION`, `UNION`. */
function unsupported(what: string, ctx: ParserRuleContext): never {
  throw new SqlUnsupportedError(what, pos(ctx));
}

function buildStatement(ctx: G.SqlStatementContext): Statement {
  const ddl = ctx.ddlStatement();
  if (ddl) {
    const create = ddl.createTable();
    if (create) {
      const simple = create.simpleCreateTable();
      if (!simple) return unsupported('CREATE TABLE ... AS SELECT', create);
      return buildCreateTable(simple);
    }
    const view = ddl.createView();
    if (view) {
      const names = view.columnNameList()?.columnName().map((c) => identifierText(c));
      return {
        kind: 'createView',
        name: pathText(view.viewPathCreate()),
        ifNotExists: view.ifNotExists() !== null,
        ...(names ? { columns: names } : {}),
        query: buildQuery(view.queryStatement()),
        pos: pos(view),
      };
    }
    const drop = ddl.dropTable();
    if (drop) return { kind: 'dropTable', name: pathText(drop.tablePath()), ifExists: drop.ifExists() !== null, pos: pos(drop) };
    const what = ddl.getChild(0) as ParserRuleContext;
    return unsupported(statementWords(what), what);
  }
  const dml = ctx.dmlStatement();
  if (dml) return buildDml(dml);
  const explain = ctx.explainStatement();
  if (explain) {
    const details = explain.explainDetails();
    if (details) return unsupported(`EXPLAIN ${details.getText().toUpperCase()}`, details);
    const inner = explain.dmlStatement() ? buildDml(explain.dmlStatement()!) : explain.insertSimpleStatement() ? buildInsert(explain.insertSimpleStatement()!) : unsupported('EXPLAIN STATEMENT SET', explain);
    return { kind: 'explain', statement: inner, pos: pos(explain) };
  }
  const set = ctx.setStatement();
  if (set) {
    const prop = set.tableProperty();
    if (!prop) return { kind: 'set', pos: pos(set) };
    const value = prop.tablePropertyValue();
    return { kind: 'set', key: propertyKey(prop.tablePropertyKey()), ...(value ? { value: propertyValue(value) } : {}), pos: pos(set) };
  }
  const what = ctx.getChild(0) as ParserRuleContext;
  return unsupported(statementWords(what), what);
}

function buildDml(dml: G.DmlStatementContext): Extract<Statement, { kind: 'query' | 'insert' }> {
  const query = dml.queryStatement();
  if (query) return { kind: 'query', query: buildQuery(query), pos: pos(query) };
  const insert = dml.insertStatement()!;
  const simple = insert.insertSimpleStatement();
  if (!simple) return unsupported('STATEMENT SET', insert);
  return buildInsert(simple);
}

function buildInsert(simple: G.InsertSimpleStatementContext): Extract<Statement, { kind: 'insert' }> {
  if (simple.KW_OVERWRITE()) return unsupported('INSERT OVERWRITE', simple);
  if (simple.insertPartitionDefinition()) return unsupported('INSERT ... PARTITION', simple);
  const q = simple.queryStatement();
  if (!q) return unsupported('INSERT ... VALUES', simple);
  const columns = simple.columnNameList()?.columnName().map((c) => identifierText(c));
  return { kind: 'insert', table: pathText(simple.tablePath()), ...(columns ? { columns } : {}), query: buildQuery(q), pos: pos(simple) };
}

/** The first words of a statement, upper-cased: `CREATE FUNCTION`, `EXPLAIN`, `SHOW TABLES`. */
function statementWords(ctx: ParserRuleContext): string {
  const words: string[] = [];
  for (let i = 0; i < ctx.getChildCount() && words.length < 2; i++) {
    const text = ctx.getChild(i)!.getText();
    if (!/^[A-Za-z_]+$/.test(text)) break;
    words.push(text.toUpperCase());
  }
  return words.length > 0 ? words.join(' ') : 'this statement';
}

function pathText(ctx: ParserRuleContext): string {
  const ids = (ctx as unknown as { identifier(): G.IdentifierContext[] }).identifier();
  if (ids.length > 1) return unsupported('a catalog or database path in a table name', ctx);
  return identifierText(ids[0]!);
}

/** An option's key or value: 'quoted' text, or a bare word or number as written. */
function propertyText(ctx: ParserRuleContext): string {
  const text = ctx.getText();
  return /^['"`]/.test(text) ? stringLiteral(text) : text;
}
const propertyKey = propertyText;
const propertyValue = propertyText;

function buildCreateTable(ctx: G.SimpleCreateTableContext): Statement {
  if (ctx.partitionDefinition()) unsupported('PARTITIONED BY', ctx.partitionDefinition()!);
  if (ctx.likeDefinition()) unsupported('CREATE TABLE ... LIKE', ctx.likeDefinition()!);
  const columns: ColumnDef[] = [];
  for (const def of ctx.columnOptionDefinition()) {
    const physical = def.physicalColumnDefinition();
    if (physical) {
      columns.push({ name: identifierText(physical.columnNameCreate()), type: buildType(physical.columnType()), pos: pos(physical) });
      continue;
    }
    const computed = def.computedColumnDefinition();
    if (computed) {
      const expr = buildExpression(computed.computedColumnExpression().expression());
      columns.push({ name: identifierText(computed.columnNameCreate()), computed: expr, pos: pos(computed) });
      continue;
    }
    unsupported('a METADATA column', def);
  }
  const wm = ctx.watermarkDefinition();
  const pk = ctx.tableConstraint();
  const options: Record<string, string> = {};
  for (const prop of ctx.withOption().tablePropertyList().tableProperty()) {
    const value = prop.tablePropertyValue();
    if (!value) throw new SqlValidationError(`option '${propertyKey(prop.tablePropertyKey())}' has no value`, pos(prop));
    options[propertyKey(prop.tablePropertyKey())] = propertyValue(value);
  }
  return {
    kind: 'createTable',
    name: pathText(ctx.tablePathCreate()),
    ifNotExists: ctx.ifNotExists() !== null,
    columns,
    ...(wm ? { watermark: { column: identifierText(wm.columnName()), expr: buildExpression(wm.expression()), pos: pos(wm) } } : {}),
    ...(pk ? { primaryKey: pk.columnNameList().columnName().map((c) => identifierText(c)) } : {}),
    options,
    pos: pos(ctx),
  };
}

/** A query: a SELECT, or SELECTs joined by UNION ALL (no UNION, ORDER BY, LIMIT, WITH, VALUES yet). */
export function buildQuery(ctx: G.QueryStatementContext): Query {
  if (ctx.withClause()) return unsupported('WITH', ctx.withClause()!);
  if (ctx.valuesClause()) return unsupported('VALUES', ctx.valuesClause()!);
  if (ctx.KW_UNION() && ctx.KW_ALL() && !ctx.orderByClause() && !ctx.limitClause()) {
    // One flat list of inputs, however the grammar nests `a UNION ALL b UNION ALL c`.
    const inputs = ctx.queryStatement().flatMap((q) => {
      const { unionAll, ...first } = buildQuery(q);
      return [first, ...(unionAll ?? [])];
    });
    return { ...inputs[0]!, unionAll: inputs.slice(1) };
  }
  if (ctx.KW_UNION() || ctx.KW_INTERSECT() || ctx.KW_EXCEPT()) {
    const op = (ctx.KW_UNION() ?? ctx.KW_INTERSECT() ?? ctx.KW_EXCEPT())!;
    throw new SqlUnsupportedError(op.getText().toUpperCase(), { line: op.symbol.line, column: op.symbol.column + 1 });
  }
  if (ctx.orderByClause()) return unsupported('ORDER BY', ctx.orderByClause()!);
  if (ctx.limitClause()) return unsupported('LIMIT', ctx.limitClause()!);
  const inner = ctx.queryStatement();
  if (inner.length === 1) return buildQuery(inner[0]!);
  const select = ctx.selectStatement();
  if (!select) {
    const clause = ctx.selectClause();
    return unsupported('SELECT without FROM', clause ?? ctx);
  }
  if (select.matchRecognizeClause()) return unsupported('MATCH_RECOGNIZE', select.matchRecognizeClause()!);
  if (select.windowClause()) return unsupported('WINDOW', select.windowClause()!);
  const from = select.fromClause();
  if (!from) return unsupported('SELECT without FROM', select);
  const clause = select.selectClause();
  const quantifier = clause.setQuantifier()?.getText().toUpperCase();
  const where = select.whereClause();
  const group = select.groupByClause();
  const having = select.havingClause();
  return {
    kind: 'select',
    distinct: quantifier === 'DISTINCT',
    items: clause.selectList().columnProjectItem().map(buildSelectItem),
    from: buildFrom(from.tableExpression()),
    ...(where ? { where: buildWhere(where) } : {}),
    ...(group ? { groupBy: group.groupItemDefinition().map(buildGroupItem) } : {}),
    ...(having ? { having: buildExpression(having.booleanExpression()) } : {}),
    pos: pos(select),
  };
}

function buildWhere(ctx: G.WhereClauseContext): Expr {
  const cond = ctx.booleanExpression();
  if (cond) return buildExpression(cond);
  const column = ctx.columnNamePathAllowEmpty()!;
  return { kind: 'column', name: identifierText(column), pos: pos(column) };
}

function buildSelectItem(ctx: G.ColumnProjectItemContext): SelectItem {
  const over = ctx.selectWindowItemColumnName()?.overWindowItem();
  if (over) return buildOverItem(over);
  const all = ctx.tableAllColumns();
  if (all) {
    if (ctx.columnAlias()) return unsupported('an alias on *', ctx);
    const ids = all.identifier();
    return { kind: 'star', ...(ids.length > 0 ? { qualifier: identifierText(ids[ids.length - 1]!) } : {}), pos: pos(ctx) };
  }
  const literal = ctx.selectLiteralColumnName();
  const exprCtx = ctx.selectExpressionColumnName();
  let expr: Expr;
  if (literal) {
    expr = columnExpr(literal.columnName());
    // The grammar reads `a - b` as the column `a` with the "alias" `-b`: such an item is read
    // again as `(0) + a - b`, where a constant comes first, and the `(0) +` is taken off.
    const aliasExpr = ctx.expression();
    if (aliasExpr) {
      const alias = buildExpression(aliasExpr);
      if (alias.kind === 'column' && !alias.qualifier) return { kind: 'expr', expr, alias: alias.name, pos: pos(ctx) };
      return readAgainAsExpression(ctx);
    }
  } else if (exprCtx) {
    expr = buildExpression(exprCtx.expression());
  } else {
    return unsupported('this select item', ctx);
  }
  const alias = ctx.columnAlias();
  const aliasName = ctx.columnName();
  return {
    kind: 'expr',
    expr,
    ...(alias ? { alias: identifierText(alias.identifier()) } : aliasName ? { alias: identifierText(aliasName) } : {}),
    pos: pos(ctx),
  };
}

/** `fn() OVER (PARTITION BY ... ORDER BY ... [frame]) AS alias`; a named window is refused. */
function buildOverItem(ctx: G.OverWindowItemContext): SelectItem {
  const spec = ctx.windowSpec();
  if (!spec) return unsupported('OVER a named window', ctx);
  const frameCtx = spec.windowFrame();
  const frame = frameCtx ? buildOverFrame(frameCtx) : undefined;
  const partition = spec.partitionByClause();
  const partitionBy = partition ? [...partition.columnName().map(columnExpr), ...partition.primaryExpression().map(buildExpression)] : [];
  const orderBy = (spec.orderByClause()?.orderItemDefinition() ?? []).map((item) => {
    if (item.KW_NULLS()) unsupported('NULLS FIRST/LAST', item);
    const column = item.columnName();
    return { expr: column ? columnExpr(column) : buildExpression(item.valueExpression()!), descending: item.KW_DESC() !== null, pos: pos(item) };
  });
  // `ROW_NUMBER()`: the grammar gives an empty argument that is no expression.
  const noArgs = /^([A-Za-z_]+)\(\)$/.exec(ctx.primaryExpression().getText());
  const at = pos(ctx.primaryExpression());
  const call: Expr = noArgs ? { kind: 'call', name: noArgs[1]!.toUpperCase(), args: [], distinct: false, star: false, pos: at } : buildExpression(ctx.primaryExpression());
  return { kind: 'over', call, partitionBy, orderBy, ...(frame ? { frame } : {}), alias: identifierText(ctx.identifier()), pos: pos(ctx) };
}

/** `ROWS BETWEEN n PRECEDING AND CURRENT ROW`, `RANGE BETWEEN INTERVAL ... PRECEDING AND CURRENT ROW`, or UNBOUNDED PRECEDING. */
function buildOverFrame(ctx: G.WindowFrameContext): OverFrame {
  const unit = ctx.KW_ROWS() ? 'ROWS' : 'RANGE';
  const at = pos(ctx);
  const interval = ctx.timeIntervalExpression();
  if (interval) return { unit, preceding: buildIntervalMs(interval), pos: at };
  const start = ctx.frameStart();
  const end = ctx.frameEnd();
  // Flink's own refusal: its OVER aggregates end at the current row.
  if (end && !end.KW_CURRENT()) throw new SqlValidationError(`OVER ${unit === 'ROWS' ? 'ROW' : 'RANGE'} FOLLOWING windows are not supported yet.`, pos(end));
  const digits = ctx.DIG_LITERAL() ?? start?.DIG_LITERAL();
  if (start?.KW_UNBOUNDED()) return { unit, preceding: 'UNBOUNDED', pos: at };
  if (unit === 'RANGE' && digits) return unsupported('an OVER RANGE frame of a number (write RANGE BETWEEN INTERVAL ... PRECEDING AND CURRENT ROW)', ctx);
  return { unit, preceding: digits ? Number(digits.getText()) : 0, pos: at };
}

// `(0)`, not `0`: a bare number is a column name to this grammar.
const PREFIX = 'SELECT (0) + ';
const ZERO_COLUMN = 'SELECT ('.length + 1;

function readAgainAsExpression(ctx: G.ColumnProjectItemContext): SelectItem {
  const at = pos(ctx);
  const text = source.slice(ctx.start!.start, ctx.stop!.stop + 1);
  const program = reparse!(`${PREFIX}${text} FROM t`);
  const item = program.singleStatement(0)?.sqlStatement()?.dmlStatement()?.queryStatement()?.selectStatement()?.selectClause().selectList().columnProjectItem(0);
  if (!item?.selectExpressionColumnName()) return unsupported('this select item', ctx);
  const built = buildSelectItem(item);
  if (built.kind !== 'expr') return unsupported('this select item', ctx);
  const shift = (p: SqlPosition): SqlPosition => (p.line === 1 ? { line: at.line, column: at.column + p.column - PREFIX.length - 1 } : { line: at.line + p.line - 1, column: p.column });
  return { kind: 'expr', expr: shiftPositions(withoutZeroPlus(built.expr), shift), ...(built.alias ? { alias: built.alias } : {}), pos: at };
}

/** `expr` with the leading `(0) +` of a re-read item taken off (it binds to the leftmost operand). */
function withoutZeroPlus(e: Expr): Expr {
  if (e.kind === 'binary') {
    if (e.op === '+' && e.left.kind === 'literal' && e.left.value === 0 && e.left.pos.line === 1 && e.left.pos.column === ZERO_COLUMN) return e.right;
    const left = withoutZeroPlus(e.left);
    return { ...e, left, pos: left.pos };
  }
  if (e.kind === 'is' || e.kind === 'between' || e.kind === 'in' || e.kind === 'like') {
    const operand = withoutZeroPlus(e.operand);
    return { ...e, operand, pos: operand.pos } as Expr;
  }
  return e;
}

/** A copy of a tree with every `pos` moved by `shift`. */
function shiftPositions<N>(node: N, shift: (p: SqlPosition) => SqlPosition): N {
  if (Array.isArray(node)) return node.map((n) => shiftPositions(n, shift)) as N;
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'pos' ? shift(v as SqlPosition) : k === 'type' ? v : shiftPositions(v, shift)])) as N;
}

function columnExpr(ctx: G.ColumnNameContext): Expr {
  const uid = ctx.uidAllowEmpty();
  const ids = uid ? uid.identifier().map(identifierText) : [];
  if (ids.length === 0) return unsupported('an empty column name', ctx);
  if (ids.length > 2) return unsupported('a nested field reference', ctx);
  return ids.length === 2 ? { kind: 'column', qualifier: ids[0]!, name: ids[1]!, pos: pos(ctx) } : { kind: 'column', name: ids[0]!, pos: pos(ctx) };
}

function buildGroupItem(ctx: G.GroupItemDefinitionContext): Expr {
  if (ctx.groupWindowFunction()) return unsupported('group window functions (GROUP BY TUMBLE(...)); use the window TVF TABLE(TUMBLE(...))', ctx);
  if (ctx.groupingSets() || ctx.groupingSetsNotationName()) return unsupported('GROUPING SETS, ROLLUP and CUBE', ctx);
  const column = ctx.columnName();
  if (column) return columnExpr(column);
  const exprs = ctx.expression();
  if (exprs.length === 1 && !ctx.LR_BRACKET()) return buildExpression(exprs[0]!);
  return unsupported('this GROUP BY item', ctx);
}

function buildFrom(ctx: G.TableExpressionContext): FromItem {
  if (ctx.KW_JOIN()) {
    if (ctx.KW_NATURAL() || ctx.KW_CROSS()) return unsupported(`${ctx.KW_NATURAL() ? 'NATURAL' : 'CROSS'} JOIN`, ctx);
    const condition = ctx.joinCondition()?.booleanExpression();
    if (!condition) return unsupported('a JOIN without ON (USING)', ctx);
    const [left, right] = ctx.tableExpression();
    return { kind: 'join', type: ctx.KW_LEFT() ? 'LEFT' : ctx.KW_RIGHT() ? 'RIGHT' : ctx.KW_FULL() ? 'FULL' : 'INNER', left: buildFrom(left!), right: buildFrom(right!), on: buildExpression(condition), pos: pos(ctx) };
  }
  if (ctx.inlineDataValueClause()) return unsupported('VALUES in FROM', ctx);
  const tvf = ctx.windowTVFClause();
  if (tvf) return buildWindowTvf(tvf.windowTVFExpression());
  const refs = ctx.tableReference();
  if (refs.length !== 1) return unsupported('a join of tables (FROM a, b)', ctx);
  const ref = refs[0]!;
  const aliasCtx = ref.tableAlias();
  if (aliasCtx?.identifierList()) unsupported('column aliases on a table', aliasCtx);
  const alias = aliasCtx ? { alias: identifierText(aliasCtx.identifier()) } : {};
  const primary = ref.tablePrimary();
  const period = primary.systemTimePeriod();
  const asOf = period ? { asOf: buildExpression(period.dateTimeExpression().expression()) } : {};
  const path = primary.tablePath() ?? primary.viewPath();
  if (path) return { kind: 'table', name: pathText(path), ...alias, ...asOf, pos: pos(primary) };
  if (period) return unsupported('FOR SYSTEM_TIME AS OF a subquery', period);
  const atom = primary.atomExpressionTable();
  if (atom?.queryStatement() && !atom.KW_LATERAL()) return { kind: 'subquery', query: buildQuery(atom.queryStatement()!), ...alias, pos: pos(primary) };
  return unsupported(atom?.KW_UNNEST() ? 'UNNEST' : 'LATERAL TABLE', primary);
}

function buildWindowTvf(ctx: G.WindowTVFExpressionContext): FromItem {
  const nameCtx = ctx.windowTVFName();
  const partitionBy = sessionTvfs.get(nameCtx.start!.start);
  const fn = partitionBy ? 'SESSION' : (nameCtx.getText().toUpperCase() as 'TUMBLE' | 'HOP' | 'CUMULATE');
  let table: string | undefined;
  let timeColumn: string | undefined;
  const intervals: number[] = [];
  for (const param of ctx.windowTVFParam()) {
    if (param.timeIntervalParamName() && param.timeIntervalExpression()) return unsupported('named window TVF arguments (SIZE => ...)', param);
    const attr = param.timeAttrColumn();
    const descriptor = param.columnDescriptor();
    const interval = param.timeIntervalExpression();
    if (attr) {
      const ids = attr.uid().identifier();
      if (ids.length !== 1) return unsupported('a catalog path in a window TVF', attr);
      table = identifierText(ids[0]!);
    } else if (descriptor) {
      timeColumn = identifierText(descriptor.columnName());
    } else if (interval) {
      intervals.push(buildIntervalMs(interval));
    }
  }
  const expected = fn === 'TUMBLE' || fn === 'SESSION' ? 1 : 2;
  const optional = fn === 'SESSION' ? 0 : 1;
  if (!table || !timeColumn || intervals.length < expected || intervals.length > expected + optional) {
    throw new SqlValidationError(`${fn} expects ${WINDOW_TVF_SHAPES[fn]}`, pos(ctx));
  }
  return { kind: 'window', fn, table, timeColumn, intervals, ...(partitionBy && partitionBy.length > 0 ? { partitionBy } : {}), pos: pos(ctx) };
}

const WINDOW_TVF_SHAPES = {
  TUMBLE: 'TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset])',
  HOP: 'HOP(TABLE t, DESCRIPTOR(ts), slide, size [, offset])',
  CUMULATE: 'CUMULATE(TABLE t, DESCRIPTOR(ts), step, size [, offset])',
  SESSION: 'SESSION(TABLE t [PARTITION BY k], DESCRIPTOR(ts), gap)',
};
