/**
 * OVER aggregations: `SELECT ..., SUM(x) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL
 * '1' MINUTE PRECEDING AND CURRENT ROW) AS s FROM t`. Each input row comes out once, with the
 * aggregates over its frame, when the watermark passes its event time: rows wait in keyed state
 * so that they are taken in event-time order, and a row that comes after the watermark passed it
 * is late and dropped. RANGE frames hold every row with the same time (its peers); ROWS frames
 * count rows, ties in arrival order. The output is append-only. (Flink's counterparts:
 * `StreamPhysicalOverAggregate`, `RowTimeRangeBoundedPrecedingFunction`,
 * `RowTimeRowsBoundedPrecedingFunction`, `RowTimeRangeUnboundedPrecedingFunction`,
 * `RowTimeRowsUnboundedPrecedingFunction`.)
 */
import type { Collector, KeyedProcessContext, KeyedProcessFunction, RuntimeContext } from '../runtime/functions.ts';
import { ValueStateDescriptor } from '../state/descriptors.ts';
import type { ValueState } from '../state/state.ts';
import type { Expr, OverFrame, Query, SelectItem } from './ast.ts';
import { createAggregate, type SqlAggregate } from './aggregates.ts';
import type { Row } from './catalog.ts';
import { RowsAwaitingWatermark } from './rows-awaiting-watermark.ts';
import { SqlUnsupportedError, SqlValidationError } from './errors.ts';
import { compileBoolean, compileExpr, containsAggregate, type CompiledExpr } from './expressions.ts';
import { rowScope, type PlannedTable } from './planner.ts';

/** What planning an OVER aggregation needs of the planner. */
export interface OverPlanner {
  project(q: Query, input: PlannedTable, qualifiers: string[]): PlannedTable;
}

type OverItem = Extract<SelectItem, { kind: 'over' }>;

/** The ranking functions, which run only in Top-N and deduplication. */
export const RANKING_FUNCTIONS = ['ROW_NUMBER', 'RANK', 'DENSE_RANK'];

/** One OVER aggregate: its function, its argument (none for COUNT(*)), and the column it fills. */
interface OverCall {
  agg: SqlAggregate;
  arg: CompiledExpr | undefined;
  column: string;
}

/** The aggregates of each row's frame, for the rows of one partition in event-time order. */
export class OverAggregateFunction implements KeyedProcessFunction<string, Row, Row> {
  /** Rows whose time the watermark has not passed yet, in arrival order. */
  private pending!: RowsAwaitingWatermark;
  /** Bounded frames: the rows a later row's frame may still hold. */
  private history!: ValueState<Row[]>;
  /** Unbounded frames: the accumulators of every row so far. */
  private accumulators!: ValueState<unknown[]>;

  constructor(
    private readonly calls: OverCall[],
    private readonly frame: Omit<OverFrame, 'pos'>,
    private readonly rowtime: string,
  ) {}

  open(ctx: RuntimeContext): void {
    this.pending = new RowsAwaitingWatermark(ctx, 'over-pending', this.rowtime);
    this.history = ctx.getState(new ValueStateDescriptor<Row[]>('over-history'));
    this.accumulators = ctx.getState(new ValueStateDescriptor<unknown[]>('over-accumulators'));
  }

  processElement(row: Row, ctx: KeyedProcessContext<string>, _out: Collector<Row>): void {
    const ts = row[this.rowtime] as number;
    if (ts <= ctx.timerService().currentWatermark()) return;
    this.pending.add(row, ctx);
  }

  onTimer(timestamp: number, _ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const due = this.pending.takeDue(timestamp);
    // A stable sort: rows of one time stay in arrival order.
    due.sort((a, b) => (a[this.rowtime] as number) - (b[this.rowtime] as number));
    for (let i = 0; i < due.length; ) {
      const ts = due[i]![this.rowtime] as number;
      let j = i;
      while (j < due.length && due[j]![this.rowtime] === ts) j++;
      this.emitPeers(due.slice(i, j), ts, out);
      i = j;
    }
  }

  /** The rows of one event time, each with the aggregates of its frame. */
  private emitPeers(peers: Row[], ts: number, out: Collector<Row>): void {
    const { unit, preceding } = this.frame;
    if (preceding === 'UNBOUNDED') {
      let accs = this.accumulators.value() ?? this.calls.map((c) => c.agg.create());
      const add = (row: Row) => (accs = this.calls.map((c, k) => c.agg.add(accs[k], c.arg?.eval(row))));
      if (unit === 'RANGE') peers.forEach(add);
      for (const row of peers) {
        if (unit === 'ROWS') add(row);
        out.collect(this.withResults(row, accs));
      }
      this.accumulators.update(accs);
      return;
    }
    let history = this.history.value() ?? [];
    if (unit === 'RANGE') {
      // Later rows are later in time, so a row older than this frame's start is in none of theirs.
      history = [...history.filter((r) => (r[this.rowtime] as number) >= ts - preceding), ...peers];
      const accs = this.aggregate(history);
      for (const row of peers) out.collect(this.withResults(row, accs));
    } else {
      for (const row of peers) {
        history = [...history, row].slice(-(preceding + 1));
        out.collect(this.withResults(row, this.aggregate(history)));
      }
      history = history.slice(Math.max(0, history.length - preceding));
    }
    if (history.length > 0) this.history.update(history);
    else this.history.clear();
  }

