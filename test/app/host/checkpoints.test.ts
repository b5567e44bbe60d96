/**
 * Checkpoints of workbench jobs through the host's protocol: the history streams while the job
 * runs, Stop takes a savepoint when the job checkpoints (and cancels when it does not), and a
 * rewind runs the cell again with its job restored from a checkpoint.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckpointSummary, JobDescription } from '../../../app/shared/workbench/protocol.ts';
import type { JobUpdateEvent } from '../../../app/shared/workbench/service.ts';
import { startHarness, type HostHarness, type RecordedEvent } from './harness.ts';

const NOTEBOOK = `// %% Setup
import { StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, Sinks } from 'weir';
interface R { k: string; ts: number; v: number }

// %% Windows
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.enableCheckpointing(100);
env
  .fromGenerator(Infinity, (i): R => ({ k: 'k' + (i % 3), ts: i * 5, v: 1 }), { recordsPerSecond: 2000 })
  .uid('readings')
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<R>().withTimestampAssigner((r) => r.ts))
  .uid('timestamps')
  .keyBy((r) => r.k)
  .window(TumblingEventTimeWindows.of(1000))
  .reduce((a, b) => ({ ...a, v: a.v + b.v }), (k, w, r) => ({ k, start: w.start, n: r.v }))
  .uid('counts')
  .sinkTo(Sinks.chart({ type: 'line', x: 'start', y: 'n', series: 'k', title: 'counts' }));
await env.execute('counting');

// %% Plain
const plain = StreamExecutionEnvironment.create();
plain.fromGenerator(Infinity, (i) => i, { recordsPerSecond: 500 }).sinkTo(Sinks.chart({ type: 'line', x: 'x', y: 'x' }));
await plain.execute('no checkpoints');
`;

const isUpdate = (e: RecordedEvent): e is RecordedEvent & { event: JobUpdateEvent } => e.name === 'onDidUpdateJob';
const completed = (rows: CheckpointSummary[]) => rows.filter((c) => c.status === 'COMPLETED' && !c.savepoint);

// On worker processes (the default) and in the host process (taskManagers 0) alike.
for (const taskManagers of [2, 0]) describe(`workbench job checkpoints (${taskManagers ? `${taskManagers} taskmanagers` : 'in the host process'})`, () => {
  let h: HostHarness;
  let checkpointDir: string;
  before(async () => {
    checkpointDir = mkdtempSync(path.join(os.tmpdir(), 'weir-host-checkpoints-'));
    h = await startHarness({ 'ckpt.ts': NOTEBOOK }, { checkpointDir, taskManagers });
  });
  after(async () => {
    await h.close();
    rmSync(checkpointDir, { recursive: true, force: true });
  });

  const startedJobs = (): JobDescription[] => h.events.filter((e) => e.name === 'onDidStartJob').map((e) => e.event as JobDescription);

  it('streams checkpoint rows while the job runs; Stop takes a savepoint and the job ends FINISHED', async () => {
    const doc = await h.service.openNotebook('ckpt.ts');
    const run = h.service.runCells({ path: 'ckpt.ts', cells: doc.cells, run: ['c2'] });
    const job = (await h.waitFor((e) => e.name === 'onDidStartJob')).event as JobDescription;
    assert.equal(job.checkpointing, true);
    const live = await h.waitFor((e) => isUpdate(e) && e.event.jobId === job.id && e.event.status === 'RUNNING' && completed(e.event.checkpoints).length >= 5);
    const rows = completed((live.event as JobUpdateEvent).checkpoints);
    assert.ok(rows.every((c) => c.restorable === true && c.location!.startsWith(path.join(checkpointDir, 'checkpoints'))), JSON.stringify(rows));
    assert.ok(rows.every((c) => (c.sizeBytes ?? 0) > 0 && c.durationMs !== undefined));

    const stopped = await h.service.stopJob(job.id);
    // Savepoints belong to the user: next to the notebook, not in the session's temp folder.
    assert.ok(stopped.savepoint?.startsWith(path.join(h.dir, 'savepoints') + path.sep), JSON.stringify(stopped));
    assert.ok(existsSync(path.join(stopped.savepoint!, '_metadata')), 'the savepoint is on disk');
    const end = (await h.waitFor((e) => isUpdate(e) && e.event.jobId === job.id && e.event.status !== 'RUNNING')).event as JobUpdateEvent;
    assert.equal(end.status, 'FINISHED');
    assert.equal(end.savepoint, stopped.savepoint);
    assert.deepEqual(
      end.checkpoints.filter((c) => c.savepoint).map((c) => [c.status, c.location]),
      [['COMPLETED', stopped.savepoint]],
    );
    await run;
  });

  it('rewinds: the cell runs again and its job starts from the chosen checkpoint', async () => {
    const doc = await h.service.openNotebook('ckpt.ts');
    const first = startedJobs()[0]!;
    const history = h.events.filter(isUpdate).filter((e) => e.event.jobId === first.id).at(-1)!.event.checkpoints;
    const target = completed(history).filter((c) => c.restorable).at(-1)!;
    const chartsBefore = chartOutputs(h).length;
    const run = h.service.runCells({ path: 'ckpt.ts', cells: doc.cells, run: ['c2'], restore: { jobId: first.id, checkpointId: target.id } });
    const rewound = (await h.waitFor((e) => e.name === 'onDidStartJob' && e.event.id !== first.id)).event as JobDescription;
    assert.equal(rewound.cellId, 'c2');
    assert.deepEqual(rewound.restoredFrom, { jobId: first.id, checkpointId: target.id });
    // The new run's chart starts where the checkpoint was, not at the beginning of the input.
    const chart = (await h.waitFor((e) => chartOutputs(h).indexOf(e) >= chartsBefore)).event.output.chart;
    assert.equal(chart.jobName, 'counting');
    const points = await h.waitFor((e) => e.name === 'onDidAppendChartPoints' && e.event.chartId === chart.id);
    const xs: number[] = points.event.series.flatMap((s: { xs: number[] }) => s.xs);
    const ns: number[] = points.event.series.flatMap((s: { ys: number[] }) => s.ys);
    // Source positions restored: windows that had fired before the checkpoint do not fire again.
    assert.ok(Math.min(...xs) >= 1000, `the rewound job resumes after the start of the input (first window at ${Math.min(...xs)} ms)`);
    // Window state restored: the window open at the checkpoint counts the records from before it too.
    assert.ok(ns.every((n) => n === 66 || n === 67), `every window counts all its 200 records over 3 keys: ${JSON.stringify(ns)}`);
    const stopped = await h.service.stopJob(rewound.id);
    assert.ok(stopped.savepoint);
    await run;
  });

  it('refuses to rewind to a checkpoint that is not there', async () => {
    const doc = await h.service.openNotebook('ckpt.ts');
    const first = startedJobs()[0]!;
    await assert.rejects(h.service.runCells({ path: 'ckpt.ts', cells: doc.cells, run: ['c2'], restore: { jobId: first.id, checkpointId: 999_999 } }), /has no completed checkpoint 999999/);
  });

  it('stops a job that takes no checkpoints by cancelling it; it cannot take a savepoint', async () => {
    const doc = await h.service.openNotebook('ckpt.ts');
    const run = h.service.runCells({ path: 'ckpt.ts', cells: doc.cells, run: ['c3'] });
    const job = (await h.waitFor((e) => e.name === 'onDidStartJob' && e.event.name === 'no checkpoints')).event as JobDescription;
    assert.equal(job.checkpointing, false);
    await assert.rejects(h.service.triggerSavepoint(job.id), /does not take checkpoints/);
    assert.deepEqual(await h.service.stopJob(job.id), {});
    const end = (await h.waitFor((e) => isUpdate(e) && e.event.jobId === job.id && e.event.status !== 'RUNNING')).event as JobUpdateEvent;
    assert.equal(end.status, 'CANCELED');
    assert.deepEqual(end.checkpoints, []);
    await run;
  });

  it('removes the checkpoints, not the savepoints, when the workbench closes', async () => {
    assert.ok(readdirSync(path.join(checkpointDir, 'checkpoints')).length > 0);
    await h.workbench.dispose();
    assert.ok(!existsSync(path.join(checkpointDir, 'checkpoints')));
    assert.ok(readdirSync(path.join(h.dir, 'savepoints'), { recursive: true }).some((d) => path.basename(String(d)).startsWith('savepoint-')));
  });
});

/** The chart outputs received so far, in order. */
function chartOutputs(h: HostHarness): RecordedEvent[] {
  return h.events.filter((e) => e.name === 'onDidWriteOutput' && e.event.output.kind === 'chart');
}
