/**
 * Flink's built-in scalar functions that Weir runs so far: string, math, temporal and
 * conditional ones. Each states its argument count, its result type for its argument types,
 * and whether a NULL argument makes the result NULL without calling it (most do, as in Flink).
 * (Flink's counterpart: `BuiltInFunctionDefinitions` and `SqlFunctionUtils`.)
 */
import { roundHalfUp } from './casts.ts';
import { SqlValidationError, type SqlPosition } from './errors.ts';
import { T, commonType, formatType, isInteger, isNumeric, isString, isTimestamp, parseTimestamp, type SqlType } from './types.ts';

export interface ScalarFunctionDefinition {
  /** Fewest and most arguments. */
  arity: [number, number];
  /** The result type for these argument types; throws a `SqlValidationError` for wrong ones. */
  returns(args: SqlType[], pos: SqlPosition, name: string): SqlType;
  call(args: unknown[], types: SqlType[]): unknown;
  /** A NULL argument gives NULL without calling `call`. Default true. */
  strict?: boolean;
}

function expect(ok: boolean, name: string, types: SqlType[], wanted: string, pos: SqlPosition): void {
  if (!ok) throw new SqlValidationError(`${name}(${types.map(formatType).join(', ')}): expects ${wanted}`, pos);
}

const stringFn = (fn: (s: string, ...rest: any[]) => unknown, result: SqlType = T.STRING, arity: [number, number] = [1, 1]): ScalarFunctionDefinition => ({
  arity,
  returns(args, pos, name) {
    expect(isString(args[0]!), name, args, 'a string', pos);
    return result;
  },
  call: (args) => fn(args[0] as string, ...args.slice(1)),
});

const numeric = (name: string, args: SqlType[], pos: SqlPosition) => expect(args.every(isNumeric), name, args, 'numbers', pos);

const mathDouble = (fn: (...x: number[]) => number, arity: [number, number] = [1, 1]): ScalarFunctionDefinition => ({
  arity,
  returns(args, pos, name) {
    numeric(name, args, pos);
    return T.DOUBLE;
  },
  call: (args) => fn(...(args as number[])),
});

/** The same type, for functions that keep their argument's type (ABS, FLOOR of an integer). */
const sameNumeric = (fn: (x: number) => number, decimalScale?: number): ScalarFunctionDefinition => ({
  arity: [1, 1],
  returns(args, pos, name) {
    numeric(name, args, pos);
    const t = args[0]!;
    return t.root === 'DECIMAL' && decimalScale !== undefined ? { ...t, scale: decimalScale } : t;
  },
  call: (args) => fn(args[0] as number),
});

/** Spark's and Flink's SUBSTRING positions: 1-based; 0 is the start; negative counts from the end. */
function substring(s: string, pos: number, length?: number): string | null {
  if (length !== undefined && length < 0) return null;
  const chars = [...s];
  let start = pos > 0 ? pos - 1 : pos < 0 ? chars.length + pos : 0;
  const end = length === undefined ? chars.length : start + length;
  start = Math.max(start, 0);
  return start >= end ? '' : chars.slice(start, end).join('');
}

const UNIT_FIELDS: Record<string, (d: Date) => number> = {
  YEAR: (d) => d.getUTCFullYear(),
  QUARTER: (d) => Math.floor(d.getUTCMonth() / 3) + 1,
  MONTH: (d) => d.getUTCMonth() + 1,
  DAY: (d) => d.getUTCDate(),
  DAYOFMONTH: (d) => d.getUTCDate(),
  HOUR: (d) => d.getUTCHours(),
  MINUTE: (d) => d.getUTCMinutes(),
  SECOND: (d) => d.getUTCSeconds(),
  MILLISECOND: (d) => d.getUTCSeconds() * 1000 + d.getUTCMilliseconds(),
  DOW: (d) => d.getUTCDay() + 1,
  DAYOFWEEK: (d) => d.getUTCDay() + 1,
  DOY: (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  DAYOFYEAR: (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
};

/** The field `unit` of a TIMESTAMP (epoch ms) or DATE ('YYYY-MM-DD'), as EXTRACT gives it. */
export function extractField(unit: string, value: unknown): number {
  const ms = typeof value === 'number' ? value : (parseTimestamp(String(value)) ?? NaN);
  return UNIT_FIELDS[unit]!(new Date(ms));
}

export function isExtractUnit(unit: string): boolean {
  return unit in UNIT_FIELDS;
}

const temporalField = (unit: string): ScalarFunctionDefinition => ({
  arity: [1, 1],
  returns(args, pos, name) {
    expect(isTimestamp(args[0]!) || args[0]!.root === 'DATE', name, args, 'a TIMESTAMP or DATE', pos);
    return T.BIGINT;
  },
  call: (args) => extractField(unit, args[0]),
});

const JAVA_PATTERN = /yyyy|yy|MM|dd|HH|mm|ss|SSS|'[^']*'/g;

/** A timestamp written with a Java `SimpleDateFormat` pattern (yyyy MM dd HH mm ss SSS and 'quoted' text). */
function formatWithPattern(ms: number, pattern: string): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return pattern.replace(JAVA_PATTERN, (token) => {
    switch (token) {
      case 'yyyy': return pad(d.getUTCFullYear(), 4);
      case 'yy': return pad(d.getUTCFullYear() % 100);
      case 'MM': return pad(d.getUTCMonth() + 1);
      case 'dd': return pad(d.getUTCDate());
      case 'HH': return pad(d.getUTCHours());
      case 'mm': return pad(d.getUTCMinutes());
      case 'ss': return pad(d.getUTCSeconds());
      case 'SSS': return pad(d.getUTCMilliseconds(), 3);
      default: return token.slice(1, -1);
    }
  });
}

