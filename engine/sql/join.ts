/**
 * Regular joins, `a [LEFT] JOIN b ON a.k = b.k [AND ...]`: both inputs keyed by the equality
 * columns of ON, each side's rows kept in keyed state (checkpointed; kept for ever, as Flink keeps
 * them without a state TTL). A row that arrives joins the other side's rows of its key that pass
 * the rest of ON. As Flink's `StreamingJoinOperator` emits: an accumulating row (+I, +U) gives +I
 * of each joined row, a retracting one (-U, -D) -D of each. In a LEFT join a left row without a
 * match gives +I of it padded with NULLs; when its first match arrives, -D of the padded row then
 * +I of the joined one, and back when its last match is retracted. An inner join of insert-only
 * inputs is insert-only; otherwise the result is updating. Batch mode joins each key once, at the
 * end of input, inserts only. (Flink's counterparts: `StreamPhysicalJoin`, `StreamingJoinOperator`.)
 */
import type { RuntimeMode } from '../runtime/host.ts';
import type { CoProcessFunction, Collector, KeyedProcessContext, RuntimeContext } from '../runtime/functions.ts';
import { MapStateDescriptor } from '../state/descriptors.ts';
import type { MapState } from '../state/state.ts';
import type { Expr, FromItem } from './ast.ts';
import type { Column, Row } from './catalog.ts';
import { isAccumulate, kindOf, withKind, withoutKind } from './changelog.ts';
import { conjuncts } from './rank.ts';
import { SqlUnsupportedError, SqlValidationError } from './errors.ts';
import { TemporalRowTimeJoinFunction } from './temporal-join.ts';
import { intervalBounds, type JoinSide } from './interval-join.ts';
import type { IntervalJoinBounds } from '../runtime/operators/interval-join.ts';
import { compileBoolean, compileExpr, type CompiledExpr } from './expressions.ts';
import { rowScope, type PlannedTable } from './planner.ts';

type Side = JoinSide;

/**
 * The key of rows with a NULL in their join key: they never join (NULL = NULL is not true), so
 * right rows of this key are dropped and left rows find no match.
 */
const NULL_KEY = '\u0000null';

/** A side's rows by their JSON, each with how many times it is there. */
type RowCounts = MapState<string, [Row, number]>;

/**
 * The keyed two-input function of a join: each side's rows of the current key, and the joining.
 *
 * @example
 * left.connect(right).keyBy(leftKey, rightKey).process(new StreamingJoinFunction((l, r) => ({ ...l, ...r }), undefined, [true, false], false))
 */
export class StreamingJoinFunction implements CoProcessFunction<Row, Row, Row, string> {
  private left!: RowCounts;
  private right!: RowCounts;

  constructor(
    /** The joined row of a left and a right row (one undefined: padded with NULLs). */
    private readonly combine: (left: Row | undefined, right: Row | undefined) => Row,
    /** The rest of ON, over a joined row. */
    private readonly residual: ((joined: Row) => boolean) | undefined,
    /** Which sides keep their rows without a match, padded: [left, right] (LEFT, RIGHT, FULL). */
    private readonly outer: readonly [boolean, boolean],
    private readonly batch: boolean,
  ) {}

  open(ctx: RuntimeContext): void {
    this.left = ctx.getMapState(new MapStateDescriptor<string, [Row, number]>('join-left'));
    this.right = ctx.getMapState(new MapStateDescriptor<string, [Row, number]>('join-right'));
  }

  processElement1(row: Row, ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    this.onRow(0, row, ctx, out);
  }

  processElement2(row: Row, ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    this.onRow(1, row, ctx, out);
  }

