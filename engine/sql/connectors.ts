/**
 * The connectors a `CREATE TABLE ... WITH ('connector' = ...)` names, as sources and sinks of
 * the DataStream API: `filesystem` (csv, json, parquet, read through DuckDB, paths relative to
 * the notebook's folder), `datagen`, `nexmark` (nexmark-connector.ts), `print` and `blackhole`. Options are checked when the
 * table is used, naming the table and the option. (Flink's counterparts: the
 * `DynamicTableSourceFactory`s and `DynamicTableSinkFactory`s of these connectors.)
 */
import type { DataStream } from '../api/datastream.ts';
import type { StreamExecutionEnvironment } from '../api/environment.ts';
import type { CatalogTable, Column, Row } from './catalog.ts';
import { kindOf } from './changelog.ts';
import { filesystemSink } from './filesystem-sink.ts';
import { nexmarkSource } from './nexmark-connector.ts';
import type { PlannedTable } from './planner.ts';
import { SqlUnsupportedError, SqlValidationError } from './errors.ts';
import { formatType, formatValue, isApproximate, isInteger, isString, isTimestamp, type SqlType } from './types.ts';

/** A table of `CREATE TABLE ... WITH ('connector' = ...)`. */
export type ConnectorTable = Extract<CatalogTable, { kind: 'connector' }>;

const quoteLiteral = (s: string) => `'${s.replaceAll("'", "''")}'`;
const quoteName = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The DuckDB type a column is read as. */
function duckdbType(t: SqlType, table: string, column: string): string {
  switch (t.root) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
    case 'TIME':
      return t.root;
    case 'INT':
      return 'INTEGER';
    case 'DECIMAL':
      return `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`;
    case 'CHAR':
    case 'VARCHAR':
      return 'VARCHAR';
    case 'TIMESTAMP':
      return 'TIMESTAMP';
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMPTZ';
    default:
      throw new SqlUnsupportedError(`the column type ${formatType(t)} of ${table}.${column} in the filesystem connector`);
  }
}

export function option(table: ConnectorTable, key: string, required: true): string;
export function option(table: ConnectorTable, key: string, required?: false): string | undefined;
export function option(table: ConnectorTable, key: string, required = false): string | undefined {
  const value = table.options[key];
  if (value === undefined && required) throw new SqlValidationError(`table '${table.name}': the ${table.options['connector']} connector needs the option '${key}'`, table.pos);
  return value;
}

