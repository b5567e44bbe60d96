/**
 * Top-N and deduplication: `SELECT ... FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY k ORDER
 * BY o) AS rn FROM t) WHERE rn <= N`. Flink plans the pattern as a Rank, or as a Deduplicate when
 * it keeps one row ordered by the event-time attribute and does not output rn:
 *
 * - Deduplicate (keep first row on rowtime ascending, last on descending): a new row replaces the
 *   kept one when it is earlier (first) or not earlier (last): +I for a key's first row, then -U
 *   of the old row and +U of the new one (Flink's `RowTimeDeduplicateFunction`).
 * - Top-N: the partition's rows in order (for an insert-only input only the first N, as a row
 *   beyond can never enter). A change emits what it changed in the ranks: with rn in the output,
 *   -U/+U for each rank whose row changed and +I for a rank newly filled (`-U[b, 2] +U[x, 2]
 *   +I[b, 3]` when x enters ahead of b), as Flink's `AppendOnlyTopNFunction`; without rn, -D of
 *   the row that fell out and +I of the one that came in. Over an updating input a -U or -D
 *   takes its row out of the ranks (Flink's `RetractableTopNFunction`; its final state is the
 *   same).
 *
 * Partitioned by window_start and window_end over a window TVF or window aggregate, it is a
 * Window Top-N (or window deduplication) instead: append-only, each window's ranks emitted once
 * when it ends (window-rank.ts).
 *
 * In batch mode each partition emits its final ranks as +I at the end of input. (Flink's
 * counterparts: `StreamPhysicalRank`, `StreamPhysicalDeduplicate` and the functions above.)
 */
import type { RuntimeMode } from '../runtime/host.ts';
import type { Collector, KeyedProcessContext, KeyedProcessFunction, RuntimeContext } from '../runtime/functions.ts';
import { ValueStateDescriptor } from '../state/descriptors.ts';
import type { ValueState } from '../state/state.ts';
import type { Expr, FromItem, OrderItem, Query, SelectItem, WindowTvf } from './ast.ts';
import type { Row } from './catalog.ts';
import { isAccumulate, kindOf, withKind, withoutKind, type RowKind } from './changelog.ts';
import { SqlUnsupportedError, SqlValidationError, type SqlPosition } from './errors.ts';
import { compareValues, compileBoolean, compileExpr, type CompiledExpr } from './expressions.ts';
import { rowScope, type PlannedTable } from './planner.ts';
import { T } from './types.ts';
import { WindowRankFunction } from './window-rank.ts';

/** What planning a rank needs of the planner. */
export interface RankPlanner {
  planFrom(from: Extract<FromItem, { kind: 'table' | 'subquery' | 'join' }>): { table: PlannedTable; qualifiers: string[] };
  windowTable(tvf: WindowTvf): { table: PlannedTable; qualifiers: string[] };
  project(q: Query, input: PlannedTable, qualifiers: string[]): PlannedTable;
}

/** Orders two rows by the ORDER BY keys: NULL first on ascending keys, last on descending (Flink's default). */
type RowOrder = (a: Row, b: Row) => number;

