/**
 * Workbench jobs on worker processes: the same output as in the host process, a runaway user
 * function that fails its job without freezing the kernel, Stop and Rewind, and no worker
 * process left once the workbench has closed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CellOutput, JobDescription } from '../../../app/shared/workbench/protocol.ts';
import type { JobUpdateEvent } from '../../../app/shared/workbench/service.ts';
import { alive, cpuTicks, descendants } from '../../harness/processes.ts';
import { until } from '../../harness/until.ts';
import { startHarness, type HostHarness, type RecordedEvent } from './harness.ts';

/** The workbench's worker processes: the cluster's, and the notebooks' kernels. */
const WORKERS = /^weir-(jobmanager|taskmanager|kernel)/;
const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

const WINDOWS = `// %% Setup
import { StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows } from 'weir';
interface R { k: string; ts: number; v: number }

// %% Windows
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env
  .fromGenerator(3000, (i): R => ({ k: 'k' + (i % 7), ts: i * 3, v: i % 11 }))
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<R>().withTimestampAssigner((r) => r.ts))
  .keyBy((r) => r.k)
  .window(TumblingEventTimeWindows.of(500))
  .reduce((a, b) => ({ ...a, v: a.v + b.v }), (k, w, r) => ({ k, start: w.start, sum: r.v }))
  .map((r) => { console.log('fired', r.k, r.start); return r; })
  .print('sum');
await env.execute('sums');
`;

const RUNAWAY = `// %% Runaway
import { StreamExecutionEnvironment } from 'weir';
const env = StreamExecutionEnvironment.create();
env.fromGenerator(Infinity, (i) => i, { recordsPerSecond: 100 })
  .map((x) => { if (x > 20) while (true) {} return x; })
  .name('spin')
  .print();
await env.execute('runaway');

// %% Next
console.log('the kernel still runs cells');
`;

const outputsOf = (h: HostHarness, cellId: string): CellOutput[] =>
  h.events.filter((e) => e.name === 'onDidWriteOutput' && e.event.cellId === cellId).map((e) => e.event.output as CellOutput);

/** The cell's console lines, sorted (parallel subtasks interleave differently on every run). */
const linesOf = (h: HostHarness, cellId: string): string[] =>
  outputsOf(h, cellId)
    .flatMap((o) => (o.kind === 'text' ? o.text.split('\n') : []))
    .filter(Boolean)
    .sort();

const statesOf = (h: HostHarness, cellId: string): string[] => h.events.filter((e) => e.name === 'onDidChangeCellState' && e.event.cellId === cellId).map((e) => e.event.status);
const isUpdate = (e: RecordedEvent): e is RecordedEvent & { event: JobUpdateEvent } => e.name === 'onDidUpdateJob';

