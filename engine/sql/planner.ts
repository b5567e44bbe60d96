/**
 * Plans SQL queries onto the DataStream API: a table scan becomes a source (with its computed
 * columns and watermark), WHERE and the SELECT list a filter and a map, a window TVF with
 * `GROUP BY window_start, window_end[, keys]` a keyed event-time window with incremental
 * aggregates (insert-only, as Flink's window aggregation), `INSERT INTO` a sink. Each table
 * reference scans its source anew, as in Flink. (Flink's counterparts: the planner's
 * `StreamPhysicalCalc`, `StreamPhysicalWindowAggregate`, `StreamPhysicalTableSourceScan`.)
 */
import type { DataStream } from '../api/datastream.ts';
import type { StreamExecutionEnvironment } from '../api/environment.ts';
import { WatermarkStrategy } from '../runtime/watermarks.ts';
import type { TimeWindow } from '../runtime/windowing/windows.ts';
import type { Expr, FromItem, Query, SelectItem, Statement, WindowTvf } from './ast.ts';
import { createAggregate, type SqlAggregate } from './aggregates.ts';
import { castFunction } from './casts.ts';
import type { Catalog, CatalogTable, Column, Row, TableSchema } from './catalog.ts';
import { ROW_KIND } from './changelog.ts';
import { tableSink, tableSource } from './connectors.ts';
import { planGroupAggregate } from './group-aggregate.ts';
import { planJoin } from './join.ts';
import { planOverAggregate, RANKING_FUNCTIONS } from './over-aggregate.ts';
import { planRank } from './rank.ts';
import { planUnionAll } from './union.ts';
import { SqlUnsupportedError, SqlValidationError, type SqlPosition } from './errors.ts';
import { compileBoolean, compileExpr, containsAggregate, type CompiledExpr, type Scope } from './expressions.ts';
import { T, comparable, formatType, isTimestamp, type SqlType } from './types.ts';
import type { WindowColumns } from './window-rank.ts';
import { describeWindow, windowTvfAssigner } from './window-tvf-assigners.ts';

/** A planned table: its schema, and the stream of its rows (objects keyed by column name). */
export interface PlannedTable {
  schema: TableSchema;
  stream: DataStream<Row>;
  /**
   * Set when the rows are a changelog with updates (each row's kind in `ROW_KIND`, see
   * changelog.ts): the operator that makes them, as Flink names it in errors. Absent: insert-only.
   */
  updating?: { producer: string };
  /**
   * The tables a join's rows come from: the names each may be qualified with, and its columns'
   * names in the joined row (a name both sides have is renamed on the right: `id0`).
   */
  sides?: { qualifiers: string[]; names: Record<string, string> }[];
  /** The columns holding each row's window bounds, when the rows come from a window TVF or window aggregate (Window Top-N ranks them per window). */
  window?: WindowColumns;
}

/** One column of a SELECT list, compiled. */
export interface SelectListItem {
  name: string;
  expr: CompiledExpr;
  source?: string;
}

/**
 * The SELECT list evaluated for each row, as a map; over a changelog (`updating`) each row keeps
 * its kind. (Flink's `Calc` passes the `RowKind` of its input row on in the same way.)
 */
export function mapChanges(stream: DataStream<Row>, names: string[], exprs: CompiledExpr[], updating: boolean): DataStream<Row> {
  return stream.map((row: Row) => {
    const out: Row = {};
    for (let k = 0; k < names.length; k++) out[names[k]!] = exprs[k]!.eval(row);
    if (updating) out[ROW_KIND] = row[ROW_KIND];
    return out;
  });
}

const WINDOW_COLUMNS = ['window_start', 'window_end', 'window_time'];

/**
 * The columns of a table as a scope; `qualifiers` are the names it may be qualified with, `sides`
 * those of a join's tables (`o.id`, `p.id`; an unqualified name both have is ambiguous).
 */
