/**
 * Group aggregation without a window (`SELECT user, COUNT(*) FROM t GROUP BY user`): an updating
 * result. Each group's accumulators are keyed state (checkpointed, restored, rescaled by key
 * group); each input row updates its group and emits the change: +I for a new group, -U of the
 * old row and +U of the new one for a changed group, -D for a group whose last row was
 * retracted, nothing when the result did not change. The input may itself be updating: its -U
 * and -D rows are retracted from the accumulators. In batch mode only the final row per group is
 * emitted, as +I, at the end of input. (Flink's counterparts: `StreamPhysicalGroupAggregate` and
 * its runtime function `GroupAggFunction`.)
 */
import type { RuntimeMode } from '../runtime/host.ts';
import type { Collector, KeyedProcessContext, KeyedProcessFunction, RuntimeContext } from '../runtime/functions.ts';
import { ValueStateDescriptor } from '../state/descriptors.ts';
import type { ValueState } from '../state/state.ts';
import type { Query } from './ast.ts';
import { createAggregate, type SqlAggregate } from './aggregates.ts';
import type { Row } from './catalog.ts';
import { isAccumulate, kindOf, withKind } from './changelog.ts';
import { SqlUnsupportedError, SqlValidationError } from './errors.ts';
import { compileBoolean, compileExpr, containsAggregate, type CompiledExpr, type Scope } from './expressions.ts';
import { mapChanges, rowScope, type PlannedTable, type SelectListItem } from './planner.ts';

/** A group's state: its key values, how many rows it holds, and one accumulator per aggregate call. */
interface GroupAccumulators {
  k: unknown[];
  n: number;
  a: unknown[];
}

/** What the aggregation emits, before HAVING and the SELECT list: key values and aggregate results. */
interface GroupRow extends Row {
  k: unknown[];
  a: unknown[];
}

/**
 * The keyed function of a group aggregation: one `GroupAccumulators` per group key. Streaming:
 * a change per input row; batch: a processing-time timer per group, which batch mode fires at
 * the end of input, emits the group's final row.
 */
class GroupAggFunction implements KeyedProcessFunction<string, Row, Row> {
  private state!: ValueState<GroupAccumulators>;

  constructor(
    private readonly keys: CompiledExpr[],
    private readonly aggs: SqlAggregate[],
    private readonly args: (CompiledExpr | undefined)[],
    private readonly batch: boolean,
  ) {}

  open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<GroupAccumulators>('group-aggregate'));
  }

  processElement(row: Row, ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const accumulate = isAccumulate(kindOf(row));
    let acc = this.state.value();
    // A retraction of a group that holds nothing (its state expired, or never existed) is dropped.
    if (!acc && !accumulate) return;
    const before = acc ? this.results(acc) : undefined;
    acc ??= { k: this.keys.map((k) => k.eval(row)), n: 0, a: this.aggs.map((g) => g.create()) };
    for (let i = 0; i < this.aggs.length; i++) {
      const agg = this.aggs[i]!;
      const value = this.args[i] ? this.args[i]!.eval(row) : undefined;
      acc.a[i] = accumulate ? agg.add(acc.a[i], value) : agg.retract!(acc.a[i], value);
    }
    acc.n += accumulate ? 1 : -1;
    if (acc.n <= 0) {
      this.state.clear();
      if (before && !this.batch) out.collect(withKind({ k: acc.k, a: before }, '-D'));
      return;
    }
    this.state.update(acc);
    if (this.batch) {
      ctx.timerService().registerProcessingTimeTimer(0);
      return;
    }
    const after = this.results(acc);
    if (!before) out.collect(withKind({ k: acc.k, a: after }, '+I'));
    else if (JSON.stringify(before) !== JSON.stringify(after)) {
      out.collect(withKind({ k: acc.k, a: before }, '-U'));
      out.collect(withKind({ k: acc.k, a: after }, '+U'));
    }
  }

  onTimer(_timestamp: number, _ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const acc = this.state.value();
    if (acc) out.collect({ k: acc.k, a: this.results(acc) });
  }

  private results(acc: GroupAccumulators): unknown[] {
    return this.aggs.map((g, i) => g.result(acc.a[i]));
  }
}

