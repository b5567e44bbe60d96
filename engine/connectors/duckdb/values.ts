/**
 * DuckDB values as the records a pipeline sees: plain objects keyed by column name, with
 * event-time friendly scalars.
 *
 * | DuckDB                                  | JavaScript                                      |
 * |-----------------------------------------|-------------------------------------------------|
 * | TIMESTAMP, TIMESTAMPTZ, TIMESTAMP_S/MS/NS | epoch milliseconds (number; ±Infinity for ±infinity) |
 * | TINYINT … INTEGER, FLOAT, DOUBLE         | number                                          |
 * | BIGINT, UBIGINT, HUGEINT, UHUGEINT       | number when safe (|x| ≤ 2^53 − 1), else bigint  |
 * | DECIMAL                                 | number                                          |
 * | DATE                                    | 'YYYY-MM-DD'                                     |
 * | TIME                                    | 'HH:MM:SS[.ffffff]'                              |
 * | VARCHAR, ENUM, UUID, JSON               | string                                          |
 * | BOOLEAN                                 | boolean                                         |
 * | LIST, ARRAY / STRUCT / MAP              | array / object / array of { key, value }         |
 * | BLOB, BIT                               | Uint8Array                                      |
 * | INTERVAL                                | { months, days, micros }                         |
 * | NULL                                    | null                                            |
 */
import {
  DuckDBTypeId,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  arrayFromArrayValue,
  arrayFromListValue,
  bytesFromBitValue,
  bytesFromBlobValue,
  createDuckDBValueConverter,
  doubleFromDecimalValue,
  objectArrayFromMapValue,
  objectFromStructValue,
  objectFromUnionValue,
  type DuckDBDataChunk,
  type DuckDBDecimalType,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBVector,
  type DuckDBValueConverter,
} from '@duckdb/node-api';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const INT64_MAX = 2n ** 63n - 1n;

