import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SinkDescriptor, SinkFactoryContext } from '../../runtime/connectors.ts';
import type { SinkFunction } from '../../runtime/functions.ts';
import {
  BOOKKEEPING_DDL,
  STAGING_TABLE,
  commitGuard,
  commitStatements,
  describeTableSql,
  inferColumns,
  parseTableName,
  sinkId,
  sinkPrefix,
  stagedJson,
  type SinkColumn,
  type SinkIdentity,
} from './sink-sql.ts';
import { quoteLiteral } from './sql-text.ts';
import { DuckDBSinkError, DuckDBWorkerBridge } from './sync-bridge.ts';

/** The options a 'duckdb' sink descriptor carries (see `Sinks.duckdb`). */
export interface DuckDBSinkDescriptorOptions {
  database: string;
  table: string;
  mode: 'append' | 'upsert';
  key: string[];
  semantics: 'exactly-once' | 'at-least-once' | 'none';
}

/** Records per staged batch; also the sample a missing table's columns are inferred from. */
const BATCH = 2048;

/**
 * One subtask of `Sinks.duckdb`: a two-phase-commit sink over DuckDB.
 *
 * Phase one stages: records go, batch by batch and without waiting, to `_weir_staging` in the
 * target database, tagged with this writer's id and the current epoch (the checkpoint they
 * belong to). Phase two commits: one transaction applies the staged rows of the finished
 * epochs to the table, deletes them from staging and records `(job, operator, subtask, run,
 * checkpoint)` in `_weir_commits`; a commit whose record exists is skipped, so committing is
 * idempotent. See sink-sql.ts for the statements.
 *
 * Today (no checkpoints) everything is epoch 1 and is committed when the input ends
 * ('exactly-once'), or each batch is committed as it is staged ('at-least-once' / 'none').
 * The checkpoint issue plugs in here:
 * - `snapshotState(cp)`: stage the buffer as epoch cp, continue with epoch cp + 1, and store
 *   `{ run, epoch }` in operator state;
 * - `notifyCheckpointComplete(cp)`: `commit(cp)`;
 * - restore `{ run, epoch: c + 1 }`: `commit(c)` (a no-op if it happened before the failure),
 *   then delete this run's staged rows of epochs > c (the failed attempt's), and continue.
 *
 * DuckDB calls run in a worker thread behind a synchronous bridge (sync-bridge.ts), because
 * `finish()` must complete synchronously. The database file is open only while the sink runs.
 */
export class DuckDBTableSink implements SinkFunction<Record<string, unknown>> {
  private bridge: DuckDBWorkerBridge | undefined;
  private conn = 0;
  private readonly id: SinkIdentity;
  private readonly database: string;
  private readonly table;
  /** The table's columns: read at open when it exists, else inferred from the first batch. */
  private columns: SinkColumn[] | undefined;
  private columnNames = new Set<string>();
  private createTable = false;
  private pending: Record<string, unknown>[] = [];
  private epoch = 1;
  private seq = 0;
  /** Rows staged per epoch not yet committed (for the commit record). */
  private stagedRows = 0;
  private finished = false;
  private readonly what: string;

  constructor(
    private readonly options: DuckDBSinkDescriptorOptions,
    ctx: SinkFactoryContext,
  ) {
    this.database = path.resolve(options.database);
    this.table = parseTableName(options.table);
    this.id = { job: ctx.jobName, operator: ctx.operatorName, subtask: ctx.subtask, run: randomUUID() };
    this.what = `DuckDB sink '${ctx.operatorName}' (${options.table} in ${options.database})`;
  }

  open(): void {
    this.bridge = DuckDBWorkerBridge.acquire();
    try {
      this.conn = this.bridge.open(this.database);
      for (const ddl of BOOKKEEPING_DDL) this.bridge.run(this.conn, ddl);
      // Rows a crashed earlier run of this writer staged but never committed.
      this.bridge.run(this.conn, `DELETE FROM ${STAGING_TABLE} WHERE starts_with(sink, ${quoteLiteral(sinkPrefix(this.id))})`);
      const existing = this.bridge.run(this.conn, describeTableSql(this.table));
      if (existing.length > 0) this.setColumns(existing.map((r) => ({ name: String(r['column_name']), type: String(r['data_type']) })));
      else this.createTable = true;
    } catch (e) {
      throw this.fail(e);
    }
    for (const k of this.options.key) {
      if (this.columns && !this.columnNames.has(k)) throw new Error(`${this.what}: key column '${k}' is not a column of the table (${[...this.columnNames].join(', ')})`);
    }
  }

