/**
 * How `fromDuckDB` divides a query among its parallel subtasks. Every subtask plans the same
 * splits from the same inputs (query, parallelism, the sorted file list), takes its own, and
 * reads them one after another; no coordination is needed.
 *
 * - **By file**: a row-wise query (DuckDB's plan is only scans, filters and projections) over
 *   one glob with at least as many files as subtasks. File i (in path order) goes to subtask
 *   i mod p, read by the same query with the glob replaced by that file. No work is repeated.
 * - **By row hash** (every other query): each subtask runs the whole query and keeps the rows
 *   with `hash(row) mod p = subtask`. The split of rows does not depend on the order DuckDB
 *   produces them in (unlike row_number() or LIMIT/OFFSET ranges, which need a total ORDER BY
 *   to be correct at all), so aggregates, joins and unordered results split exactly. The cost is
 *   that each subtask computes the query, which DuckDB does fast and in parallel anyway.
 *
 * Positions (what a checkpoint records) are a split index plus rows emitted within it. Resuming
 * skips that many rows of the split, which is exact when the split's row order is repeatable:
 * true for scans of files (DuckDB preserves insertion order), true for any query with a total
 * ORDER BY; for other queries (e.g. GROUP BY without ORDER BY) add an ORDER BY.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { asSubquery, fileLiterals, isGlob, quoteLiteral, replaceToken } from './sql-text.ts';

/** How to split a query: 'auto' picks files when it can, else hash. */
export type SplitMode = 'auto' | 'files' | 'hash';

/** One unit of a subtask's work. */
export interface QuerySplit {
  /** Stable name: the file path, 'hash:<subtask>/<parallelism>', or 'all'. */
  readonly id: string;
  /** The query that reads exactly this split. */
  readonly sql: string;
  /** Whether this split reports DuckDB's rejected rows (hash splits all see the same ones: only one reports). */
  readonly reportsRejects: boolean;
}

/** Whether DuckDB's physical plan for `sql` maps rows one to one (scan → filters/projections). */
export async function isRowWise(conn: DuckDBConnection, sql: string): Promise<boolean> {
  const reader = await conn.runAndReadAll(`EXPLAIN (FORMAT JSON) ${sql}`);
  const rows = reader.getRowObjectsJson();
  const plan = rows.find((r) => r['explain_key'] === 'physical_plan')?.['explain_value'];
  if (typeof plan !== 'string') return false;
  interface PlanNode {
    name: string;
    children: PlanNode[];
  }
  let nodes = JSON.parse(plan) as PlanNode[];
  while (nodes.length === 1) {
    const node = nodes[0]!;
    if (node.children.length === 0) return /READ_|SCAN/i.test(node.name);
    if (node.name !== 'PROJECTION' && node.name !== 'FILTER') return false;
    nodes = node.children;
  }
  return false;
}

/** Files matching a glob, in path order (DuckDB's own glob, so the same files it would read). */
export async function expandGlob(conn: DuckDBConnection, pattern: string): Promise<string[]> {
  const reader = await conn.runAndReadAll(`SELECT file FROM glob(${quoteLiteral(pattern)}) ORDER BY file`);
  return reader.getRowObjectsJson().map((r) => String(r['file']));
}

/**
 * The splits of `sql` that subtask `subtask` of `parallelism` reads, in order.
 *
 * @example
 * await planSplits(conn, "SELECT * FROM 'logs/*.parquet'", 0, 3, 'auto');
 * // [{ id: 'logs/a.parquet', ... }, { id: 'logs/d.parquet', ... }]
 */
export async function planSplits(conn: DuckDBConnection, sql: string, subtask: number, parallelism: number, mode: SplitMode): Promise<QuerySplit[]> {
  const body = asSubquery(sql);
  if (parallelism === 1) return [{ id: 'all', sql: body, reportsRejects: true }];
  if (mode !== 'hash') {
    const globs = fileLiterals(body).filter((t) => isGlob(t.value ?? ''));
    if (globs.length === 1 && (mode === 'files' || (await isRowWise(conn, body)))) {
      const glob = globs[0]!;
      const files = await expandGlob(conn, glob.value!);
      if (mode === 'files' || files.length >= parallelism) {
        return files
          .filter((_f, i) => i % parallelism === subtask)
          .map((file) => ({ id: file, sql: replaceToken(body, glob, quoteLiteral(file)), reportsRejects: true }));
      }
    } else if (mode === 'files') {
      throw new Error(`split: 'files' needs a query that reads exactly one glob pattern (found ${globs.length})`);
    }
  }
  return [
    {
      id: `hash:${subtask}/${parallelism}`,
      sql: `SELECT weir_q.* FROM (${body}\n) AS weir_q WHERE hash(weir_q) % ${parallelism} = ${subtask}`,
      reportsRejects: subtask === 0,
    },
  ];
}
