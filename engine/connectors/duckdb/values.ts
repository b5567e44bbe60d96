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
  type DuckDBType,
  type DuckDBValue,
  type DuckDBValueConverter,
} from '@duckdb/node-api';
import { columnReaderFor, type Column, type ColumnReader } from './column-readers.ts';
import { recordBuilder, type RecordBuilder } from './record-builder.ts';

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
 * Turns result chunks into records. Built once per result from its column names and types: a
 * column reader per column (column-readers.ts) and one record builder (record-builder.ts), so
 * types are dispatched once per column and chunk, and records are built straight from columns.
 */
export class RowDecoder {
  private readonly readers: ColumnReader[];
  /** Makes row i's record from the chunk's columns (see `columnsOf`). */
  readonly build: RecordBuilder;
  constructor(
    readonly columns: readonly string[],
    readonly types: readonly DuckDBType[],
  ) {
    this.readers = types.map((type) => {
      const convert = BY_TYPE_ID[type.typeId] ?? unsupported;
      return columnReaderFor(type, (v) => convert(v, type, toRecordValue));
    });
    this.build = recordBuilder(columns);
  }

  /** Index of a column by name, or -1. */
  indexOf(name: string): number {
    return this.columns.indexOf(name);
  }

  /** A chunk's values, column by column. */
  columnsOf(chunk: DuckDBDataChunk): Column[] {
    const n = chunk.rowCount;
    return this.readers.map((read, c) => read(chunk.getColumnVector(c), n));
  }

  /** Rows `from..` of a chunk as records. */
  decode(chunk: DuckDBDataChunk, from = 0): Record<string, unknown>[] {
    const columns = this.columnsOf(chunk);
    const rows: Record<string, unknown>[] = [];
    for (let r = from; r < chunk.rowCount; r++) rows.push(this.build(columns, r));
    return rows;
  }
}
