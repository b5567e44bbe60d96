/**
 * With worker processes (the workbench's default), a notebook's cells run in a kernel process
 * of its own: a cell stuck in a loop or ending its process must not freeze or end the host.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CellOutput } from '../../../../app/shared/workbench/protocol.ts';
import { alive, descendants } from '../../../harness/processes.ts';
import { until } from '../../../harness/until.ts';
import { startHarness, type HostHarness } from '../../host/harness.ts';

const KERNEL = /^weir-kernel/;

const FLAGS = mkdtempSync(path.join(os.tmpdir(), 'weir-kernel-test-'));

const NOTEBOOK = `// %% Where
// The kernel's configuration is its first argument (remote-kernel.ts).
const where = { pid: process.pid, title: process.title, tempRoot: JSON.parse(process.argv[2]!).tempRoot };
console.log(JSON.stringify(where));

// %% Spin
import { writeFileSync } from 'node:fs';
// The test interrupts once the loop has surely started.
writeFileSync(\`${FLAGS}/spinning-\${where.pid}\`, '');
while (true) {}

// %% Exit
process.exit(3);

// %% Job
import { StreamExecutionEnvironment } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.fromElements(1, 2, 3).map((x) => x * 10).print();
const result = await env.execute('times ten');
console.log('job', result.report.status, 'in kernel', where.pid);

// %% Failing job
const failing = StreamExecutionEnvironment.create();
failing.fromElements(1, 2).map((x) => { if (x === 2) throw new Error('two is too many'); return x; }).print();
await failing.execute('fails');

// %% Timer spins
setTimeout(() => { while (true) {} }, 300);
(await import('node:fs')).writeFileSync(\`${FLAGS}/timer-\${process.pid}\`, '');
await new Promise(() => {});
`;

const OTHER = `// %% Other
console.log('other notebook', process.pid);
`;

function outputsOf(h: HostHarness, cellId: string, path = 'k.ts'): CellOutput[] {
  return h.events.filter((e) => e.name === 'onDidWriteOutput' && e.event.path === path && e.event.cellId === cellId).map((e) => e.event.output);
}

function textOf(h: HostHarness, cellId: string, path = 'k.ts'): string {
  return outputsOf(h, cellId, path)
    .map((o) => (o.kind === 'text' || o.kind === 'note' ? o.text : o.kind === 'error' ? o.error.message : ''))
    .join('');
}

/** The process the Where cell last reported. */
function kernelPid(h: HostHarness): number {
  const lines = textOf(h, 'c1').split('\n').filter(Boolean);
  return Number((JSON.parse(lines.at(-1)!) as { pid: number }).pid);
}

/** Waits until a process has ended; the failure lists the processes below this one. */
async function untilEnded(pid: number): Promise<void> {
  await until(`process ${pid} to end`, () => (alive(pid) ? undefined : true), 5000).catch((error: Error) => {
    throw new Error(`${error.message}; processes below the test: ${JSON.stringify(descendants(process.pid))}`);
  });
}

function lastState(h: HostHarness, path: string, cellId: string): string | undefined {
  return h.events.filter((e) => e.name === 'onDidChangeCellState' && e.event.path === path && e.event.cellId === cellId).at(-1)?.event.status;
}