export function rowScope(columns: Column[], qualifiers: string[], sides: PlannedTable['sides'] = []): Scope {
  const byName = new Map(columns.map((c) => [c.name, c]));
  return {
    column(written, qualifier, pos) {
      let name = written;
      const side = qualifier === undefined ? undefined : sides.find((s) => s.qualifiers.includes(qualifier));
      if (side) {
        const joined = side.names[written];
        if (joined === undefined) throw new SqlValidationError(`Column '${written}' not found in table '${qualifier}'`, pos);
        name = joined;
      } else if (qualifier !== undefined && !qualifiers.includes(qualifier)) {
        throw new SqlValidationError(`Table '${qualifier}' not found in FROM`, pos);
      } else if (qualifier === undefined && sides.filter((s) => s.names[written] !== undefined).length > 1) {
        throw new SqlValidationError(`Column '${written}' is ambiguous: qualify it with its table`, pos);
      }
      const c = byName.get(name);
      if (!c) throw new SqlValidationError(`Column '${name}' not found in ${describeColumns(columns)}`, pos);
      return { type: c.type, eval: (row: Row) => row[name] ?? null };
    },
  };
}

function describeColumns(columns: Column[]): string {
  return columns.length > 12 ? 'the input' : `[${columns.map((c) => c.name).join(', ')}]`;
}

/** Flink's window start for a timestamp: `TimeWindow.getWindowStartWithOffset`. */
export function windowStart(ts: number, offset: number, size: number): number {
  const remainder = (ts - offset) % size;
  return remainder < 0 ? ts - (remainder + size) : ts - remainder;
}

/** Plans queries and inserts against one catalog, adding their operators to one environment. */
export class Planner {
  constructor(
    private readonly env: StreamExecutionEnvironment,
    private readonly catalog: Catalog,
  ) {}

  /** The rows a table reference reads: a connector's source, a view's query, or a registered stream. */
  scan(name: string, pos: SqlPosition): PlannedTable {
    const table = this.catalog.get(name, pos);
    switch (table.kind) {
      case 'stream':
        return { schema: table.schema, stream: table.stream, ...(table.updating ? { updating: table.updating } : {}) };
      case 'view': {
        const planned = this.planQuery(table.query);
        return table.columns ? renameColumns(planned, table.columns, pos) : planned;
      }
      case 'connector':
        return this.scanConnector(table);
    }
  }

  private scanConnector(table: Extract<CatalogTable, { kind: 'connector' }>): PlannedTable {
    let stream = tableSource(this.env, table);
    const { schema } = table;
    if (table.computed.length > 0) {
      const scope = rowScope(table.physical, [table.name]);
      const computed = table.computed.map((c) => ({ name: c.name, expr: compileExpr(c.expr, scope) }));
      const names = schema.columns.map((c) => c.name);
      stream = stream
        .map((row: Row) => {
          const out: Row = {};
          for (const c of computed) out[c.name] = c.expr.eval(row);
          for (const n of names) if (!(n in out)) out[n] = row[n] ?? null;
          return out;
        })
        .name(`computed columns of ${table.name}`);
    }
    if (table.watermark) stream = assignWatermarks(stream, table.name, schema, table.watermark);
    return { schema, stream };
  }

  /** Plans a SELECT. */
  planQuery(q: Query): PlannedTable {
    if (q.unionAll) {
      const { unionAll, ...first } = q;
      return planUnionAll([first, ...unionAll].map((input) => this.planQuery(input)), q.pos);
    }
    if (q.distinct) return this.planDistinct(q);
    const grouped = q.groupBy !== undefined || q.having !== undefined || q.items.some((i) => i.kind === 'expr' && containsAggregate(i.expr));
    const overAggregate = !grouped && q.items.some((i) => i.kind === 'over');
    if (q.from.kind === 'window') {
      if (grouped) return this.planWindowAggregate(q, q.from);
      if (!overAggregate) return this.planWindowTable(q, q.from);
    }
    if (!grouped && q.from.kind === 'subquery' && q.from.query.items.some(isRanking)) return planRank(this, q, q.from, this.env.mode);
    const input = q.from.kind === 'window' ? this.windowTable(q.from) : this.planFrom(q.from);
    if (grouped) return planGroupAggregate(q, input.table, input.qualifiers, this.env.mode, (scope) => this.selectList(q.items, [], scope));
    if (overAggregate) return planOverAggregate(this, q, input.table, input.qualifiers);
    return this.project(q, input.table, input.qualifiers);
  }

