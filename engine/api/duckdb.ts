/**
 * The DuckDB side of the API, as plain data: options of `env.fromDuckDB`, `env.replay` and
 * `Sinks.duckdb`, and the descriptors they become. The Node connectors
 * (engine/connectors/duckdb) read the descriptors; nothing here does IO.
 */
import type { SourceDescriptor } from '../runtime/connectors.ts';
import type { OutputTagLike, ProcessFunction } from '../runtime/functions.ts';
import { InvalidPipelineError } from '../runtime/errors.ts';
import { executionHost } from '../runtime/host.ts';
import type { DataStream } from './datastream.ts';

/**
 * A row DuckDB could not read (a malformed CSV line, a value that does not cast to its
 * column's type), as routed to the `rejects` side output.
 *
 * @example
 * const bad = new OutputTag<RejectedRow>('bad-rows');
 * env.fromDuckDB("SELECT * FROM 'clicks.csv'", { rejects: bad }).getSideOutput(bad).print();
 * // { file: 'clicks.csv', line: 7, column: 'ts', errorType: 'CAST', message: '...', text: '...' }
 */
export interface RejectedRow {
  /** The file, as the query named it. */
  file: string;
  /** 1-based line in the file, when known. */
  line: number | null;
  /** The column that failed, when known. */
  column: string | null;
  /** DuckDB's error class: 'CAST', 'MISSING COLUMNS', 'TOO MANY COLUMNS', 'UNQUOTED VALUE', ... */
  errorType: string;
  message: string;
  /** The offending line as written. */
  text: string | null;
}

/**
 * How `fromDuckDB` divides a query among parallel subtasks.
 *
 * @example
 * env.fromDuckDB("SELECT * FROM 'logs/*.parquet'", { split: 'files' }).setParallelism(4)
 */
export type DuckDBSplit = 'auto' | 'files' | 'hash';

/**
 * Options of `env.fromDuckDB`.
 *
 * @example
 * env.fromDuckDB<Trip>("SELECT * FROM 'trips/*.parquet'", { name: 'trips', split: 'files' })
 */
export interface FromDuckDBOptions {
  /** Name of the source operator. Default 'DuckDB'. */
  name?: string;
  /** A DuckDB database file to run the query in. Default: an in-memory database (files are read directly). */
  database?: string;
  /** Statements run on the reader's connection before the query: ATTACH, LOAD, SET, CREATE MACRO, ... */
  setup?: string[];
  /**
   * Routes rows that DuckDB rejects in CSV scans (bad lines, failed casts) to this side output
   * as `RejectedRow`s, and prints how many there were with the first few. Without it, reading is
   * strict: one such row fails the job, naming the file, the line and why. `read_csv(...)` calls
   * and `FROM 'x.csv'` scans of the query get `store_rejects = true` (unless they set
   * `ignore_errors` themselves); the rejects of a file are emitted when the file has been read.
   * Other formats: bad input fails the job (or use DuckDB's own `ignore_errors = true`).
   */
  rejects?: OutputTagLike<RejectedRow>;
  /**
   * How subtasks share the work: 'files' (one file of the query's glob each, round-robin),
   * 'hash' (each runs the query and keeps its share of rows by row hash), or 'auto' (default:
   * files when the query is a row-wise scan of one glob with enough files, else hash).
   */
  split?: DuckDBSplit;
}

/**
 * Options of `env.replay`.
 *
 * @example
 * env.replay<Trip>({ sql: "SELECT * FROM 'trips.parquet'", timestampColumn: 'pickup_at', speed: 60, name: 'trips' })
 */
export interface ReplayOptions {
  /** The rows to replay: any DuckDB query. */
  sql: string;
  /** The column with each row's event time: TIMESTAMP/TIMESTAMPTZ, or a number of epoch ms. */
  timestampColumn: string;
  /**
   * Event-time ms per wall-clock ms: 1 replays in real time, 60 a minute per second, 3600 an
   * hour per second; 'max' as fast as the pipeline takes it.
   */
  speed: number | 'max';
  /** Watermarks trail event time by this much (ms). Rows are sorted, so none is late; default 0. */
  maxOutOfOrderness?: number;
  /**
   * The source's name, and the key of its live control in `replayControls` (when several running
   * jobs have a replay of this name, `replayControls.get(name)` is the latest started's). Default 'Replay'.
   */
  name?: string;
  /** Start paused; `replayControls.get(name).resume()` starts it. */
  startPaused?: boolean;
  /** As in `fromDuckDB`. */
  database?: string;
  /** As in `fromDuckDB`. */
  setup?: string[];
  /**
   * As in `fromDuckDB`; rows whose `timestampColumn` is NULL are rejected too (errorType
   * 'NULL EVENT TIME'). A replay emits its rejected rows when it reaches the end; without this
   * option, such rows fail the job before anything is replayed.
   */
  rejects?: OutputTagLike<RejectedRow>;
}

