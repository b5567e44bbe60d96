/** The Table API and Flink SQL on Weir's engine, as notebooks import them from `'weir'`. */
export { StreamTableEnvironment } from './table-environment.ts';
export { Table, TableResult } from './table.ts';
export { Schema, SchemaBuilder } from './schema.ts';
export { SqlError, SqlParseError, SqlUnsupportedError, SqlValidationError } from './errors.ts';
export type { SqlPosition } from './errors.ts';
export type { Row } from './catalog.ts';
export type { Change, RowKind } from './changelog.ts';
export { runFlinkSqlCell } from './cell.ts';
export type { FlinkSqlCellSpec, ParsedCell } from './cell.ts';