function rowOrder(keys: { expr: CompiledExpr; descending: boolean }[]): RowOrder {
  return (a, b) => {
    for (const { expr, descending } of keys) {
      const x = expr.eval(a);
      const y = expr.eval(b);
      const c = x === null || x === undefined ? (y === null || y === undefined ? 0 : -1) : y === null || y === undefined ? 1 : compareValues(x, y);
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  };
}

const same = (a: Row, b: Row) => JSON.stringify(a) === JSON.stringify(b);

/** The ranks `start`..`end` (1-based) of one partition, and what a change did to them. */
class TopNFunction implements KeyedProcessFunction<string, Row, Row> {
  private state!: ValueState<Row[]>;

  constructor(
    private readonly order: RowOrder,
    private readonly start: number,
    private readonly end: number,
    /** The rn column, when the query outputs it. */
    private readonly rankColumn: string | undefined,
    /** Keep every row (an updating input may retract one of the first N). */
    private readonly keepAll: boolean,
    private readonly batch: boolean,
  ) {}

  open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<Row[]>('top-n'));
  }

  processElement(input: Row, ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const row = withoutKind(input);
    const rows = this.state.value() ?? [];
    const before = rows.slice(this.start - 1, this.end);
    if (isAccumulate(kindOf(input))) {
      // After the rows it ties with, as Flink appends a row to its sort key's list.
      let at = rows.length;
      while (at > 0 && this.order(rows[at - 1]!, row) > 0) at--;
      if (!this.keepAll && at >= this.end) return;
      rows.splice(at, 0, row);
      if (!this.keepAll && rows.length > this.end) rows.length = this.end;
    } else {
      const at = rows.findIndex((r) => same(r, row));
      if (at < 0) return;
      rows.splice(at, 1);
    }
    if (rows.length === 0) this.state.clear();
    else this.state.update(rows);
    if (this.batch) ctx.timerService().registerProcessingTimeTimer(0);
    else this.emitChanges(before, rows.slice(this.start - 1, this.end), out);
  }

  onTimer(_timestamp: number, _ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const rows = (this.state.value() ?? []).slice(this.start - 1, this.end);
    rows.forEach((row, i) => out.collect(this.ranked(row, i)));
  }

  private emitChanges(before: Row[], after: Row[], out: Collector<Row>): void {
    const emit = (row: Row, i: number, kind: RowKind) => out.collect(withKind(this.ranked(row, i), kind));
    if (this.rankColumn !== undefined) {
      for (let i = 0; i < Math.max(before.length, after.length); i++) {
        const old = before[i];
        const now = after[i];
        if (old && now) {
          if (!same(old, now)) {
            emit(old, i, '-U');
            emit(now, i, '+U');
          }
        } else if (now) emit(now, i, '+I');
        else if (old) emit(old, i, '-D');
      }
      return;
    }
    const gone = before.filter((r) => !after.some((a) => same(a, r)));
    const came = after.filter((r) => !before.some((b) => same(b, r)));
    for (const r of gone) out.collect(withKind({ ...r }, '-D'));
    for (const r of came) out.collect(withKind({ ...r }, '+I'));
  }

  /** The row at index `i` of the emitted ranks, with its rank number when the query outputs it. */
  private ranked(row: Row, i: number): Row {
    return this.rankColumn === undefined ? { ...row } : { ...row, [this.rankColumn]: this.start + i };
  }
}

/** Keeps one row per key by event time: the first (earliest) or the last (latest). */
class RowTimeDeduplicateFunction implements KeyedProcessFunction<string, Row, Row> {
  private state!: ValueState<Row>;

  constructor(
    private readonly rowtime: string,
    private readonly keepLast: boolean,
    private readonly batch: boolean,
  ) {}

  open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<Row>('deduplicate'));
  }

  processElement(row: Row, ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const prev = this.state.value();
    const t = row[this.rowtime] as number;
    const keep = !prev || (this.keepLast ? (prev[this.rowtime] as number) <= t : t < (prev[this.rowtime] as number));
    if (!keep) return;
    this.state.update(row);
    if (this.batch) ctx.timerService().registerProcessingTimeTimer(0);
    else if (!prev) out.collect(withKind({ ...row }, '+I'));
    else {
      out.collect(withKind({ ...prev }, '-U'));
      out.collect(withKind({ ...row }, '+U'));
    }
  }

  onTimer(_timestamp: number, _ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const row = this.state.value();
    if (row) out.collect({ ...row });
  }
}