  /**
   * A row of side `side` (0 left, 1 right) joins the other side's rows of its key. When the other
   * side is outer, a row of it that gets its first match loses its padded row (-D) and one that
   * loses its last match gets it back (+I).
   */
  private onRow(side: 0 | 1, input: Row, ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    // A NULL key joins nothing: an outer side's row still comes out padded.
    const nullKey = ctx.getCurrentKey() === NULL_KEY;
    if (nullKey && !this.outer[side]) return;
    const accumulate = isAccumulate(kindOf(input));
    const row = withoutKind(input);
    const other = (1 - side) as 0 | 1;
    // Each of the other side's rows' matches before this row counts, for its padded row.
    const before = this.outer[other] && !this.batch && !nullKey ? new Map(this.rows(other).map((o) => [JSON.stringify(o), this.matchesOf(other, o).length])) : undefined;
    if (!this.count(side === 0 ? this.left : this.right, row, accumulate)) return;
    if (this.batch) return ctx.timerService().registerProcessingTimeTimer(0);
    let matched = 0;
    for (const o of nullKey ? [] : this.rows(other)) {
      const joined = this.pair(side, row, o);
      if (this.residual && !this.residual(joined)) continue;
      matched++;
      const had = before?.get(JSON.stringify(o)) ?? 0;
      if (accumulate) {
        if (before && had === 0) out.collect(withKind(this.padded(other, o), '-D'));
        out.collect(withKind(joined, '+I'));
      } else {
        out.collect(withKind(joined, '-D'));
        if (before && had === 1) out.collect(withKind(this.padded(other, o), '+I'));
      }
    }
    if (this.outer[side] && matched === 0) out.collect(withKind(this.padded(side, row), accumulate ? '+I' : '-D'));
  }

  onTimer(_timestamp: number, ctx: KeyedProcessContext<string>, out: Collector<Row>): void {
    const nullKey = ctx.getCurrentKey() === NULL_KEY;
    for (const left of this.rows(0)) {
      const matches = nullKey ? [] : this.matchesOf(0, left);
      for (let i = 0; i < matches.length; i++) out.collect(matches[i]!);
      if (this.outer[0] && matches.length === 0) out.collect(this.padded(0, left));
    }
    if (this.outer[1]) for (const right of this.rows(1)) if (nullKey || this.matchesOf(1, right).length === 0) out.collect(this.padded(1, right));
  }

  /** Adds or retracts `row` in a side's state; false for a retraction of a row that is not there. */
  private count(state: RowCounts, row: Row, accumulate: boolean): boolean {
    const key = JSON.stringify(row);
    const n = (state.get(key)?.[1] ?? 0) + (accumulate ? 1 : -1);
    if (n < 0) return false;
    if (n === 0) state.remove(key);
    else state.put(key, [row, n]);
    return true;
  }

  /** A side's rows, each as many times as it is there. */
  private rows(side: 0 | 1): Row[] {
    return (side === 0 ? this.left : this.right).values().flatMap(([row, n]) => Array.from({ length: n }, () => row));
  }

  private pair(side: 0 | 1, row: Row, other: Row): Row {
    return side === 0 ? this.combine(row, other) : this.combine(other, row);
  }

  private padded(side: 0 | 1, row: Row): Row {
    return side === 0 ? this.combine(row, undefined) : this.combine(undefined, row);
  }

  /** The joined rows of a row of `side` with the other side's rows of its key that pass the rest of ON. */
  private matchesOf(side: 0 | 1, row: Row): Row[] {
    const out: Row[] = [];
    for (const [other, n] of (side === 0 ? this.right : this.left).values()) {
      const joined = this.pair(side, row, other);
      if (this.residual && !this.residual(joined)) continue;
      for (let i = 0; i < n; i++) out.push(i === 0 ? joined : { ...joined });
    }
    return out;
  }
}

/** `expr` compiled against one side only, or undefined when it reads the other side. */
function onSide(expr: Expr, side: Side): CompiledExpr | undefined {
  try {
    return compileExpr(expr, rowScope(side.table.schema.columns, side.qualifiers, side.table.sides));
  } catch {
    return undefined;
  }
}

/** Flink's names of the join types, as its plans show them. */
const JOIN_TYPES = { INNER: 'InnerJoin', LEFT: 'LeftOuterJoin', RIGHT: 'RightOuterJoin', FULL: 'FullOuterJoin' } as const;

/** The join key of a row: its key columns' values as JSON, or NULL_KEY when one is NULL. */
const keyOf = (keys: CompiledExpr[]) => (row: Row) => {
  const values = keys.map((k) => k.eval(row));
  return values.some((v) => v === null || v === undefined) ? NULL_KEY : JSON.stringify(values);
};

/**
 * An inner join whose ON bounds the right side's event time around the left's, on the DataStream
 * interval join (interval-join.ts): append-only, its state cleared by the watermark.
 */