/**
 * Options of `Sinks.duckdb`.
 *
 * @example
 * Sinks.duckdb<ZoneWindow>({ database: 'out/trips.duckdb', table: 'zone_windows', mode: 'upsert', key: ['zone', 'start'] })
 */
export interface DuckDBSinkOptions<T = Record<string, unknown>> {
  /** The DuckDB database file (created if missing). */
  database: string;
  /** The table (created if missing, see `Sinks.duckdb`); 'schema.table' is allowed. */
  table: string;
  /** 'append' (default) inserts every record; 'upsert' keeps one row per key, the latest. */
  mode?: 'append' | 'upsert';
  /** The key columns of upsert mode. */
  key?: (keyof T & string) | (keyof T & string)[];
  /**
   * 'exactly-once' (default): rows become visible in one transaction per checkpoint (at the end
   * of input while checkpointing is off). 'at-least-once' / 'none': committed batch by batch,
   * visible while the job runs.
   */
  semantics?: 'exactly-once' | 'at-least-once' | 'none';
}

/** The field that marks a rejected row inside the source's stream (before routing). */
export const REJECTED_FIELD = '__weirRejected';

function checkSql(sql: unknown, what: string): string {
  if (typeof sql !== 'string' || !sql.trim()) throw new InvalidPipelineError(`${what} expects a SQL query string`);
  return sql;
}

function checkSetup(setup: unknown, what: string): string[] {
  if (setup === undefined) return [];
  if (!Array.isArray(setup) || setup.some((s) => typeof s !== 'string')) throw new InvalidPipelineError(`${what}: setup must be an array of SQL statements`);
  return setup as string[];
}

/** @internal the host's base directory, for a descriptor: relative file paths resolve against it. */
export function baseDir(): { baseDir?: string } {
  const dir = executionHost().defaults?.baseDir;
  return dir ? { baseDir: dir } : {};
}

/** @internal the descriptor of `env.fromDuckDB`. */
export function duckdbSourceDescriptor(sql: string, options: FromDuckDBOptions): { descriptor: SourceDescriptor; name: string } {
  const name = options.name ?? 'DuckDB';
  const split = options.split ?? 'auto';
  if (!['auto', 'files', 'hash'].includes(split)) throw new InvalidPipelineError(`fromDuckDB: split must be 'auto', 'files' or 'hash', got '${String(split)}'`);
  return {
    name,
    descriptor: {
      ...baseDir(),
      sourceKind: 'duckdb',
      boundedness: 'bounded',
      parallel: true,
      options: {
        sql: checkSql(sql, 'fromDuckDB'),
        name,
        database: options.database,
        setup: checkSetup(options.setup, 'fromDuckDB'),
        rejects: !!options.rejects,
        split,
      },
    },
  };
}

/** @internal the descriptor of `env.replay`. */
export function replaySourceDescriptor(options: ReplayOptions): { descriptor: SourceDescriptor; name: string } {
  if (!options || typeof options !== 'object') throw new InvalidPipelineError('replay expects options { sql, timestampColumn, speed }');
  const name = options.name ?? 'Replay';
  if (typeof options.timestampColumn !== 'string' || !options.timestampColumn) throw new InvalidPipelineError('replay: timestampColumn must name a column');
  const speed = options.speed;
  if (speed !== 'max' && !(typeof speed === 'number' && Number.isFinite(speed) && speed > 0)) {
    throw new InvalidPipelineError(`replay: speed must be a number > 0 or 'max', got ${String(speed)}`);
  }
  const ooo = options.maxOutOfOrderness ?? 0;
  if (!(Number.isFinite(ooo) && ooo >= 0)) throw new InvalidPipelineError(`replay: maxOutOfOrderness must be a number ≥ 0 (ms), got ${ooo}`);
  return {
    name,
    descriptor: {
      ...baseDir(),
      sourceKind: 'replay',
      boundedness: 'bounded',
      parallel: false,
      options: {
        sql: checkSql(options.sql, 'replay'),
        name,
        timestampColumn: options.timestampColumn,
        speed,
        maxOutOfOrderness: ooo,
        startPaused: !!options.startPaused,
        database: options.database,
        setup: checkSetup(options.setup, 'replay'),
        rejects: !!options.rejects,
      },
    },
  };
}

/** @internal sends the source's rejected rows to `tag` (a chained operator after the source). */
export function routeRejects<T>(stream: DataStream<T>, tag: OutputTagLike<RejectedRow> | undefined): DataStream<T> {
  if (!tag) return stream;
  if (typeof tag.id !== 'string') throw new InvalidPipelineError('rejects expects an OutputTag<RejectedRow>');
  const router: ProcessFunction<T, T> = {
    processElement(value, ctx, out) {
      const rejected = (value as Record<string, unknown>)[REJECTED_FIELD];
      if (rejected) ctx.output(tag, rejected as RejectedRow);
      else out.collect(value);
    },
  };
  return stream.process(router).name('Route rejected rows');
}
