/**
 * A notebook's kernel as its indicator sees it: states (none, busy, idle, dead), execution
 * counts, Restart and Shut down, and the shutdown of a closed notebook's kernel after its idle
 * time (here 300 ms instead of 10 minutes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alive, descendants } from '../../../harness/processes.ts';
import { until } from '../../../harness/until.ts';
import { startHarness, type HostHarness } from '../../host/harness.ts';

const KERNEL = /^weir-kernel/;

const NOTEBOOK = `// %% Pid
let pid = process.pid;
console.log(pid);

// %% Again
console.log('again', pid);

// %% Exit
process.exit(3);
`;

function kernelStates(h: HostHarness, path: string): string[] {
  return h.events.filter((e) => e.name === 'onDidChangeKernelState' && e.event.path === path).map((e) => e.event.state);
}

function counts(h: HostHarness, path: string, cellId: string): number[] {
  return h.events.filter((e) => e.name === 'onDidChangeCellState' && e.event.path === path && e.event.cellId === cellId && e.event.status === 'done').map((e) => e.event.executionCount);
}

function kernelPids(): number[] {
  return descendants(process.pid, KERNEL).map((p) => p.pid);
}

describe('notebook kernel lifecycle', () => {
  let h: HostHarness;
  before(async () => {
    h = await startHarness({ 'a.ts': NOTEBOOK, 'b.ts': NOTEBOOK }, { taskManagers: 1, kernelIdleMs: 300 });
  });
  after(async () => {
    await h.close();
    await until('no kernel process left', () => (kernelPids().length === 0 ? true : undefined), 5000);
  });

  it('reports none, busy and idle, counts executions, and restarts with counts from 1', async () => {
    const { cells } = await h.service.openNotebook('a.ts');
    assert.equal(await h.service.kernelState('a.ts'), 'none');
    await h.service.runCells({ path: 'a.ts', cells, run: ['c1'] });
    await h.service.runCells({ path: 'a.ts', cells, run: ['c2'] });
    await h.service.runCells({ path: 'a.ts', cells, run: ['c2'] });
    assert.deepEqual([counts(h, 'a.ts', 'c1'), counts(h, 'a.ts', 'c2')], [[1], [2, 3]]);
    assert.equal(await h.service.kernelState('a.ts'), 'idle');
    // The process starts (idle), is handed the cell (busy), and ran it (idle).
    assert.deepEqual(kernelStates(h, 'a.ts').slice(0, 3), ['idle', 'busy', 'idle']);
    const [before] = kernelPids();

    await h.service.restartKernel('a.ts');
    assert.equal(await h.service.kernelState('a.ts'), 'idle');
    await until(`the old kernel ${before} to end`, () => (alive(before!) ? undefined : true), 5000);
    assert.equal(kernelPids().length, 1, 'a fresh kernel runs');
    await h.service.runCells({ path: 'a.ts', cells, run: ['c2'] });
    // The new kernel ran c1 first (c2 reads pid from it): counts start again at 1.
    assert.deepEqual([counts(h, 'a.ts', 'c1').at(-1), counts(h, 'a.ts', 'c2').at(-1)], [1, 2]);

    await h.service.shutdownKernel('a.ts');
    assert.equal(await h.service.kernelState('a.ts'), 'none');
    await until('no kernel process left after Shut down', () => (kernelPids().length === 0 ? true : undefined), 5000);
  });

  it('says dead when the kernel process ends by itself', async () => {
    const { cells } = await h.service.openNotebook('a.ts');
    await h.service.runCells({ path: 'a.ts', cells, run: ['c3'] });
    await until('the dead state', () => (kernelStates(h, 'a.ts').at(-1) === 'dead' ? true : undefined));
    assert.equal(await h.service.kernelState('a.ts'), 'dead');
  });

  it("shuts down a closed notebook's kernel after its idle time, and keeps an open one's", async () => {
    const a = (await h.service.openNotebook('a.ts')).cells;
    const b = (await h.service.openNotebook('b.ts')).cells;
    await h.service.runCells({ path: 'a.ts', cells: a, run: ['c1'] });
    await h.service.runCells({ path: 'b.ts', cells: b, run: ['c1'] });
    assert.equal(kernelPids().length, 2);
    const pidOf = (path: string): number => Number(h.events.filter((e) => e.name === 'onDidWriteOutput' && e.event.path === path && e.event.cellId === 'c1').at(-1)!.event.output.text.trim());
    const [pidA, pidB] = [pidOf('a.ts'), pidOf('b.ts')];
    const closedAt = Date.now();
    await h.service.closeNotebook('b.ts');
    await until(`b's kernel ${pidB} to be shut down`, () => (alive(pidB) ? undefined : true), 20_000);
    assert.ok(Date.now() - closedAt >= 300, 'not before its idle time');
    // No page has b.ts open, so no event tells of it: ask.
    let state = '';
    await until("b's kernel state to be none", () => {
      void h.service.kernelState('b.ts').then((s) => (state = s));
      return state === 'none' ? true : undefined;
    });
    // a.ts is open: its kernel was idle as long, and runs on.
    assert.equal(alive(pidA), true);
    assert.deepEqual(kernelPids(), [pidA]);
  });
});