  /**
   * `SELECT DISTINCT items FROM ...` as Flink plans it: a group aggregation by every column of
   * the SELECT list, without aggregates (an updating result in streaming mode).
   */
  private planDistinct(q: Query): PlannedTable {
    const rows = this.planQuery({ ...q, distinct: false });
    const columns = rows.schema.columns.map((c) => ({ kind: 'column' as const, name: c.name, pos: q.pos }));
    const grouped: Query = { kind: 'select', distinct: false, items: columns.map((expr) => ({ kind: 'expr', expr, pos: q.pos })), from: { kind: 'subquery', query: q, pos: q.pos }, groupBy: columns, pos: q.pos };
    return planGroupAggregate(grouped, rows, [], this.env.mode, (scope) => this.selectList(grouped.items, [], scope));
  }

  /** @internal The rows of a FROM that is a table or a subquery, and the names that qualify its columns. */
  planFrom(from: Exclude<FromItem, WindowTvf>, temporal = false): { table: PlannedTable; qualifiers: string[] } {
    if (from.kind === 'table') {
      if (from.asOf && !temporal) throw new SqlUnsupportedError('FOR SYSTEM_TIME AS OF anywhere but the right side of a join (a temporal join)', from.pos);
      return { table: this.scan(from.name, from.pos), qualifiers: [from.alias ?? from.name] };
    }
    if (from.kind === 'join') {
      if (from.left.kind === 'window' || from.right.kind === 'window') throw new SqlUnsupportedError('a join of a window TVF (Window Join)', from.pos);
      return { table: planJoin(from, this.planFrom(from.left), this.planFrom(from.right, true), this.env.mode), qualifiers: [] };
    }
    return { table: this.planQuery(from.query), qualifiers: from.alias ? [from.alias] : [] };
  }

  /** WHERE and the SELECT list of an ungrouped query, as one map (and a filter before it). */
  project(q: Query, input: PlannedTable, qualifiers: string[]): PlannedTable {
    const scope = rowScope(input.schema.columns, qualifiers, input.sides);
    let stream = input.stream;
    if (q.where) {
      const where = compileBoolean(q.where, scope);
      stream = stream.filter((row: Row) => where.eval(row) === true).name('Where');
    }
    const items = this.selectList(q.items, input.schema.columns, scope);
    const names = items.map((i) => i.name);
    const exprs = items.map((i) => i.expr);
    const rowtime = input.schema.rowtime;
    const keepsRowtime = items.find((i) => i.source !== undefined && i.source === rowtime);
    stream = mapChanges(stream, names, exprs, input.updating !== undefined).name(`Select ${names.join(', ')}`);
    return {
      schema: { columns: items.map((i) => ({ name: i.name, type: i.expr.type })), ...(keepsRowtime ? { rowtime: keepsRowtime.name } : {}) },
      stream,
      ...(input.updating ? { updating: input.updating } : {}),
    };
  }

  /** The SELECT list: `*` expanded, names from aliases or columns, else Flink's `EXPR$n`; duplicates renamed (a, a0). */
  selectList(items: SelectItem[], columns: Column[], scope: Scope): SelectListItem[] {
    const out: SelectListItem[] = [];
    items.forEach((item, index) => {
      if (item.kind === 'over') throw new SqlUnsupportedError('an OVER aggregate in a query with GROUP BY or aggregates (aggregate in a subquery first)', item.pos);
      if (item.kind === 'star') {
        for (const c of columns) out.push({ name: c.name, expr: scope.column(c.name, undefined, item.pos), source: c.name });
        return;
      }
      const expr = compileExpr(item.expr, scope);
      const source = item.expr.kind === 'column' ? item.expr.name : undefined;
      out.push({ name: item.alias ?? source ?? `EXPR$${index}`, expr, ...(source !== undefined ? { source } : {}) });
    });
    const seen = new Set<string>();
    for (const item of out) {
      let name = item.name;
      for (let n = 0; seen.has(name); n++) name = `${item.name}${n}`;
      seen.add(name);
      item.name = name;
    }
    return out;
  }