/** A bigint as a number when no precision is lost, else unchanged. */
export function safeInteger(value: bigint): number | bigint {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

/** Epoch ms from a count of `unit`s per ms (floor: 1 µs before the epoch is -1 ms). */
function epochMs(ticks: bigint, perMs: number): number {
  // DuckDB stores ±infinity as the extreme int64 values.
  if (ticks >= INT64_MAX) return Infinity;
  if (ticks <= -INT64_MAX) return -Infinity;
  return Math.floor(Number(ticks) / perMs);
}

function timestampMs(value: DuckDBValue): number {
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return epochMs(value.micros, 1000);
  if (value instanceof DuckDBTimestampMillisecondsValue) return epochMs(value.millis, 1);
  if (value instanceof DuckDBTimestampSecondsValue) {
    return value.seconds >= INT64_MAX ? Infinity : value.seconds <= -INT64_MAX ? -Infinity : Number(value.seconds) * 1000;
  }
  if (value instanceof DuckDBTimestampNanosecondsValue) return epochMs(value.nanos, 1_000_000);
  throw new Error(`Expected a timestamp, got ${String(value)}`);
}

const asNumber = (v: DuckDBValue) => v as number;
const asBoolean = (v: DuckDBValue) => v as boolean;
const asString = (v: DuckDBValue) => String(v);
const asInteger = (v: DuckDBValue) => (typeof v === 'bigint' ? safeInteger(v) : (v as number));
const asInterval = (v: DuckDBValue) => {
  const i = v as unknown as { months: number; days: number; micros: bigint };
  return { months: i.months, days: i.days, micros: safeInteger(i.micros) };
};

type Converter = DuckDBValueConverter<unknown>;
const unsupported: Converter = (_v, type) => {
  throw new Error(`DuckDB type ${type.toString()} is not supported in records: cast it in the query (e.g. CAST(x AS VARCHAR))`);
};

const BY_TYPE_ID: Record<DuckDBTypeId, Converter | undefined> = {
  [DuckDBTypeId.INVALID]: unsupported,
  [DuckDBTypeId.BOOLEAN]: asBoolean,
  [DuckDBTypeId.TINYINT]: asNumber,
  [DuckDBTypeId.SMALLINT]: asNumber,
  [DuckDBTypeId.INTEGER]: asNumber,
  [DuckDBTypeId.BIGINT]: asInteger,
  [DuckDBTypeId.UTINYINT]: asNumber,
  [DuckDBTypeId.USMALLINT]: asNumber,
  [DuckDBTypeId.UINTEGER]: asNumber,
  [DuckDBTypeId.UBIGINT]: asInteger,
  [DuckDBTypeId.FLOAT]: asNumber,
  [DuckDBTypeId.DOUBLE]: asNumber,
  [DuckDBTypeId.TIMESTAMP]: timestampMs,
  [DuckDBTypeId.DATE]: asString,
  [DuckDBTypeId.TIME]: asString,
  [DuckDBTypeId.INTERVAL]: asInterval,
  [DuckDBTypeId.HUGEINT]: asInteger,
  [DuckDBTypeId.UHUGEINT]: asInteger,
  [DuckDBTypeId.VARCHAR]: asString,
  [DuckDBTypeId.BLOB]: bytesFromBlobValue,
  [DuckDBTypeId.DECIMAL]: doubleFromDecimalValue,
  [DuckDBTypeId.TIMESTAMP_S]: timestampMs,
  [DuckDBTypeId.TIMESTAMP_MS]: timestampMs,
  [DuckDBTypeId.TIMESTAMP_NS]: timestampMs,
  [DuckDBTypeId.ENUM]: asString,
  [DuckDBTypeId.LIST]: arrayFromListValue,
  [DuckDBTypeId.STRUCT]: objectFromStructValue,
  [DuckDBTypeId.MAP]: objectArrayFromMapValue,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue,
  [DuckDBTypeId.UUID]: asString,
  [DuckDBTypeId.UNION]: objectFromUnionValue,
  [DuckDBTypeId.BIT]: bytesFromBitValue,
  [DuckDBTypeId.TIME_TZ]: asString,
  [DuckDBTypeId.TIMESTAMP_TZ]: timestampMs,
  [DuckDBTypeId.ANY]: unsupported,
  [DuckDBTypeId.BIGNUM]: asInteger,
  [DuckDBTypeId.SQLNULL]: () => null,
  [DuckDBTypeId.STRING_LITERAL]: unsupported,
  [DuckDBTypeId.INTEGER_LITERAL]: unsupported,
  [DuckDBTypeId.TIME_NS]: asString,
  [DuckDBTypeId.GEOMETRY]: unsupported,
  [DuckDBTypeId.VARIANT]: unsupported,
};

/** Converts one DuckDB value (nested values too) by the table above. */
export const toRecordValue: Converter = createDuckDBValueConverter(BY_TYPE_ID);

/**
 * Turns result chunks into records. Built once per result from its column names and types;
 * converts column by column (one type dispatch per column and chunk, not per value).
 */
export class RowDecoder {
  private readonly converters: Converter[];
  constructor(
    readonly columns: readonly string[],
    readonly types: readonly DuckDBType[],
  ) {
    this.converters = types.map((t) => {
      const c = BY_TYPE_ID[t.typeId] ?? unsupported;
      return (v: DuckDBValue, type: DuckDBType) => c(v, type, toRecordValue);
    });
  }

  /** Index of a column by name, or -1. */
  indexOf(name: string): number {
    return this.columns.indexOf(name);
  }

  /** Rows `from..` of a chunk as records. */
  decode(chunk: DuckDBDataChunk, from = 0): Record<string, unknown>[] {
    const n = chunk.rowCount;
    const rows: Record<string, unknown>[] = new Array(Math.max(0, n - from));
    for (let r = from; r < n; r++) rows[r - from] = {};
    for (let c = 0; c < this.columns.length; c++) {
      const name = this.columns[c]!;
      const type = this.types[c]!;
      const vector = chunk.getColumnVector(c);
      if (decodeFast(vector, type, name, rows, from, n)) continue;
      const convert = this.converters[c]!;
      for (let r = from; r < n; r++) {
        const v = vector.getItem(r);
        rows[r - from]![name] = v === null ? null : convert(v, type, toRecordValue);
      }
    }
    return rows;
  }
}

/** The internals of fixed-width vectors in @duckdb/node-api (a typed array and a validity bitmask). */
interface FixedWidthVector {
  items?: unknown;
  dataView?: unknown;
  validity?: { data?: BigUint64Array | null; offset?: number };
}

/**
 * Column decoding straight from a vector's typed array, for the common fixed-width types:
 * `getItem` allocates a value object per timestamp and tests validity with BigInt arithmetic,
 * which dominates the cost of reading. Returns false (the caller converts value by value) when
 * the vector does not have the expected layout.
 */
function decodeFast(vector: DuckDBVector, type: DuckDBType, name: string, rows: Record<string, unknown>[], from: number, n: number): boolean {
  const v = vector as unknown as FixedWidthVector;
  const items = v.items;
  const validity = v.validity;
  if (!validity || (validity.offset ?? 0) !== 0) return false;
  const mask = validity.data ? new Uint8Array(validity.data.buffer, validity.data.byteOffset, validity.data.byteLength) : null;
  const valid = (i: number) => mask === null || ((mask[i >> 3]! >> (i & 7)) & 1) === 1;
  if (type.typeId === DuckDBTypeId.DECIMAL) return decodeDecimal(v.dataView, type as DuckDBDecimalType, valid, name, rows, from, n);
  if (!ArrayBuffer.isView(items)) return false;
  switch (type.typeId) {
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UTINYINT: {
      const a = items as unknown as ArrayLike<number>;
      if (typeof a[0] !== 'number' && a.length > 0) return false;
      for (let r = from; r < n; r++) rows[r - from]![name] = valid(r) ? a[r]! : null;
      return true;
    }
    case DuckDBTypeId.BIGINT: {
      if (!(items instanceof BigInt64Array)) return false;
      for (let r = from; r < n; r++) {
        if (!valid(r)) rows[r - from]![name] = null;
        else {
          const b = items[r]!;
          rows[r - from]![name] = b >= MIN_SAFE && b <= MAX_SAFE ? Number(b) : b;
        }
      }
      return true;
    }
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      if (!(items instanceof BigInt64Array)) return false;
      for (let r = from; r < n; r++) rows[r - from]![name] = valid(r) ? epochMs(items[r]!, 1000) : null;
      return true;
    }
    default:
      return false;
  }
}

/** DECIMAL read from the vector's little-endian integers (16 to 128 bits) and scaled. */
function decodeDecimal(
  view: unknown,
  type: DuckDBDecimalType,
  valid: (i: number) => boolean,
  name: string,
  rows: Record<string, unknown>[],
  from: number,
  n: number,
): boolean {
  if (!(view instanceof DataView)) return false;
  const divisor = 10 ** type.scale;
  const bytes = type.width <= 4 ? 2 : type.width <= 9 ? 4 : type.width <= 18 ? 8 : 16;
  if (view.byteLength < n * bytes) return false;
  for (let r = from; r < n; r++) {
    if (!valid(r)) {
      rows[r - from]![name] = null;
      continue;
    }
    let raw: number;
    if (bytes === 2) raw = view.getInt16(r * 2, true);
    else if (bytes === 4) raw = view.getInt32(r * 4, true);
    else if (bytes === 8) raw = view.getUint32(r * 8, true) + view.getInt32(r * 8 + 4, true) * 4294967296;
    else raw = Number((view.getBigInt64(r * 16 + 8, true) << 64n) | view.getBigUint64(r * 16, true));
    rows[r - from]![name] = raw / divisor;
  }
  return true;
}
