import type { DuckDBConnection } from '@duckdb/node-api';
import type { RejectedRow } from '../../api/duckdb.ts';
import type { SourceDescriptor } from '../../runtime/connectors.ts';
import type { PollResult, SourceOutput, SourceReader, SourceReaderContext } from '../../runtime/source.ts';
import { ChunkCursor, checkStreamComplete } from './chunk-cursor.ts';
import { DuckDBQueryError } from './errors.ts';
import { connectDuckDB, releaseConnection } from './instance.ts';
import { clearRejectedRows, RejectedRowsError, rejectedRecord, reportRejectedRows, takeRejectedRows } from './rejects.ts';
import { MissingInputError, resolveDatabase, resolveQueryFiles } from './query-files.ts';
import { planSplits, type QuerySplit, type SplitMode } from './splits.ts';
import { withStoreRejects } from './sql-text.ts';

/** The options a 'duckdb' source descriptor carries (see `duckdbSourceDescriptor`). */
export interface DuckDBSourceOptions {
  sql: string;
  name: string;
  database?: string | undefined;
  setup: string[];
  rejects: boolean;
  split: SplitMode;
  /** Where relative file paths in `sql` resolve (the notebook's folder). */
  baseDir?: string | undefined;
}

/**
 * Where a `fromDuckDB` reader is: the index of its current split (in the subtask's split list,
 * which is the same for the same query and parallelism), that split's id as a check, and rows
 * of it already emitted. Restoring re-opens that split and skips those rows.
 */
export interface DuckDBSourcePosition {
  split: number;
  splitId: string | null;
  rows: number;
  /** Rejected rows of the split already emitted (they come after its rows). */
  rejects: number;
}

/** Opens a connection for a reader and runs its setup statements. */
export async function openReaderConnection(options: { database?: string | undefined; setup: string[] }, what: string): Promise<DuckDBConnection> {
  const conn = await connectDuckDB(options.database);
  try {
    for (const statement of options.setup) await conn.run(statement);
  } catch (e) {
    releaseConnection(conn);
    throw new DuckDBQueryError(`${what}: setup failed`, e);
  }
  return conn;
}

/**
 * One subtask of `env.fromDuckDB`: plans its splits (splits.ts), then streams each split's
 * result chunk by chunk. `pollNext` emits rows that are already decoded and returns a promise
 * only when it must wait for DuckDB, so the task never blocks on IO. After a split ends, rows
 * DuckDB rejected in it are emitted (when `rejects` is on) before the next split starts, and
 * the split is checked for a silent early end (see `checkStreamComplete`).
 * Records are only ever emitted inside `pollNext`, never from a promise callback.
 */
export class DuckDBQueryReader implements SourceReader<Record<string, unknown>> {
  private conn: DuckDBConnection | undefined;
  private splits: QuerySplit[] | undefined;
  private position: DuckDBSourcePosition = { split: 0, splitId: null, rows: 0, rejects: 0 };
  private cursor: ChunkCursor | undefined;
  /** Rejected rows of the finished current split, still to emit. */
  private rejected: RejectedRow[] | undefined;
  private closed = false;
  /**
   * The asynchronous step `pollNext` returned last (planning splits, opening a split, checking
   * one), settled or not: `close()` waits for it before it closes the connection, since
   * closing a connection while DuckDB runs a query on it crashes the process (SIGSEGV).
   */
  private step: Promise<void> = Promise.resolve();
  private readonly what: string;

  constructor(
    private readonly options: DuckDBSourceOptions,
    private readonly ctx: SourceReaderContext,
  ) {
    this.what = `fromDuckDB '${options.name}'${ctx.parallelism > 1 ? ` (subtask ${ctx.subtask + 1}/${ctx.parallelism})` : ''}`;
  }

  pollNext(out: SourceOutput<Record<string, unknown>>, max: number): PollResult {
    const result = this.poll(out, max);
    if (typeof result !== 'string') this.step = result.catch(() => {});
    return result;
  }

  private poll(out: SourceOutput<Record<string, unknown>>, max: number): PollResult {
    if (!this.splits) return this.start();
    if (this.rejected) return this.emitRejected(out, max);
    const cursor = this.cursor;
    if (!cursor) {
      if (this.position.split >= this.splits.length) return 'end';
      return this.openSplit();
    }
    let n = 0;
    while (n < max && cursor.available() > 0) {
      out.collect(cursor.take());
      n++;
    }
    this.position.rows += n;
    if (cursor.exhausted) return this.endSplit();
    if (n > 0) return 'more';
    return cursor.fill();
  }