  /** The input of a window TVF, checked: DESCRIPTOR names its event-time attribute, PARTITION BY its columns. */
  private windowInput(tvf: WindowTvf): PlannedTable {
    const input = this.scan(tvf.table, tvf.pos);
    const column = input.schema.columns.find((c) => c.name === tvf.timeColumn);
    if (!column) throw new SqlValidationError(`Column '${tvf.timeColumn}' of DESCRIPTOR not found in ${describeColumns(input.schema.columns)}`, tvf.pos);
    if (input.schema.rowtime !== tvf.timeColumn) {
      throw new SqlValidationError(
        `The window function requires the timecol to be a time attribute: '${tvf.timeColumn}' of '${tvf.table}' is not one (declare it with WATERMARK FOR ${tvf.timeColumn} AS ...)`,
        tvf.pos,
      );
    }
    for (const key of tvf.partitionBy ?? []) {
      if (!input.schema.columns.some((c) => c.name === key)) throw new SqlValidationError(`Column '${key}' of PARTITION BY not found in ${describeColumns(input.schema.columns)}`, tvf.pos);
    }
    return input;
  }

  /** A window TVF without aggregation: its SELECT list over the window table's rows. */
  private planWindowTable(q: Query, tvf: WindowTvf): PlannedTable {
    const { table, qualifiers } = this.windowTable(tvf);
    return this.project(q, table, qualifiers);
  }

  /** @internal A window TVF's rows: each row once per window it falls in, with window_start, window_end, window_time. */
  windowTable(tvf: WindowTvf): { table: PlannedTable; qualifiers: string[] } {
    const input = this.windowInput(tvf);
    const assigner = windowTvfAssigner(tvf);
    const rowtime = tvf.timeColumn;
    const withWindow = (row: Row, w: TimeWindow): Row => ({ ...row, window_start: w.start, window_end: w.end, window_time: w.end - 1 });
    const noClock = { currentProcessingTime: () => 0 };
    // A session is known once it closes: its rows wait in a session window of their partition.
    const windowed =
      tvf.fn === 'SESSION'
        ? keyByColumns(input.stream, tvf.partitionBy ?? [])
            .window(assigner)
            .process<Row>({
              process(_key, ctx, rows, out) {
                for (const row of rows) out.collect(withWindow(row, ctx.window as TimeWindow));
              },
            })
            .name(`WindowTableFunction(window=[${describeWindow(tvf)}])`)
        : input.stream
            .flatMap<Row>((row: Row, out) => {
              for (const w of assigner.assignWindows(row, row[rowtime] as number, noClock)) out.collect(withWindow(row, w));
            })
            .name(`WindowTableFunction(window=[${describeWindow(tvf)}])`);
    const columns = [...input.schema.columns, ...WINDOW_COLUMNS.map((name) => ({ name, type: T.TIMESTAMP3 }))];
    // The window table's rows keep their own timestamps (but for SESSION, whose rows leave when
    // their session closes), so the time column stays their time attribute and window_time is not one.
    const schema = { columns, ...(tvf.fn === 'SESSION' ? {} : { rowtime }) };
    return { table: { schema, stream: windowed, window: { start: 'window_start', end: 'window_end' } }, qualifiers: [tvf.table, ...(tvf.alias ? [tvf.alias] : [])] };
  }

