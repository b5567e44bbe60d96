/**
 * Rescaling from a savepoint in this process (`CheckpointingExecutor`): for every source kind,
 * a job stopped with a savepoint at parallelism p ∈ {1,2,3} and resumed at q ∈ {1,2,3,4} gives
 * exactly the windows DuckDB-free arithmetic expects (0 lost, 0 duplicated), and its operator
 * list, union and broadcast state come back whole. The same matrix on taskmanagers is in
 * test/engine/process/rescale.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { StreamExecutionEnvironment } from '../../../engine/index.node.ts';
import { CheckpointingExecutor } from '../../../engine/checkpoint/checkpointing-executor.ts';
import { MemoryCheckpointStorage } from '../../../engine/checkpoint/memory-storage.ts';
import type { CheckpointStats } from '../../../engine/checkpoint/types.ts';
import { closeDuckDB } from '../../../engine/connectors/duckdb/instance.ts';
import { TwoPhaseCommitSinkFunction } from '../../../engine/runtime/sinks/two-phase-commit-sink.ts';
import { EVENTS, assertStatesWhole, buildRescaleJob, eventsCsv, expectedWindows, windowLine, type RescaleSource, type StateReport, type WindowSum } from '../../fixtures/rescale/rescale-job.ts';
import { until } from '../../harness/until.ts';

/** Windows made visible by commits, and which transactions committed (commit is idempotent). */
interface CommittedStore {
  visible: WindowSum[];
  committed: Set<number>;
}

/** An exactly-once sink into memory by two-phase commit: only committed windows are visible. */
class CommittedWindows extends TwoPhaseCommitSinkFunction<WindowSum, { id: number; rows: WindowSum[] }> {
  private static next = 0;
  constructor(private readonly store: CommittedStore) {
    super();
  }
  protected beginTransaction() {
    return { id: CommittedWindows.next++, rows: [] };
  }
  protected invoke(txn: { rows: WindowSum[] }, value: WindowSum) {
    txn.rows.push(value);
  }
  protected preCommit() {}
  protected commit(txn: { id: number; rows: WindowSum[] }) {
    if (this.store.committed.has(txn.id)) return;
    this.store.committed.add(txn.id);
    this.store.visible.push(...txn.rows);
  }
  protected abort() {}
}

const SOURCES: RescaleSource[] = ['collection', 'generator', 'duckdb', 'replay', 'user'];
const expected = expectedWindows();
/** Sources that read at a given pace; the others are slowed down by the job's map in the first run. */
const PACED: RescaleSource[] = ['generator', 'replay', 'user'];

describe('rescale from a savepoint, in this process', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-rescale-'));
  const csv = path.join(scratch, 'events.csv');
  writeFileSync(csv, eventsCsv());
  after(async () => {
    await closeDuckDB();
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const source of SOURCES) {
    for (const p of [1, 2, 3]) {
      for (const q of [1, 2, 3, 4]) {
        it(`${source}: stopped at parallelism ${p}, resumed at ${q}, gives the uninterrupted output`, { timeout: 60_000 }, async () => {
          const store: CommittedStore = { visible: [], committed: new Set() };
          const visible = store.visible;
          const reports: StateReport[][] = [[], []];
          const storage = new MemoryCheckpointStorage(`rescale ${source} ${p}-${q}`);
          const job = (parallelism: number, run: number) => {
            const env = StreamExecutionEnvironment.create({ parallelism });
            const spinMicros = run === 0 && !PACED.includes(source) ? 100 : 0;
            buildRescaleJob(env, { source, csv, pace: 12_000, sink: new CommittedWindows(store), report: (r) => reports[run]!.push(r), spinMicros });
            return env.buildJob('rescale');
          };
          const first = new CheckpointingExecutor(job(p, 0), { storage }).start();
          let ended = false;
          void first.result.finally(() => (ended = true));
          await until('a completed checkpoint', () => ((first.checkpoints!() as CheckpointStats[]).some((c) => c.status === 'COMPLETED') || ended ? true : undefined), 30_000);
          assert.ok(!ended, 'the job was still running after its first checkpoint');
          const savepoint = await first.stopWithSavepoint!();
          assert.equal((await first.result).report.status, 'FINISHED');
          const before = visible.length;
          const resumed = new CheckpointingExecutor(job(q, 1), { storage, restoreFrom: savepoint }).start();
          assert.equal((await resumed.result).report.status, 'FINISHED');

          const lines = visible.map(windowLine).sort();
          const lost = expected.filter((l) => !lines.includes(l));
          const extra = lines.length - (expected.length - lost.length);
          assert.deepEqual({ lost: lost.length, extra }, { lost: 0, extra: 0 }, `windows committed before the stop: ${before}; lost e.g. ${lost.slice(0, 3).join(', ')}`);
          assert.deepEqual(lines, expected);

          assertStatesWhole(reports[1]!, p, q, EVENTS, EVENTS);
        });
      }
    }
  }
});