/**
 * Plans `SELECT keys, aggregates FROM input [WHERE] GROUP BY keys [HAVING]` (also without GROUP
 * BY: one global group). Streaming gives an updating table; batch an insert-only one.
 */
export function planGroupAggregate(
  q: Query,
  input: PlannedTable,
  qualifiers: string[],
  mode: RuntimeMode,
  selectList: (scope: Scope) => SelectListItem[],
): PlannedTable {
  const inputScope = rowScope(input.schema.columns, qualifiers, input.sides);
  const groupBy = q.groupBy ?? [];
  const keyNames = groupBy.map((g) => {
    if (g.kind !== 'column') throw new SqlUnsupportedError('GROUP BY an expression (group by columns; compute the expression in a subquery)', g.pos);
    return g.name;
  });
  const keyExprs = groupBy.map((g) => compileExpr(g, inputScope));
  const retractable = input.updating !== undefined;
  const aggregates: { agg: SqlAggregate; arg?: CompiledExpr; text: string }[] = [];
  const groupScope: Scope = {
    column(name, qualifier, pos) {
      if (qualifier !== undefined && !qualifiers.includes(qualifier)) throw new SqlValidationError(`Table '${qualifier}' not found in FROM`, pos);
      const index = keyNames.indexOf(name);
      if (index >= 0) return { type: keyExprs[index]!.type, eval: (r: GroupRow) => r.k[index] };
      inputScope.column(name, undefined, pos); // an unknown column says so first
      throw new SqlValidationError(`Expression '${name}' is not being grouped`, pos);
    },
    aggregate(call) {
      if (call.args.length > 1) throw new SqlUnsupportedError(`${call.name} with ${call.args.length} arguments`, call.pos);
      if (call.args.length === 0 && !call.star) throw new SqlValidationError(`${call.name}() needs an argument`, call.pos);
      if (call.args[0] && containsAggregate(call.args[0])) throw new SqlValidationError('aggregate calls cannot be nested', call.pos);
      const arg = call.args[0] ? compileExpr(call.args[0], inputScope) : undefined;
      const agg = createAggregate(call.name, arg?.type, call.distinct, call.pos, retractable);
      const text = `${call.name}(${call.distinct ? 'DISTINCT ' : ''}${call.star ? '*' : call.args[0]?.kind === 'column' ? call.args[0].name : '...'})`;
      const index = aggregates.push({ agg, ...(arg ? { arg } : {}), text }) - 1;
      return { type: agg.type, eval: (r: GroupRow) => r.a[index] };
    },
  };
  const items = selectList(groupScope);
  const having = q.having ? compileBoolean(q.having, groupScope) : undefined;

  let stream = input.stream;
  if (q.where) {
    const where = compileBoolean(q.where, inputScope);
    stream = stream.filter((row: Row) => where.eval(row) === true).name('Where');
  }
  const batch = mode === 'batch';
  const producer = `GroupAggregate(${keyNames.length ? `groupBy=[${keyNames.join(', ')}], ` : ''}select=[${[...keyNames, ...aggregates.map((a) => a.text)].join(', ')}])`;
  const fn = new GroupAggFunction(
    keyExprs,
    aggregates.map((a) => a.agg),
    aggregates.map((a) => a.arg),
    batch,
  );
  let aggregated = stream
    .keyBy((row: Row) => JSON.stringify(keyExprs.map((k) => k.eval(row))))
    .process<Row>(fn)
    .name(producer);
  if (having) aggregated = aggregated.filter((r) => having.eval(r) === true).name('Having');
  const updating = batch ? undefined : { producer };
  const names = items.map((i) => i.name);
  const exprs = items.map((i) => i.expr);
  const out = mapChanges(aggregated, names, exprs, updating !== undefined).name(`Select ${names.join(', ')}`);
  return { schema: { columns: items.map((i) => ({ name: i.name, type: i.expr.type })) }, stream: out, ...(updating ? { updating } : {}) };
}