  /** GROUP BY window_start, window_end[, keys] over a window TVF: one insert-only row per window and key. */
  private planWindowAggregate(q: Query, tvf: WindowTvf): PlannedTable {
    const input = this.windowInput(tvf);
    const qualifiers = [tvf.table, ...(tvf.alias ? [tvf.alias] : [])];
    const inputScope = rowScope(input.schema.columns, qualifiers);
    const groupBy = q.groupBy ?? [];
    const groupNames = groupBy.map((g) => {
      if (g.kind !== 'column') throw new SqlUnsupportedError('GROUP BY an expression (group by columns)', g.pos);
      return g.name;
    });
    if (!groupNames.includes('window_start') || !groupNames.includes('window_end')) {
      throw new SqlUnsupportedError(
        'an aggregation over a window TVF that does not GROUP BY both window_start and window_end',
        groupBy[0]?.pos ?? q.pos,
      );
    }
    const keyNames = groupNames.filter((n) => !WINDOW_COLUMNS.includes(n));
    const keys = keyNames.map((name, index) => ({ name, index }));
    const keyExprs = keyNames.map((n) => inputScope.column(n, undefined, groupBy.find((g) => g.kind === 'column' && g.name === n)!.pos));

    // After aggregation a row is { k: key values, a: aggregate results, ws, we }.
    const aggregates: { agg: SqlAggregate; arg?: CompiledExpr }[] = [];
    const aggScope: Scope = {
      column(name, qualifier, pos) {
        if (qualifier !== undefined && !qualifiers.includes(qualifier)) throw new SqlValidationError(`Table '${qualifier}' not found in FROM`, pos);
        if (name === 'window_start') return { type: T.TIMESTAMP3, eval: (r) => r.ws };
        if (name === 'window_end') return { type: T.TIMESTAMP3, eval: (r) => r.we };
        if (name === 'window_time') return { type: T.TIMESTAMP3, eval: (r) => r.we - 1 };
        const key = keys.find((k) => k.name === name);
        if (key) return { type: keyExprs[key.index]!.type, eval: (r) => r.k[key.index] };
        inputScope.column(name, undefined, pos); // an unknown column says so first
        throw new SqlValidationError(`Expression '${name}' is not being grouped`, pos);
      },
      aggregate(call) {
        if (call.args.length > 1) throw new SqlUnsupportedError(`${call.name} with ${call.args.length} arguments`, call.pos);
        if (call.args.length === 0 && !call.star) throw new SqlValidationError(`${call.name}() needs an argument`, call.pos);
        const arg = call.args[0] ? compileExpr(call.args[0], inputScope) : undefined;
        if (arg && call.args[0] && containsAggregate(call.args[0])) throw new SqlValidationError('aggregate calls cannot be nested', call.pos);
        const agg = createAggregate(call.name, arg?.type, call.distinct, call.pos);
        const index = aggregates.push({ agg, ...(arg ? { arg } : {}) }) - 1;
        return { type: agg.type, eval: (r) => r.a[index] };
      },
    };
    const items = this.selectList(q.items, [], aggScope);
    const having = q.having ? compileBoolean(q.having, aggScope) : undefined;

    let stream = input.stream;
    if (q.where) {
      const where = compileBoolean(q.where, inputScope);
      stream = stream.filter((row: Row) => where.eval(row) === true).name('Where');
    }
    // Sessions are found per PARTITION BY value, so those columns must be grouped on; the other
    // window TVFs partition by the group keys themselves.
    const partition = tvf.fn === 'SESSION' ? (tvf.partitionBy ?? []) : keyNames;
    const ungrouped = partition.find((p) => !keyNames.includes(p));
    if (ungrouped !== undefined) throw new SqlUnsupportedError(`a SESSION window whose PARTITION BY column '${ungrouped}' is not a GROUP BY column`, tvf.pos);
    const aggs = aggregates.map((a) => a.agg);
    const args = aggregates.map((a) => a.arg);
    /** One window's accumulators, per group key (as JSON) within the partition: `{ k: key values, a: accumulators }`. */
    type Acc = Record<string, { k: unknown[]; a: unknown[] }>;
    const names = items.map((i) => i.name);
    const exprs = items.map((i) => i.expr);
    const aggregated = keyByColumns(stream, partition)
      .window(windowTvfAssigner(tvf))
      .aggregate<Acc, Acc, Row>(
        {
          createAccumulator: () => ({}),
          add: (row: Row, acc: Acc) => {
            const k = keyExprs.map((e) => e.eval(row));
            const group = (acc[JSON.stringify(k)] ??= { k, a: aggs.map((g) => g.create()) });
            for (let i = 0; i < aggs.length; i++) group.a[i] = aggs[i]!.add(group.a[i], args[i] ? args[i]!.eval(row) : undefined);
            return acc;
          },
          getResult: (acc: Acc) => acc,
          merge: (x: Acc, y: Acc) => {
            const merged: Acc = { ...x };
            for (const [key, g] of Object.entries(y)) merged[key] = merged[key] ? { k: g.k, a: aggs.map((f, i) => f.merge(merged[key]!.a[i], g.a[i])) } : g;
            return merged;
          },
        },
        {
          process(_key, ctx, results, out) {
            const w = ctx.window as TimeWindow;
            for (const acc of results) for (const g of Object.values(acc)) out.collect({ k: g.k, a: aggs.map((f, i) => f.result(g.a[i])), ws: w.start, we: w.end });
          },
        },
      )
      .name(`WindowAggregate(${keyNames.length ? `groupBy=[${keyNames.join(', ')}], ` : ''}window=[${describeWindow(tvf)}])`);
    const filtered = having ? aggregated.filter((r) => having.eval(r) === true).name('Having') : aggregated;
    const out = filtered
      .map((r: Row) => {
        const row: Row = {};
        for (let k = 0; k < names.length; k++) row[names[k]!] = exprs[k]!.eval(r);
        return row;
      })
      .name(`Select ${names.join(', ')}`);
    // Window results carry the window's last millisecond as their timestamp: window_time is their rowtime.
    const windowTime = q.items.find((i) => i.kind === 'expr' && i.expr.kind === 'column' && i.expr.name === 'window_time');
    const rowtimeName = windowTime ? items[q.items.indexOf(windowTime)]?.name : undefined;
    const bound = (column: string) => items[q.items.findIndex((i) => i.kind === 'expr' && i.expr.kind === 'column' && i.expr.name === column)]?.name;
    const [start, end] = [bound('window_start'), bound('window_end')];
    return {
      schema: { columns: items.map((i) => ({ name: i.name, type: i.expr.type })), ...(rowtimeName ? { rowtime: rowtimeName } : {}) },
      stream: out,
      ...(start !== undefined && end !== undefined ? { window: { start, end } } : {}),
    };
  }

