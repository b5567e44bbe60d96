import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobDescription } from '../../../app/shared/workbench/protocol.ts';
import type { JobUpdateEvent } from '../../../app/shared/workbench/service.ts';
import { JobModel } from '../../../app/renderer/state/job-model.ts';
import { jobControls } from '../../../app/renderer/jobs/job-controls.ts';
import { describe as describeChart } from '../../../app/renderer/jobs/checkpoint-chart.ts';
import { speedLabel } from '../../../app/renderer/jobs/replay-view.ts';

const description: JobDescription = {
  id: 'job-3',
  name: 'live windows',
  path: 'n.ts',
  cellId: 'c4',
  startedAt: 0,
  operators: [{ uid: 'src', name: 'Source', parallelism: 1, kind: 'source' }],
  edges: [],
  checkpointing: true,
};

const update = (over: Partial<JobUpdateEvent> = {}): JobUpdateEvent => ({ jobId: 'job-3', status: 'RUNNING', elapsedMs: 1000, operators: [], checkpoints: [], restarts: 0, ...over });

describe('JobModel: checkpoints, savepoints and restarts', () => {
  it('keeps the history, restarts with causes, and the savepoint the job was stopped with', () => {
    const job = new JobModel(description);
    assert.equal(job.checkpointing, true);
    job.update(update({ checkpoints: [{ id: 1, status: 'COMPLETED', restorable: true }], restarts: 1, restartCauses: [{ at: 5, cause: 'boom' }] }));
    assert.deepEqual(job.checkpoints.map((c) => c.id), [1]);
    assert.deepEqual(job.restartCauses, [{ at: 5, cause: 'boom' }]);
    job.update(update({ status: 'FINISHED', savepoint: '/tmp/sp-2' }));
    assert.equal(job.savepoint, '/tmp/sp-2');
    assert.deepEqual(job.restartCauses, [], 'causes follow the latest event');
  });

  it('samples figures while the job runs, and once more with the final ones when it ends', () => {
    const job = new JobModel(description);
    const op = (stateBytes: number, rate: number) => [{ uid: 'src', recordsIn: 0, recordsOut: 0, recordsInPerSecond: 0, recordsOutPerSecond: rate, stateBytes }];
    job.update(update({ elapsedMs: 500, operators: op(100, 40) }));
    job.update(update({ elapsedMs: 1000, operators: op(300, 50) }));
    job.update(update({ status: 'FINISHED', elapsedMs: 1200, operators: op(250, 0) }));
    job.update(update({ status: 'FINISHED', elapsedMs: 1300, operators: op(250, 0) }));
    assert.deepEqual(
      job.samples.map((s) => [s.t, s.stateBytes, s.sourceRate, s.final ?? false]),
      [
        [0.5, 100, 40, false],
        [1, 300, 50, false],
        [1.2, 250, 0, true],
      ],
    );
  });

  it('ignores a running update that arrives after the job ended (it never runs again)', () => {
    const job = new JobModel(description);
    job.update(update({ status: 'FINISHED', elapsedMs: 900 }));
    job.update(update({ status: 'RUNNING', elapsedMs: 950 }));
    assert.equal(job.status, 'FINISHED');
    assert.equal(job.running, false);
  });

  it('charts a job that ended before its first sample by its final figures', () => {
    const job = new JobModel(description);
    job.update(update({ status: 'FINISHED', elapsedMs: 160, operators: [{ uid: 'src', recordsIn: 0, recordsOut: 9, recordsInPerSecond: 0, recordsOutPerSecond: 0, stateBytes: 128 }] }));
    assert.deepEqual(job.samples, [{ t: 0.16, stateBytes: 128, sourceRate: 0, final: true }]);
  });

  it('notes what Stop and Trigger savepoint did, and failures', () => {
    const job = new JobModel(description);
    const before = job.revision;
    job.noteStop({ savepointError: 'some tasks have finished' });
    assert.equal(job.notice, 'Stopped without a savepoint: some tasks have finished');
    assert.equal(job.savepoint, undefined);
    job.noteSavepoint('/tmp/sp-4');
    assert.equal(job.savepoint, '/tmp/sp-4');
    assert.equal(job.notice, undefined);
    job.noteFailure('Cannot rewind to checkpoint 2', new Error('not kept any more'));
    assert.equal(job.notice, 'Cannot rewind to checkpoint 2: not kept any more');
    assert.ok(job.revision > before);
  });

  it('rewind runs the job\'s cell with a restore request', async () => {
    const requests: unknown[] = [];
    const controls = jobControls(
      {
        stopJob: async () => ({}),
        cancelJob: async () => {},
        triggerSavepoint: async () => '',
        controlReplay: async () => {},
        runCells: async (r) => void requests.push(r),
      },
      { runRequest: (run) => ({ path: 'n.ts', cells: [], run }) },
    );
    await controls.rewind(new JobModel(description), 7);
    assert.deepEqual(requests, [{ path: 'n.ts', cells: [], run: ['c4'], restore: { jobId: 'job-3', checkpointId: 7 } }]);
  });

  it('offers Export only when the page can open the Export form, for the job of the panel', () => {
    const service = { stopJob: async () => ({}), cancelJob: async () => {}, triggerSavepoint: async () => '', controlReplay: async () => {}, runCells: async () => {} };
    const notebook = { runRequest: (run: string[]) => ({ path: 'n.ts', cells: [], run }) };
    assert.equal(jobControls(service, notebook).exportJob, undefined);
    const opened: string[] = [];
    jobControls(service, notebook, (name) => opened.push(name)).exportJob?.('live windows');
    assert.deepEqual(opened, ['live windows']);
  });

  it('the checkpoint chart says in words what it shows', () => {
    assert.equal(describeChart([]), 'Checkpoint duration and size: no checkpoints yet');
    assert.equal(
      describeChart([
        { id: 1, status: 'COMPLETED', durationMs: 12, sizeBytes: 2048 },
        { id: 2, status: 'FAILED', durationMs: 600_000 },
        { id: 3, status: 'COMPLETED', savepoint: true, durationMs: 20, sizeBytes: 4096 },
      ]),
      'Checkpoint duration and size: 2 completed, 1 failed, the latest took 20 ms and holds 4.0 KiB',
    );
  });
});

