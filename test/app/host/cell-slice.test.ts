/**
 * In the workbench, cells' side effects happen once, in the notebook's kernel, not again in the
 * taskmanagers that rebuild its jobs; values the jobs' functions captured arrive as the kernel
 * had them (app/kernel/slice.ts).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SIDE_EFFECTS_NOTEBOOK, effects, stamped } from '../kernel/side-effects-notebook.ts';
import { startHarness, type HostHarness } from './harness.ts';

describe('workbench: cell side effects on taskmanagers', () => {
  let h: HostHarness;
  const previousOffset = process.env.SLICE_OFFSET;
  before(async () => {
    // The kernel inherits the host's environment.
    process.env.SLICE_OFFSET = '100';
    h = await startHarness({}, { taskManagers: 2 });
    writeFileSync(path.join(h.dir, 'n.ts'), SIDE_EFFECTS_NOTEBOOK);
  });
  after(async () => {
    await h.close();
    if (previousOffset === undefined) delete process.env.SLICE_OFFSET;
    else process.env.SLICE_OFFSET = previousOffset;
  });

  it('runs each effect once, in the kernel, and the job sees the kernel values', async () => {
    const { cells } = await h.service.openNotebook('n.ts');
    await h.service.runCells({ path: 'n.ts', cells, run: 'all' });
    const errors = h.events.filter((e) => e.name === 'onDidWriteOutput' && e.event.output.kind === 'error');
    assert.deepEqual(errors.map((e) => e.event.output), []);
    const lines = effects(h.dir);
    const kernelPid = Number(lines[0]!.split(' ')[1]);
    assert.deepEqual(lines, [`asserted ${kernelPid}`, `timer ${kernelPid}`, `write ${kernelPid}`]);
    const printed = h.events.filter((e) => e.name === 'onDidWriteOutput' && e.event.output.kind === 'text' && String(e.event.output.text).includes('printed at top level'));
    assert.equal(printed.length, 1);
    const records = stamped(h.dir);
    assert.deepEqual(records.map((r) => [r.x, r.pid]), [[101, kernelPid], [102, kernelPid], [103, kernelPid]]);
    assert.ok(records.every((r) => r.worker !== kernelPid && r.worker !== process.pid), 'the job ran on taskmanagers');
  });
});
