/**
 * The live table of a `[flink-sql]` SELECT in the workbench: the rows its job's table sink
 * instances receive (changelog rows, +I/-U/+U/-D) are applied to a `MaterializedTable`, and the
 * table's first rows, its row count and status are sent to the cell at most every `intervalMs`,
 * so a job at full speed costs the page one update per interval. (Flink's counterpart: the SQL
 * client's table result mode, refreshing a materialized view of the changelog.)
 *
 * The whole table is kept here, not only the rows shown: a delete of a shown row brings the next
 * one into view, and `rowCount` counts the rows not shown.
 */
import { MaterializedTable } from '../../engine/sql/materialized-table.ts';
import type { ChartPointsEvent } from '../shared/workbench/service.ts';
import type { ChartSpec, LiveTableSnapshot, TableValue } from '../shared/workbench/protocol.ts';
import type { CellContext } from './cell-context.ts';

/** Rows of a live table sent to the page at most; the rest are counted in `rowCount`. */
export const LIVE_TABLE_ROWS = 1000;

/** Where a live table's snapshots go, and how often. */
export interface LiveTableOptions {
  points(event: ChartPointsEvent): void;
  /** How often the table is sent while it changes, ms. Default 50. */
  intervalMs?: number;
}

/**
 * One live table fed by the sink instances of one job.
 *
 * @example
 * const feed = new LiveTableFeed(spec, ['user', 'n'], context, { points: (e) => client.onDidAppendChartPoints(e) });
 * feed.add({ user: 'a', n: 1, $rowKind: '+I' });
 * feed.flush(); // sends { table: { rows: [['a', 1]], rowCount: 1, changes: 1, status: 'ENDED' } }
 */
export class LiveTableFeed {
  private readonly table: MaterializedTable;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Subtasks that have a sink of this table; a second sink for one of them means a new run. */
  readonly subtasks = new Set<number>();
  private readonly finished = new Set<number>();
  private readonly closed = new Set<number>();

  constructor(
    readonly spec: ChartSpec,
    private readonly columns: string[],
    private readonly context: CellContext,
    private readonly options: LiveTableOptions,
  ) {
    this.table = new MaterializedTable(columns);
  }

  /** Applies one changelog row and schedules a send. */
  add(record: unknown): void {
    if (record === null || typeof record !== 'object') return;
    this.table.apply(record as Record<string, unknown>);
    this.timer ??= setTimeout(() => this.send('RUNNING'), this.options.intervalMs ?? 50);
  }

  /** The input of sink instance `subtask` has ended; once all have, the table is final. */
  finish(subtask: number): void {
    this.finished.add(subtask);
    if (this.finished.size >= this.subtasks.size) this.send('FINISHED');
  }

  /** Sink instance `subtask` has closed (after its input ended, or cancelled or failed). */
  close(subtask: number): void {
    this.closed.add(subtask);
    if (this.closed.size >= this.subtasks.size) this.flush();
  }

  /** The job's tasks have stopped (all of them, or elsewhere): sends the table as it ends. */
  flush(): void {
    this.send(this.finished.size > 0 && this.finished.size >= this.subtasks.size ? 'FINISHED' : 'ENDED');
  }

  private send(status: LiveTableSnapshot['status']): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.table.rows(LIVE_TABLE_ROWS).map((row) => this.columns.map((c) => tableValue(row[c])));
    const table: LiveTableSnapshot = { columns: this.columns, rows, rowCount: this.table.rowCount, changes: this.table.changes, status };
    this.options.points({ path: this.context.path, cellId: this.context.cellId, chartId: this.spec.id, series: [], table });
  }
}

/** A value as a table cell carries it: the SQL cell has formatted all but numbers and booleans. */
function tableValue(value: unknown): TableValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
