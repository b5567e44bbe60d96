/**
 * `Schema`: the columns a DataStream has as a table, its event-time attribute and watermark,
 * built as in Flink's `Schema.newBuilder()`. Types and expressions are SQL text.
 */
import { SqlValidationError } from './errors.ts';
import { MAX_VARCHAR, T, type SqlType } from './types.ts';

export interface SchemaColumn {
  name: string;
  type: SqlType;
  /** 'rowtime': the record's own event time (its DataStream timestamp). */
  metadata?: 'rowtime';
}

/**
 * The columns of a table made from a DataStream (`createTemporaryView`, `fromDataStream`).
 *
 * @example
 * const schema = Schema.newBuilder()
 *   .column('user', 'STRING')
 *   .column('amount', 'DOUBLE')
 *   .column('ts', 'TIMESTAMP(3)')
 *   .watermark('ts', "ts - INTERVAL '5' SECOND")
 *   .build();
 * tEnv.createTemporaryView('orders', orders, schema);
 */
export class Schema {
  private constructor(
    readonly columns: readonly SchemaColumn[],
    /** The event-time attribute and its watermark expression (SQL text, or 'SOURCE_WATERMARK()'). */
    readonly watermark?: { column: string; expression: string },
  ) {}

  /** @example Schema.newBuilder().column('id', 'BIGINT').column('name', 'STRING').build() */
  static newBuilder(): SchemaBuilder {
    return new SchemaBuilder((columns, watermark) => new Schema(columns, watermark));
  }
}

/** Builds a `Schema`, one column at a time. */
export class SchemaBuilder {
  private readonly columns: SchemaColumn[] = [];
  private wm?: { column: string; expression: string };

  constructor(private readonly make: (columns: SchemaColumn[], watermark?: { column: string; expression: string }) => Schema) {}

  /**
   * A column read from the record's field of the same name.
   *
   * @example builder.column('price', 'DECIMAL(10, 2)')
   */
  column(name: string, type: string): this {
    this.columns.push({ name, type: parseTypeText(type, name) });
    return this;
  }

  /**
   * A column holding the record's DataStream timestamp (key 'rowtime'), as Flink's
   * `columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")`.
   *
   * @example builder.columnByMetadata('rowtime', 'TIMESTAMP_LTZ(3)').watermark('rowtime', 'SOURCE_WATERMARK()')
   */
  columnByMetadata(name: string, type: string, key = 'rowtime'): this {
    if (key !== 'rowtime') throw new SqlValidationError(`metadata key '${key}' of column '${name}': a DataStream has only 'rowtime'`);
    this.columns.push({ name, type: parseTypeText(type, name), metadata: 'rowtime' });
    return this;
  }

  /**
   * Makes `column` the event-time attribute, with watermarks from `expression` (the largest
   * value seen), or the stream's own with 'SOURCE_WATERMARK()'.
   *
   * @example builder.watermark('ts', "ts - INTERVAL '2' SECOND")
   */
  watermark(column: string, expression: string): this {
    this.wm = { column, expression };
    return this;
  }

  build(): Schema {
    return this.make([...this.columns], this.wm);
  }
}

/** A type written as SQL text: 'INT', 'STRING', 'DECIMAL(10, 2)', 'TIMESTAMP(3)', 'TIMESTAMP_LTZ(3)'. */
export function parseTypeText(text: string, column: string): SqlType {
  const m = /^\s*([A-Za-z_]+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(WITH LOCAL TIME ZONE)?\s*$/i.exec(text);
  const name = m?.[1]?.toUpperCase();
  const p = m?.[2] !== undefined ? Number(m[2]) : undefined;
  const s = m?.[3] !== undefined ? Number(m[3]) : undefined;
  switch (name) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
      return { root: name };
    case 'INTEGER':
      return T.INT;
    case 'STRING':
      return T.STRING;
    case 'VARCHAR':
      return { root: 'VARCHAR', precision: p ?? MAX_VARCHAR };
    case 'CHAR':
      return { root: 'CHAR', precision: p ?? 1 };
    case 'DECIMAL':
      return { root: 'DECIMAL', precision: p ?? 10, scale: s ?? 0 };
    case 'TIMESTAMP':
      return { root: m?.[4] ? 'TIMESTAMP_LTZ' : 'TIMESTAMP', precision: p ?? 6 };
    case 'TIMESTAMP_LTZ':
      return { root: 'TIMESTAMP_LTZ', precision: p ?? 6 };
    default:
      throw new SqlValidationError(`column '${column}': unknown or unsupported type '${text}'`);
  }
}
