/**
 * SQL data types, as Flink's `LogicalType` family, and how their values look in a row:
 *
 * | Flink SQL                         | value in a row                                   |
 * |-----------------------------------|--------------------------------------------------|
 * | TINYINT, SMALLINT, INT, BIGINT    | number (an integer)                              |
 * | FLOAT, DOUBLE, DECIMAL(p, s)      | number (DECIMAL is not exact beyond a double)    |
 * | CHAR, VARCHAR, STRING             | string                                           |
 * | BOOLEAN                           | boolean                                          |
 * | TIMESTAMP(p), TIMESTAMP_LTZ(p)    | epoch milliseconds (number), as Weir's DuckDB sources emit them |
 * | DATE                              | 'YYYY-MM-DD'                                     |
 * | INTERVAL                          | milliseconds (number)                            |
 * | NULL of any type                  | null                                             |
 */

/** The families that decide how operators and casts treat a type. */
export type TypeRoot =
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INT'
  | 'BIGINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'DECIMAL'
  | 'CHAR'
  | 'VARCHAR'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP'
  | 'TIMESTAMP_LTZ'
  | 'INTERVAL'
  | 'NULL';

/** A SQL type: its root and, where it has them, precision and scale. */
export interface SqlType {
  root: TypeRoot;
  precision?: number;
  scale?: number;
}

/** VARCHAR's largest length, which Flink spells STRING. */
export const MAX_VARCHAR = 2147483647;

export const T = {
  BOOLEAN: { root: 'BOOLEAN' } as SqlType,
  INT: { root: 'INT' } as SqlType,
  BIGINT: { root: 'BIGINT' } as SqlType,
  DOUBLE: { root: 'DOUBLE' } as SqlType,
  STRING: { root: 'VARCHAR', precision: MAX_VARCHAR } as SqlType,
  TIMESTAMP3: { root: 'TIMESTAMP', precision: 3 } as SqlType,
  DATE: { root: 'DATE' } as SqlType,
  INTERVAL: { root: 'INTERVAL' } as SqlType,
  NULL: { root: 'NULL' } as SqlType,
};

const INTEGERS: TypeRoot[] = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];

export const isInteger = (t: SqlType) => INTEGERS.includes(t.root);
export const isApproximate = (t: SqlType) => t.root === 'FLOAT' || t.root === 'DOUBLE';
export const isNumeric = (t: SqlType) => isInteger(t) || isApproximate(t) || t.root === 'DECIMAL';
export const isString = (t: SqlType) => t.root === 'CHAR' || t.root === 'VARCHAR';
export const isTimestamp = (t: SqlType) => t.root === 'TIMESTAMP' || t.root === 'TIMESTAMP_LTZ';

/** The type as Flink prints it: `INT`, `STRING`, `DECIMAL(10, 2)`, `TIMESTAMP(3)`. */
export function formatType(t: SqlType): string {
  if (t.root === 'VARCHAR' && (t.precision ?? MAX_VARCHAR) === MAX_VARCHAR) return 'STRING';
  if (t.root === 'DECIMAL') return `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`;
  if (t.precision !== undefined && ['CHAR', 'VARCHAR', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'TIME'].includes(t.root)) return `${t.root}(${t.precision})`;
  return t.root;
}

/** The wider of two numeric types, as Flink's arithmetic widens: integers < DECIMAL < DOUBLE. */
export function widerNumeric(a: SqlType, b: SqlType): SqlType {
  if (isApproximate(a) || isApproximate(b)) return T.DOUBLE;
  if (a.root === 'DECIMAL' || b.root === 'DECIMAL') {
    const scale = Math.max(a.root === 'DECIMAL' ? (a.scale ?? 0) : 0, b.root === 'DECIMAL' ? (b.scale ?? 0) : 0);
    return { root: 'DECIMAL', precision: 38, scale };
  }
  return INTEGERS.indexOf(a.root) >= INTEGERS.indexOf(b.root) ? a : b;
}

/** Whether values of the two types can be compared with `=`, `<`, ... */
export function comparable(a: SqlType, b: SqlType): boolean {
  if (a.root === 'NULL' || b.root === 'NULL') return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (isString(a) && isString(b)) return true;
  if (isTimestamp(a) && isTimestamp(b)) return true;
  return a.root === b.root;
}

/** The type two branches (CASE, COALESCE) unify to, or undefined when they cannot. */
export function commonType(a: SqlType, b: SqlType): SqlType | undefined {
  if (a.root === 'NULL') return b;
  if (b.root === 'NULL') return a;
  if (isNumeric(a) && isNumeric(b)) return widerNumeric(a, b);
  if (isString(a) && isString(b)) return T.STRING;
  if (isTimestamp(a) && isTimestamp(b)) return { root: a.root, precision: Math.max(a.precision ?? 3, b.precision ?? 3) };
  return a.root === b.root ? a : undefined;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Epoch ms as Flink prints a TIMESTAMP(p): `2024-01-01 12:00:00.000` (UTC wall clock, p digits of fraction up to 3). */
export function formatTimestamp(ms: number, precision = 3): string {
  const d = new Date(ms);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const digits = Math.min(precision, 3);
  return digits > 0 ? `${base}.${pad(d.getUTCMilliseconds(), 3).slice(0, digits)}` : base;
}

/**
 * Parses `yyyy-MM-dd[ HH:mm[:ss[.fff]]]` (or with a `T`) as UTC wall clock, to epoch ms; null
 * when the text is not a timestamp.
 */
export function parseTimestamp(text: string): number | null {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*$/.exec(text);
  if (!m) return null;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
  return Number.isNaN(t) ? null : t;
}

/** A DOUBLE as Java's `Double.toString` writes the usual values: `1.0`, `0.5`, `1.0E10`. */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [mantissa, exp] = x.toExponential().split('e');
    return `${mantissa!.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp)}`;
  }
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** A value of type `t` as Flink's print connector and CAST to STRING write it. */
export function formatValue(value: unknown, t: SqlType): string {
  if (value === null || value === undefined) return 'NULL';
  if (isTimestamp(t) && typeof value === 'number') return formatTimestamp(value, t.precision ?? 3);
  if (isApproximate(t) && typeof value === 'number') return formatDouble(value);
  if (t.root === 'DECIMAL' && typeof value === 'number') return value.toFixed(t.scale ?? 0);
  return String(value);
}
