/**
 * Data files for the DuckDB connector tests, written by DuckDB itself into a fresh temporary
 * directory, plus a way to drive a source reader by hand.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { SourceOutput, SourceReader } from '../../../../engine/runtime/source.ts';

/** A temporary directory and a DuckDB connection (its own instance) to write and check files. */
export class Scratch {
  readonly dir: string;
  private instance: DuckDBInstance | undefined;
  private conn: DuckDBConnection | undefined;

  constructor(prefix: string) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), `weir-${prefix}-`));
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  /** SQL-quoted path inside the directory. */
  lit(...parts: string[]): string {
    return `'${this.path(...parts).replace(/'/g, "''")}'`;
  }

  write(name: string, text: string): string {
    writeFileSync(this.path(name), text);
    return this.path(name);
  }

  async connection(): Promise<DuckDBConnection> {
    this.instance ??= await DuckDBInstance.create(':memory:');
    return (this.conn ??= await this.instance.connect());
  }

  async run(sql: string): Promise<void> {
    await (await this.connection()).run(sql);
  }

  /** Rows of a query as JSON-friendly objects (numbers stay numbers; BIGINT etc. as strings). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await (await this.connection()).runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  /** Opens a database file in its own instance, runs `sql`, closes it again (so sinks can open it). */
  async rowsIn(database: string, sql: string): Promise<Record<string, unknown>[]> {
    const instance = await DuckDBInstance.create(database);
    try {
      const conn = await instance.connect();
      try {
        return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
      } finally {
        conn.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  }

  close(): void {
    this.conn?.closeSync();
    this.instance?.closeSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One event of the test data set. */
export interface Ev {
  id: number;
  user: string;
  amount: number;
  ts: number;
}

/**
 * Writes the same 6000 events (10 users, one hour from 2026-01-01 00:00 UTC, one every 600 ms)
 * as events.csv, events.parquet, events.ndjson and as four Parquet parts parts/part-<k>.parquet.
 */
export async function writeEvents(s: Scratch): Promise<void> {
  await s.run(`CREATE TABLE ev AS
    SELECT i::INTEGER AS id, 'u' || (hash(i) % 10) AS user, (hash(i * 7) % 100 + 1)::INTEGER AS amount,
           TIMESTAMP '2026-01-01 00:00:00' + to_milliseconds(i * 600) AS ts
    FROM range(6000) t(i)`);
  await s.run(`COPY ev TO ${s.lit('events.csv')} (HEADER)`);
  await s.run(`COPY ev TO ${s.lit('events.parquet')} (FORMAT parquet)`);
  await s.run(`COPY ev TO ${s.lit('events.ndjson')} (FORMAT json)`);
  await s.run(`COPY (SELECT *, id % 4 AS part FROM ev) TO ${s.lit('parts')} (FORMAT parquet, PARTITION_BY (part), FILENAME_PATTERN 'p')`);
}

/** A SourceOutput that records everything. */
export class RecordingOutput<T> implements SourceOutput<T> {
  readonly values: T[] = [];
  readonly timestamps: (number | undefined)[] = [];
  readonly watermarks: number[] = [];
  collect(value: T, timestamp?: number): void {
    this.values.push(value);
    this.timestamps.push(timestamp);
  }
  emitWatermark(watermark: number): void {
    this.watermarks.push(watermark);
  }
  markIdle(): void {}
}

/** Polls `reader` as a task would until it ends or `until()` holds; returns whether it ended. */
export async function drive<T>(reader: SourceReader<T>, out: SourceOutput<T>, options: { batch?: number; until?: () => boolean } = {}): Promise<boolean> {
  for (;;) {
    if (options.until?.()) return false;
    const r = reader.pollNext(out, options.batch ?? 512);
    if (r === 'end') return true;
    if (r !== 'more') await r;
  }
}

/** Sorts records by their JSON text, for order-insensitive comparison. */
export function sorted<T>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}
