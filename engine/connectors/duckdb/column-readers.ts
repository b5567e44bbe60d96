/**
 * DuckDB result vectors read a column at a time into JavaScript columns (typed arrays where no
 * value is NULL, else arrays), in the value mapping of values.ts. One `ColumnReader` is chosen
 * per result column when the result's schema is known, so the type is dispatched once per
 * column, never per value (Arrow's and Flink's columnar readers do the same: a reader per
 * column type, `ColumnVector` per batch).
 *
 * Fixed-width types are read from the vector's memory: @duckdb/node-api's `getItem` allocates
 * a value object (a BigInt, a timestamp object) per value and tests NULLs with BigInt
 * arithmetic. Columns are copies, never views of DuckDB's memory, which belongs to the chunk.
 * Types without a reader here go value by value through the converters of values.ts.
 */
import { DuckDBTypeId, type DuckDBDecimalType, type DuckDBType, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';

/** Values of one column of a chunk, by row. */
export type Column = ArrayLike<unknown>;

/** Reads rows `0..n` of a vector into a column. */
export type ColumnReader = (vector: DuckDBVector, n: number) => Column;

/** The internals of @duckdb/node-api's vectors that the readers use: data and a validity bitmask. */
interface VectorInternals {
  items?: unknown;
  dataView?: unknown;
  validity?: { data?: BigUint64Array | null; offset?: number };
}

const TWO_32 = 4294967296;
/** Upper 32-bit halves of int64s whose value is a safe integer: |hi| < 2^21. */
const SAFE_HI = 2097152;

/**
 * The reader for a column of `type`, or undefined when values must be converted one by one
 * (`convert` is given those, non-NULL).
 */
export function columnReaderFor(type: DuckDBType, convert: (value: DuckDBValue) => unknown): ColumnReader {
  const fast = fixedWidthReader(type);
  const generic = genericReader(convert);
  if (!fast) return generic;
  // A vector of another layout than expected (a future @duckdb/node-api) is read value by value.
  return (vector, n) => fast(vector as unknown as VectorInternals, n) ?? generic(vector, n);
}

type FastReader = (vector: VectorInternals, n: number) => Column | undefined;

function fixedWidthReader(type: DuckDBType): FastReader | undefined {
  switch (type.typeId) {
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UTINYINT:
      return readNumbers;
    case DuckDBTypeId.BIGINT:
      return (v, n) => readInt64(v, n, false);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return (v, n) => readInt64(v, n, true);
    case DuckDBTypeId.DECIMAL:
      return (v, n) => readDecimal(v, n, type as DuckDBDecimalType);
    case DuckDBTypeId.VARCHAR:
      return readStrings;
    default:
      return undefined;
  }
}

/** The validity bitmask as bytes (bit i of byte i>>3 set when row i is not NULL), or null when no row is NULL. */
function validityBytes(vector: VectorInternals): Uint8Array | null | undefined {
  const validity = vector.validity;
  if (!validity || (validity.offset ?? 0) !== 0) return undefined;
  const data = validity.data;
  return data ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
}

/** A copy of `values` where rows the mask marks NULL are null. */
function withNulls(values: ArrayLike<unknown>, mask: Uint8Array, n: number): unknown[] {
  const out: unknown[] = new Array(n);
  for (let r = 0; r < n; r++) out[r] = (mask[r >> 3]! >> (r & 7)) & 1 ? values[r] : null;
  return out;
}

function readNumbers(vector: VectorInternals, n: number): Column | undefined {
  const items = vector.items;
  const mask = validityBytes(vector);
  if (mask === undefined || !ArrayBuffer.isView(items) || items instanceof DataView || items instanceof BigInt64Array || items instanceof BigUint64Array) return undefined;
  const values = (items as Float64Array).subarray(0, n);
  return mask === null ? values.slice() : withNulls(values, mask, n);
}

/**
 * BIGINT as a number when safe, else a bigint; or TIMESTAMP (µs) as epoch ms (floor), ±Infinity
 * for DuckDB's ±infinity. Read as two 32-bit halves: hi·2^32 + lo is exact for safe integers
 * and rounds once otherwise, as `Number(bigint)` does, without allocating a BigInt.
 */
function readInt64(vector: VectorInternals, n: number, micros: boolean): Column | undefined {
  const items = vector.items;
  const mask = validityBytes(vector);
  if (mask === undefined || !(items instanceof BigInt64Array)) return undefined;
  const words = new Int32Array(items.buffer, items.byteOffset, n * 2);
  let out: Float64Array | unknown[] = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    if (mask !== null && ((mask[r >> 3]! >> (r & 7)) & 1) === 0) {
      if (out instanceof Float64Array) out = Array.from(out);
      out[r] = null;
      continue;
    }
    const lo = words[2 * r]! >>> 0;
    const hi = words[2 * r + 1]!;
    let value: number | bigint;
    if (micros) {
      if (hi === 2147483647 && lo === 4294967295) value = Infinity;
      else if (hi === -2147483648 && lo <= 1) value = -Infinity;
      else value = Math.floor((hi * TWO_32 + lo) / 1000);
    } else if (hi > -SAFE_HI && hi < SAFE_HI) value = hi * TWO_32 + lo;
    else {
      const v = hi * TWO_32 + lo;
      value = Number.isSafeInteger(v) ? v : items[r]!;
    }
    if (typeof value === 'bigint' && out instanceof Float64Array) out = Array.from(out);
    out[r] = value;
  }
  return out;
}