  /** `INSERT INTO sink SELECT ...`: the query's columns by position into the sink's, cast where the types differ. */
  planInsert(stmt: Extract<Statement, { kind: 'insert' }>): DataStream<never> {
    const target = this.catalog.get(stmt.table, stmt.pos);
    if (target.kind !== 'connector') throw new SqlValidationError(`'${stmt.table}' is a view: INSERT INTO needs a table with a connector`, stmt.pos);
    const planned = this.planQuery(stmt.query);
    const sinkColumns = stmt.columns
      ? stmt.columns.map((n) => {
          const c = target.physical.find((p) => p.name === n);
          if (!c) throw new SqlValidationError(`Column '${n}' not found in table '${stmt.table}'`, stmt.pos);
          return c;
        })
      : target.physical;
    const source = planned.schema.columns;
    if (source.length !== sinkColumns.length) {
      throw new SqlValidationError(
        `Column types of query result and sink for '${stmt.table}' do not match: the query gives ${source.length} columns [${source.map((c) => c.name).join(', ')}], the sink takes ${sinkColumns.length} [${sinkColumns.map((c) => c.name).join(', ')}]`,
        stmt.query.pos,
      );
    }
    const moves = sinkColumns.map((c, k) => {
      const from = source[k]!;
      if (!comparable(from.type, c.type)) {
        throw new SqlValidationError(`INSERT INTO ${stmt.table}: column '${c.name}' is ${formatType(c.type)}, the query gives ${formatType(from.type)} ('${from.name}')`, stmt.query.pos);
      }
      const cast = sameType(from.type, c.type) ? undefined : castFunction(from.type, c.type, stmt.query.pos);
      return { to: c.name, from: from.name, cast };
    });
    // The query's rows are the sink's already when names and types match: no copy.
    if (moves.every((m) => m.to === m.from && !m.cast)) return tableSink(target, planned, sinkColumns);
    const rows = planned.stream
      .map((row: Row) => {
        const out: Row = {};
        for (const m of moves) out[m.to] = m.cast ? m.cast(row[m.from]) : (row[m.from] ?? null);
        if (planned.updating) out[ROW_KIND] = row[ROW_KIND];
        return out;
      })
      .name(`Into ${stmt.table}`);
    return tableSink(target, { ...planned, stream: rows }, sinkColumns);
  }
}

