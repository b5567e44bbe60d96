/**
 * How `fromDuckDB` divides a query among its parallel subtasks. Every subtask plans the same
 * splits from the same inputs (query, parallelism, the sorted file list), takes its own, and
 * reads them one after another; no coordination is needed.
 *
 * - **By file**: a row-wise query (DuckDB's plan is only scans, filters and projections) over
 *   one glob with at least as many files as subtasks. File i (in path order) goes to subtask
 *   i mod p, read by the same query with the glob replaced by that file. No work is repeated.
 * - **By row groups**: a row-wise query over Parquet named after FROM or JOIN (one file, or a
 *   glob with fewer files than subtasks). The row groups of all files, in path order, are cut
 *   into p contiguous runs of about equal rows; subtask i reads run i, each file of it replaced
 *   by a scan of its rows there (`file_row_number`, which DuckDB pushes into the Parquet
 *   reader). No work is repeated, and each row group is read whole by one subtask.
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
import { asSubquery, fileLiterals, isGlob, quoteLiteral, replaceToken, type SqlToken } from './sql-text.ts';

/** How to split a query: 'auto' picks files when it can, else hash. */
export type SplitMode = 'auto' | 'files' | 'hash';

/** One unit of a subtask's work. */
export interface QuerySplit {
  /** Stable name: the file path, '<file>#rows <from>-<to>', 'hash:<subtask>/<parallelism>', or 'all'. */
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
    const rowWise = async () => mode === 'files' || (await isRowWise(conn, body));
    if (globs.length === 1 && (await rowWise())) {
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
    const files = fileLiterals(body);
    if (files.length === 1 && isParquetScan(body, files[0]!) && (await rowWise())) return rowGroupSplits(conn, body, files[0]!, subtask, parallelism);
  }
  return [
    {
      id: `hash:${subtask}/${parallelism}`,
      sql: `SELECT weir_q.* FROM (${body}\n) AS weir_q WHERE hash(weir_q) % ${parallelism} = ${subtask}`,
      reportsRejects: subtask === 0,
    },
  ];
}

/** Whether `token` is a Parquet file (or glob) right after FROM or JOIN, where a subquery may stand instead. */
function isParquetScan(sql: string, token: SqlToken): boolean {
  return /\.parquet$/i.test(token.value ?? '') && /\b(from|join)\s*$/i.test(sql.slice(0, token.start));
}

/**
 * Subtask `subtask`'s rows of the Parquet files `token` names (see "By row groups"): the row
 * groups of all files, in path order, are cut into p contiguous runs of about equal rows; a run
 * is one split per file it touches.
 */
async function rowGroupSplits(conn: DuckDBConnection, body: string, token: SqlToken, subtask: number, parallelism: number): Promise<QuerySplit[]> {
  const reader = await conn.runAndReadAll(
    `SELECT file_name, row_group_id, any_value(row_group_num_rows) AS n FROM parquet_metadata(${quoteLiteral(token.value!)}) GROUP BY ALL ORDER BY file_name, row_group_id`,
  );
  const groups = reader.getRows().map(([file, , n]) => ({ file: String(file), rows: Number(n) }));
  const total = groups.reduce((sum, g) => sum + g.rows, 0);
  const mine = new Map<string, { from: number; to: number }>();
  let start = 0; // of the group, over all files
  let inFile = 0; // of the group, in its file
  for (let g = 0; g < groups.length; g++) {
    const { file, rows } = groups[g]!;
    if (g > 0 && groups[g - 1]!.file !== file) inFile = 0;
    // A group goes to run floor(start · p / total).
    if (rows > 0 && Math.floor((start * parallelism) / total) === subtask) {
      const range = mine.get(file) ?? { from: inFile, to: inFile };
      range.to = inFile + rows;
      mine.set(file, range);
    }
    start += rows;
    inFile += rows;
  }
  return [...mine].map(([file, { from, to }]) => {
    const rows = `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${quoteLiteral(file)}, file_row_number = true) WHERE file_row_number >= ${from} AND file_row_number < ${to}`;
    return { id: `${file}#rows ${from}-${to}`, sql: replaceToken(body, token, `(${rows})`), reportsRejects: true };
  });
}