/** The DuckDB query that reads a filesystem table's files, with its columns typed as declared. */
export function filesystemQuery(table: ConnectorTable): string {
  const path = option(table, 'path', true);
  const files = path.endsWith('/') ? `${path}*` : path;
  const format = option(table, 'format', true);
  const columns = `{${table.physical.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(duckdbType(c.type, table.name, c.name))}`).join(', ')}}`;
  const names = table.physical.map((c) => quoteName(c.name)).join(', ');
  switch (format) {
    case 'csv': {
      const delimiter = option(table, 'csv.field-delimiter') ?? ',';
      // Flink's CSV has no header; 'csv.ignore-first-line' (its legacy option) skips one.
      const header = option(table, 'csv.ignore-first-line') === 'true';
      return `SELECT ${names} FROM read_csv(${quoteLiteral(files)}, header = ${header}, auto_detect = false, delim = ${quoteLiteral(delimiter)}, quote = '"', columns = ${columns})`;
    }
    case 'json':
      return `SELECT ${names} FROM read_json(${quoteLiteral(files)}, format = 'newline_delimited', columns = ${columns})`;
    case 'parquet': {
      const casts = table.physical.map((c) => `CAST(${quoteName(c.name)} AS ${duckdbType(c.type, table.name, c.name)}) AS ${quoteName(c.name)}`).join(', ');
      return `SELECT ${casts} FROM read_parquet(${quoteLiteral(files)})`;
    }
    default:
      throw new SqlUnsupportedError(`table '${table.name}': the format '${format}' (the filesystem connector reads csv, json and parquet)`, table.pos);
  }
}

/** A deterministic pseudo-random number in [0, 1) for a row index and a field: a replayed row is the same row. */
function random(index: number, field: number): number {
  let h = Math.imul(index ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(field + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** A datagen field's values: `fields.<name>.kind` = 'random' (default; min/max, length) or 'sequence' (start/end). */
function datagenField(table: ConnectorTable, column: Column, field: number): { make: (index: number) => unknown; rows?: number } {
  const opt = (key: string) => table.options[`fields.${column.name}.${key}`];
  const num = (key: string, fallback: number) => {
    const v = opt(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new SqlValidationError(`table '${table.name}': 'fields.${column.name}.${key}' must be a number, got '${v}'`, table.pos);
    return n;
  };
  const kind = opt('kind') ?? 'random';
  const t = column.type;
  if (kind === 'sequence') {
    if (!isInteger(t) && !isString(t)) throw new SqlUnsupportedError(`table '${table.name}': a sequence of ${formatType(t)} in datagen`, table.pos);
    if (opt('start') === undefined || opt('end') === undefined) {
      throw new SqlValidationError(`table '${table.name}': the sequence field '${column.name}' needs 'fields.${column.name}.start' and '.end'`, table.pos);
    }
    const start = num('start', 0);
    const end = num('end', 0);
    return { make: (i) => (isString(t) ? String(start + i) : start + i), rows: end - start + 1 };
  }
  if (kind !== 'random') throw new SqlValidationError(`table '${table.name}': 'fields.${column.name}.kind' is 'random' or 'sequence', got '${kind}'`, table.pos);
  if (isInteger(t)) {
    const min = num('min', 0);
    const max = num('max', t.root === 'TINYINT' ? 127 : t.root === 'SMALLINT' ? 32767 : 2147483647);
    return { make: (i) => min + Math.floor(random(i, field) * (max - min + 1)) };
  }
  if (isApproximate(t) || t.root === 'DECIMAL') {
    const min = num('min', 0);
    const max = num('max', 1000);
    const scale = t.root === 'DECIMAL' ? (t.scale ?? 0) : undefined;
    return { make: (i) => { const v = min + random(i, field) * (max - min); return scale === undefined ? v : Number(v.toFixed(scale)); } };
  }
  if (isString(t)) {
    const length = num('length', 100);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    return { make: (i) => Array.from({ length }, (_x, k) => alphabet[Math.floor(random(i * 131 + k, field) * alphabet.length)]).join('') };
  }
  if (t.root === 'BOOLEAN') return { make: (i) => random(i, field) < 0.5 };
  if (isTimestamp(t)) {
    // Flink: the current time minus up to 'max-past' ms.
    const maxPast = num('max-past', 0);
    return { make: (i) => Date.now() - Math.floor(random(i, field) * maxPast) };
  }
  throw new SqlUnsupportedError(`table '${table.name}': a ${formatType(t)} column in datagen`, table.pos);
}

function datagenSource(env: StreamExecutionEnvironment, table: ConnectorTable): DataStream<Row> {
  const fields = table.physical.map((c, k) => ({ name: c.name, ...datagenField(table, c, k) }));
  const declared = option(table, 'number-of-rows');
  const sequenceRows = fields.filter((f) => f.rows !== undefined).map((f) => f.rows!);
  const rows = declared !== undefined ? Number(declared) : sequenceRows.length > 0 ? Math.min(...sequenceRows) : Infinity;
  if (!(rows >= 0)) throw new SqlValidationError(`table '${table.name}': 'number-of-rows' must be a number ≥ 0, got '${declared}'`, table.pos);
  const rate = Number(option(table, 'rows-per-second') ?? 10000);
  return env
    .fromGenerator<Row>(
      rows,
      (i) => {
        const row: Row = {};
        for (const f of fields) row[f.name] = f.make(i);
        return row;
      },
      { recordsPerSecond: rate },
    )
    .name(`datagen ${table.name}`);
}

/** The physical rows of a connector table, as a stream. */
export function tableSource(env: StreamExecutionEnvironment, table: ConnectorTable): DataStream<Row> {
  switch (table.options['connector']) {
    case 'filesystem':
      return env.fromDuckDB<Row>(filesystemQuery(table), { name: `filesystem ${table.name}` });
    case 'datagen':
      return datagenSource(env, table);
    case 'nexmark':
      return nexmarkSource(env, table);
    case undefined:
      throw new SqlValidationError(`table '${table.name}' has no 'connector' option`, table.pos);
    default:
      throw new SqlUnsupportedError(`table '${table.name}': the connector '${table.options['connector']}' as a source (sources: filesystem, datagen, nexmark)`, table.pos);
  }
}

const log = (line: string) => (globalThis as unknown as { console: { log(s: string): void } }).console.log(line);

/** A row as Flink's print connector writes it, with its kind: `+I[1, Alice, 2024-01-01 00:00:00.000]`, `-U[...]`. */
export function formatRow(row: Row, columns: Column[]): string {
  return `${kindOf(row)}[${columns.map((c) => formatValue(row[c.name], c.type)).join(', ')}]`;
}

/**
 * Writes `planned`'s rows (rows of `columns`, already in the table's column names) to a connector
 * table. `print` and `blackhole` take any changelog; the filesystem sink is append-only, except
 * in the changelog-json format.
 */
export function tableSink(table: ConnectorTable, planned: PlannedTable, columns: Column[]): DataStream<never> {
  const { stream } = planned;
  switch (table.options['connector']) {
    case 'print': {
      const prefix = table.options['print-identifier'] ? `${table.options['print-identifier']}> ` : '';
      return stream.sinkTo({ invoke: (row: Row) => log(prefix + formatRow(row, columns)) }).name(`print ${table.name}`);
    }
    case 'blackhole':
      return stream.sinkTo({ invoke: () => {} }).name(`blackhole ${table.name}`);
    case 'filesystem':
      return filesystemSink(table, planned, columns);
    case undefined:
      throw new SqlValidationError(`table '${table.name}' has no 'connector' option`, table.pos);
    default:
      throw new SqlUnsupportedError(`table '${table.name}': the connector '${table.options['connector']}' as a sink (sinks: print, blackhole, filesystem)`, table.pos);
  }
}