/** The AND-ed parts of a condition. */
export function conjuncts(e: Expr | undefined): Expr[] {
  if (!e) return [];
  return e.kind === 'binary' && e.op === 'AND' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

function isRank(e: Expr, alias: string): boolean {
  return e.kind === 'column' && e.name === alias;
}

/** The rank range the outer WHERE sets on `alias` (rn <= N, rn < N, rn = N, rn > / >= N, BETWEEN), and its other conditions. */
function rankRange(where: Expr | undefined, alias: string, pos: SqlPosition): { start: number; end: number; rest: Expr[] } {
  let start = 1;
  let end = Infinity;
  const rest: Expr[] = [];
  const bound = (e: Expr) => {
    if (e.kind !== 'literal' || typeof e.value !== 'number' || !Number.isInteger(e.value)) throw new SqlUnsupportedError(`a bound on ${alias} that is not an integer literal`, e.pos);
    return e.value;
  };
  for (const c of conjuncts(where)) {
    if (c.kind === 'between' && !c.negated && isRank(c.operand, alias)) {
      start = Math.max(start, bound(c.low));
      end = Math.min(end, bound(c.high));
      continue;
    }
    if (c.kind !== 'binary' || !['=', '<', '<=', '>', '>='].includes(c.op) || !(isRank(c.left, alias) || isRank(c.right, alias))) {
      rest.push(c);
      continue;
    }
    // Written either way round: `rn <= 3` or `3 >= rn`.
    const flipped = isRank(c.right, alias);
    const op = flipped ? ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[c.op] ?? c.op : c.op;
    const n = bound(flipped ? c.left : c.right);
    if (op === '=') {
      start = Math.max(start, n);
      end = Math.min(end, n);
    } else if (op === '<') end = Math.min(end, n - 1);
    else if (op === '<=') end = Math.min(end, n);
    else if (op === '>') start = Math.max(start, n + 1);
    else start = Math.max(start, n);
  }
  if (end === Infinity) throw new SqlUnsupportedError(`ROW_NUMBER() without an upper bound on '${alias}' in the outer WHERE (Top-N needs WHERE ${alias} <= N)`, pos);
  if (start > end || end < 1) throw new SqlValidationError(`the rank range of '${alias}' is empty (${start} to ${end})`, pos);
  return { start, end, rest };
}

/**
 * The window bounds of `input` when the OVER partitions by both (Window Top-N), else undefined.
 * An updating input is never windowed: window TVFs and window aggregates are insert-only.
 */
function windowOf(input: PlannedTable, partitionBy: Expr[]): PlannedTable['window'] {
  const partitioned = (name: string) => partitionBy.some((e) => e.kind === 'column' && e.name === name);
  return input.window && !input.updating && partitioned(input.window.start) && partitioned(input.window.end) ? input.window : undefined;
}

/** Whether `items` or `conditions` read the column `name` (a `*` reads every column). */
function reads(items: SelectItem[], conditions: Expr[], name: string): boolean {
  const mentions = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(mentions);
    if (node === null || typeof node !== 'object') return false;
    const n = node as { kind?: string; name?: string };
    if (n.kind === 'column' && n.name === name) return true;
    return Object.entries(node).some(([k, v]) => k !== 'pos' && k !== 'type' && mentions(v));
  };
  return items.some((i) => i.kind === 'star') || mentions(items) || mentions(conditions);
}

/**
 * Plans the outer query of a Top-N or deduplication: `outer` selects from the subquery `from`,
 * whose SELECT list has the ROW_NUMBER() OVER item.
 */
