/**
 * The tables a table environment knows: connector tables from `CREATE TABLE ... WITH (...)`,
 * views (`CREATE VIEW`), and views over DataStreams (`createTemporaryView`). Names are
 * case-sensitive, as in Flink. (Flink's counterparts: `CatalogManager` with its in-memory
 * catalog, `ResolvedSchema`.)
 */
import type { DataStream } from '../api/datastream.ts';
import type { Expr, Query } from './ast.ts';
import { SqlValidationError, type SqlPosition } from './errors.ts';
import type { SqlType } from './types.ts';

/** A row of a table: column name → value (see types.ts for how each type's values look). */
export type Row = Record<string, unknown>;

export interface Column {
  name: string;
  type: SqlType;
}

/** A table's columns, and the event-time attribute (rowtime) among them, if it has one. */
export interface TableSchema {
  columns: Column[];
  /** The column that carries event time and watermarks: windows may be defined on it. */
  rowtime?: string;
  /** `PRIMARY KEY (...) NOT ENFORCED` of a CREATE TABLE: with a rowtime, the table is versioned (temporal joins look it up). */
  primaryKey?: string[];
}

export type CatalogTable =
  | {
      kind: 'connector';
      name: string;
      schema: TableSchema;
      /** The columns the connector reads or writes, in order. */
      physical: Column[];
      computed: { name: string; expr: Expr }[];
      watermark?: { column: string; expr: Expr };
      /** `PRIMARY KEY (k) NOT ENFORCED`: a sink keeps one row per key (upsert), as Flink's upsert sinks do. */
      primaryKey?: string[];
      options: Record<string, string>;
      pos: SqlPosition;
    }
  | { kind: 'view'; name: string; query: Query; columns?: string[] }
  /** `updating`: the stream is a changelog (a Table of an updating query registered as a view). */
  | { kind: 'stream'; name: string; schema: TableSchema; stream: DataStream<Row>; updating?: { producer: string } };

/** Tables by name, in one session. */
export class Catalog {
  private readonly tables = new Map<string, CatalogTable>();

  /** Registers `table`; an existing name is an error unless `ifNotExists` (then the old one stays). */
  register(table: CatalogTable, ifNotExists: boolean, pos?: SqlPosition): void {
    if (this.tables.has(table.name)) {
      if (ifNotExists) return;
      throw new SqlValidationError(`Table or view '${table.name}' already exists`, pos);
    }
    this.tables.set(table.name, table);
  }

  /** Replaces or adds `table` (createTemporaryView replaces, as Flink's does for temporary objects). */
  put(table: CatalogTable): void {
    this.tables.set(table.name, table);
  }

  drop(name: string, ifExists: boolean, pos?: SqlPosition): void {
    if (!this.tables.delete(name) && !ifExists) throw new SqlValidationError(`Table '${name}' does not exist`, pos);
  }

  get(name: string, pos?: SqlPosition): CatalogTable {
    const table = this.tables.get(name);
    if (!table) {
      const known = [...this.tables.keys()];
      const hint = known.length > 0 ? `; known tables: ${known.join(', ')}` : '; create it first with CREATE TABLE';
      throw new SqlValidationError(`Object '${name}' not found${hint}`, pos);
    }
    return table;
  }

  /** Names of the tables and views, in the order they were registered. */
  list(): string[] {
    return [...this.tables.keys()];
  }
}
