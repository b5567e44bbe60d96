/**
 * The DuckDB sink's checkpoint hooks through `SinkOperator`: rows become visible when their
 * checkpoint completes, a restore commits the restored checkpoint (once) and drops what the
 * failed attempt staged after it, and a failure keeps what a completed checkpoint may still need.
 * The table is read through the sink's own DuckDB worker (the file is open while sinks run).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBTableSink, type DuckDBSinkDescriptorOptions } from '../../../../engine/connectors/duckdb/sink.ts';
import { DuckDBWorkerBridge } from '../../../../engine/connectors/duckdb/sync-bridge.ts';
import { SinkOperator } from '../../../../engine/runtime/operators/sink.ts';
import type { OperatorSnapshot } from '../../../../engine/runtime/operator.ts';
import { OneInputOperatorHarness } from '../../../harness/operator-harness.ts';
import { Scratch } from '../../connectors/duckdb/fixtures.ts';

const s = new Scratch('sink-checkpoints');
after(() => s.close());

function harness(options: DuckDBSinkDescriptorOptions) {
  const op = new SinkOperator<Record<string, unknown>>(
    (info, services) => new DuckDBTableSink(options, { subtask: info.subtask, parallelism: info.parallelism, operatorName: info.name, jobName: services.jobName, note() {} }),
  );
  return new OneInputOperatorHarness(op, { name: 'Sink: duckdb' });
}

/** Drops a sink as a crash would: its connection goes, nothing is cleaned up. */
function crash(h: OneInputOperatorHarness): void {
  (h.operator as unknown as { sink: { shutdown(): void } }).sink.shutdown();
}

function stored(h: OneInputOperatorHarness, checkpointId: number): OperatorSnapshot {
  return structuredClone(h.snapshot(checkpointId));
}

function feed(h: OneInputOperatorHarness, from: number, to: number): void {
  for (let i = from; i < to; i++) h.processElement({ i });
}

/** Queries the database through the sinks' worker. */
function reader(database: string) {
  const bridge = DuckDBWorkerBridge.acquire();
  const conn = bridge.open(database);
  return {
    one: (sql: string) => bridge.run(conn, sql)[0]!,
    close() {
      bridge.close(conn);
      bridge.release();
    },
  };
}

test('exactly-once: a crash after a barrier, a restore, and nothing lost or twice', async () => {
  const database = s.path('checkpoints.duckdb');
  const options: DuckDBSinkDescriptorOptions = { database, table: 't', mode: 'append', key: [], semantics: 'exactly-once' };
  const h1 = harness(options);
  await h1.open();
  const db = reader(database);
  try {
    feed(h1, 0, 100);
    const cp1 = stored(h1, 1);
    feed(h1, 100, 2300); // a full batch after the barrier gets staged
    assert.deepEqual(db.one(`SELECT count(*) AS n FROM _weir_staging`), { n: '2148' });
    assert.deepEqual(db.one(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 't'`), { n: '0' }, 'nothing committed yet');
    crash(h1);

    const h2 = harness(options);
    await h2.open([cp1]);
    assert.deepEqual(db.one(`SELECT count(*) AS n, min(i) AS lo, max(i) AS hi FROM t`), { n: '100', lo: 0, hi: 99 }, 'the restored checkpoint, committed at restore');
    assert.deepEqual(db.one(`SELECT count(*) AS n FROM _weir_staging`), { n: '0' }, 'what the failed attempt staged after the barrier is gone');
    feed(h2, 100, 2300); // the replay
    const cp2 = stored(h2, 2);
    feed(h2, 2300, 2310);
    assert.deepEqual(db.one(`SELECT count(*) AS n FROM t`), { n: '100' });
    h2.operator.notifyCheckpointComplete(2);
    h2.operator.notifyCheckpointComplete(2);
    assert.deepEqual(db.one(`SELECT count(*) AS n, count(DISTINCT i) AS d FROM t`), { n: '2300', d: '2300' });

    // A crash after the notification: the restore's commit of checkpoint 2 is a no-op.
    crash(h2);
    const h3 = harness(options);
    await h3.open([cp2]);
    assert.deepEqual(db.one(`SELECT count(*) AS n FROM t`), { n: '2300' });
    feed(h3, 2300, 2310);
    h3.endInput();
    h3.close();
    assert.deepEqual(db.one(`SELECT count(*) AS n, count(DISTINCT i) AS d, max(i) AS hi FROM t`), { n: '2310', d: '2310', hi: 2309 });
    assert.deepEqual(db.one(`SELECT count(*) AS n FROM _weir_staging`), { n: '0' });
  } finally {
    db.close();
  }
});

test('exactly-once: a failure keeps the rows of the last barrier for the restore to commit', async () => {
  const database = s.path('failure.duckdb');
  const options: DuckDBSinkDescriptorOptions = { database, table: 't', mode: 'append', key: [], semantics: 'exactly-once' };
  const h1 = harness(options);
  await h1.open();
  const db = reader(database);
  try {
    feed(h1, 0, 10);
    const cp1 = stored(h1, 1);
    feed(h1, 10, 2100);
    h1.close(); // failure: checkpoint 1 may be complete, its notification not yet delivered
    assert.deepEqual(db.one(`SELECT count(*) AS n, max(epoch) AS e FROM _weir_staging`), { n: '10', e: '1' });
    const h2 = harness(options);
    await h2.open([cp1]);
    feed(h2, 10, 20);
    h2.endInput();
    h2.close();
    assert.deepEqual(db.one(`SELECT count(*) AS n, count(DISTINCT i) AS d FROM t`), { n: '20', d: '20' });
  } finally {
    db.close();
  }
});

test('at-least-once: the barrier waits until the batches before it are committed', async () => {
  const database = s.path('alo.duckdb');
  const h = harness({ database, table: 't', mode: 'append', key: [], semantics: 'at-least-once' });
  await h.open();
  const db = reader(database);
  try {
    feed(h, 0, 5);
    h.snapshot(1);
    assert.deepEqual(db.one(`SELECT count(*) AS n FROM t`), { n: '5' });
    h.endInput();
    h.close();
  } finally {
    db.close();
  }
});
