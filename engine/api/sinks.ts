import type { SinkDescriptor } from '../runtime/connectors.ts';
import type { SinkFunction } from '../runtime/functions.ts';
import { formatForPrint } from './print-format.ts';
import { baseDir, type DuckDBSinkOptions } from './duckdb.ts';

/** Delivery guarantee of a sink. */
export type SinkSemantics = 'exactly-once' | 'at-least-once' | 'none';

/** Options of `Sinks.jsonl`. */
export interface JsonlSinkOptions {
  /** Delivery guarantee once checkpointing is on. Default 'at-least-once'. */
  semantics?: SinkSemantics;
}

/** Options of `Sinks.chart`. */
export interface ChartSinkOptions<T> {
  type: 'line' | 'bar' | 'area' | 'scatter';
  /** Field for the x axis (often the window start). */
  x: keyof T & string;
  /** Field (or fields) for the y axis. */
  y: (keyof T & string) | (keyof T & string)[];
  /** Field whose values split the data into series (one line per key). */
  series?: keyof T & string;
  /** 'append' adds every record as a point; 'upsert' replaces the point with the same key. */
  mode?: 'append' | 'upsert';
  /** Fields identifying a point for upsert mode. Default: x and series. */
  key?: (keyof T & string)[];
  /** Chart title. */
  title?: string;
}

/** A sink that keeps records in memory; read `values` after the job. */
export interface CollectSink<T> extends SinkFunction<T> {
  /** Every record received, in arrival order (per subtask). */
  readonly values: T[];
  /** The most bytes (as JSON) the sink keeps before it fails the job. */
  readonly maxBytes: number;
}

/** Options of `Sinks.collect`. */
export interface CollectSinkOptions {
  /** The most bytes (as JSON) of records kept before the job fails. Default 16 MiB. */
  maxBytes?: number;
}

/** `Sinks.collect()`'s default limit: records come back to the cell in one piece. */
export const DEFAULT_COLLECT_MAX_BYTES = 16 * 1024 * 1024;

/** @internal whether a sink is one made by `Sinks.collect()` (by shape: it may come from another copy of the engine). */
export function isCollectSink(sink: unknown): sink is CollectSink<unknown> {
  const s = sink as Partial<CollectSink<unknown>> | undefined;
  return !!s && Array.isArray(s.values) && typeof s.maxBytes === 'number' && typeof s.invoke === 'function';
}

/**
 * Ready-made sinks.
 *
 * @example
 * stream.sinkTo(Sinks.jsonl('/data/out/clicks.jsonl'));
 * stream.sinkTo(Sinks.chart({ type: 'line', x: 'start', y: 'count', series: 'user' }));
 */
