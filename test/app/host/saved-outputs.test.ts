/**
 * Outputs saved next to the notebook (`.weir/<file>.outputs.json`, never in the `.ts` file) and
 * handed back when it is opened again, by another workbench too; an edited cell keeps its
 * outputs by position, and cleared outputs stay cleared.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_SAVED_ROWS, savedOutput } from '../../../app/host/saved-outputs.ts';
import { until } from '../../harness/until.ts';
import { startHarness } from './harness.ts';

const NOTEBOOK = `// %% [markdown]
// # Saved

// %%
console.log('first line');
console.log('second line');

// %%
throw new Error('boom');

// %% [sql]
SELECT 42 AS answer;
`;

describe('saved outputs', () => {
  it('writes the outputs beside the notebook and shows them again in a new workbench, matched to the cells', async () => {
    const first = await startHarness({ 'n.ts': NOTEBOOK }, { taskManagers: 0 });
    let saved: string;
    try {
      const { cells } = await first.service.openNotebook('n.ts');
      // One at a time: in a run of all, the cells after the failing one would not run.
      for (const id of ['c2', 'c3', 'c4']) await first.service.runCells({ path: 'n.ts', cells, run: [id] });
      const file = path.join(first.dir, '.weir', 'n.ts.outputs.json');
      await until('the outputs file', () => (existsSync(file) && readFileSync(file, 'utf8').includes('answer') ? true : undefined));
      saved = readFileSync(file, 'utf8');
      assert.equal(readFileSync(path.join(first.dir, 'n.ts'), 'utf8'), NOTEBOOK, 'the notebook file is untouched');
    } finally {
      await first.close();
    }

    // The user edits the SQL cell in another editor: it keeps its outputs by position.
    const edited = NOTEBOOK.replace('SELECT 42 AS answer;', 'SELECT 43 AS answer;');
    const second = await startHarness({ 'n.ts': edited }, { taskManagers: 0 });
    try {
      mkdirSync(path.join(second.dir, '.weir'));
      writeFileSync(path.join(second.dir, '.weir', 'n.ts.outputs.json'), saved);
      const document = await second.service.openNotebook('n.ts');
      const previous = document.previousOutputs ?? [];
      assert.deepEqual(previous.map((p) => [p.cellId, p.status, p.executionCount]), [['c2', 'done', 1], ['c3', 'failed', 2], ['c4', 'done', 3]]);
      assert.deepEqual(previous[0]!.outputs, [{ kind: 'text', stream: 'stdout', text: 'first line\nsecond line\n' }]);
      assert.equal(previous[1]!.outputs[0]!.kind, 'error');
      assert.deepEqual(previous[2]!.outputs, [{ kind: 'table', columns: ['answer'], rows: [[42]] }]);
      assert.ok(previous.every((p) => p.endedAt > Date.now() - 600_000 && p.endedAt <= Date.now()));

      // Cleared outputs are not shown again.
      await second.service.clearOutputs('n.ts', ['c3']);
      await second.service.closeNotebook('n.ts');
      const again = await second.service.openNotebook('n.ts');
      assert.deepEqual((again.previousOutputs ?? []).map((p) => p.cellId), ['c2', 'c4']);
      const onDisk = JSON.parse(readFileSync(path.join(second.dir, '.weir', 'n.ts.outputs.json'), 'utf8')) as { cells: unknown[] };
      assert.equal(onDisk.cells.length, 2);
      await second.service.clearOutputs('n.ts', 'all');
      assert.equal(existsSync(path.join(second.dir, '.weir', 'n.ts.outputs.json')), false, 'no outputs, no file');
    } finally {
      await second.close();
    }
  });

  it("hands a page opened while a cell runs that cell's outputs so far as running, and a file written then as interrupted", async () => {
    const waiting = (go: string): string => `// %%\nimport { existsSync } from 'node:fs';\nconsole.log('started');\nwhile (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 20));\n`;
    const harness = await startHarness({}, { taskManagers: 0 });
    try {
      writeFileSync(path.join(harness.dir, 'w.ts'), waiting(path.join(harness.dir, 'go')));
      const { cells } = await harness.service.openNotebook('w.ts');
      const run = harness.service.runCells({ path: 'w.ts', cells, run: 'all' });
      await harness.waitFor((e) => JSON.stringify(e.event).includes('started'));
      // The page is reloaded: it opens the notebook again while the cell still runs.
      const reopened = await harness.service.openNotebook('w.ts');
      const [entry] = reopened.previousOutputs ?? [];
      assert.equal(entry?.status, 'running');
      assert.deepEqual(entry.outputs, [{ kind: 'text', stream: 'stdout', text: 'started\n' }]);
      assert.ok(entry.endedAt <= Date.now(), 'when it started');
      writeFileSync(path.join(harness.dir, 'go'), '');
      await run;
      await harness.waitFor((e) => e.name === 'onDidChangeCellState' && (e.event as { status: string }).status === 'done');
    } finally {
      await harness.close();
    }
    // A host that stopped while the cell ran left it 'running' in the file: a new one says interrupted.
    const file = JSON.stringify({ format: 1, notebook: 'w.ts', cells: [{ index: 0, kind: 'code', source: 'x', status: 'running', endedAt: 1, outputs: [{ kind: 'text', stream: 'stdout', text: 'started\n' }] }] });
    const next = await startHarness({ 'w.ts': waiting('go') }, { taskManagers: 0 });
    try {
      mkdirSync(path.join(next.dir, '.weir'));
      writeFileSync(path.join(next.dir, '.weir', 'w.ts.outputs.json'), file);
      const [entry] = (await next.service.openNotebook('w.ts')).previousOutputs ?? [];
      assert.equal(entry?.status, 'interrupted');
    } finally {
      await next.close();
    }
  });

  it('keeps what is saved bounded: a chart becomes a note, a long table its first rows', () => {
    const chart = savedOutput({ kind: 'chart', chart: { id: 'x', type: 'line', x: 't', y: ['v'], mode: 'append', title: 'Rates', jobName: 'j' } as never });
    assert.deepEqual(chart, { kind: 'note', text: "Chart 'Rates' of job 'j' (its live points are not saved)" });
    const rows = Array.from({ length: MAX_SAVED_ROWS + 10 }, (_, i) => [i]);
    const table = savedOutput({ kind: 'table', columns: ['i'], rows });
    assert.ok(table.kind === 'table' && table.rows.length === MAX_SAVED_ROWS && table.truncated === 10);
  });
});
