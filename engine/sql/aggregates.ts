/**
 * COUNT, SUM, MIN, MAX and AVG as incremental accumulators, with Flink's result types: COUNT
 * is BIGINT, SUM and MIN/MAX keep the argument's type, AVG of integers is an integer
 * (truncated), SUM of no non-NULL value is NULL. Accumulators are plain JSON values, since
 * they live in window state and checkpoints. (Flink's counterparts: `CountAggFunction`,
 * `SumAggFunction`, `AvgAggFunction`, `MinAggFunction`, ...)
 */
import { SqlUnsupportedError, SqlValidationError, type SqlPosition } from './errors.ts';
import { compareValues } from './expressions.ts';
import { T, formatType, isInteger, isNumeric, type SqlType } from './types.ts';

/** One aggregate call of a query, over the value of its argument (undefined for COUNT(*)). */
export interface SqlAggregate {
  type: SqlType;
  create(): unknown;
  add(acc: unknown, value: unknown): unknown;
  merge(a: unknown, b: unknown): unknown;
  result(acc: unknown): unknown;
  /** Takes a value back out (over an updating input: -U and -D rows); only aggregates made `retractable` have it. */
  retract?(acc: unknown, value: unknown): unknown;
}

const isNull = (v: unknown) => v === null || v === undefined;

/**
 * The aggregate `name` over an argument of type `arg` (undefined for `COUNT(*)`). A `retractable`
 * one also takes values back (Flink's `...WithRetractAggFunction`s): MIN, MAX and DISTINCT then
 * keep a count per value, since the current extreme may be retracted.
 */
export function createAggregate(name: string, arg: SqlType | undefined, distinct: boolean, pos: SqlPosition, retractable = false): SqlAggregate {
  const agg = plainAggregate(name, arg, pos);
  if (!retractable) return distinct ? distinctAggregate(agg) : agg;
  if (distinct) return retractableDistinct(agg);
  return name === 'MIN' || name === 'MAX' ? retractableExtreme(agg, name) : agg;
}

function plainAggregate(name: string, arg: SqlType | undefined, pos: SqlPosition): SqlAggregate {
  if (name === 'COUNT') {
    return {
      type: T.BIGINT,
      create: () => 0,
      add: (acc, v) => (arg && isNull(v) ? acc : (acc as number) + 1),
      merge: (a, b) => (a as number) + (b as number),
      result: (acc) => acc,
      retract: (acc, v) => (arg && isNull(v) ? acc : (acc as number) - 1),
    };
  }
  if (!arg) throw new SqlValidationError(`${name}(*) is not an aggregate: only COUNT takes *`, pos);
  const needsNumber = () => {
    if (!isNumeric(arg) && arg.root !== 'NULL') throw new SqlValidationError(`${name}(${formatType(arg)}): expects a number`, pos);
  };
  switch (name) {
    case 'SUM': {
      needsNumber();
      // [sum, count of non-NULL values]
      return {
        type: arg.root === 'DECIMAL' ? { root: 'DECIMAL', precision: 38, scale: arg.scale ?? 0 } : arg,
        create: () => [0, 0],
        add: (acc, v) => (isNull(v) ? acc : [(acc as number[])[0]! + (v as number), (acc as number[])[1]! + 1]),
        merge: (a, b) => [(a as number[])[0]! + (b as number[])[0]!, (a as number[])[1]! + (b as number[])[1]!],
        retract: (acc, v) => (isNull(v) ? acc : [(acc as number[])[0]! - (v as number), (acc as number[])[1]! - 1]),
        result: (acc) => ((acc as number[])[1] === 0 ? null : (acc as number[])[0]),
      };
    }
    case 'AVG': {
      needsNumber();
      const integral = isInteger(arg);
      return {
        type: arg.root === 'DECIMAL' ? { root: 'DECIMAL', precision: 38, scale: Math.max(arg.scale ?? 0, 6) } : arg.root === 'FLOAT' ? T.DOUBLE : arg,
        create: () => [0, 0],
        add: (acc, v) => (isNull(v) ? acc : [(acc as number[])[0]! + (v as number), (acc as number[])[1]! + 1]),
        merge: (a, b) => [(a as number[])[0]! + (b as number[])[0]!, (a as number[])[1]! + (b as number[])[1]!],
        retract: (acc, v) => (isNull(v) ? acc : [(acc as number[])[0]! - (v as number), (acc as number[])[1]! - 1]),
        result: (acc) => {
          const [sum, n] = acc as number[];
          if (n === 0) return null;
          return integral ? Math.trunc(sum! / n!) : sum! / n!;
        },
      };
    }
    case 'MIN':
    case 'MAX': {
      const sign = name === 'MIN' ? -1 : 1;
      const pick = (a: unknown, b: unknown) => (isNull(a) ? b : isNull(b) ? a : compareValues(b, a) * sign > 0 ? b : a);
      return { type: arg, create: () => null, add: (acc, v) => pick(acc, v), merge: pick, result: (acc) => acc ?? null };
    }
    default:
      throw new SqlUnsupportedError(`the aggregate function ${name}`, pos);
  }
}

/** `agg(DISTINCT x)`: each distinct non-NULL value counted once; the accumulator is the set of values by their JSON. */
function distinctAggregate(agg: SqlAggregate): SqlAggregate {
  const fold = (values: Record<string, unknown>) => Object.values(values).reduce((acc, v) => agg.add(acc, v), agg.create());
  return {
    type: agg.type,
    create: () => ({}),
    add: (acc, v) => {
      if (!isNull(v)) (acc as Record<string, unknown>)[JSON.stringify(v)] = v;
      return acc;
    },
    merge: (a, b) => ({ ...(a as Record<string, unknown>), ...(b as Record<string, unknown>) }),
    result: (acc) => agg.result(fold(acc as Record<string, unknown>)),
  };
}

/** A value and how many times it is in an accumulator: `{ [json]: [value, count] }`. */
type Counted = Record<string, [unknown, number]>;

function countIn(acc: Counted, v: unknown, delta: number): Counted {
  const key = JSON.stringify(v);
  const entry = acc[key];
  const count = (entry?.[1] ?? 0) + delta;
  if (count > 0) acc[key] = [v, count];
  else delete acc[key];
  return acc;
}

/** The accumulator of values with their counts, which retracts: what MIN, MAX and DISTINCT over an updating input share. */
const countedValues = {
  create: () => ({}),
  add: (acc: unknown, v: unknown) => (isNull(v) ? acc : countIn(acc as Counted, v, 1)),
  retract: (acc: unknown, v: unknown) => (isNull(v) ? acc : countIn(acc as Counted, v, -1)),
  merge: (a: unknown, b: unknown) => Object.values(b as Counted).reduce((acc, [v, n]) => countIn(acc, v, n), { ...(a as Counted) }),
};

/** MIN or MAX over an updating input: every value with its count, the extreme found when asked. */
function retractableExtreme(agg: SqlAggregate, name: 'MIN' | 'MAX'): SqlAggregate {
  const sign = name === 'MIN' ? -1 : 1;
  return {
    type: agg.type,
    ...countedValues,
    result: (acc) => Object.values(acc as Counted).reduce<unknown>((best, [v]) => (best === null || compareValues(v, best) * sign > 0 ? v : best), null),
  };
}

/** `agg(DISTINCT x)` over an updating input: each value with its count, folded when asked. */
function retractableDistinct(agg: SqlAggregate): SqlAggregate {
  return {
    type: agg.type,
    ...countedValues,
    result: (acc) => agg.result(Object.values(acc as Counted).reduce((x, [v]) => agg.add(x, v), agg.create())),
  };
}
