import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CellOutput } from '../../../app/shared/workbench/protocol.ts';
import { startHarness, type HostHarness } from './harness.ts';

const NOTEBOOK = `// %% [markdown]
// # Test

// %% Setup
import { StreamExecutionEnvironment, Sinks } from 'weir';
const label = 'points';
console.log('hello from cell 2');

// %% Job
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env
  .fromGenerator(200, (i) => ({ t: i, v: i * 2 }))
  .sinkTo(Sinks.chart({ type: 'line', x: 't', y: 'v', title: label }));
const result = await env.execute('chart job');
console.log(result.report.status);

// %% Table
console.table([{ a: 1, b: 'x' }, { a: 2 }]);

// %% Fails
const n = 1;
throw new Error('boom ' + n);
`;

function outputsOf(h: HostHarness, cellId: string): CellOutput[] {
  return h.events.filter((e) => e.name === 'onDidWriteOutput' && e.event.cellId === cellId).map((e) => e.event.output);
}

function statesOf(h: HostHarness, cellId: string): string[] {
  return h.events.filter((e) => e.name === 'onDidChangeCellState' && e.event.cellId === cellId).map((e) => e.event.status);
}

describe('Workbench host', () => {
  let h: HostHarness;
  before(async () => {
    h = await startHarness({ 'test.ts': NOTEBOOK, 'notes.ts': 'const notANotebook = 1;\n' });
  });
  after(() => h.close());

  it('lists notebooks only, and opens one without running it', async () => {
    const list = await h.service.listNotebooks();
    assert.deepEqual(list.map((e) => e.path), ['test.ts']);
    const doc = await h.service.openNotebook('test.ts');
    assert.deepEqual(doc.cells.map((c) => [c.id, c.kind]), [['c1', 'markdown'], ['c2', 'code'], ['c3', 'code'], ['c4', 'code'], ['c5', 'code']]);
    assert.equal(h.events.length, 0, 'opening runs nothing');
  });

  it('refuses paths outside the folder', async () => {
    await assert.rejects(h.service.openNotebook('../etc/passwd.ts'), /not a path inside the folder/);
    await assert.rejects(h.service.openNotebook('/etc/hosts.ts'), /not a path inside the folder/);
  });

  it('runs all cells: console output, job, chart points, table, located error', async () => {
    const doc = await h.service.openNotebook('test.ts');
    await h.service.runCells({ path: 'test.ts', cells: doc.cells, run: 'all' });
    assert.deepEqual(statesOf(h, 'c2'), ['queued', 'running', 'done']);
    assert.deepEqual(statesOf(h, 'c5'), ['queued', 'running', 'failed']);
    assert.deepEqual(statesOf(h, 'c1'), [], 'markdown cells do not run');
    assert.deepEqual(outputsOf(h, 'c2'), [{ kind: 'text', stream: 'stdout', text: 'hello from cell 2\n' }]);

    const chart = outputsOf(h, 'c3').find((o) => o.kind === 'chart');
    assert.ok(chart && chart.kind === 'chart');
    assert.equal(chart.chart.title, 'points');
    await h.waitFor((e) => e.name === 'onDidUpdateJob' && e.event.status === 'FINISHED');
    const points = h.events
      .filter((e) => e.name === 'onDidAppendChartPoints' && e.event.chartId === chart.chart.id)
      .flatMap((e) => e.event.series.flatMap((s: { ys: number[] }) => s.ys));
    assert.equal(points.length, 200);
    assert.ok(outputsOf(h, 'c3').some((o) => o.kind === 'text' && o.text.includes('FINISHED')));

    const job = h.events.find((e) => e.name === 'onDidStartJob')!.event;
    assert.equal(job.name, 'chart job');
    assert.equal(job.cellId, 'c3');
    assert.deepEqual(job.operators.map((o: { kind: string }) => o.kind), ['source', 'sink']);
    // The job panel's graph shows tasks and chained edges as the Plan view does.
    const taskOf = new Map(job.operators.map((o: { uid: string; task: number }) => [o.uid, o.task]));
    assert.ok([...taskOf.values()].every((t) => Number.isInteger(t)), 'every operator has its task');
    assert.equal(job.edges.length, 1);
    for (const e of job.edges) assert.equal(e.chained === true, taskOf.get(e.source) === taskOf.get(e.target));
    const finished = h.events.find((e) => e.name === 'onDidUpdateJob' && e.event.status === 'FINISHED')!.event;
    assert.equal(finished.operators[0].recordsOut, 200);

    const table = outputsOf(h, 'c4')[0];
    assert.deepEqual(table, { kind: 'table', columns: ['(index)', 'a', 'b'], rows: [[0, 1, 'x'], [1, 2, null]] });

    const error = outputsOf(h, 'c5').find((o) => o.kind === 'error');
    assert.ok(error && error.kind === 'error');
    assert.equal(error.error.message, 'boom 1');
    assert.equal(error.cellLine, 2);
    assert.equal(error.cellColumn, 7);
  });

  it('runs one cell with the values earlier runs defined, and re-runs it with an edit', async () => {
    const doc = await h.service.openNotebook('test.ts');
    const cells = doc.cells.map((c) => (c.id === 'c5' ? { ...c, source: 'console.log(label, n2());\nfunction n2() { return 2; }' } : c));
    const before = h.events.length;
    await h.service.runCells({ path: 'test.ts', cells, run: ['c5'] });
    const newEvents = h.events.slice(before);
    assert.deepEqual(
      newEvents.filter((e) => e.name === 'onDidChangeCellState').map((e) => `${e.event.cellId}:${e.event.status}`),
      ['c5:queued', 'c5:running', 'c5:done'],
      'cell 2 ran before and is not run again',
    );
    assert.ok(newEvents.some((e) => e.name === 'onDidWriteOutput' && e.event.output.text === 'points 2\n'));
  });

  it('reports compile errors at the cell line, and runs inputs that have not run', async () => {
    const h2 = await startHarness({ 'a.ts': '// %%\nconst a = 41;\n\n// %%\nconsole.log(a + 1);\n\n// %%\nconst b = ;\n' });
    try {
      const doc = await h2.service.openNotebook('a.ts');
      await h2.service.runCells({ path: 'a.ts', cells: doc.cells, run: ['c2'] });
      assert.deepEqual(statesOf(h2, 'c1'), ['queued', 'running', 'done']);
      assert.deepEqual(outputsOf(h2, 'c2'), [{ kind: 'text', stream: 'stdout', text: '42\n' }]);
      await h2.service.runCells({ path: 'a.ts', cells: doc.cells, run: ['c3'] });
      const error = outputsOf(h2, 'c3')[0];
      assert.ok(error?.kind === 'error');
      assert.equal(error.error.phase, 'compile');
      assert.equal(error.cellLine, 1);
    } finally {
      await h2.close();
    }
  });

  it('runs SQL cells on DuckDB and shows their rows as a table; a bad query fails the cell', async () => {
    const h4 = await startHarness({ 'q.ts': '// %% [sql]\nSELECT 42 AS answer, \'x\' AS label\n\n// %% [sql]\nSELECT * FROM no_such_table\n' });
    try {
      const doc = await h4.service.openNotebook('q.ts');
      await h4.service.runCells({ path: 'q.ts', cells: doc.cells, run: 'all' });
      assert.deepEqual(outputsOf(h4, 'c1'), [{ kind: 'table', columns: ['answer', 'label'], rows: [[42, 'x']] }]);
      assert.deepEqual(statesOf(h4, 'c2'), ['queued', 'running', 'failed']);
      const error = outputsOf(h4, 'c2')[0];
      assert.ok(error?.kind === 'error' && /no_such_table/.test(error.error.message), JSON.stringify(error));
      assert.equal(error.error.cell, 2);
    } finally {
      await h4.close();
    }
  });

  it('interrupts a cell waiting for an endless job, cancelling the job', async () => {
    const h3 = await startHarness({
      'live.ts': `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create();
env.fromGenerator(Infinity, (i) => ({ t: i, v: i }), { recordsPerSecond: 500 }).sinkTo(Sinks.chart({ type: 'line', x: 't', y: 'v' }));
await env.execute('endless');
`,
    });
    try {
      const doc = await h3.service.openNotebook('live.ts');
      const run = h3.service.runCells({ path: 'live.ts', cells: doc.cells, run: 'all' });
      await h3.waitFor((e) => e.name === 'onDidAppendChartPoints', 60_000);
      // Worker processes report figures about once a second.
      const job = (await h3.waitFor((e) => e.name === 'onDidUpdateJob' && e.event.status === 'RUNNING' && e.event.operators.length > 0)).event;
      assert.ok(job.operators[0].recordsOut > 0);
      await h3.service.interrupt('live.ts');
      await run;
      await h3.waitFor((e) => e.name === 'onDidUpdateJob' && e.event.status === 'CANCELED');
      assert.ok(['interrupted', 'done'].includes(statesOf(h3, 'c1').at(-1)!), statesOf(h3, 'c1').join());
    } finally {
      await h3.close();
    }
  });

  it('saves atomically, refuses to overwrite a file changed on disk, and reports the change', async () => {
    const doc = await h.service.openNotebook('test.ts');
    const cells = doc.cells.map((c) => (c.id === 'c2' ? { ...c, source: c.source + '\n// edited' } : c));
    const saved = await h.service.saveNotebook({ path: 'test.ts', cells, baseVersion: doc.version });
    assert.ok(saved.ok);
    const text = readFileSync(path.join(h.dir, 'test.ts'), 'utf8');
    assert.ok(text.includes('// edited\n'));
    assert.ok(text.startsWith(NOTEBOOK.slice(0, 40)), 'unedited cells are written as they were');

    writeFileSync(path.join(h.dir, 'test.ts'), text + '\n// %%\nconsole.log("from elsewhere");\n');
    const changed = await h.waitFor((e) => e.name === 'onDidChangeNotebookOnDisk');
    assert.equal(changed.event.path, 'test.ts');
    const refused = await h.service.saveNotebook({ path: 'test.ts', cells, baseVersion: saved.version });
    assert.equal(refused.ok, false);
    const forced = await h.service.saveNotebook({ path: 'test.ts', cells, baseVersion: saved.version, force: true });
    assert.ok(forced.ok);
    assert.ok(!readFileSync(path.join(h.dir, 'test.ts'), 'utf8').includes('from elsewhere'));
  });

  it('creates and renames notebooks', async () => {
    const created = await h.service.createNotebook('sub/new.ts');
    assert.equal(created.path, 'sub/new.ts');
    await assert.rejects(h.service.createNotebook('sub/new.ts'));
    const renamed = await h.service.renameNotebook('sub/new.ts', 'sub/renamed.ts');
    assert.equal(renamed.path, 'sub/renamed.ts');
    assert.deepEqual((await h.service.listNotebooks()).map((e) => e.path), ['sub/renamed.ts', 'test.ts']);
  });
});