/** A timestamp read with a Java pattern; null when the text does not match (as Flink's TO_TIMESTAMP). */
function parseWithPattern(text: string, pattern: string): number | null {
  const fields: string[] = [];
  const regex = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/yyyy|MM|dd|HH|mm|ss|SSS/g, (t) => {
    fields.push(t);
    return t === 'yyyy' ? '(\\d{4})' : t === 'SSS' ? '(\\d{3})' : '(\\d{2})';
  });
  const m = new RegExp(`^${regex}$`).exec(text.trim());
  if (!m) return null;
  const v: Record<string, number> = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0, SSS: 0 };
  fields.forEach((f, i) => (v[f] = Number(m[i + 1])));
  return Date.UTC(v['yyyy']!, v['MM']! - 1, v['dd']!, v['HH']!, v['mm']!, v['ss']!, v['SSS']!);
}

/** Built-in scalar functions by upper-case name. */
export const SCALAR_FUNCTIONS: Record<string, ScalarFunctionDefinition> = {
  UPPER: stringFn((s) => s.toUpperCase()),
  LOWER: stringFn((s) => s.toLowerCase()),
  CHAR_LENGTH: stringFn((s) => [...s].length, T.INT),
  CHARACTER_LENGTH: stringFn((s) => [...s].length, T.INT),
  TRIM: stringFn((s) => s.replace(/^ +| +$/g, '')),
  LTRIM: stringFn((s) => s.replace(/^ +/, '')),
  RTRIM: stringFn((s) => s.replace(/ +$/, '')),
  INITCAP: stringFn((s) => s.toLowerCase().replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase())),
  REVERSE: stringFn((s) => [...s].reverse().join('')),
  REPLACE: stringFn((s, from: string, to: string) => (from === '' ? s : s.split(from).join(to)), T.STRING, [3, 3]),
  // The index-th (0-based) piece of s split at sep; NULL past the last piece (Flink's SPLIT_INDEX).
  SPLIT_INDEX: stringFn((s, sep: string | null, index: number | null) => (sep === null || index === null || index < 0 ? null : (s.split(sep)[index] ?? null)), T.STRING, [3, 3]),
  // Group `group` (0: the whole match) of the first match of a Java regex; NULL without a match.
  // Without a group, the whole match; a regex JavaScript cannot compile gives NULL, as Flink's does for one Java cannot.
  REGEXP_EXTRACT: stringFn((s, regex: string | null, group: number | null = 0) => {
    if (regex === null || group === null) return null;
    try {
      return new RegExp(regex).exec(s)?.[group] ?? null;
    } catch {
      return null;
    }
  }, T.STRING, [2, 3]),
  SUBSTRING: {
    arity: [2, 3],
    returns(args, pos, name) {
      expect(isString(args[0]!) && args.slice(1).every(isInteger), name, args, '(string, integer [, integer])', pos);
      return T.STRING;
    },
    call: (args) => substring(args[0] as string, args[1] as number, args[2] as number | undefined),
  },
  POSITION: {
    arity: [2, 2],
    returns(args, pos, name) {
      expect(args.every(isString), name, args, 'two strings', pos);
      return T.INT;
    },
    // 1-based position in characters, 0 when absent.
    call: (args) => {
      const at = (args[1] as string).indexOf(args[0] as string);
      return at < 0 ? 0 : [...(args[1] as string).slice(0, at)].length + 1;
    },
  },
  LPAD: stringFn((s, len: number, pad: string) => padded(s, len, pad, true), T.STRING, [3, 3]),
  RPAD: stringFn((s, len: number, pad: string) => padded(s, len, pad, false), T.STRING, [3, 3]),
  CONCAT: {
    arity: [1, Infinity],
    returns(args, pos, name) {
      expect(args.every(isString), name, args, 'strings', pos);
      return T.STRING;
    },
    call: (args) => args.join(''),
  },
  CONCAT_WS: {
    arity: [2, Infinity],
    strict: false,
    returns(args, pos, name) {
      expect(args.every((t) => isString(t) || t.root === 'NULL'), name, args, 'strings', pos);
      return T.STRING;
    },
    call: (args) => (args[0] === null ? null : args.slice(1).filter((a) => a !== null).join(args[0] as string)),
  },
  ABS: sameNumeric(Math.abs),
  FLOOR: sameNumeric(Math.floor, 0),
  CEIL: sameNumeric(Math.ceil, 0),
  CEILING: sameNumeric(Math.ceil, 0),
  SIGN: sameNumeric(Math.sign),
  ROUND: {
    arity: [1, 2],
    returns(args, pos, name) {
      expect(isNumeric(args[0]!) && (args.length === 1 || isInteger(args[1]!)), name, args, '(number [, integer])', pos);
      return args[0]!;
    },
    call: (args) => roundHalfUp(args[0] as number, (args[1] as number | undefined) ?? 0),
  },
  MOD: {
    arity: [2, 2],
    returns(args, pos, name) {
      expect(args.every(isInteger), name, args, 'two integers', pos);
      return args[1]!;
    },
    call: (args) => {
      if (args[1] === 0) throw new Error('MOD: division by zero');
      return ((args[0] as number) % (args[1] as number)) + 0; // no negative zero in Java's integers
    },
  },
  POWER: mathDouble(Math.pow, [2, 2]),
  SQRT: mathDouble(Math.sqrt),
  EXP: mathDouble(Math.exp),
  LN: mathDouble(Math.log),
  LOG10: mathDouble(Math.log10),
  LOG2: mathDouble(Math.log2),
  YEAR: temporalField('YEAR'),
  QUARTER: temporalField('QUARTER'),
  MONTH: temporalField('MONTH'),
  DAYOFMONTH: temporalField('DAY'),
  DAYOFYEAR: temporalField('DOY'),
  DAYOFWEEK: temporalField('DOW'),
  HOUR: temporalField('HOUR'),
  MINUTE: temporalField('MINUTE'),
  SECOND: temporalField('SECOND'),
  DATE_FORMAT: {
    arity: [2, 2],
    returns(args, pos, name) {
      expect((isTimestamp(args[0]!) || isString(args[0]!)) && isString(args[1]!), name, args, '(TIMESTAMP or string, pattern)', pos);
      return T.STRING;
    },
    call: (args) => {
      const ms = typeof args[0] === 'number' ? args[0] : parseTimestamp(args[0] as string);
      return ms === null ? null : formatWithPattern(ms, args[1] as string);
    },
  },
  TO_TIMESTAMP: {
    arity: [1, 2],
    returns(args, pos, name) {
      expect(args.every(isString), name, args, '(string [, pattern])', pos);
      return T.TIMESTAMP3;
    },
    call: (args) => parseWithPattern(args[0] as string, (args[1] as string | undefined) ?? 'yyyy-MM-dd HH:mm:ss'),
  },
  COALESCE: {
    arity: [1, Infinity],
    strict: false,
    returns: (args, pos, name) => unify(args, pos, name),
    call: (args) => args.find((a) => a !== null && a !== undefined) ?? null,
  },
  NULLIF: {
    arity: [2, 2],
    strict: false,
    returns: (args, pos, name) => unify(args, pos, name),
    call: (args) => (args[0] !== null && args[0] === args[1] ? null : args[0]),
  },
  IF: {
    arity: [3, 3],
    strict: false,
    returns(args, pos, name) {
      expect(args[0]!.root === 'BOOLEAN' || args[0]!.root === 'NULL', name, args, 'a BOOLEAN condition', pos);
      return unify(args.slice(1), pos, name);
    },
    call: (args) => (args[0] === true ? args[1] : args[2]),
  },
};

function padded(s: string, len: number, pad: string, left: boolean): string | null {
  if (len < 0) return null;
  const chars = [...s];
  if (chars.length >= len) return chars.slice(0, len).join('');
  if (pad === '') return null;
  const fill: string[] = [];
  const padChars = [...pad];
  while (fill.length < len - chars.length) fill.push(padChars[fill.length % padChars.length]!);
  return left ? fill.join('') + s : s + fill.join('');
}

/** The common type of branches, or an error naming them. */
export function unify(types: SqlType[], pos: SqlPosition, what: string): SqlType {
  let t: SqlType | undefined = types[0]!;
  for (const next of types.slice(1)) {
    t = t && commonType(t, next);
  }
  if (!t) throw new SqlValidationError(`${what}: ${types.map(formatType).join(', ')} have no common type`, pos);
  return isString(t) ? T.STRING : t;
}
