import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { RowDecoder } from './values.ts';

import type { Column } from './column-readers.ts';

/** Rows read ahead of the reader: DuckDB fetches the next chunks while the engine emits. */
const READ_AHEAD_ROWS = 16384;

/** One chunk's columns and the next row of it to take. */
interface Batch {
  readonly columns: Column[];
  readonly length: number;
  next: number;
}

/**
 * Reads a streaming DuckDB result chunk by chunk (2048 rows each), never the whole result.
 * Chunks are kept as columns (column-readers.ts) and each record is built when it is taken, so
 * rows read ahead cost no objects. One fetch is in flight at a time (a streaming result is
 * sequential); fetching continues in the background until `READ_AHEAD_ROWS` rows wait, so the
 * reader rarely has to wait.
 *
 * Lifecycle: `open` → `take`/`peekValue` while `available() > 0`, `fill()` to wait for more,
 * until `exhausted`; `settle()` before closing the connection (a fetch may be in flight).
 */
export class ChunkCursor {
  private batches: Batch[] = [];
  /** Rows in `batches` not taken yet. */
  private ready = 0;
  private loop: Promise<void> | undefined;
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private done = false;
  private stopped = false;
  private failure: unknown;
  private toSkip: number;

  private constructor(
    private readonly result: DuckDBResult,
    readonly decoder: RowDecoder,
    skip: number,
    private readonly onError: (e: unknown) => Error,
  ) {
    this.toSkip = skip;
  }

  /**
   * Starts `sql` as a streaming query. The first `skip` rows are dropped without being decoded
   * (restoring a position).
   */
  static async open(conn: DuckDBConnection, sql: string, options: { skip?: number; onError: (e: unknown) => Error }): Promise<ChunkCursor> {
    let result: DuckDBResult;
    try {
      result = await conn.stream(sql);
    } catch (e) {
      throw options.onError(e);
    }
    const decoder = new RowDecoder(result.columnNames(), result.columnTypes());
    const cursor = new ChunkCursor(result, decoder, options.skip ?? 0, options.onError);
    cursor.readAhead();
    return cursor;
  }

  /** Rows ready now. */
  available(): number {
    return this.ready;
  }

  /** True when every row was taken and the result has no more. */
  get exhausted(): boolean {
    return this.done && this.ready === 0;
  }

  /** Column `column`'s value in the next row, without taking it (call only when `available() > 0`). */
  peekValue(column: number): unknown {
    const batch = this.batches[0]!;
    return batch.columns[column]![batch.next];
  }

  /** The next row's record (call only when `available() > 0`). */
  take(): Record<string, unknown> {
    const batch = this.batches[0]!;
    const row = this.decoder.build(batch.columns, batch.next++);
    if (batch.next === batch.length) this.batches.shift();
    if (--this.ready < READ_AHEAD_ROWS / 2) this.readAhead();
    return row;
  }

  /** Resolves when rows are available or the result ended; rejects on a query error. */
  fill(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.done || this.ready > 0) return Promise.resolve();
    this.readAhead();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Stops reading ahead and resolves once no fetch is in flight, so the connection can close. */
  async settle(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private readAhead(): void {
    if (this.loop || this.done || this.failure || this.stopped) return;
    this.loop = this.fetchLoop().finally(() => {
      this.loop = undefined;
    });
  }

  private wake(error?: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (error) w.reject(error);
      else w.resolve();
    }
  }

  private async fetchLoop(): Promise<void> {
    try {
      while (!this.done && !this.stopped && this.ready < READ_AHEAD_ROWS) {
        const chunk = await this.result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) {
          this.done = true;
          break;
        }
        const n = chunk.rowCount;
        if (this.toSkip >= n) {
          this.toSkip -= n;
          continue;
        }
        this.batches.push({ columns: this.decoder.columnsOf(chunk), length: n, next: this.toSkip });
        this.ready += n - this.toSkip;
        this.toSkip = 0;
        this.wake();
      }
      this.wake();
    } catch (e) {
      this.failure = this.onError(e);
      this.wake(this.failure);
    }
  }
}

/**
 * Makes sure a streamed query delivered all its rows. DuckDB's streaming API cannot tell an
 * error in the middle of a result from its end: `duckdb_fetch_chunk` returns an empty chunk for
 * both, and the Node bindings do not expose `duckdb_result_error` (the same gap as
 * duckdb-rs#664). So after the stream ends, the query is counted once more, materialized,
 * which raises DuckDB's error if there is one; a count that differs from the rows streamed
 * fails too. `count(hash(row))` makes DuckDB compute every column, as the stream did.
 * DuckDB scans faster than rows can be turned into JS objects, so this costs little.
 */
export async function checkStreamComplete(conn: DuckDBConnection, sql: string, streamed: number, onError: (e: unknown) => Error): Promise<void> {
  let expected: number;
  try {
    const reader = await conn.runAndReadAll(`SELECT count(hash(weir_v)) AS n FROM (${sql}\n) AS weir_v`);
    expected = Number(reader.getRows()[0]![0] as bigint);
  } catch (e) {
    throw onError(e);
  }
  if (expected !== streamed) {
    throw onError(new Error(`DuckDB ended the result after ${streamed} of ${expected} rows without saying why`));
  }
}