export const Sinks = {
  /**
   * Writes one JSON object per line. A relative `path` is relative to the notebook's folder.
   * `path` is a file (parallelism 1), or a directory (a path
   * ending in '/', an existing directory, or parallelism > 1) holding one `part-<n>.jsonl` per
   * subtask. Files in progress do not end in `.jsonl`; output is complete when `execute()`
   * resolves. Re-running replaces the previous output.
   *
   * @example
   * stream.sinkTo(Sinks.jsonl('/tmp/results/'))
   */
  jsonl(path: string, options: JsonlSinkOptions = {}): SinkDescriptor {
    if (typeof path !== 'string' || !path) throw new Error('Sinks.jsonl expects a path');
    const semantics = options.semantics ?? 'at-least-once';
    if (!['exactly-once', 'at-least-once', 'none'].includes(semantics)) {
      throw new Error(`Sinks.jsonl: unknown semantics '${semantics}': use 'exactly-once', 'at-least-once' or 'none'`);
    }
    return { ...baseDir(), sinkKind: 'jsonl', options: { path, semantics } };
  },

  /**
   * Draws a live chart in the notebook under the cell that runs the job. Headless `weir run`
   * ignores it (with a one-line note).
   *
   * @example
   * windowed.sinkTo(Sinks.chart({ type: 'line', x: 'start', y: 'avg', series: 'sensor' }))
   */
  chart<T>(options: ChartSinkOptions<T>): SinkDescriptor {
    if (!options || !['line', 'bar', 'area', 'scatter'].includes(options.type)) {
      throw new Error(`Sinks.chart: type must be 'line', 'bar', 'area' or 'scatter'`);
    }
    if (!options.x || !options.y) throw new Error('Sinks.chart: x and y are required');
    if (options.mode && options.mode !== 'append' && options.mode !== 'upsert') throw new Error(`Sinks.chart: mode must be 'append' or 'upsert'`);
    return { sinkKind: 'chart', options: { ...options } as Record<string, unknown> };
  },

  /**
   * Writes records to a DuckDB table, transactionally: with 'exactly-once' (the default) the
   * rows of a run become visible in one transaction (per checkpoint once checkpointing is on;
   * at the end of input until then), and a commit is recorded in `_weir_commits` in the same
   * transaction so that it is never applied twice. 'upsert' keeps the latest row per `key`.
   *
   * A missing table is created from the first records (up to 2048): number → DOUBLE, bigint →
   * BIGINT, boolean → BOOLEAN, string → VARCHAR, Date → TIMESTAMP, object/array → JSON; a
   * field that is null in all of them → VARCHAR. Create the table yourself for other types
   * (values are cast to its columns). A record with a field the table lacks fails the job.
   * Query the database after the job has finished (the sink holds it open while it runs).
   *
   * @example
   * totals.sinkTo(Sinks.duckdb({ database: 'out/trips.duckdb', table: 'zone_totals', mode: 'upsert', key: ['zone', 'start'] }))
   */
  duckdb<T = Record<string, unknown>>(options: DuckDBSinkOptions<T>): SinkDescriptor {
    if (!options || typeof options.database !== 'string' || !options.database || options.database === ':memory:') {
      throw new Error('Sinks.duckdb: database must be the path of a DuckDB file');
    }
    if (typeof options.table !== 'string' || !/^[^.]+(\.[^.]+)?$/.test(options.table)) throw new Error(`Sinks.duckdb: table must be 'name' or 'schema.name', got '${String(options.table)}'`);
    const mode = options.mode ?? 'append';
    if (mode !== 'append' && mode !== 'upsert') throw new Error(`Sinks.duckdb: mode must be 'append' or 'upsert', got '${String(mode)}'`);
    const key: string[] = options.key === undefined ? [] : Array.isArray(options.key) ? [...options.key] : [options.key];
    if (mode === 'upsert' && key.length === 0) throw new Error("Sinks.duckdb: mode 'upsert' needs key: the column(s) that identify a row");
    if (key.some((k) => typeof k !== 'string' || !k)) throw new Error('Sinks.duckdb: key must be column names');
    const semantics = options.semantics ?? 'exactly-once';
    if (!['exactly-once', 'at-least-once', 'none'].includes(semantics)) {
      throw new Error(`Sinks.duckdb: unknown semantics '${semantics}': use 'exactly-once', 'at-least-once' or 'none'`);
    }
    return { ...baseDir(), sinkKind: 'duckdb', options: { database: options.database, table: options.table, mode, key, semantics } };
  },

  /**
   * Keeps every record in memory, for tests and small previews. Wherever the job runs (in this
   * process or on taskmanagers), `values` holds the records once `execute()` has resolved. More
   * than `maxBytes` of records (as JSON; default 16 MiB) fails the job naming the limit.
   *
   * @example
   * const out = Sinks.collect<number>();
   * env.fromElements(1, 2).map((x) => x * 2).sinkTo(out);
   * await env.execute();
   * out.values; // [2, 4]
   */
  collect<T>(options: CollectSinkOptions = {}): CollectSink<T> {
    const maxBytes = options.maxBytes ?? DEFAULT_COLLECT_MAX_BYTES;
    if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) throw new Error(`Sinks.collect: maxBytes must be a positive integer, got ${String(maxBytes)}`);
    const values: T[] = [];
    let bytes = 0;
    return {
      values,
      maxBytes,
      invoke: (v: T) => {
        bytes += jsonLength(v);
        if (bytes > maxBytes) {
          throw new Error(`Sinks.collect(): the records exceed its limit of ${maxBytes} bytes (maxBytes) after ${values.length} records; write large results to Sinks.jsonl(...) or raise maxBytes`);
        }
        values.push(v);
      },
    };
  },

  /**
   * Prints each record through `log` (console.log by default).
   *
   * @example
   * stream.sinkTo(Sinks.print((line) => myLog.push(line)))
   */
  print<T>(log: (line: string) => void = (line) => (globalThis as unknown as { console: { log(s: string): void } }).console.log(line)): SinkFunction<T> {
    return { invoke: (v: T) => log(formatForPrint(v)) };
  },
};

/** A record's size as JSON (bigints as digits); a record JSON cannot hold counts as nothing. */
function jsonLength(value: unknown): number {
  try {
    return (JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? '').length;
  } catch {
    return 0;
  }
}
