/**
 * The job-control API for replays in the client's process, through both in-process executors
 * (plain, and checkpointing): a job sees and controls only its own replays, actions are checked,
 * and seek with 'max' speed ends the replay at once.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { StreamExecutionEnvironment } from '../../../../engine/index.node.ts';
import { closeDuckDB } from '../../../../engine/connectors/duckdb/instance.ts';
import { replayControls, type ReplayControl } from '../../../../engine/connectors/duckdb/replay-control.ts';
import type { JobClient } from '../../../../engine/runtime/job.ts';
import { until } from '../../../harness/until.ts';

after(() => closeDuckDB());

const HOUR = Date.UTC(2026, 0, 1);
const SQL = "SELECT i AS id, TIMESTAMP '2026-01-01' + to_seconds(i) AS ts FROM range(3600) t(i)";

/** Another job's replay in this process: touching it fails the test. */
function foreignReplay(name: string, job: string): () => void {
  const control: ReplayControl = {
    name,
    pause() {
      throw new Error('another job\'s replay must not be touched');
    },
    resume() {},
    setSpeed() {},
    seek() {},
    progress: () => ({ name, state: 'playing', speed: 1, eventTime: null, startTime: null, endTime: null, percent: 0, rowsEmitted: 0, totalRows: 0 }),
  };
  return replayControls.register(control, { job });
}

for (const checkpointing of [false, true]) {
  test(`replays() and controlReplay() of an in-process job (${checkpointing ? 'checkpointing' : 'plain'} executor)`, async () => {
    // Another job's replays: one of another name, one of the same name started later.
    const unregisterOther = foreignReplay('other', 'another job');
    let unregisterSameName = () => {};
    try {
      const env = StreamExecutionEnvironment.create({ parallelism: 1 });
      if (checkpointing) env.enableCheckpointing(200);
      let rows = 0;
      let firstAfterSeek: number | undefined;
      let seeked = false;
      env.replay<{ id: number; ts: number }>({ sql: SQL, timestampColumn: 'ts', speed: 60, name: 'own' }).sinkTo({
        invoke(row) {
          rows++;
          if (seeked && firstAfterSeek === undefined) firstAfterSeek = row.ts;
        },
      });
      const client: JobClient = env.executeAsync(`job control ${checkpointing}`);
      const own = await until('the replay to play', () => client.replays!().find((r) => r.name === 'own' && r.rowsEmitted > 0));
      unregisterSameName = foreignReplay('own', 'a later job');
      assert.deepEqual(client.replays!().map((r) => r.name), ['own'], "only the job's own replay");
      assert.equal(own.totalRows, 3600);

      await assert.rejects(client.controlReplay!('other', { pause: true }), /No replay 'other' runs in job 'job control (true|false)' \(its replays: 'own'\)/);
      await assert.rejects(client.controlReplay!('own', { seekTo: Number.NaN }), /replay 'own': seekTo must be an event time in ms, got NaN/);
      await assert.rejects(client.controlReplay!('own', { jump: 1 } as never), /replay 'own': unknown action \{"jump":1\}/);

      await client.controlReplay!('own', { pause: true });
      assert.equal(client.replays!()[0]!.state, 'paused');
      // Rows in flight when it paused drain; then nothing comes.
      await new Promise((r) => setTimeout(r, 100));
      const held = rows;
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(rows, held, 'no rows while paused');

      const target = HOUR + 59 * 60_000;
      await client.controlReplay!('own', { seekTo: target });
      await client.controlReplay!('own', { speed: 'max' });
      seeked = true;
      await client.controlReplay!('own', { resume: true });
      const { report } = await client.result;
      assert.equal(report.status, 'FINISHED');
      assert.ok(firstAfterSeek !== undefined && firstAfterSeek >= target, `the first row after the seek is at ${firstAfterSeek}`);
      assert.deepEqual(client.replays!(), [], 'an ended replay drops out');
      await assert.rejects(client.controlReplay!('own', { resume: true }), /No replay 'own' runs in job .*; 'own' is not running now/);
    } finally {
      unregisterOther();
      unregisterSameName();
    }
  });
}
