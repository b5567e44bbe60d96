import type { DuckDBConnection } from '@duckdb/node-api';
import type { RejectedRow } from '../../api/duckdb.ts';
import type { SourceDescriptor } from '../../runtime/connectors.ts';
import type { PollResult, SourceOutput, SourceReader, SourceReaderContext } from '../../runtime/source.ts';
import { ChunkCursor, checkStreamComplete } from './chunk-cursor.ts';
import { DuckDBQueryError } from './errors.ts';
import { releaseConnection } from './instance.ts';
import { openReaderConnection } from './query-reader.ts';
import { clearRejectedRows, RejectedRowsError, rejectedRecord, reportRejectedRows, takeRejectedRows } from './rejects.ts';
import { MissingInputError, resolveDatabase, resolveQueryFiles } from './query-files.ts';
import { ReplayClock, checkSpeed } from './replay-clock.ts';
import { replayControls, type ReplayControl, type ReplayProgress, type ReplaySpeed } from './replay-control.ts';
import { asSubquery, fileLiterals, quoteIdent, withStoreRejects } from './sql-text.ts';
import { RowDecoder } from './values.ts';

/** The options a 'replay' source descriptor carries (see `replaySourceDescriptor`). */
export interface ReplaySourceOptions {
  sql: string;
  name: string;
  timestampColumn: string;
  speed: ReplaySpeed;
  maxOutOfOrderness: number;
  startPaused: boolean;
  database?: string | undefined;
  setup: string[];
  rejects: boolean;
  /** Where relative file paths in `sql` resolve (the notebook's folder). */
  baseDir?: string | undefined;
}

/**
 * Where a replay is: it has emitted every row before event time `from` and `skip` rows at
 * exactly `from` (rows are ordered by timestamp, ties by row hash, so this is exact). `from` is
 * null before the first row. `rows` counts everything emitted, for progress.
 */
export interface ReplayPosition {
  from: number | null;
  skip: number;
  rows: number;
  speed: ReplaySpeed;
  paused: boolean;
  /** A seek skipped or repeated rows (so `rows` is not comparable to the query's count). */
  seeked: boolean;
}

/** Longest wait between two steps: watermarks keep following event time through gaps in the data. */
const MAX_WAIT_MS = 100;

/**
 * `env.replay`: the query's rows in timestamp order, paced by a `ReplayClock`. Each poll emits
 * the rows whose event time the clock has reached (at most `max`), then a watermark:
 *
 * - when the next row is not due yet, every row up to the clock's event time E is out, so the
 *   watermark is E − maxOutOfOrderness (windows close on time even in gaps of the data);
 * - otherwise (batch limit, data still loading, 'max' speed) it is the last emitted timestamp
 *   − 1 − maxOutOfOrderness, since rows with that same timestamp may follow.
 *
 * Controls (pause, resume, setSpeed, seek) act through `replayControls`, where the reader is
 * registered under its job run and subtask (so jobs sharing a process and a source name do not
 * reach each other's readers); they wake a waiting poll. A seek re-runs the query from the target
 * time. Runs with parallelism 1 (the source is not parallel: every reader would replay all rows).
 */
export class ReplayReader implements SourceReader<Record<string, unknown>>, ReplayControl {
  private conn: DuckDBConnection | undefined;
  private cursor: ChunkCursor | undefined;
  private inner = '';
  private tsType = '';
  private stats = { rows: 0, start: null as number | null, end: null as number | null };
  private position: ReplayPosition;
  private readonly clock: ReplayClock;
  private lastWatermark = -Infinity;
  private state: ReplayProgress['state'] = 'starting';
  private pendingSeek: number | undefined;
  private wakeWaiter: (() => void) | undefined;
  private rejected: RejectedRow[] | undefined;
  /** Rows without an event time: rejected (they have no place in the replay's order). */
  private untimed: RejectedRow[] = [];
  private unregister: (() => void) | undefined;
  private closed = false;
  /** The asynchronous step `pollNext` returned last, which `close()` waits for (see the query reader). */
  private step: Promise<void> = Promise.resolve();
  private readonly what: string;

  constructor(
    private readonly options: ReplaySourceOptions,
    private readonly ctx: SourceReaderContext,
  ) {
    this.what = `replay '${options.name}'`;
    this.clock = new ReplayClock(checkSpeed(options.speed, this.what));
    this.position = { from: null, skip: 0, rows: 0, speed: options.speed, paused: options.startPaused, seeked: false };
    if (options.startPaused) this.clock.pause(ctx.now());
    this.unregister = replayControls.register(this, { job: ctx.jobId, subtask: ctx.subtask });
  }

