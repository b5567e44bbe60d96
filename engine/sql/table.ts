/**
 * `Table` (a planned query, not yet run) and `TableResult` (what executing a statement gives),
 * as Flink's Table API has them, with promises where Flink blocks.
 */
import type { JobClient } from '../runtime/local-executor.ts';
import type { Column, Row } from './catalog.ts';
import { applyChangelog, toChange, type Change } from './changelog.ts';
import type { PlannedTable } from './planner.ts';
import { formatType, formatValue } from './types.ts';

/** What a TableEnvironment does for a Table: run it, write it into a table. */
export interface TableRunner {
  collect(table: PlannedTable): TableResult;
  insertInto(table: PlannedTable, target: string): TableResult;
}

/**
 * The result of a query, as a table: its columns, and its rows as a DataStream once converted
 * (`tEnv.toDataStream(table)`) or run (`table.execute()`).
 *
 * @example
 * const big = tEnv.sqlQuery('SELECT `user`, amount FROM orders WHERE amount > 100');
 * big.printSchema();
 * const rows = await big.execute().collect();
 */
export class Table {
  /** @internal */
  constructor(
    readonly planned: PlannedTable,
    private readonly runner: TableRunner,
  ) {}

  /** @example table.getResolvedSchema().columns.map((c) => c.name) */
  getResolvedSchema(): { columns: { name: string; type: string }[]; rowtime?: string } {
    const { columns, rowtime } = this.planned.schema;
    return { columns: columns.map((c) => ({ name: c.name, type: formatType(c.type) })), ...(rowtime ? { rowtime } : {}) };
  }

  /** Prints the columns and their types, as Flink's `printSchema()`. @example table.printSchema() */
  printSchema(): void {
    const { columns, rowtime } = this.planned.schema;
    const lines = columns.map((c) => `  \`${c.name}\` ${formatType(c.type)}${c.name === rowtime ? ' *ROWTIME*' : ''}`);
    (globalThis as unknown as { console: { log(s: string): void } }).console.log(`(\n${lines.join(',\n')}\n)`);
  }

  /**
   * Runs the query as a job whose rows come back to this process.
   *
   * @example
   * const rows = await tEnv.sqlQuery('SELECT * FROM clicks').execute().collect();
   */
  execute(): TableResult {
    return this.runner.collect(this.planned);
  }

  /**
   * Writes the rows into a table with a sink connector, as a job.
   *
   * @example
   * await tEnv.sqlQuery('SELECT * FROM clicks').executeInsert('print_sink').await();
   */
  executeInsert(tableName: string): TableResult {
    return this.runner.insertInto(this.planned, tableName);
  }
}

/**
 * What `executeSql` (or `Table.execute()`) gives: 'SUCCESS' for DDL, a job for INSERT and
 * SELECT. `await()` waits for the job; `collect()` gives a SELECT's rows (of a bounded query):
 * for an updating query its final state, `collectChangelog()` every change.
 *
 * @example
 * await tEnv.executeSql('INSERT INTO sink SELECT * FROM clicks').await();
 * const rows = await tEnv.executeSql('SELECT * FROM clicks').collect();
 */
export class TableResult {
  /** @internal */
  constructor(
    private readonly kind: 'SUCCESS' | 'SUCCESS_WITH_CONTENT',
    private readonly columnList: Column[],
    private readonly job?: JobClient,
    private readonly rows?: Row[],
    /** Whether `rows` is a changelog with updates (rows carry their kind). */
    private readonly updating = false,
  ) {}

  /** @example result.getResultKind() // 'SUCCESS' */
  getResultKind(): 'SUCCESS' | 'SUCCESS_WITH_CONTENT' {
    return this.kind;
  }

  /** @example result.getResolvedSchema().columns */
  getResolvedSchema(): { columns: { name: string; type: string }[] } {
    return { columns: this.columnList.map((c) => ({ name: c.name, type: formatType(c.type) })) };
  }

  /** @internal The columns with their SQL types. */
  columns(): Column[] {
    return this.columnList;
  }

  /** The job that runs the statement, for INSERT and SELECT. @example result.getJobClient()?.cancel() */
  getJobClient(): JobClient | undefined {
    return this.job;
  }

  /** Waits until the statement's job has ended; rejects with its error. @example await result.await() */
  async await(): Promise<void> {
    if (this.job) await this.job.result;
  }

  /**
   * The rows of a SELECT, once its (bounded) job has ended. For an updating query (a GROUP BY
   * without a window, Top-N) the table its changelog ends with: each -U and -D has taken out
   * the row it retracts, as the result table under a `[flink-sql]` cell shows it.
   *
   * @example for (const row of await result.collect()) console.log(row)
   */
  async collect(): Promise<Row[]> {
    await this.await();
    const rows = this.rows ?? [];
    return this.updating ? applyChangelog(rows, this.columnList.map((c) => c.name)) : rows;
  }

  /**
   * Every change a SELECT's job emitted, in order, with its kind (+I, -U, +U, -D), once the job
   * has ended.
   *
   * @example
   * const changes = await tEnv.executeSql('SELECT `user`, COUNT(*) AS n FROM clicks GROUP BY `user`').collectChangelog();
   * changes.filter((c) => c.kind === '+U').length
   */
  async collectChangelog(): Promise<Change[]> {
    await this.await();
    return (this.rows ?? []).map(toChange);
  }

  /** Prints the changes as a table with Flink's row kinds (+I, -U, +U, -D). @example await tEnv.executeSql('SELECT * FROM t').print() */
  async print(): Promise<void> {
    const changes = await this.collectChangelog();
    (globalThis as unknown as { console: { log(s: string): void } }).console.log(tableau(this.columnList, changes));
  }
}

/** Changes as Flink's SQL client prints them in tableau mode. */
export function tableau(columns: Column[], rows: Change[]): string {
  const header = ['op', ...columns.map((c) => c.name)];
  const body = rows.map(({ kind, row }) => [kind, ...columns.map((c) => formatValue(row[c.name], c.type))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [line, fmt(header), line, ...body.map(fmt), line, `${rows.length} row${rows.length === 1 ? '' : 's'} in set`].join('\n');
}