describe('JobModel: replays', () => {
  const trips = { name: 'trips', state: 'playing' as const, speed: 7200, eventTime: Date.UTC(2026, 0, 1, 6), percent: 25, rows: 1000, totalRows: 4000 };

  it('keeps the running replays of the latest update, and none once the job has ended', () => {
    const job = new JobModel(description);
    assert.equal(job.replays.length, 0);
    job.update(update({ replays: [trips] }));
    assert.equal(job.replays.length, 1);
    assert.equal(job.replays[0]!.eventTime, trips.eventTime);
    job.update(update({ replays: [{ ...trips, state: 'paused', percent: 30 }] }));
    assert.equal(job.replays[0]!.state, 'paused');
    assert.equal(job.replays[0]!.percent, 30);
    job.update(update());
    assert.equal(job.replays.length, 0, 'an update without replays: none run now');
    job.update(update({ replays: [trips] }));
    job.update(update({ status: 'FINISHED', replays: [trips] }));
    assert.deepEqual(job.replays, [], 'an ended job shows no live replay');
  });

  it('replay controls go to the service with the job and the replay', async () => {
    const calls: unknown[][] = [];
    const controls = jobControls(
      {
        stopJob: async () => ({}),
        cancelJob: async () => {},
        triggerSavepoint: async () => '',
        controlReplay: async (...args) => void calls.push(args),
        runCells: async () => {},
      },
      { runRequest: (run) => ({ path: 'n.ts', cells: [], run }) },
    );
    await controls.controlReplay('job-3', 'trips', { speed: 'max' });
    await controls.controlReplay('job-3', 'trips', { pause: true });
    assert.deepEqual(calls, [
      ['job-3', 'trips', { speed: 'max' }],
      ['job-3', 'trips', { pause: true }],
    ]);
  });

  it('labels speeds as the select shows them', () => {
    assert.equal(speedLabel(3600), '3600×');
    assert.equal(speedLabel('max'), 'max');
  });
});