/** DECIMAL from its little-endian integer (16 to 128 bits), divided by 10^scale. */
function readDecimal(vector: VectorInternals, n: number, type: DuckDBDecimalType): Column | undefined {
  const view = vector.dataView;
  const mask = validityBytes(vector);
  if (mask === undefined || !(view instanceof DataView)) return undefined;
  const divisor = 10 ** type.scale;
  const bytes = type.width <= 4 ? 2 : type.width <= 9 ? 4 : type.width <= 18 ? 8 : 16;
  if (view.byteLength < n * bytes) return undefined;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let raw: number;
    if (bytes === 2) raw = view.getInt16(r * 2, true);
    else if (bytes === 4) raw = view.getInt32(r * 4, true);
    else if (bytes === 8) raw = view.getUint32(r * 8, true) + view.getInt32(r * 8 + 4, true) * TWO_32;
    else raw = Number((view.getBigInt64(r * 16 + 8, true) << 64n) | view.getBigUint64(r * 16, true));
    out[r] = raw / divisor;
  }
  return mask === null ? out : withNulls(out, mask, n);
}

/**
 * VARCHAR: strings of at most 12 bytes are stored inline in DuckDB's 16-byte string headers
 * and decoded here (ASCII directly, else as UTF-8); longer ones through the vector.
 */
function readStrings(vector: VectorInternals, n: number): Column | undefined {
  const view = vector.dataView;
  const mask = validityBytes(vector);
  const item = (vector as unknown as DuckDBVector).getItem;
  if (mask === undefined || !(view instanceof DataView) || typeof item !== 'function' || view.byteLength < n * 16) return undefined;
  const bytes = new Uint8Array(view.buffer, view.byteOffset, n * 16);
  const out: (string | null)[] = new Array(n);
  for (let r = 0; r < n; r++) {
    if (mask !== null && ((mask[r >> 3]! >> (r & 7)) & 1) === 0) {
      out[r] = null;
      continue;
    }
    const at = r * 16;
    const length = view.getUint32(at, true);
    out[r] = length <= 12 ? inlineString(bytes, at + 4, length) : (item.call(vector, r) as string);
  }
  return out;
}

const utf8 = new TextDecoder();

function inlineString(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) return utf8.decode(bytes.subarray(start, start + length));
    s += String.fromCharCode(b);
  }
  return s;
}

/** Any type, value by value through the vector's `getItem`. */
function genericReader(convert: (value: DuckDBValue) => unknown): ColumnReader {
  return (vector, n) => {
    const out: unknown[] = new Array(n);
    for (let r = 0; r < n; r++) {
      const v = vector.getItem(r);
      out[r] = v === null ? null : convert(v);
    }
    return out;
  };
}