export function planRank(planner: RankPlanner, outer: Query, from: Extract<FromItem, { kind: 'subquery' }>, mode: RuntimeMode): PlannedTable {
  const inner = from.query;
  const overs = inner.items.filter((i): i is Extract<SelectItem, { kind: 'over' }> => i.kind === 'over');
  const over = overs[0]!;
  if (overs.length > 1) throw new SqlUnsupportedError('more than one OVER item in a SELECT', overs[1]!.pos);
  if (over.call.kind !== 'call' || over.call.name !== 'ROW_NUMBER' || over.call.args.length > 0) {
    throw new SqlUnsupportedError(`${over.call.kind === 'call' ? over.call.name : 'this'} OVER (...) (only ROW_NUMBER() runs, in Top-N and deduplication)`, over.pos);
  }
  if (over.orderBy.length === 0) throw new SqlValidationError('ROW_NUMBER() OVER (...) needs an ORDER BY', over.pos);
  if (inner.unionAll || inner.groupBy || inner.having || inner.distinct) throw new SqlUnsupportedError('ROW_NUMBER() OVER in a grouped query or a UNION; rank a subquery instead', over.pos);
  const { start, end, rest } = rankRange(outer.where, over.alias, outer.pos);

  const { table: input, qualifiers } = inner.from.kind === 'window' ? planner.windowTable(inner.from) : planner.planFrom(inner.from);
  const scope = rowScope(input.schema.columns, qualifiers, input.sides);
  if (input.schema.columns.some((c) => c.name === over.alias)) throw new SqlValidationError(`the rank column '${over.alias}' has the name of an input column`, over.pos);
  let stream = input.stream;
  if (inner.where) {
    const where = compileBoolean(inner.where, scope);
    stream = stream.filter((row: Row) => where.eval(row) === true).name('Where');
  }
  const partition = over.partitionBy.map((e) => compileExpr(e, scope));
  const orderKeys = over.orderBy.map((o: OrderItem) => ({ expr: compileExpr(o.expr, scope), descending: o.descending }));
  const outputsRank = reads(outer.items, rest, over.alias);
  const sortKey = over.orderBy[0]!.expr;
  const onRowtime = over.orderBy.length === 1 && sortKey.kind === 'column' && sortKey.name === input.schema.rowtime;
  const batch = mode === 'batch';
  const partitionNames = over.partitionBy.map((e) => (e.kind === 'column' ? e.name : '...')).join(', ');
  const orderNames = over.orderBy.map((o) => `${o.expr.kind === 'column' ? o.expr.name : '...'} ${o.descending ? 'DESC' : 'ASC'}`).join(', ');
  let producer: string;
  let fn: KeyedProcessFunction<string, Row, Row>;
  const window = windowOf(input, over.partitionBy);
  if (inner.from.kind === 'window' && !window) {
    throw new SqlUnsupportedError('ROW_NUMBER() over a window TVF without PARTITION BY window_start, window_end (Window Top-N ranks within each window)', over.pos);
  }
  if (window) {
    const dedup = !outputsRank && start === 1 && end === 1 && onRowtime;
    producer = dedup
      ? `WindowDeduplicate(keep=[${over.orderBy[0]!.descending ? 'LastRow' : 'FirstRow'}], partitionKeys=[${partitionNames}], order=[ROWTIME])`
      : `WindowRank(rankType=[ROW_NUMBER], rankRange=[rankStart=${start}, rankEnd=${end}], partitionBy=[${partitionNames}], orderBy=[${orderNames}], select=[*${outputsRank ? `, ${over.alias}` : ''}])`;
    fn = new WindowRankFunction(rowOrder(orderKeys), start, end, outputsRank ? over.alias : undefined, window.end);
  } else if (!outputsRank && start === 1 && end === 1 && onRowtime && !input.updating) {
    const keepLast = over.orderBy[0]!.descending;
    producer = `Deduplicate(keep=[${keepLast ? 'LastRow' : 'FirstRow'}], key=[${partitionNames}], order=[ROWTIME])`;
    fn = new RowTimeDeduplicateFunction(input.schema.rowtime!, keepLast, batch);
  } else {
    producer = `Rank(strategy=[${input.updating ? 'RetractStrategy' : 'AppendFastStrategy'}], rankType=[ROW_NUMBER], rankRange=[rankStart=${start}, rankEnd=${end}], partitionBy=[${partitionNames}], orderBy=[${orderNames}], select=[*${outputsRank ? `, ${over.alias}` : ''}])`;
    fn = new TopNFunction(rowOrder(orderKeys), start, end, outputsRank ? over.alias : undefined, input.updating !== undefined, batch);
  }
  const ranked = stream
    .keyBy((row: Row) => JSON.stringify(partition.map((p) => p.eval(row))))
    .process<Row>(fn)
    .name(producer);
  const updating = batch || window ? undefined : { producer };
  // The subquery's SELECT list over the ranked rows: its `*` is the input's columns, rn the rank.
  const rankedTable: PlannedTable = {
    schema: { columns: [...input.schema.columns, { name: over.alias, type: T.BIGINT }] },
    stream: ranked,
    ...(updating ? { updating } : {}),
  };
  const items: SelectItem[] = inner.items.flatMap((i): SelectItem[] => {
    if (i.kind === 'over') return [{ kind: 'expr', expr: { kind: 'column', name: over.alias, pos: i.pos }, alias: over.alias, pos: i.pos }];
    if (i.kind === 'star') return input.schema.columns.map((c) => ({ kind: 'expr', expr: { kind: 'column', name: c.name, pos: i.pos }, pos: i.pos }));
    return [i];
  });
  const { where: _where, ...withoutWhere } = inner;
  const subquery = planner.project({ ...withoutWhere, items }, rankedTable, qualifiers);
  const { where: _outerWhere, ...outerWithoutWhere } = outer;
  const restWhere = rest.reduce<Expr | undefined>((acc, c) => (acc ? { kind: 'binary', op: 'AND', left: acc, right: c, pos: c.pos } : c), undefined);
  return planner.project({ ...outerWithoutWhere, ...(restWhere ? { where: restWhere } : {}) }, subquery, from.alias ? [from.alias] : []);
}