function planIntervalJoin(
  join: Extract<FromItem, { kind: 'join' }>,
  left: Side,
  right: Side,
  leftKeys: CompiledExpr[],
  rightKeys: CompiledExpr[],
  bounds: IntervalJoinBounds,
  combine: (l: Row, r: Row) => Row,
  joined: (row: Row) => boolean,
  result: Pick<PlannedTable, 'sides'> & { columns: Column[] },
): PlannedTable {
  if (join.type !== 'INNER') throw new SqlUnsupportedError(`a ${join.type} OUTER interval join (an interval join runs as an inner join only)`, join.pos);
  // Both inputs are insert-only: an updating table has no time attribute to bound.
  // A NULL key joins nothing: those rows never enter the join's state.
  const keyed = (side: Side, keys: CompiledExpr[]) =>
    side.table.stream.filter((row: Row) => keys.every((k) => k.eval(row) !== null && k.eval(row) !== undefined)).keyBy(keyOf(keys));
  let joining = keyed(left, leftKeys).intervalJoin(keyed(right, rightKeys)).between(bounds.lower, bounds.upper);
  if (bounds.lowerBoundExclusive) joining = joining.lowerBoundExclusive();
  if (bounds.upperBoundExclusive) joining = joining.upperBoundExclusive();
  const stream = joining
    .process<Row>((l: Row, r: Row, _ctx, out) => {
      const row = combine(l, r);
      if (joined(row)) out.collect(row);
    })
    .name(
      `IntervalJoin(joinType=[InnerJoin], windowBounds=[isRowTime=true, leftLowerBound=${-bounds.upper}, leftUpperBound=${-bounds.lower}, leftTimeIndex=${left.table.schema.rowtime}, rightTimeIndex=${right.table.schema.rowtime}], select=[${result.columns.map((c) => c.name).join(', ')}])`,
    );
  // The joined rows' timestamps are the later of their two rows': neither time column is theirs.
  return { schema: { columns: result.columns }, stream, ...(result.sides ? { sides: result.sides } : {}) };
}

/**
 * `o JOIN r FOR SYSTEM_TIME AS OF o.ts ON ...`: an event-time temporal join against `r`, a
 * versioned table (temporal-join.ts), with Flink's checks and messages.
 */
function planTemporalJoin(
  join: Extract<FromItem, { kind: 'join' }>,
  asOf: Expr,
  left: Side,
  right: Side,
  [leftKeys, rightKeys, keyNames]: [CompiledExpr[], CompiledExpr[], string[]],
  combine: (l: Row, r: Row | undefined) => Row,
  joined: (row: Row) => boolean,
  result: Pick<PlannedTable, 'sides'> & { columns: Column[] },
): PlannedTable {
  if (join.type !== 'INNER' && join.type !== 'LEFT') throw new SqlUnsupportedError(`a ${join.type} temporal join (Flink runs INNER and LEFT ones)`, join.pos);
  const versioned = right.table.schema;
  const name = join.right.kind === 'table' ? join.right.name : 'the right side';
  if (!versioned.primaryKey) throw new SqlValidationError(`Temporal Table Join requires primary key in versioned table, but no primary key can be found ('${name}').`, join.pos);
  if (!versioned.rowtime) {
    throw new SqlValidationError(`Event-Time Temporal Table Join requires both primary key and row time attribute in versioned table, but no row time attribute can be found ('${name}').`, join.pos);
  }
  const leftTime = left.table.schema.rowtime;
  if (asOf.kind !== 'column' || leftTime === undefined || asOf.name !== leftTime) {
    throw new SqlUnsupportedError('FOR SYSTEM_TIME AS OF an expression other than the left table\'s event-time attribute (a processing-time temporal join)', asOf.pos);
  }
  if (left.table.updating) throw new SqlUnsupportedError(`a temporal join of an updating table (${left.table.updating.producer})`, join.pos);
  const missing = versioned.primaryKey.filter((k) => !keyNames.includes(k));
  if (missing.length > 0) {
    throw new SqlValidationError(
      `Temporal table's primary key [${versioned.primaryKey.join(', ')}] must be included in the equivalence condition of temporal join, but current temporal join condition is [${keyNames.join(', ')}].`,
      join.pos,
    );
  }
  const stream = left.table.stream
    .connect(right.table.stream)
    .keyBy(keyOf(leftKeys), keyOf(rightKeys))
    .process<Row>(new TemporalRowTimeJoinFunction(leftTime, versioned.rowtime, combine, joined, join.type === 'LEFT'))
    .name(`TemporalJoin(joinType=[${JOIN_TYPES[join.type]}], where=[__TEMPORAL_JOIN_CONDITION(${leftTime}, ${versioned.rowtime}, __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY(${versioned.primaryKey.join(', ')}))], select=[${result.columns.map((c) => c.name).join(', ')}])`);
  return { schema: { columns: result.columns }, stream, ...(result.sides ? { sides: result.sides } : {}) };
}

