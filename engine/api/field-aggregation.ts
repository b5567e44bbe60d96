/**
 * The reduce functions behind `sum`, `min`, `max`, `minBy` and `maxBy` on keyed and windowed
 * streams (Flink's `SumAggregator` and `ComparableAggregator`). A field is named (`'amount'`),
 * a tuple position (`1` for `[key, count]` records) or, for `minBy`/`maxBy`, a selector function.
 */
import { InvalidPipelineError } from '../runtime/errors.ts';

/**
 * A numeric field of T, by name.
 *
 * @example
 * const f: NumericField<{ user: string; amount: number }> = 'amount';
 */
export type NumericField<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T] & string;

/**
 * Where `sum`/`min`/`max` read and write a number: a field name, or a position in an array
 * record (Flink's positional aggregations on tuples). Omit it for a stream of numbers.
 *
 * @example
 * keyed.window(w).sum('amount');   // records { user, amount }
 * keyed.window(w).sum(1);          // records [user, amount]
 */
export type AggregationField<T> = NumericField<T> | number;

/**
 * What `minBy`/`maxBy` compare: a field name, an array position, or a selector.
 *
 * @example
 * keyed.window(w).maxBy((t) => t.price * t.quantity)
 */
export type ComparisonField<T> = AggregationField<T> | ((record: T) => number);

/**
 * The five field aggregations of keyed and windowed streams.
 *
 * @example
 * const kind: AggregationKind = 'maxBy';
 */
export type AggregationKind = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

/**
 * The reduce function for one aggregation. `sum`/`min`/`max` keep every other field of the
 * first record and update only the aggregated one; `minBy`/`maxBy` keep a whole record, the first
 * one on ties unless `first` is false (then the last one), as in Flink.
 *
 * @example
 * fieldAggregation<{ k: string; v: number }>('sum', 'v')({ k: 'a', v: 1 }, { k: 'a', v: 2 }); // { k: 'a', v: 3 }
 */
export function fieldAggregation<T>(kind: AggregationKind, field: ComparisonField<T> | undefined, first = true): (a: T, b: T) => T {
  const where = `${kind}(${typeof field === 'function' ? 'selector' : field === undefined ? '' : JSON.stringify(field)})`;
  if (field !== undefined && typeof field !== 'string' && typeof field !== 'function' && !(Number.isInteger(field) && field >= 0)) {
    throw new InvalidPipelineError(`${where}: expects a field name, an array position (integer ≥ 0)${kind.endsWith('By') ? ' or a selector function' : ''}`);
  }
  const read = reader<T>(field, where);
  if (kind === 'minBy' || kind === 'maxBy') {
    const better = kind === 'minBy' ? (x: number, y: number) => (first ? y < x : y <= x) : (x: number, y: number) => (first ? y > x : y >= x);
    return (a, b) => (better(read(a), read(b)) ? b : a);
  }
  if (typeof field === 'function') throw new InvalidPipelineError(`${where}: a selector cannot say where to write the result; name a field or a position (or use minBy/maxBy)`);
  const combine = kind === 'sum' ? (x: number, y: number) => x + y : kind === 'min' ? Math.min : Math.max;
  if (field === undefined) return (a, b) => combine(read(a), read(b)) as T;
  if (typeof field === 'number') {
    return (a, b) => {
      const out = (a as unknown as unknown[]).slice();
      out[field] = combine(read(a), read(b));
      return out as T;
    };
  }
  return (a, b) => ({ ...a, [field]: combine(read(a), read(b)) }) as T;
}

/**
 * `minBy`/`maxBy` need to know what to compare: returns `field`, or throws naming the method.
 *
 * @example
 * requireField('minBy', 'temp'); // 'temp'
 */
export function requireField<F>(kind: string, field: F | undefined): F {
  if (field === undefined) throw new InvalidPipelineError(`${kind}() needs a field name, an array position or a selector`);
  return field;
}

function reader<T>(field: ComparisonField<T> | undefined, where: string): (record: T) => number {
  const check = (v: unknown, record: T): number => {
    if (typeof v !== 'number') throw new Error(`${where}: expected a number, got ${typeof v} in record ${preview(record)}`);
    return v;
  };
  if (field === undefined) return (r) => check(r, r);
  if (typeof field === 'function') return (r) => check(field(r), r);
  if (typeof field === 'number') {
    return (r) => {
      if (!Array.isArray(r)) throw new Error(`${where}: a position needs array records, got ${preview(r)}`);
      return check(r[field], r);
    };
  }
  return (r) => check((r as Record<string, unknown>)[field], r);
}

function preview(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
