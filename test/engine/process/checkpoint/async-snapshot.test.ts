/**
 * A checkpoint's files are written while its tasks keep processing (Flink's asynchronous
 * snapshot phase; engine/process/checkpoint/checkpoint-io-thread.ts). Two sink subtasks in this
 * process take 100 ms per record; each counts the records it takes between its snapshot of a
 * checkpoint (at the barrier) and that checkpoint's completion. A write that needed a turn of
 * the task thread's event loop per system call waited a round of the slow tasks per turn: about
 * 30 records went by before a checkpoint of a few bytes completed. Written by the I/O thread, a
 * few rounds go by. The bound is in records (rounds of the task loop), not in time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { StreamExecutionEnvironment } from '../../../../engine/api/index.ts';
import { startInProcess } from '../../../../engine/checkpoint/checkpointing-executor.ts';
import { FsCheckpointStorage } from '../../../../engine/process/checkpoint/fs-storage.ts';
import type { CheckpointedSink, SinkFunction } from '../../../../engine/runtime/functions.ts';
import { until } from '../../../harness/until.ts';

/** Records a slow subtask may take while its checkpoint is written and completed. */
const MAX_RECORDS_WHILE_WRITTEN = 10;
const CHECKPOINTS = 3;

/** Per subtask and checkpoint: records taken between the snapshot and the completion. */
type Spans = Map<string, number>;

/** What one subtask's copy of the sink counts (each subtask has its own copy of the object). */
interface Counts {
  subtask: number;
  taken: number;
  atSnapshot: Map<number, number>;
}

/** A sink that waits 100 ms per record and counts records from each snapshot to its completion. */
function slowCountingSink(spans: Spans): SinkFunction<number> & CheckpointedSink & { counts?: Counts } {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  return {
    initializeState(ctx) {
      this.counts = { subtask: ctx.subtask, taken: 0, atSnapshot: new Map() };
    },
    invoke() {
      Atomics.wait(sleeper, 0, 0, 100);
      this.counts!.taken++;
    },
    snapshotState(ctx) {
      this.counts!.atSnapshot.set(ctx.checkpointId, this.counts!.taken);
    },
    notifyCheckpointComplete(id) {
      const c = this.counts!;
      const at = c.atSnapshot.get(id);
      if (at !== undefined) spans.set(`subtask ${c.subtask}, checkpoint ${id}`, c.taken - at);
    },
  };
}

describe('asynchronous snapshots', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-async-snapshot-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('a checkpoint completes within a few records of two slow subtasks in one process', { timeout: 120_000 }, async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    env.enableCheckpointing(100);
    const spans: Spans = new Map();
    env
      .fromGenerator(Infinity, (i) => i)
      .uid('numbers')
      .sinkTo(slowCountingSink(spans))
      .uid('slow-sink');
    // The test counts turns of the task thread, not the disk's latency on a loaded machine.
    const storage = new FsCheckpointStorage({ checkpointDir: scratch, jobName: 'async snapshot', fsync: false });
    const client = startInProcess(env.buildJob('async snapshot'), { storage });
    try {
      await until(
        `${CHECKPOINTS} checkpoints completed on both subtasks`,
        () => [0, 1].every((s) => [...spans.keys()].filter((k) => k.startsWith(`subtask ${s},`)).length >= CHECKPOINTS) || undefined,
        100_000,
      );
    } finally {
      client.cancel();
      await client.result.catch(() => {});
    }
    for (const [what, records] of spans) assert.ok(records <= MAX_RECORDS_WHILE_WRITTEN, `${what}: ${records} records went by while it was written (${[...spans].join('; ')})`);
  });
});