  get name(): string {
    return this.options.name;
  }

  // ---- ReplayControl -------------------------------------------------------------------

  pause(): void {
    this.clock.pause(this.ctx.now());
    this.position.paused = true;
    this.wake();
  }

  resume(): void {
    this.clock.resume(this.ctx.now());
    this.position.paused = false;
    this.wake();
  }

  setSpeed(speed: ReplaySpeed): void {
    this.clock.setSpeed(checkSpeed(speed, this.what), this.ctx.now());
    this.position.speed = speed;
    this.wake();
  }

  seek(eventTime: number): void {
    if (!Number.isFinite(eventTime)) throw new Error(`${this.what}: seek expects an event time in ms, got ${eventTime}`);
    this.pendingSeek = eventTime;
    this.wake();
  }

  progress(): ReplayProgress {
    const { start, end, rows } = this.stats;
    const raw = this.state === 'starting' ? null : this.clock.eventTimeAt(this.ctx.now());
    const eventTime = raw === null || start === null || end === null ? raw : Math.min(Math.max(raw, start), end);
    let percent = 0;
    if (this.state === 'finished') percent = 100;
    else if (eventTime !== null && start !== null && end !== null) percent = end > start ? ((eventTime - start) / (end - start)) * 100 : 0;
    return {
      name: this.options.name,
      state: this.state === 'finished' ? 'finished' : this.clock.isPaused ? 'paused' : this.state,
      speed: this.clock.speed,
      eventTime,
      startTime: start,
      endTime: end,
      percent,
      rowsEmitted: this.position.rows,
      totalRows: rows,
    };
  }

  // ---- SourceReader --------------------------------------------------------------------

  pollNext(out: SourceOutput<Record<string, unknown>>, max: number): PollResult {
    const result = this.poll(out, max);
    if (typeof result !== 'string') this.step = result.catch(() => {});
    return result;
  }

  private poll(out: SourceOutput<Record<string, unknown>>, max: number): PollResult {
    if (!this.conn) return this.start();
    if (this.pendingSeek !== undefined) return this.applySeek();
    if (this.rejected) return this.emitRejected(out, max);
    const cursor = this.cursor;
    if (!cursor) return this.openCursor();
    if (this.clock.isPaused) return this.waitUntil(Infinity);

    const now = this.ctx.now();
    // The record keeps a repeated name's last column.
    const col = cursor.decoder.columns.lastIndexOf(this.options.timestampColumn);
    let n = 0;
    let notDue: number | undefined; // timestamp of the next row when it is not due yet
    while (n < max && cursor.available() > 0) {
      const ts = cursor.peekValue(col) as number;
      if (!this.clock.isStarted) this.clock.start(ts, now);
      if (this.clock.wallTimeOf(ts) > now) {
        notDue = ts;
        break;
      }
      out.collect(cursor.take(), ts);
      n++;
      if (ts === this.position.from) this.position.skip++;
      else {
        this.position.from = ts;
        this.position.skip = 1;
      }
    }
    this.position.rows += n;
    if (n > 0) this.clock.advanceTo(this.position.from!);
    if (this.state === 'starting' && this.clock.isStarted) this.state = 'playing';

    if (notDue !== undefined) {
      this.emitWatermark(out, Math.min(Math.floor(this.clock.eventTimeAt(now)), notDue - 1) - this.options.maxOutOfOrderness);
      return n > 0 ? 'more' : this.waitUntil(this.clock.wallTimeOf(notDue));
    }
    if (this.position.from !== null) this.emitWatermark(out, this.position.from - 1 - this.options.maxOutOfOrderness);
    if (cursor.exhausted) return this.finish();
    return n > 0 ? 'more' : cursor.fill();
  }

  snapshotPosition(): ReplayPosition {
    return { ...this.position };
  }

  restorePosition(position: unknown): void {
    const p = position as ReplayPosition;
    if (!p || typeof p.skip !== 'number' || typeof p.rows !== 'number') throw new Error(`${this.what}: cannot restore position ${JSON.stringify(position)}`);
    this.position = { ...p, seeked: !!p.seeked };
    this.clock.setSpeed(checkSpeed(p.speed, this.what), this.ctx.now());
    if (p.paused) this.clock.pause(this.ctx.now());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unregister?.();
    this.unregister = undefined;
    this.wake();
    await this.closeCursor();
    // The step pollNext returned last may still run a query on the connection: closing it
    // under DuckDB crashes the process (SIGSEGV).
    this.conn?.interrupt();
    await this.step;
    if (this.conn) releaseConnection(this.conn);
    this.conn = undefined;
  }

