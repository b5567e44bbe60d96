/**
 * Which cell is responsible for what runs now. A cell's module is imported inside
 * `cellContext.run(...)`, and Node carries that context through every callback and promise the
 * cell starts, so a job's `print()` lines, a timer's `console.log` or a late failure of a job
 * started without `await` all land under the cell that started them, long after it finished.
 */
import type { ExecuteCalls } from '../../engine/process/job-identity.ts';
import { rejectedRowsReportOf } from '../../engine/connectors/duckdb/rejects.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { formatWithOptions } from 'node:util';
import type { CellOutput, TableValue } from '../shared/workbench/protocol.ts';

/** What code running on behalf of a cell reports to. */
export interface CellContext {
  /** The notebook (folder-relative) and cell. */
  readonly path: string;
  readonly cellId: string;
  /** Console text of the cell and of everything it started. */
  write(stream: 'stdout' | 'stderr', text: string): void;
  /** Any other output (tables, errors, notes). */
  output(output: CellOutput): void;
  /** An error nobody caught (a failed job that was not awaited, a throwing timer). */
  fail(error: unknown): void;
  /** The code of the cell's run, from which worker processes rebuild the jobs it starts. */
  readonly code?: CellCode;
}

/** The compiled module of one run of a cell, and the jobs it has started so far. */
export interface CellCode {
  /** Absolute path of the cell's module version (it imports the earlier cells it reads). */
  modulePath: string;
  /** 0-based index of the cell in the notebook. */
  cell: number;
  /** The run's `execute()` calls so far: which call a job is (engine/process/job-identity.ts). */
  readonly calls: ExecuteCalls;
  /** The notebook's folder: relative paths of the cell's sources and sinks resolve there. */
  baseDir?: string;
  /** The cells' values the job captured at `execute()` (`CodeRef.captured`), when the kernel captured them. */
  captured?: string;
}

/** The context of the cell the current code runs for, if any. */
export const cellContext = new AsyncLocalStorage<CellContext>();

/** Rows above this are left out of a `console.table` output. */
export const MAX_TABLE_ROWS = 100_000;

type ConsoleMethod = 'log' | 'info' | 'debug' | 'warn' | 'error' | 'trace' | 'dir' | 'table';
const STDOUT_METHODS = ['log', 'info', 'debug', 'dir'] as const;
const STDERR_METHODS = ['warn', 'error', 'trace'] as const;

/**
 * Routes `console` calls made for a cell to that cell; calls outside any cell go to the
 * original console. Returns a function that puts the original methods back.
 *
 * @example
 * const restore = captureConsole(console);
 * cellContext.run(context, () => console.log('hi')); // context.write('stdout', 'hi\n')
 */
export function captureConsole(target: Console = console): () => void {
  const originals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  const replace = (method: ConsoleMethod, routed: (context: CellContext, args: unknown[]) => void): void => {
    const original = target[method] as (...args: unknown[]) => void;
    originals.set(method, original);
    (target as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const context = cellContext.getStore();
      if (context) routed(context, args);
      else original.apply(target, args);
    };
  };
  for (const method of STDOUT_METHODS) replace(method, (context, args) => context.write('stdout', format(args) + '\n'));
  for (const method of STDERR_METHODS) {
    replace(method, (context, args) => {
      const report = args.length === 1 ? rejectedRowsReportOf(args[0]) : undefined;
      if (report) return context.output({ kind: 'rejects', report });
      const text = format(args);
      context.write('stderr', (method === 'trace' ? `Trace: ${text}\n${new Error().stack?.split('\n').slice(2).join('\n') ?? ''}` : text) + '\n');
    });
  }
  replace('table', (context, args) => {
    const table = tableOf(args[0], args[1] as string[] | undefined);
    if (table) context.output(table);
    else context.write('stdout', format(args) + '\n');
  });
  return () => {
    for (const [method, original] of originals) (target as unknown as Record<string, unknown>)[method] = original;
  };
}

function format(args: unknown[]): string {
  return formatWithOptions({ colors: false }, ...(args as [unknown, ...unknown[]]));
}

/**
 * `console.table`'s data as a table output: rows of an array (or the entries of an object),
 * columns `(index)` then the union of the rows' keys, or `Values` for primitive rows.
 *
 * @example
 * tableOf([{ a: 1 }, { a: 2, b: 'x' }]);
 * // { kind: 'table', columns: ['(index)', 'a', 'b'], rows: [[0, 1, null], [1, 2, 'x']] }
 */
export function tableOf(data: unknown, only?: string[]): CellOutput | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const entries: [TableValue, unknown][] = Array.isArray(data) ? data.map((row, i) => [i, row]) : Object.entries(data);
  const keys: string[] = [];
  const seen = new Set<string>();
  let hasValues = false;
  const limit = Math.min(entries.length, MAX_TABLE_ROWS);
  for (let i = 0; i < limit; i++) {
    const row = entries[i]![1];
    if (row !== null && typeof row === 'object') {
      for (const key of Object.keys(row)) {
        if (!seen.has(key) && (!only || only.includes(key))) {
          seen.add(key);
          keys.push(key);
        }
      }
    } else hasValues = true;
  }
  const columns = ['(index)', ...keys, ...(hasValues ? ['Values'] : [])];
  const rows: TableValue[][] = [];
  for (let i = 0; i < limit; i++) {
    const [index, row] = entries[i]!;
    const isObject = row !== null && typeof row === 'object';
    const cells: TableValue[] = [index];
    for (const key of keys) cells.push(isObject ? tableValue((row as Record<string, unknown>)[key]) : null);
    if (hasValues) cells.push(isObject ? null : tableValue(row));
    rows.push(cells);
  }
  const output: CellOutput = { kind: 'table', columns, rows };
  if (entries.length > limit) output.truncated = entries.length - limit;
  return output;
}

function tableValue(value: unknown): TableValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