/** Whether a SELECT item is a ranking function's OVER item (Top-N), not an OVER aggregate. */
function isRanking(item: SelectItem): boolean {
  return item.kind === 'over' && item.call.kind === 'call' && RANKING_FUNCTIONS.includes(item.call.name);
}

/** Rows keyed by the values of `columns` (all rows under one key when there are none). */
function keyByColumns(stream: DataStream<Row>, columns: string[]) {
  return stream.keyBy((row: Row) => JSON.stringify(columns.map((c) => row[c] ?? null)));
}

function sameType(a: SqlType, b: SqlType): boolean {
  return a.root === b.root && a.scale === b.scale;
}

function renameColumns(table: PlannedTable, names: string[], pos: SqlPosition): PlannedTable {
  const columns = table.schema.columns;
  if (names.length !== columns.length) throw new SqlValidationError(`the view lists ${names.length} columns, its query gives ${columns.length}`, pos);
  const rowtimeIndex = columns.findIndex((c) => c.name === table.schema.rowtime);
  const stream = mapChanges(
    table.stream,
    names,
    columns.map((c) => ({ type: c.type, eval: (row: Row) => row[c.name] ?? null })),
    table.updating !== undefined,
  ).name('Rename');
  return {
    schema: { columns: columns.map((c, k) => ({ name: names[k]!, type: c.type })), ...(rowtimeIndex >= 0 ? { rowtime: names[rowtimeIndex]! } : {}) },
    stream,
    ...(table.updating ? { updating: table.updating } : {}),
  };
}

/**
 * Event time and watermarks of a table with `WATERMARK FOR ts AS expr`: the record's timestamp
 * is `ts`, the watermark the largest `expr` seen so far, emitted periodically (Flink's
 * `WatermarkAssignerOperator`). A NULL time attribute fails the job, as in Flink.
 */
export function assignWatermarks(stream: DataStream<Row>, table: string, schema: TableSchema, watermark: { column: string; expr: Expr }): DataStream<Row> {
  const scope = rowScope(schema.columns, [table]);
  const rowtime = watermark.column;
  const column = schema.columns.find((c) => c.name === rowtime);
  const pos = watermark.expr.pos;
  if (!column) throw new SqlValidationError(`The rowtime attribute field '${rowtime}' is not defined in the table schema of '${table}'`, pos);
  if (!isTimestamp(column.type)) throw new SqlValidationError(`The rowtime attribute '${rowtime}' of '${table}' must be TIMESTAMP or TIMESTAMP_LTZ, not ${formatType(column.type)}`, pos);
  const expr = compileExpr(watermark.expr, scope);
  if (!isTimestamp(expr.type)) throw new SqlValidationError(`The watermark expression of '${table}' must give a TIMESTAMP, not ${formatType(expr.type)}`, pos);
  const strategy = WatermarkStrategy.forGenerator<Row>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent(row) {
        const w = expr.eval(row);
        if (typeof w === 'number' && w > max) max = w;
      },
      onPeriodicEmit(output) {
        if (max !== Number.NEGATIVE_INFINITY) output.emitWatermark(max);
      },
    };
  }).withTimestampAssigner((row) => {
    const ts = row[rowtime];
    if (typeof ts !== 'number') throw new Error(`RowTime field '${rowtime}' of table '${table}' is NULL: a time attribute must have a value`);
    return ts;
  });
  return stream.assignTimestampsAndWatermarks(strategy);
}