  // ---- internals -----------------------------------------------------------------------

  private emitWatermark(out: SourceOutput<unknown>, watermark: number): void {
    if (watermark > this.lastWatermark) {
      this.lastWatermark = watermark;
      out.emitWatermark(watermark);
    }
  }

  private wake(): void {
    const w = this.wakeWaiter;
    this.wakeWaiter = undefined;
    w?.();
  }

  /** Resolves at wall time `wallTime` (at most MAX_WAIT_MS from now), or when a control acts. */
  private waitUntil(wallTime: number): Promise<void> {
    const delay = Math.min(MAX_WAIT_MS, Math.max(1, Math.ceil(wallTime - this.ctx.now())));
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), delay);
      this.wakeWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async start(): Promise<void> {
    const conn = await openReaderConnection(this.options, this.what);
    if (this.closed) return releaseConnection(conn);
    const col = this.options.timestampColumn;
    try {
      const resolved = await resolveQueryFiles(conn, this.options.sql, this.options.baseDir, this.what);
      // CSV scans set bad rows aside (see fromDuckDB); without a `rejects` side output they fail the job.
      const body = asSubquery(withStoreRejects(resolved).sql);
      const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM (${body}\n) AS weir_q`);
      const columns = described.getRowObjectsJson().map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
      const column = columns.find((c) => c.name === col);
      if (!column) throw new Error(`timestampColumn '${col}' is not a column of the query (columns: ${columns.map((c) => c.name).join(', ')})`);
      if (!/^(TIMESTAMP|TIMESTAMP WITH TIME ZONE|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|DATE|BIGINT|INTEGER|HUGEINT|UBIGINT|UINTEGER|DOUBLE|FLOAT|DECIMAL.*|SMALLINT)$/.test(column.type)) {
        throw new Error(`timestampColumn '${col}' has type ${column.type}: it must be a TIMESTAMP or a number of epoch milliseconds`);
      }
      this.tsType = column.type;
      // DATE becomes a timestamp so that rows carry epoch ms.
      this.inner = column.type === 'DATE' ? `SELECT * REPLACE (CAST(${quoteIdent(col)} AS TIMESTAMP) AS ${quoteIdent(col)}) FROM (${body}\n)` : body;
      // Materialized (not streamed), so a bad row anywhere fails here with DuckDB's message;
      // count(hash(row)) makes DuckDB compute every column as the replay will.
      const ts = `weir_q.${quoteIdent(col)}`;
      const stats = await conn.run(
        `SELECT count(hash(weir_q)) FILTER (WHERE ${ts} IS NOT NULL) AS n, count(*) FILTER (WHERE ${ts} IS NULL) AS untimed, min(${ts}) AS lo, max(${ts}) AS hi FROM (${this.inner}\n) AS weir_q`,
      );
      const chunk = await stats.fetchChunk();
      const row = new RowDecoder(stats.columnNames(), stats.columnTypes()).decode(chunk!)[0]!;
      this.stats = { rows: Number(row['n']), start: row['lo'] as number | null, end: row['hi'] as number | null };
      const unreadable = await takeRejectedRows(conn);
      await clearRejectedRows(conn); // the next scan reports them again
      const untimed = Number(row['untimed']) > 0 ? await this.untimedRows(conn, this.options.rejects ? undefined : 3) : [];
      if (!this.options.rejects && (unreadable.length > 0 || untimed.length > 0)) {
        throw new RejectedRowsError(this.what, [...unreadable, ...untimed], unreadable.length + Number(row['untimed']));
      }
      this.untimed = untimed;
    } catch (e) {
      releaseConnection(conn);
      throw e instanceof DuckDBQueryError || e instanceof RejectedRowsError || e instanceof MissingInputError ? e : new DuckDBQueryError(this.what, e);
    }
    this.conn = conn;
  }

  /** Rows whose event time is NULL (at most `limit`), as rejected rows naming the files read. */
  private async untimedRows(conn: DuckDBConnection, limit: number | undefined): Promise<RejectedRow[]> {
    const col = this.options.timestampColumn;
    const result = await conn.run(`SELECT weir_q.* FROM (${this.inner}\n) AS weir_q WHERE weir_q.${quoteIdent(col)} IS NULL${limit === undefined ? '' : ` LIMIT ${limit}`}`);
    const decoder = new RowDecoder(result.columnNames(), result.columnTypes());
    const file = fileLiterals(this.options.sql).map((t) => t.value).join(', ') || `the query of replay '${this.options.name}'`;
    const rows: RejectedRow[] = [];
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      for (const values of decoder.decode(chunk)) {
        rows.push({ file, line: null, column: col, errorType: 'NULL EVENT TIME', message: `timestampColumn '${col}' is NULL: the row has no event time to replay it at`, text: JSON.stringify(values, plainJson) });
      }
    }
    return rows;
  }

  /** The query from event time `from` on, in replay order. */
  private orderedQuery(from: number | null): string {
    const col = `weir_q.${quoteIdent(this.options.timestampColumn)}`;
    let where = `${col} IS NOT NULL`;
    if (from !== null) {
      const bound = /^TIMESTAMP WITH TIME ZONE$/.test(this.tsType)
        ? `to_timestamp(${from} / 1000)`
        : /^(TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|DATE)$/.test(this.tsType)
          ? `make_timestamp(${Math.trunc(from) * 1000})`
          : String(from);
      where += ` AND ${col} >= ${bound}`;
    }
    return `SELECT weir_q.* FROM (${this.inner}\n) AS weir_q WHERE ${where} ORDER BY ${col}, hash(weir_q)`;
  }

  private async openCursor(): Promise<void> {
    this.cursor = await ChunkCursor.open(this.conn!, this.orderedQuery(this.position.from), {
      skip: this.position.skip,
      onError: (e) => new DuckDBQueryError(this.what, e),
    });
  }

  private async closeCursor(): Promise<void> {
    const cursor = this.cursor;
    this.cursor = undefined;
    if (cursor) {
      this.conn?.interrupt();
      await cursor.settle();
    }
  }

  private async applySeek(): Promise<void> {
    const target = this.pendingSeek!;
    this.pendingSeek = undefined;
    this.position.seeked = true;
    await this.closeCursor();
    if (this.options.rejects) await clearRejectedRows(this.conn!);
    this.position.from = target;
    this.position.skip = 0;
    const now = this.ctx.now();
    const paused = this.clock.isPaused;
    this.clock.start(target, now);
    if (paused) {
      this.clock.pause(now);
    }
    if (this.state === 'finished') this.state = 'playing';
  }

  private finish(): PollResult {
    this.cursor = undefined;
    const complete = this.position.seeked || this.position.rows === this.stats.rows;
    if (complete && !this.options.rejects) return this.ended();
    return this.finishChecked(complete);
  }

  /**
   * Collects rejected rows (those DuckDB could not read, then those without an event time) and,
   * when the row count is off, DuckDB's error (see `checkStreamComplete`).
   */
  private async finishChecked(complete: boolean): Promise<void> {
    const conn = this.conn!;
    const rejected = this.options.rejects ? await takeRejectedRows(conn) : [];
    if (!complete) await checkStreamComplete(conn, this.orderedQuery(null), this.position.rows, (e) => new DuckDBQueryError(this.what, e));
    await clearRejectedRows(conn);
    this.rejected = [...rejected, ...this.untimed];
    reportRejectedRows(this.what, this.rejected, this.position.rows);
  }

  private emitRejected(out: SourceOutput<Record<string, unknown>>, max: number): PollResult {
    const rows = this.rejected!;
    const n = Math.min(max, rows.length);
    for (let i = 0; i < n; i++) out.collect(rejectedRecord(rows[i]!));
    this.rejected = rows.slice(n);
    return this.rejected.length === 0 ? this.ended() : 'more';
  }

  private ended(): PollResult {
    this.state = 'finished';
    return 'end';
  }
}

/** Dates as ISO text and bigints as numbers, for a rejected row's text. */
function plainJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

/** The 'replay' source factory registered in Node processes. */
export function createReplayReader(descriptor: SourceDescriptor, ctx: SourceReaderContext): SourceReader<Record<string, unknown>> {
  const options = descriptor.options as unknown as ReplaySourceOptions;
  return new ReplayReader({ ...options, database: resolveDatabase(options.database, descriptor.baseDir), baseDir: descriptor.baseDir }, ctx);
}