  snapshotPosition(): DuckDBSourcePosition {
    return { ...this.position };
  }

  restorePosition(position: unknown): void {
    const p = position as DuckDBSourcePosition;
    if (!p || typeof p.split !== 'number' || typeof p.rows !== 'number') throw new Error(`${this.what}: cannot restore position ${JSON.stringify(position)}`);
    this.position = { ...p, rejects: p.rejects ?? 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
    const conn = this.conn;
    this.conn = undefined;
    if (!conn) return;
    // Ends the query running now, if any, then waits for the step that ran it.
    conn.interrupt();
    if (this.cursor) await this.cursor.settle();
    await this.step;
    releaseConnection(conn);
  }

  private async start(): Promise<void> {
    const conn = await openReaderConnection(this.options, this.what);
    if (this.closed) return releaseConnection(conn);
    this.conn = conn;
    try {
      const resolved = await resolveQueryFiles(conn, this.options.sql, this.options.baseDir, this.what);
      // CSV scans always set bad rows aside (and so sniff the file from its good rows): with a
      // `rejects` side output they go there, without one they fail the job (see endSplit).
      const sql = withStoreRejects(resolved).sql;
      this.splits = await planSplits(conn, sql, this.ctx.subtask, this.ctx.parallelism, this.options.split);
    } catch (e) {
      throw e instanceof MissingInputError ? e : new DuckDBQueryError(this.what, e);
    }
    const p = this.position;
    if (p.splitId !== null && p.split < this.splits.length && this.splits[p.split]!.id !== p.splitId) {
      throw new Error(`${this.what}: the restored position is in split '${p.splitId}', but that split is now '${this.splits[p.split]!.id}' (files or parallelism changed)`);
    }
  }

  private async openSplit(): Promise<void> {
    const split = this.splits![this.position.split]!;
    this.position.splitId = split.id;
    this.cursor = await ChunkCursor.open(this.conn!, split.sql, {
      skip: this.position.rows,
      onError: (e) => new DuckDBQueryError(this.what, e, fileOf(split)),
    });
  }

  /**
   * The split's stream ended: check it really did (see `checkStreamComplete`), collect the
   * rows DuckDB rejected in it, then emit those (`emitRejected`) and move to the next split.
   * Rejected rows without a `rejects` side output fail the job, naming files, lines and why.
   */
  private async endSplit(): Promise<void> {
    const split = this.splits![this.position.split]!;
    this.cursor = undefined;
    const conn = this.conn!;
    const rejected = await takeRejectedRows(conn);
    await checkStreamComplete(conn, split.sql, this.position.rows, (e) => new DuckDBQueryError(this.what, e, fileOf(split)));
    await clearRejectedRows(conn); // the check scanned again
    if (rejected.length > 0 && !this.options.rejects) throw new RejectedRowsError(this.what, rejected);
    // A restored position may have emitted some of them already.
    this.rejected = split.reportsRejects ? rejected.slice(this.position.rejects) : [];
    if (this.position.rejects === 0) reportRejectedRows(this.what, this.rejected, this.position.rows);
  }

  private emitRejected(out: SourceOutput<Record<string, unknown>>, max: number): PollResult {
    const rows = this.rejected!;
    const n = Math.min(max, rows.length);
    for (let i = 0; i < n; i++) out.collect(rejectedRecord(rows[i]!));
    this.position.rejects += n;
    if (n === rows.length) {
      this.rejected = undefined;
      this.nextSplit();
    } else this.rejected = rows.slice(n);
    return 'more';
  }

  private nextSplit(): void {
    this.position = { split: this.position.split + 1, splitId: null, rows: 0, rejects: 0 };
  }
}

/** The file a split reads, when it reads one. */
function fileOf(split: QuerySplit): string | undefined {
  return split.id.startsWith('hash:') || split.id === 'all' ? undefined : split.id.replace(/#rows \d+-\d+$/, '');
}

/** The 'duckdb' source factory registered in Node processes. */
export function createDuckDBReader(descriptor: SourceDescriptor, ctx: SourceReaderContext): SourceReader<Record<string, unknown>> {
  const options = descriptor.options as unknown as DuckDBSourceOptions;
  return new DuckDBQueryReader({ ...options, database: resolveDatabase(options.database, descriptor.baseDir), baseDir: descriptor.baseDir }, ctx);
}