  invoke(record: Record<string, unknown>): void {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new Error(`${this.what}: records must be objects (one field per column), got ${Array.isArray(record) ? 'an array' : typeof record}`);
    }
    if (this.columns) this.checkFields(record);
    this.pending.push(record);
    if (this.pending.length >= BATCH) this.stage();
  }

  finish(): void {
    this.stage();
    if (this.options.semantics === 'exactly-once') this.commit(this.epoch);
    else this.bridge!.run(this.conn, 'SELECT 1'); // reports a failed batch commit, if any
    this.finished = true;
    this.shutdown();
  }

  close(): void {
    if (!this.bridge) return;
    if (!this.finished) {
      // Failed or cancelled: what was staged and not committed is dropped (the job's outcome
      // is "not written"), and the table is untouched.
      try {
        this.bridge.run(this.conn, `DELETE FROM ${STAGING_TABLE} WHERE sink = ${quoteLiteral(sinkId(this.id))}`);
      } catch {
        // The next run of this writer removes them at open.
      }
    }
    this.shutdown();
  }

  /** Commits the staged rows of epochs ≤ `epoch` in one transaction (idempotent). */
  commit(epoch: number): void {
    if (!this.columns) {
      // No record reached this subtask: nothing to write, no table to infer.
      return;
    }
    try {
      const statements = commitStatements({
        id: this.id,
        epoch,
        table: this.table,
        columns: this.columns,
        createTable: this.createTable,
        mode: this.options.mode,
        key: this.options.key,
        rows: this.stagedRows,
      });
      this.bridge!.transaction(this.conn, statements, commitGuard(this.id, epoch));
    } catch (e) {
      throw this.fail(e);
    }
    this.createTable = false;
    this.stagedRows = 0;
  }

  /** Sends the pending records to staging (without waiting for them to be written). */
  private stage(): void {
    if (this.pending.length === 0) return;
    if (!this.columns) {
      this.setColumns(inferColumns(this.pending));
      for (const k of this.options.key) {
        if (!this.columnNames.has(k)) throw new Error(`${this.what}: key column '${k}' is not a field of the records (${[...this.columnNames].join(', ')})`);
      }
    }
    const columns = this.columns!;
    const sink = sinkId(this.id);
    const rows = this.pending.map((r) => [sink, this.epoch, this.seq++, stagedJson(r, columns)]);
    this.pending = [];
    this.stagedRows += rows.length;
    this.bridge!.postAppend(this.conn, STAGING_TABLE, ['varchar', 'bigint', 'bigint', 'varchar'], rows);
    if (this.options.semantics !== 'exactly-once') {
      const statements = commitStatements({
        id: this.id,
        epoch: this.epoch,
        table: this.table,
        columns,
        createTable: this.createTable,
        mode: this.options.mode,
        key: this.options.key,
        rows: rows.length,
      });
      this.bridge!.postTransaction(this.conn, statements, commitGuard(this.id, this.epoch));
      this.createTable = false;
      this.stagedRows = 0;
      this.epoch++;
    }
  }

  private setColumns(columns: SinkColumn[]): void {
    this.columns = columns;
    this.columnNames = new Set(columns.map((c) => c.name));
  }

  private checkFields(record: Record<string, unknown>): void {
    for (const name in record) {
      if (!this.columnNames.has(name) && record[name] !== undefined) {
        throw new Error(
          `${this.what}: the record has a field '${name}' that the table lacks (columns: ${[...this.columnNames].join(', ')}); ` +
            `create the table with that column, or drop the field before the sink`,
        );
      }
    }
  }

  private shutdown(): void {
    const bridge = this.bridge;
    this.bridge = undefined;
    if (!bridge) return;
    try {
      bridge.close(this.conn);
    } finally {
      bridge.release();
    }
  }

  private fail(e: unknown): Error {
    if (e instanceof DuckDBSinkError) return new Error(`${this.what}: ${e.message}`, { cause: e });
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** The 'duckdb' sink factory registered in Node processes. */
export function createDuckDBSink(descriptor: SinkDescriptor, ctx: SinkFactoryContext): SinkFunction<Record<string, unknown>> {
  return new DuckDBTableSink(descriptor.options as unknown as DuckDBSinkDescriptorOptions, ctx);
}