async function waitUntil(condition: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(message);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runAll(h: HostHarness, notebook: string): Promise<void> {
  const doc = await h.service.openNotebook(notebook);
  await h.service.runCells({ path: notebook, cells: doc.cells, run: 'all' });
}

describe('workbench jobs on worker processes', () => {
  it('prints the same keyed-window results as in the host process, under the cell, and starts workers only for a job', async () => {
    const inProcess = await startHarness({ 'w.ts': WINDOWS }, { taskManagers: 0 });
    let expected: string[];
    try {
      await runAll(inProcess, 'w.ts');
      expected = linesOf(inProcess, 'c2');
    } finally {
      await inProcess.close();
    }
    // 3000 readings 3 ms apart: 18 windows of 500 ms for each of 7 keys.
    assert.equal(expected.filter((l) => /^sum:[12]> /.test(l)).length, 7 * 18, expected.join('\n'));
    assert.ok(expected.some((l) => l.startsWith('fired ')), 'console.log in an operator reaches the cell');

    const cluster = await startHarness({ 'w.ts': WINDOWS }, { taskManagers: 2 });
    try {
      assert.deepEqual(descendants(process.pid, WORKERS), [], 'no worker process before the first job');
      await runAll(cluster, 'w.ts');
      assert.deepEqual(statesOf(cluster, 'c2').at(-1), 'done');
      assert.equal(descendants(process.pid, /^weir-taskmanager/).length, 2, 'the job ran on two taskmanagers');
      assert.deepEqual(linesOf(cluster, 'c2'), expected);
    } finally {
      await cluster.close();
    }
    assert.deepEqual(descendants(process.pid, WORKERS), [], 'closing the workbench ends its workers');
  });

  it('restarts a failed job from its checkpoint and reports the cause', async () => {
    const flag = path.join(mkdtempSync(path.join(os.tmpdir(), 'weir-flaky-')), 'failed-once');
    const notebook = `// %% Flaky
import { existsSync, writeFileSync } from 'node:fs';
import { StreamExecutionEnvironment, RestartStrategies } from 'weir';
const env = StreamExecutionEnvironment.create();
env.enableCheckpointing(50);
env.setRestartStrategy(RestartStrategies.fixedDelay(2, 50));
env.fromGenerator(400, (i) => i, { recordsPerSecond: 1000 })
  .map((x) => { if (x === 250 && !existsSync(${JSON.stringify(flag)})) { writeFileSync(${JSON.stringify(flag)}, ''); throw new Error('flaky at ' + x); } return x; })
  .print();
await env.execute('flaky');
`;
    const h = await startHarness({ 'flaky.ts': notebook }, { taskManagers: 1 });
    try {
      await runAll(h, 'flaky.ts');
      const end = (await h.waitFor((e) => isUpdate(e) && e.event.status !== 'RUNNING')).event as JobUpdateEvent;
      assert.equal(end.status, 'FINISHED', end.error);
      assert.equal(end.restarts, 1);
      assert.match(end.restartCauses?.[0]?.cause ?? '', /flaky at 250/);
      // Every record reached the sink at least once (the restart replays from the checkpoint).
      const printed = new Set(linesOf(h, 'c1'));
      assert.equal(printed.size, 400);
    } finally {
      await h.close();
      rmSync(path.dirname(flag), { recursive: true, force: true });
    }
  });

  it('leaves no worker process when the workbench closes while a taskmanager spins', async () => {
    const h = await startHarness({ 'spin.ts': RUNAWAY }, { taskManagers: 1 });
    let workers: ReturnType<typeof descendants> = [];
    try {
      const doc = await h.service.openNotebook('spin.ts');
      void h.service.runCells({ path: 'spin.ts', cells: doc.cells, run: ['c1'] });
      // The first printed record says the job runs; the lines up to 20 may never leave a
      // taskmanager that starts spinning in the same batch, so its CPU time says when it spins.
      await h.waitFor((e) => e.name === 'onDidWriteOutput' && e.event.output.kind === 'text' && /^\d+$/m.test(e.event.output.text), 60_000);
      workers = descendants(process.pid, WORKERS);
      assert.deepEqual(workers.map((w) => w.title.split(' ')[0]).sort(), ['weir-jobmanager', 'weir-kernel', 'weir-taskmanager'], JSON.stringify(workers));
      const taskManager = workers.find((w) => w.title.startsWith('weir-taskmanager'))!.pid;
      const before = cpuTicks(taskManager);
      if (before !== undefined) await until('the taskmanager to spin', () => ((cpuTicks(taskManager) ?? Infinity) - before >= 50 ? true : undefined), 60_000);
    } finally {
      await h.close();
    }
    await waitUntil(() => workers.every((w) => !alive(w.pid)), 30_000, `workers left: ${JSON.stringify(workers.filter((w) => alive(w.pid)))}`);
  });

  it('leaves no worker process when the host process is killed while a taskmanager spins', async () => {
    const host = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'workbench', 'spinning-host.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        host.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('spinning')) resolve();
        });
        host.once('exit', (code) => reject(new Error(`the host exited with ${code} before its job spun: ${out}`)));
        // Never wait for ever: a host whose job never spins fails the test.
        setTimeout(() => reject(new Error(`the host's job did not spin within 180 s: ${out}`)), 180_000).unref();
      });
      // The jobmanager may already have ended the spinning taskmanager (it stops answering) and
      // be starting another: take the workers at a moment when a taskmanager is among them.
      const workers = await until('a taskmanager below the host', () => {
        const now = descendants(host.pid!, WORKERS);
        return now.some((w) => w.title.startsWith('weir-taskmanager')) ? now : undefined;
      }, 120_000);
      host.kill('SIGKILL');
      await waitUntil(() => workers.every((w) => !alive(w.pid)), 30_000, `workers left: ${JSON.stringify(workers.filter((w) => alive(w.pid)))}`);
    } finally {
      host.kill('SIGKILL');
      // Killed, the host cannot remove its notebook folder: it named it.
      const folder = /^folder (.+)$/m.exec(out)?.[1];
      if (folder) rmSync(folder, { recursive: true, force: true });
    }
  });

  describe('a runaway function', () => {
    let h: HostHarness;
    before(async () => {
      h = await startHarness({ 'spin.ts': RUNAWAY }, { taskManagers: 2 });
    });
    after(async () => {
      await h.close();
      assert.deepEqual(descendants(process.pid, WORKERS), []);
    });

    it('fails its job once the taskmanager misses its heartbeats (3 s), naming the operator and cell, and the kernel runs the next cell', async () => {
      const doc = await h.service.openNotebook('spin.ts');
      const run = h.service.runCells({ path: 'spin.ts', cells: doc.cells, run: ['c1'] });
      const job = (await h.waitFor((e) => e.name === 'onDidStartJob')).event as JobDescription;
      // Record 21 starts the endless loop, right after 20 is printed.
      await h.waitFor((e) => e.name === 'onDidWriteOutput' && e.event.output.kind === 'text' && /^20$/m.test(e.event.output.text));
      const spinning = performance.now();
      // The host answers while the taskmanager spins.
      assert.deepEqual((await h.service.listNotebooks()).map((n) => n.path), ['spin.ts']);
      const end = (await h.waitFor((e) => isUpdate(e) && e.event.jobId === job.id && e.event.status !== 'RUNNING')).event as JobUpdateEvent;
      const detectedMs = performance.now() - spinning;
      assert.equal(end.status, 'FAILED');
      // 3 s of missed heartbeats on a quiet machine (about 4 s here); the bound only catches a
      // detection that never came from the heartbeats (the job would otherwise spin for ever),
      // and holds on a machine so loaded that the jobmanager's own timers run late.
      assert.ok(detectedMs < 60_000, `detected after ${Math.round(detectedMs)} ms`);
      assert.match(end.error ?? '', /spin/, end.error);
      assert.match(end.error ?? '', /cell 1|spin\.ts/, end.error);
      // The stuck taskmanager has been ended, not left spinning.
      const stuck = Number(/pid (\d+)/.exec(end.error ?? '')?.[1]);
      assert.ok(stuck > 0, end.error);
      await waitUntil(() => !alive(stuck), 30_000, `taskmanager ${stuck} still runs`);
      await run;
      assert.equal(statesOf(h, 'c1').at(-1), 'failed');
      const error = outputsOf(h, 'c1').find((o) => o.kind === 'error');
      assert.ok(error?.kind === 'error' && /spin/.test(error.error.message), JSON.stringify(error));

      await h.service.runCells({ path: 'spin.ts', cells: doc.cells, run: ['c2'] });
      assert.equal(statesOf(h, 'c2').at(-1), 'done');
      assert.ok(outputsOf(h, 'c2').some((o) => o.kind === 'text' && o.text.includes('the kernel still runs cells')));
    });
  });
});
