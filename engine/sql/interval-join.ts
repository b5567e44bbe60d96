/**
 * Interval joins: a join whose ON bounds one side's event time by the other's, `a.ts BETWEEN
 * b.ts - INTERVAL '5' SECOND AND b.ts` (or with <, <=, >, >=), besides its equalities. It runs on
 * the DataStream interval join (engine/runtime/operators/interval-join.ts): each side's rows wait
 * in keyed state only as long as a row of the other side may still join them, and the watermark
 * clears them; a late row is dropped. Its result is append-only. This file reads the bounds out of
 * ON. (Flink's counterparts: `StreamPhysicalIntervalJoin`, `IntervalJoinUtil.extractWindowBoundsFromPredicate`.)
 */
import type { IntervalJoinBounds } from '../runtime/operators/interval-join.ts';
import type { Expr } from './ast.ts';
import { compileExpr } from './expressions.ts';
import { rowScope, type PlannedTable } from './planner.ts';

/** One input of a join: its planned rows and the names its columns may be qualified with. */
export interface JoinSide {
  table: PlannedTable;
  qualifiers: string[];
}

/** A time attribute plus a constant: `b.ts - INTERVAL '5' SECOND` is (right, -5000). */
interface TimePoint {
  side: 'left' | 'right';
  offset: number;
}

/** Whether `expr` is `side`'s event-time attribute (and not the other side's too: an unqualified shared name). */
function isRowtimeOf(expr: Expr, side: JoinSide, other: JoinSide): boolean {
  if (expr.kind !== 'column' || side.table.schema.rowtime === undefined || expr.name !== side.table.schema.rowtime) return false;
  const resolves = (s: JoinSide) => {
    try {
      compileExpr(expr, rowScope(s.table.schema.columns, s.qualifiers, s.table.sides));
      return true;
    } catch {
      return false;
    }
  };
  return resolves(side) && !(other.table.schema.rowtime === expr.name && resolves(other));
}

function timePoint(expr: Expr, left: JoinSide, right: JoinSide): TimePoint | undefined {
  if (isRowtimeOf(expr, left, right)) return { side: 'left', offset: 0 };
  if (isRowtimeOf(expr, right, left)) return { side: 'right', offset: 0 };
  if (expr.kind === 'binary' && (expr.op === '+' || expr.op === '-') && expr.right.kind === 'literal' && expr.right.type.root === 'INTERVAL') {
    const base = timePoint(expr.left, left, right);
    const ms = expr.right.value as number;
    return base && { side: base.side, offset: base.offset + (expr.op === '+' ? ms : -ms) };
  }
  return undefined;
}

type Bound = { at: number; exclusive: boolean };

/**
 * The bounds ON sets on `right.ts - left.ts`, or undefined when it does not bound it from both
 * sides (then the join is a regular one, as in Flink).
 */
export function intervalBounds(conditions: Expr[], left: JoinSide, right: JoinSide): IntervalJoinBounds | undefined {
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  const raise = (b: Bound) => {
    if (!lower || b.at > lower.at || (b.at === lower.at && b.exclusive)) lower = b;
  };
  const cap = (b: Bound) => {
    if (!upper || b.at < upper.at || (b.at === upper.at && b.exclusive)) upper = b;
  };
  /** `x op y` over two time points of different sides. */
  const compare = (x: TimePoint, op: string, y: TimePoint) => {
    // As x.ts + x.offset op y.ts + y.offset; with d = right.ts - left.ts.
    const [l, r, flipped] = x.side === 'left' ? [x, y, false] : [y, x, true];
    const at = l.offset - r.offset;
    // left.ts + l.offset op right.ts + r.offset  ⟺  at op d.
    const leftOp = flipped ? ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op]! : op;
    if (leftOp === '<' || leftOp === '<=') raise({ at, exclusive: leftOp === '<' });
    else cap({ at, exclusive: leftOp === '>' });
  };
  const point = (e: Expr) => timePoint(e, left, right);
  for (const c of conditions) {
    if (c.kind === 'between' && !c.negated) {
      const [o, lo, hi] = [point(c.operand), point(c.low), point(c.high)];
      if (o && lo && o.side !== lo.side) compare(o, '>=', lo);
      if (o && hi && o.side !== hi.side) compare(o, '<=', hi);
    } else if (c.kind === 'binary' && ['<', '<=', '>', '>='].includes(c.op)) {
      const [x, y] = [point(c.left), point(c.right)];
      if (x && y && x.side !== y.side) compare(x, c.op, y);
    }
  }
  if (!lower || !upper) return undefined;
  return { lower: lower.at, upper: upper.at, lowerBoundExclusive: lower.exclusive, upperBoundExclusive: upper.exclusive };
}