/** Plans a regular join (or an interval join, when ON bounds the two sides' event times) of two planned inputs. */
export function planJoin(join: Extract<FromItem, { kind: 'join' }>, left: Side, right: Side, mode: RuntimeMode): PlannedTable {
  // The joined row: the left columns, then the right ones (renamed where the left has the name).
  const taken = new Set(left.table.schema.columns.map((c) => c.name));
  const rightNames: Record<string, string> = {};
  for (const c of right.table.schema.columns) {
    let name = c.name;
    for (let n = 0; taken.has(name); n++) name = `${c.name}${n}`;
    taken.add(name);
    rightNames[c.name] = name;
  }
  const leftColumns = left.table.schema.columns;
  const rightColumns = right.table.schema.columns;
  const columns: Column[] = [...leftColumns, ...rightColumns.map((c) => ({ name: rightNames[c.name]!, type: c.type }))];
  const sideNames = (side: Side, names: Record<string, string>) =>
    side.table.sides ?? [{ qualifiers: side.qualifiers, names }];
  const sides = [...sideNames(left, Object.fromEntries(leftColumns.map((c) => [c.name, c.name]))), ...sideNames(right, rightNames)];
  const combine = (l: Row | undefined, r: Row | undefined): Row => {
    const out: Row = {};
    for (const c of leftColumns) out[c.name] = l ? (l[c.name] ?? null) : null;
    for (const c of rightColumns) out[rightNames[c.name]!] = r ? (r[c.name] ?? null) : null;
    return out;
  };

  // ON: equalities of a left and a right expression key both inputs; the rest filters joined rows.
  const leftKeys: CompiledExpr[] = [];
  const rightKeys: CompiledExpr[] = [];
  /** The right side's columns in the equalities (a temporal join's must hold its primary key). */
  const rightKeyColumns: string[] = [];
  const rest: Expr[] = [];
  for (const c of conjuncts(join.on)) {
    if (c.kind === 'binary' && c.op === '=') {
      const l = onSide(c.left, left) ?? onSide(c.right, left);
      const r = onSide(c.right, right) ?? onSide(c.left, right);
      const lr = onSide(c.left, left) && onSide(c.right, right);
      const rl = onSide(c.right, left) && onSide(c.left, right);
      if ((lr || rl) && l && r) {
        leftKeys.push(lr ? onSide(c.left, left)! : onSide(c.right, left)!);
        rightKeys.push(lr ? onSide(c.right, right)! : onSide(c.left, right)!);
        const rightKey = lr ? c.right : c.left;
        rightKeyColumns.push(rightKey.kind === 'column' ? rightKey.name : '');
        continue;
      }
    }
    rest.push(c);
  }
  if (leftKeys.length === 0) throw new SqlUnsupportedError('a join without an equality of the two sides in ON (a cross join)', join.pos);
  const joinedScope = rowScope(columns, [], sides);
  const residual = rest.length > 0 ? rest.map((c) => compileBoolean(c, joinedScope)) : undefined;
  const batch = mode === 'batch';
  const producer = `Join(joinType=[${JOIN_TYPES[join.type]}], where=[${rest.length ? 'equalities and more' : 'equalities'}], select=[${columns.map((c) => c.name).join(', ')}])`;
  if (join.right.kind === 'table' && join.right.asOf) {
    const joined = (row: Row) => !residual || residual.every((p) => p.eval(row) === true);
    return planTemporalJoin(join, join.right.asOf, left, right, [leftKeys, rightKeys, rightKeyColumns], combine, joined, { columns, sides });
  }
  const interval = intervalBounds(rest, left, right);
  if (interval) {
    const joined = (row: Row) => !residual || residual.every((p) => p.eval(row) === true);
    return planIntervalJoin(join, left, right, leftKeys, rightKeys, interval, combine, joined, { columns, sides });
  }
  const stream = left.table.stream
    .connect(right.table.stream)
    .keyBy(keyOf(leftKeys), keyOf(rightKeys))
    .process<Row>(new StreamingJoinFunction(combine, residual ? (row) => residual.every((p) => p.eval(row) === true) : undefined, [join.type === 'LEFT' || join.type === 'FULL', join.type === 'RIGHT' || join.type === 'FULL'], batch))
    .name(producer);
  const updating = !batch && (join.type !== 'INNER' || left.table.updating !== undefined || right.table.updating !== undefined);
  return { schema: { columns }, stream, sides, ...(updating ? { updating: { producer } } : {}) };
}
