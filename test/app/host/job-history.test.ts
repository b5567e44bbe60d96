/**
 * The host's job history (app/host/job-history.ts): what a reloaded page is shown, and the
 * bounds that keep it from growing with a long session.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobHistory } from '../../../app/host/job-history.ts';
import type { JobDescription } from '../../../app/shared/workbench/protocol.ts';
import type { JobUpdateEvent } from '../../../app/shared/workbench/service.ts';

const job = (id: string, path = 'n.ts'): JobDescription => ({ id, name: `job ${id}`, path, cellId: 'c2', startedAt: 0, operators: [{ uid: 'src', name: 'Source', parallelism: 1, kind: 'source' }], edges: [], checkpointing: true });
const update = (jobId: string, over: Partial<JobUpdateEvent> = {}): JobUpdateEvent => ({ jobId, status: 'RUNNING', elapsedMs: 500, operators: [{ uid: 'src', recordsIn: 0, recordsOut: 10, recordsOutPerSecond: 20 }], checkpoints: [], restarts: 0, ...over });

describe('JobHistory', () => {
  it("gives a notebook's jobs, oldest first, with their latest update and samples, and not other notebooks' jobs", () => {
    const history = new JobHistory();
    history.started(job('job-1'));
    history.started(job('job-2', 'other.ts'));
    history.started(job('job-3'));
    history.updated(update('job-1', { checkpoints: [{ id: 1, status: 'COMPLETED', restorable: true, location: '/c/1' }] }));
    history.updated(update('job-1', { elapsedMs: 1000 }));
    history.updated(update('job-1', { status: 'FINISHED', elapsedMs: 1200 }));
    // A poll that arrives after the end is stale.
    history.updated(update('job-1', { elapsedMs: 1300 }));
    const snapshot = history.snapshot('n.ts');
    assert.deepEqual(snapshot.jobs.map((j) => j.description.id), ['job-1', 'job-3']);
    assert.equal(snapshot.jobs[0]!.update?.status, 'FINISHED');
    assert.deepEqual(snapshot.jobs[0]!.samples.map((s) => [s.t, s.sourceRate, s.final ?? false]), [[0.5, 20, false], [1, 20, false], [1.2, 20, true]]);
    assert.equal(snapshot.jobs[1]!.update, undefined);
  });

  it('keeps every running job and only the newest completed ones', () => {
    const history = new JobHistory({ completedJobs: 3 });
    for (let i = 1; i <= 10; i++) history.started(job(`job-${i}`));
    for (let i = 1; i <= 8; i++) history.updated(update(`job-${i}`, { status: i % 2 ? 'FINISHED' : 'FAILED' }));
    assert.deepEqual(history.snapshot('n.ts').jobs.map((j) => j.description.id), ['job-6', 'job-7', 'job-8', 'job-9', 'job-10']);
  });

  it("keeps the newest points of each chart series, drops a chart when its cell runs again, and bounds upsert charts by key", () => {
    const history = new JobHistory({ pointsPerSeries: 100 });
    const spec = { id: 'chart-1', type: 'line' as const, x: 't', y: ['v'], mode: 'append' as const, jobName: 'j' };
    history.chartAdded('n.ts', 'c2', spec);
    for (let batch = 0; batch < 30; batch++) {
      const xs = Array.from({ length: 10 }, (_, i) => batch * 10 + i);
      history.chartPoints({ path: 'n.ts', cellId: 'c2', chartId: 'chart-1', series: [{ name: 'v', xs, ys: xs.map((x) => x * 2) }] });
    }
    const [chart] = history.snapshot('n.ts').charts;
    assert.equal(chart!.series[0]!.xs.length, 100);
    assert.equal(chart!.series[0]!.xs[0], 200);
    assert.equal(chart!.series[0]!.ys.at(-1), 598);

    history.chartAdded('n.ts', 'c3', { ...spec, id: 'chart-2', mode: 'upsert' });
    for (let k = 0; k < 150; k++) history.chartPoints({ path: 'n.ts', cellId: 'c3', chartId: 'chart-2', upsert: true, series: [{ name: 'v', xs: [k % 120], ys: [k], keys: [String(k % 120)] }] });
    const upsert = history.snapshot('n.ts').charts.find((c) => c.chart.id === 'chart-2')!;
    assert.equal(upsert.upsert, true);
    assert.equal(upsert.series[0]!.keys!.length, 100);
    // Keys 0..29 were updated last (k = 120..149), so the oldest keys dropped are 30..49.
    assert.ok(upsert.series[0]!.keys!.includes('0') && !upsert.series[0]!.keys!.includes('30'));

    history.cellCleared('n.ts', 'c2');
    assert.deepEqual(history.snapshot('n.ts').charts.map((c) => c.chart.id), ['chart-2']);
  });

  it('refuses a bound that is not a positive integer, naming it', () => {
    assert.throws(() => new JobHistory({ completedJobs: 0 }), /completedJobs must be an integer of at least 1, got 0/);
  });
});