describe('notebook kernel processes', () => {
  let h: HostHarness;
  let cells: Awaited<ReturnType<HostHarness['service']['openNotebook']>>['cells'];
  before(async () => {
    h = await startHarness({ 'k.ts': NOTEBOOK, 'other.ts': OTHER }, { taskManagers: 1 });
    cells = (await h.service.openNotebook('k.ts')).cells;
    await h.service.openNotebook('other.ts');
  });
  after(async () => {
    // The compiled modules of all of the notebook's kernels, restarted ones included, go with it.
    const modules = (JSON.parse(textOf(h, 'c1').split('\n').filter(Boolean)[0]!) as { tempRoot: string }).tempRoot;
    assert.ok(modules.includes('weir-kernel-') && existsSync(modules), modules);
    await h.close();
    assert.equal(existsSync(modules), false, `${modules} is left behind`);
    await until('no kernel process left', () => (descendants(process.pid, KERNEL).length === 0 ? true : undefined), 3000);
    rmSync(FLAGS, { recursive: true, force: true });
  });

  it('runs cells in a process of their own, titled weir-kernel, one per notebook', async () => {
    await h.service.runCells({ path: 'k.ts', cells, run: ['c1'] });
    const where = JSON.parse(textOf(h, 'c1')) as { pid: number; title: string };
    assert.notEqual(where.pid, process.pid);
    assert.equal(where.title, 'weir-kernel');
    assert.deepEqual(descendants(process.pid, KERNEL).map((p) => p.pid), [where.pid]);

    const other = (await h.service.openNotebook('other.ts')).cells;
    await h.service.runCells({ path: 'other.ts', cells: other, run: 'all' });
    const otherPid = Number(/other notebook (\d+)/.exec(textOf(h, other[0]!.id, 'other.ts'))?.[1]);
    assert.ok(otherPid > 0 && otherPid !== where.pid && otherPid !== process.pid, `other notebook ran in ${otherPid}`);
  });

  it('runs a job on the cluster from the kernel, with its printed lines under the cell', async () => {
    await h.service.runCells({ path: 'k.ts', cells, run: ['c4'] });
    const text = textOf(h, 'c4');
    assert.deepEqual(text.match(/^\d+> \d+$/gm)?.map((l) => Number(l.split('> ')[1])).sort((a, b) => a - b), [10, 20, 30], text);
    assert.match(text, /job FINISHED in kernel \d+/);
    assert.equal(lastState(h, 'k.ts', 'c4'), 'done');
    const job = h.events.find((e) => e.name === 'onDidStartJob' && e.event.name === 'times ten');
    assert.equal(job?.event.cellId, 'c4', 'the job panel knows the cell that started the job');
  });

  it('fails a cell whose job fails, naming the operator and the user error', async () => {
    await h.service.runCells({ path: 'k.ts', cells, run: ['c5'] });
    assert.equal(lastState(h, 'k.ts', 'c5'), 'failed');
    const error = outputsOf(h, 'c5').find((o) => o.kind === 'error');
    assert.ok(error?.kind === 'error', JSON.stringify(outputsOf(h, 'c5')));
    assert.match(error.error.message, /Job 'fails' failed in operator 'Map'.*two is too many/);
  });

  it('keeps the host answering while a cell spins, and restarts the kernel when an interrupt does not stop it', async () => {
    const pid = kernelPid(h);
    const run = h.service.runCells({ path: 'k.ts', cells, run: ['c2'] });
    await until('the cell to spin', () => (existsSync(path.join(FLAGS, `spinning-${pid}`)) ? true : undefined));
    // The host is not the process that spins: it answers, and another notebook's cells run.
    assert.deepEqual((await h.service.listNotebooks()).map((n) => n.path), ['k.ts', 'other.ts']);
    const other = (await h.service.openNotebook('other.ts')).cells;
    await h.service.runCells({ path: 'other.ts', cells: other, run: 'all' });
    assert.equal(lastState(h, 'other.ts', other[0]!.id), 'done');

    const interrupted = performance.now();
    await h.service.interrupt('k.ts');
    await run;
    const tookMs = performance.now() - interrupted;
    assert.equal(lastState(h, 'k.ts', 'c2'), 'interrupted');
    assert.match(textOf(h, 'c2'), /did not stop within 2\.0 s of the interrupt, so it was restarted/);
    assert.ok(tookMs >= 1900 && tookMs < 8000, `the run ended ${Math.round(tookMs)} ms after the interrupt`);
    await untilEnded(pid);

    // A fresh kernel runs the next cell, first running the cell it reads from.
    const before = outputsOf(h, 'c1').length;
    const again = h.service.runCells({ path: 'k.ts', cells, run: ['c2'] });
    await until('the cell the spinning cell reads from to run again', () => (outputsOf(h, 'c1').length > before ? true : undefined), 90_000);
    const fresh = kernelPid(h);
    await until('the cell to spin again', () => (existsSync(path.join(FLAGS, `spinning-${fresh}`)) ? true : undefined));
    assert.notEqual(fresh, pid);
    await h.service.interrupt('k.ts');
    await again;
    assert.equal(lastState(h, 'k.ts', 'c2'), 'interrupted');
    await untilEnded(fresh);
  });

  it('restarts a kernel that does not answer after an interrupt, though the interrupted cell has ended', async () => {
    await h.service.runCells({ path: 'k.ts', cells, run: ['c1'] });
    const pid = kernelPid(h);
    const run = h.service.runCells({ path: 'k.ts', cells, run: ['c6'] });
    // Interrupted once it has set its timer (an interrupt before would stop it from running at all).
    await until('the cell to set its timer', () => (existsSync(path.join(FLAGS, `timer-${pid}`)) ? true : undefined));
    await h.service.interrupt('k.ts');
    await run;
    assert.equal(lastState(h, 'k.ts', 'c6'), 'interrupted');
    // The timer the cell left behind now spins: the kernel cannot answer, so it is restarted.
    await untilEnded(pid);
    await until('the note under the cell', () => (/so it was restarted/.test(textOf(h, 'c6')) ? true : undefined));
  });

  it('fails the cell that ends the kernel process, and runs the next cells in a new one', async () => {
    await h.service.runCells({ path: 'k.ts', cells, run: ['c3'] });
    assert.equal(lastState(h, 'k.ts', 'c3'), 'failed');
    assert.match(textOf(h, 'c3'), /kernel process exited with code 3 while this cell ran/);
    await h.service.runCells({ path: 'k.ts', cells, run: ['c1'] });
    assert.equal(lastState(h, 'k.ts', 'c1'), 'done');
    assert.equal(descendants(process.pid, KERNEL).length, 2, 'one kernel for each notebook');
  });
});
