/**
 * CAST between SQL types, with Flink's rules where the two differ from JavaScript's: DOUBLE to
 * INT truncates toward zero, a string that is not a number fails (use TRY_CAST for NULL), DOUBLE
 * to STRING writes Java's `1.0`, DECIMAL rounds half up at its scale, TIMESTAMP to STRING keeps
 * its precision. (Flink's counterpart: the `CastRule`s of `CastRuleProvider`.)
 */
import { SqlError, SqlUnsupportedError, type SqlPosition } from './errors.ts';
import { formatType, formatValue, isApproximate, isInteger, isNumeric, isString, isTimestamp, parseTimestamp, type SqlType } from './types.ts';

/** A value to `to` decimals, half away from zero on the shortest decimal form (Java's `BigDecimal.valueOf(d).setScale(n, HALF_UP)`). */
export function roundHalfUp(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const text = String(Math.abs(x));
  const shifted = text.includes('e') ? Math.abs(x) * 10 ** digits : Number(`${text}e${digits}`);
  const rounded = Math.round(shifted);
  const back = text.includes('e') || rounded.toString().includes('e') ? rounded / 10 ** digits : Number(`${rounded}e${-digits}`);
  return x < 0 ? -back : back;
}

const INT_RANGE: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  BIGINT: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * A function that casts values of `from` to `to` (null stays null), or a `SqlUnsupportedError`
 * naming the pair when Weir has no rule for it. `lenient` (TRY_CAST) gives NULL where CAST fails.
 */
export function castFunction(from: SqlType, to: SqlType, pos: SqlPosition, lenient = false): (v: unknown) => unknown {
  const fail = (v: unknown, why: string): null => {
    if (lenient) return null;
    throw new SqlError(`CAST(${JSON.stringify(v)} AS ${formatType(to)}) failed: ${why}`, pos);
  };
  const rule = castRule(from, to, fail);
  if (!rule) throw new SqlUnsupportedError(`CAST from ${formatType(from)} to ${formatType(to)}`, pos);
  return (v) => (v === null || v === undefined ? null : rule(v));
}

function castRule(from: SqlType, to: SqlType, fail: (v: unknown, why: string) => null): ((v: unknown) => unknown) | undefined {
  if (from.root === 'NULL') return () => null;
  if (isInteger(to)) {
    const [lo, hi] = INT_RANGE[to.root]!;
    const checked = (v: unknown, n: number) => (n >= lo && n <= hi ? n : fail(v, `out of the range of ${to.root}`));
    if (isNumeric(from)) return (v) => checked(v, Math.trunc(v as number) + 0);
    if (isString(from)) return (v) => (/^\s*[+-]?\d+\s*$/.test(v as string) ? checked(v, Number(v)) : fail(v, 'not an integer'));
    if (from.root === 'BOOLEAN') return (v) => (v ? 1 : 0);
    return undefined;
  }
  if (isApproximate(to) || to.root === 'DECIMAL') {
    const shape = to.root === 'FLOAT' ? Math.fround : to.root === 'DECIMAL' ? (n: number) => roundHalfUp(n, to.scale ?? 0) : (n: number) => n;
    if (isNumeric(from)) return (v) => shape(v as number);
    if (isString(from)) {
      return (v) => {
        const text = (v as string).trim();
        const n = Number(text);
        return text !== '' && !Number.isNaN(n) ? shape(n) : fail(v, 'not a number');
      };
    }
    if (from.root === 'BOOLEAN') return (v) => (v ? 1 : 0);
    return undefined;
  }
  if (isString(to)) {
    const limit = to.precision;
    const fit = to.root === 'CHAR' ? (s: string) => s.slice(0, limit).padEnd(limit ?? 0, ' ') : (s: string) => (limit !== undefined ? s.slice(0, limit) : s);
    return (v) => fit(formatValue(v, from));
  }
  if (to.root === 'BOOLEAN') {
    if (from.root === 'BOOLEAN') return (v) => v;
    if (isNumeric(from)) return (v) => v !== 0;
    if (isString(from)) {
      return (v) => {
        const t = (v as string).trim().toLowerCase();
        return t === 'true' ? true : t === 'false' ? false : fail(v, 'not TRUE or FALSE');
      };
    }
    return undefined;
  }
  if (isTimestamp(to)) {
    if (isTimestamp(from)) return (v) => v;
    if (isString(from) || from.root === 'DATE') return (v) => parseTimestamp(v as string) ?? fail(v, "not a timestamp 'yyyy-MM-dd HH:mm:ss[.SSS]'");
    return undefined;
  }
  if (to.root === 'DATE') {
    if (from.root === 'DATE') return (v) => v;
    if (isTimestamp(from)) return (v) => new Date(v as number).toISOString().slice(0, 10);
    if (isString(from)) {
      return (v) => {
        const ms = parseTimestamp(v as string);
        return ms === null ? fail(v, "not a date 'yyyy-MM-dd'") : new Date(ms).toISOString().slice(0, 10);
      };
    }
    return undefined;
  }
  return undefined;
}
