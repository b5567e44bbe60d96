import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SinkDescriptor, SinkFactoryContext } from '../../runtime/connectors.ts';
import type { CheckpointedSink, SinkFunction, SinkInitializationContext, SinkSnapshotContext } from '../../runtime/functions.ts';
import { isRecoveredBy } from '../../runtime/sinks/two-phase-commit-sink.ts';
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

/** What a subtask keeps in operator state (a union list: a restore sees every subtask's entry). */
interface DuckDBSinkState {
  subtask: number;
  run: string;
  /** The checkpoint of the snapshot: staged epochs ≤ it belong to it. */
  checkpointId: number;
  /** Columns inferred for a table that did not exist yet (a recovered commit creates it). */
  columns: SinkColumn[] | null;
  /** Rows staged in epochs ≤ checkpointId and not committed (for the commit record). */
  rows: number;
}

const STATE = 'weir.duckdbSink';

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
 * 'exactly-once' with checkpoints (`CheckpointedSink`):
 * - `snapshotState(cp)`: stage the buffer, wait until the worker has written everything staged
 *   (so the checkpoint's rows are in the database before the checkpoint can complete), continue
 *   with epoch cp + 1, and store `{ run, checkpointId: cp, columns }` in operator state;
 * - `notifyCheckpointComplete(cp)`: `commit(cp)`;
 * - restore: for each restored entry this subtask recovers (`isRecoveredBy`), `commit(cp)` as
 *   the writer that staged it (a no-op if that happened before the failure), then delete what
 *   is left staged by those writers (the failed attempt's epochs > cp), and continue under a new
 *   run id: an old run's commit records can then never hide new rows (a job resumed from an
 *   older savepoint writes its epochs afresh).
 * At the end of input the rest is staged; the final checkpoint that follows (FLIP-147) records
 * it and its notification commits it, then the sink is done. Without checkpoints everything is
 * epoch 1 and is committed when the input ends. A failure
 * (`close()` without `finish()`) drops only the staged rows after the last barrier: those before
 * it may belong to a completed checkpoint that a restore commits.
 *
 * 'at-least-once' and 'none' commit each batch as it is staged; at a barrier 'at-least-once'
 * waits until the staged batches are committed, 'none' does not wait.
 *
 * DuckDB calls run in a worker thread behind a synchronous bridge (sync-bridge.ts), because
 * `finish()` must complete synchronously. The database file is open only while the sink runs.
 */
export class DuckDBTableSink implements SinkFunction<Record<string, unknown>>, CheckpointedSink {
  private bridge: DuckDBWorkerBridge | undefined;
  private conn = 0;
  private readonly id: SinkIdentity;
  /** Restored entries this subtask recovers at open (exactly-once). */
  private recovering: DuckDBSinkState[] = [];
  /** Old subtasks whose staged leftovers this subtask removes at open. */
  private owned: number[] = [];
  /** Id of the last checkpoint whose barrier this subtask passed (0: none). */
  private lastCheckpoint = 0;
  private readonly database: string;
  private readonly table;
  /** The table's columns: read at open when it exists, else inferred from the first batch. */
  private columns: SinkColumn[] | undefined;
  private columnNames = new Set<string>();
  private createTable = false;
  private pending: Record<string, unknown>[] = [];
  private epoch = 1;
  private seq = 0;
  /** Rows staged and not yet committed, per epoch (for the commit record). */
  private stagedRows = new Map<number, number>();
  private finished = false;
  /** Exactly-once after the end of input: the first checkpoint taken since (its notification commits the rest). */
  private finalCheckpoint: number | undefined;
  private inputEnded = false;
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

  initializeState(ctx: SinkInitializationContext): void {
    const state = ctx.operatorState.getUnionListState<DuckDBSinkState>(STATE);
    const mine = ctx.isRestored ? state.filter((e) => isRecoveredBy(e.subtask, ctx.subtask, ctx.parallelism)) : [];
    this.recovering = this.options.semantics === 'exactly-once' ? mine : [];
    this.owned = [...new Set([ctx.subtask, ...mine.map((e) => e.subtask)])];
    this.stagedRows = new Map();
    this.lastCheckpoint = 0;
    this.inputEnded = false;
    this.finalCheckpoint = undefined;
    state.length = 0;
  }

  open(): void {
    this.bridge = DuckDBWorkerBridge.acquire();
    try {
      this.conn = this.bridge.open(this.database);
      for (const ddl of BOOKKEEPING_DDL) this.bridge.run(this.conn, ddl);
      const existing = this.bridge.run(this.conn, describeTableSql(this.table));
      if (existing.length > 0) this.setColumns(existing.map((r) => ({ name: String(r['column_name']), type: String(r['data_type']) })));
      else this.createTable = true;
      for (const entry of this.recovering) this.recover(entry);
      this.recovering = [];
      // Rows crashed earlier runs of these writers staged and never committed.
      for (const subtask of this.owned.length ? this.owned : [this.id.subtask]) {
        this.bridge.run(this.conn, `DELETE FROM ${STAGING_TABLE} WHERE starts_with(sink, ${quoteLiteral(sinkPrefix({ ...this.id, subtask }))})`);
      }
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

  snapshotState(ctx: SinkSnapshotContext): void {
    if (this.bridge) {
      // Finished subtasks have committed everything and closed the database.
      this.stage();
      if (this.options.semantics !== 'none') this.sync();
    }
    this.lastCheckpoint = ctx.checkpointId;
    if (this.inputEnded) this.finalCheckpoint ??= ctx.checkpointId;
    if (this.options.semantics === 'exactly-once') this.epoch = Math.max(this.epoch, ctx.checkpointId + 1);
    let rows = 0;
    for (const [epoch, n] of this.stagedRows) if (epoch <= ctx.checkpointId) rows += n;
    const state = ctx.operatorState.getUnionListState<DuckDBSinkState>(STATE);
    state.length = 0;
    state.push({ subtask: this.id.subtask, run: this.id.run, checkpointId: ctx.checkpointId, columns: this.columns ? [...this.columns] : null, rows });
  }

  notifyCheckpointComplete(checkpointId: number): void {
    if (this.options.semantics !== 'exactly-once' || !this.bridge) return;
    this.commit(checkpointId);
    if (this.finalCheckpoint !== undefined && checkpointId >= this.finalCheckpoint) {
      this.finished = true;
      this.shutdown();
    }
  }

  /** End of input; with `finalCheckpoint` (exactly-once) the rest is committed on the final checkpoint's notification. */
  finish(finalCheckpoint = false): void {
    this.stage();
    if (this.options.semantics === 'exactly-once' && finalCheckpoint) {
      this.sync(); // reports a failed staging now
      this.inputEnded = true;
      return;
    }
    if (this.options.semantics === 'exactly-once') this.commit(this.epoch);
    else this.sync(); // reports a failed batch commit, if any
    this.finished = true;
    this.shutdown();
  }

  close(): void {
    if (!this.bridge) return;
    if (!this.finished) {
      // Failed or cancelled: what was staged after the last barrier is dropped (the sources
      // replay it), and the table is untouched. Exactly-once keeps the epochs up to the last
      // barrier: their checkpoint may be complete, and a restore commits them.
      const keep = this.options.semantics === 'exactly-once' ? this.lastCheckpoint : 0;
      try {
        this.bridge.run(this.conn, `DELETE FROM ${STAGING_TABLE} WHERE sink = ${quoteLiteral(sinkId(this.id))} AND epoch > ${keep}`);
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
    let rows = 0;
    for (const [e, n] of this.stagedRows) {
      if (e > epoch) continue;
      rows += n;
      this.stagedRows.delete(e);
    }
    this.commitAs(this.id, epoch, rows);
  }

  /** Commits what a restored writer staged up to its checkpoint (a no-op if it was committed). */
  private recover(entry: DuckDBSinkState): void {
    if (!this.columns) {
      // The table does not exist yet: a commit creates it with the columns inferred before.
      if (!entry.columns) return;
      this.setColumns(entry.columns);
      this.createTable = true;
    }
    this.commitAs({ ...this.id, subtask: entry.subtask, run: entry.run }, entry.checkpointId, entry.rows);
  }

  private commitAs(id: SinkIdentity, epoch: number, rows: number): void {
    try {
      const statements = commitStatements({
        id,
        epoch,
        table: this.table,
        columns: this.columns!,
        createTable: this.createTable,
        mode: this.options.mode,
        key: this.options.key,
        rows,
      });
      this.bridge!.transaction(this.conn, statements, commitGuard(id, epoch));
    } catch (e) {
      throw this.fail(e);
    }
    this.createTable = false;
  }

  /** Waits until the worker has done everything posted so far; reports a failure of it. */
  private sync(): void {
    try {
      this.bridge!.run(this.conn, 'SELECT 1');
    } catch (e) {
      throw this.fail(e);
    }
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
    this.stagedRows.set(this.epoch, (this.stagedRows.get(this.epoch) ?? 0) + rows.length);
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
      this.stagedRows.delete(this.epoch);
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
  const options = descriptor.options as unknown as DuckDBSinkDescriptorOptions;
  return new DuckDBTableSink({ ...options, database: path.resolve(descriptor.baseDir ?? '', options.database) }, ctx);
}