  private aggregate(rows: Row[]): unknown[] {
    return this.calls.map((c) => rows.reduce((acc, row) => c.agg.add(acc, c.arg?.eval(row)), c.agg.create()));
  }

  private withResults(row: Row, accs: unknown[]): Row {
    const out: Row = { ...row };
    this.calls.forEach((c, k) => (out[c.column] = c.agg.result(accs[k])));
    return out;
  }
}

const sameWindow = (a: OverItem, b: OverItem) => {
  const spec = (o: OverItem) => JSON.stringify([o.partitionBy, o.orderBy, o.frame ?? null], (k, v: unknown) => (k === 'pos' ? undefined : v));
  return spec(a) === spec(b);
};

/**
 * Plans a SELECT whose list has OVER aggregates: WHERE, then the OVER aggregation keyed by the
 * PARTITION BY, then the SELECT list over the input's columns and the aggregates (by alias).
 */
export function planOverAggregate(planner: OverPlanner, q: Query, input: PlannedTable, qualifiers: string[]): PlannedTable {
  const overs = q.items.filter((i): i is OverItem => i.kind === 'over');
  const first = overs[0]!;
  for (const over of overs) {
    if (over.call.kind === 'call' && RANKING_FUNCTIONS.includes(over.call.name)) {
      throw new SqlUnsupportedError(
        `${over.call.name}() outside Top-N or deduplication (SELECT ... FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) AS rn FROM t) WHERE rn <= N)`,
        over.pos,
      );
    }
    if (!sameWindow(over, first)) throw new SqlValidationError('Over Agg: Unsupported use of OVER windows. All aggregates must be computed on the same window.', over.pos);
  }
  if (input.updating) throw new SqlValidationError(`StreamPhysicalOverAggregate doesn't support consuming update changes which is produced by node ${input.updating.producer}`, first.pos);
  const order = first.orderBy;
  if (order.length !== 1) throw new SqlValidationError('The window can only be ordered by a single time column.', order[1]?.pos ?? first.pos);
  const sortKey = order[0]!;
  const rowtime = input.schema.rowtime;
  if (sortKey.expr.kind !== 'column' || rowtime === undefined || sortKey.expr.name !== rowtime) {
    throw new SqlValidationError("OVER windows' ordering in stream mode must be defined on a time attribute.", sortKey.pos);
  }
  if (sortKey.descending) throw new SqlValidationError('The window can only be ordered in ASCENDING mode.', sortKey.pos);

  const scope = rowScope(input.schema.columns, qualifiers, input.sides);
  const calls: OverCall[] = overs.map((over) => {
    const call = over.call;
    if (call.kind !== 'call') throw new SqlValidationError(`OVER needs an aggregate call before it, not an expression`, over.pos);
    if (call.args.length > 1) throw new SqlUnsupportedError(`${call.name} with ${call.args.length} arguments`, call.pos);
    if (call.args.length === 0 && !call.star) throw new SqlValidationError(`${call.name}() needs an argument`, call.pos);
    if (call.args[0] && containsAggregate(call.args[0])) throw new SqlValidationError('aggregate calls cannot be nested', call.pos);
    if (input.schema.columns.some((c) => c.name === over.alias)) throw new SqlValidationError(`the OVER aggregate '${over.alias}' has the name of an input column`, over.pos);
    const arg = call.args[0] ? compileExpr(call.args[0], scope) : undefined;
    return { agg: createAggregate(call.name, arg?.type, call.distinct, call.pos), arg, column: over.alias };
  });

  let stream = input.stream;
  if (q.where) {
    const where = compileBoolean(q.where, scope);
    stream = stream.filter((row: Row) => where.eval(row) === true).name('Where');
  }
  const partition = first.partitionBy.map((e: Expr) => compileExpr(e, scope));
  const frame = first.frame ?? { unit: 'RANGE' as const, preceding: 'UNBOUNDED' as const };
  const names = (es: Expr[]) => es.map((e) => (e.kind === 'column' ? e.name : '...')).join(', ');
  const bound = frame.preceding === 'UNBOUNDED' ? 'UNBOUNDED' : frame.unit === 'RANGE' ? `${frame.preceding} ms` : String(frame.preceding);
  const aggregated = stream
    .keyBy((row: Row) => JSON.stringify(partition.map((p) => p.eval(row))))
    .process<Row>(new OverAggregateFunction(calls, { unit: frame.unit, preceding: frame.preceding }, rowtime))
    .name(
      `OverAggregate(partitionBy=[${names(first.partitionBy)}], orderBy=[${rowtime} ASC], window=[${frame.unit} BETWEEN ${bound} PRECEDING AND CURRENT ROW], select=[*, ${overs
        .map((o) => `${o.call.kind === 'call' ? o.call.name : ''}(...) AS ${o.alias}`)
        .join(', ')}])`,
    );
  const table: PlannedTable = {
    schema: { columns: [...input.schema.columns, ...calls.map((c) => ({ name: c.column, type: c.agg.type }))], rowtime },
    stream: aggregated,
  };
  const items: SelectItem[] = q.items.map((i) => (i.kind === 'over' ? { kind: 'expr', expr: { kind: 'column', name: i.alias, pos: i.pos }, alias: i.alias, pos: i.pos } : i));
  const { where: _where, ...withoutWhere } = q;
  return planner.project({ ...withoutWhere, items }, table, qualifiers);
}
