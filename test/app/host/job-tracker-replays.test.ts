/**
 * `JobTracker` with a replay running in this process: updates carry the replay's progress, and
 * `controlReplay` pauses and re-paces it through the job-control API, refusing unknown replays.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { StreamExecutionEnvironment } from '../../../engine/index.node.ts';
import { installExecutionHost } from '../../../engine/runtime/host.ts';
import { closeDuckDB } from '../../../engine/connectors/duckdb/instance.ts';
import { MemoryCheckpointStorage } from '../../../engine/checkpoint/memory-storage.ts';
import { JobTracker } from '../../../app/host/job-tracker.ts';
import { cellContext, type CellContext } from '../../../app/host/cell-context.ts';
import type { JobDescription } from '../../../app/shared/workbench/protocol.ts';
import type { JobUpdateEvent } from '../../../app/shared/workbench/service.ts';
import { until } from '../../harness/until.ts';

const context: CellContext = { path: 'n.ts', cellId: 'c1', write() {}, output() {}, fail() {} };
const HOUR = Date.UTC(2026, 0, 1);

after(() => closeDuckDB());

describe('JobTracker and replays', () => {
  it('sends no running update after the final one when the job ends while a replay action is on its way', async () => {
    const started: JobDescription[] = [];
    const updates: JobUpdateEvent[] = [];
    const tracker = new JobTracker({ started: (j) => started.push(j), updated: (e) => updates.push(e) }, { pollMs: 60_000, storageFor: (name) => new MemoryCheckpointStorage(name) });
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const report = { name: 'racing', status: 'FINISHED' as const, durationMs: 5, operators: [], checkpoints: [], restarts: 0 };
    // A client whose job ends while `controlReplay` is in flight, as a replay set to max speed does.
    const client = {
      jobName: 'racing',
      result: done.then(() => ({ report })),
      cancel() {},
      metrics: () => [],
      replays: () => [{ name: 'hour', state: 'playing' as const, speed: 'max' as const, eventTime: HOUR, startTime: HOUR, endTime: HOUR + 1000, percent: 10, rowsEmitted: 1, totalRows: 10 }],
      async controlReplay() {
        finish();
        await done;
        await new Promise((r) => setTimeout(r, 10)); // the answer comes after the job's result
      },
    };
    try {
      cellContext.run(context, () => tracker.started(client as never));
      const jobId = (await until('the job', () => started[0])).id;
      await tracker.controlReplay(jobId, 'hour', { speed: 'max' });
      const mine = updates.filter((u) => u.jobId === jobId);
      assert.equal(mine.at(-1)?.status, 'FINISHED', `updates: ${mine.map((u) => u.status).join(', ')}`);
    } finally {
      tracker.dispose();
    }
  });

  it('reports replay progress with the updates and controls the replay', async () => {
    const started: JobDescription[] = [];
    const updates: JobUpdateEvent[] = [];
    const tracker = new JobTracker({ started: (j) => started.push(j), updated: (e) => updates.push(e) }, { pollMs: 10, storageFor: (name) => new MemoryCheckpointStorage(name) });
    const restore = installExecutionHost({ submitJob: (job) => tracker.submit(job), onJobStarted: (c) => tracker.started(c) });
    try {
      const env = StreamExecutionEnvironment.create({ parallelism: 1 });
      env
        .replay({ sql: "SELECT i AS id, TIMESTAMP '2026-01-01' + to_seconds(i) AS ts FROM range(3600) t(i)", timestampColumn: 'ts', speed: 60, name: 'hour' })
        .sinkTo({ invoke() {} });
      const client = cellContext.run(context, () => env.executeAsync('tracked replay'));
      const jobId = (await until('the job', () => started[0])).id;
      const latest = () => updates.filter((u) => u.jobId === jobId).at(-1)?.replays?.find((r) => r.name === 'hour');
      const playing = await until('rows', () => ((latest()?.rows ?? 0) > 0 ? latest() : undefined));
      assert.equal(playing.state, 'playing');
      assert.equal(playing.speed, 60);
      assert.equal(playing.totalRows, 3600);
      assert.deepEqual([playing.startTime, playing.endTime], [HOUR, HOUR + 3599_000], 'the range a seek can go to');
      assert.ok(playing.eventTime! >= HOUR && playing.eventTime! < HOUR + 3_600_000, `event time ${playing.eventTime}`);
      assert.ok(playing.percent >= 0 && playing.percent < 50);

      await assert.rejects(tracker.controlReplay(jobId, 'nope', { pause: true }), /No replay 'nope' runs in job 'tracked replay' \(its replays: 'hour'\)/);
      await assert.rejects(tracker.controlReplay('job-404', 'hour', { pause: true }), /There is no job job-404/);
      await tracker.controlReplay(jobId, 'hour', { pause: true });
      assert.equal(latest()?.state, 'paused', 'the update after the action shows it');
      await tracker.controlReplay(jobId, 'hour', { speed: 'max' });
      await tracker.controlReplay(jobId, 'hour', { resume: true });
      const { report } = await client.result;
      assert.equal(report.status, 'FINISHED', 'at max speed the rest of the hour runs at once');
      await until('the final update', () => updates.find((u) => u.jobId === jobId && u.status === 'FINISHED'));
      assert.equal(updates.find((u) => u.jobId === jobId && u.status === 'FINISHED')!.replays, undefined, 'an ended job has no running replays');
      await assert.rejects(tracker.controlReplay(jobId, 'hour', { pause: true }), /Job 'tracked replay' is not running: its replay 'hour' has ended/);
    } finally {
      restore();
      tracker.dispose();
    }
  });
});
