import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NotebookDocument } from '../../../app/shared/workbench/protocol.ts';
import { MAX_TEXT_CHARS, NotebookStore, type StoreChange } from '../../../app/renderer/state/notebook-store.ts';

const version = { mtimeMs: 1, size: 10, sha256: 'aaa' };

function documentOf(): NotebookDocument {
  return {
    path: 'a.ts',
    version,
    cells: [
      { id: 'c1', kind: 'markdown', source: '# Title', markerLine: 1, startLine: 2, raw: '// %% [markdown]\n// # Title\n\n' },
      { id: 'c2', kind: 'code', source: 'const x = 1;', markerLine: 4, startLine: 5, raw: '// %%\nconst x = 1;\n' },
    ],
  };
}

function storeWithChanges(): { store: NotebookStore; changes: StoreChange[] } {
  const store = new NotebookStore();
  const changes: StoreChange[] = [];
  store.onDidChange((c) => changes.push(c));
  store.load(documentOf());
  changes.length = 0;
  return { store, changes };
}

describe('NotebookStore: editing', () => {
  it('loads a document clean, with idle cells and no outputs', () => {
    const { store } = storeWithChanges();
    assert.equal(store.dirty, false);
    assert.deepEqual(store.cells.map((c) => [c.id, c.status, c.outputs.length]), [['c1', 'idle', 0], ['c2', 'idle', 0]]);
  });

  it('becomes dirty on an edit and clean when that revision is saved', () => {
    const { store, changes } = storeWithChanges();
    store.updateSource('c2', 'const x = 2;');
    assert.equal(store.dirty, true);
    assert.deepEqual(changes, [{ kind: 'file' }]);
    const request = store.saveRequest();
    assert.equal(request.cells[1]!.source, 'const x = 2;');
    assert.deepEqual(Object.keys(request.cells[1]!).sort(), ['id', 'kind', 'markerLine', 'raw', 'source', 'startLine'], 'run state does not travel');
    assert.equal(request.baseVersion, version);
    store.markSaved({ ...version, sha256: 'bbb' }, request.revision);
    assert.equal(store.dirty, false);
    assert.equal(store.baseVersion?.sha256, 'bbb');
  });

  it('stays dirty when an edit lands while a save is in flight', () => {
    const { store } = storeWithChanges();
    store.updateSource('c2', 'a');
    const request = store.saveRequest();
    store.updateSource('c2', 'ab');
    store.markSaved(version, request.revision);
    assert.equal(store.dirty, true);
  });

  it('inserts, moves, deletes and changes kinds, with ids that are never reused', () => {
    const { store, changes } = storeWithChanges();
    const id = store.insertCell(1, 'sql', 'SELECT 1');
    assert.equal(id, 'c3');
    store.deleteCell(id);
    assert.equal(store.insertCell(5, 'code'), 'c4', 'a deleted id is not given out again');
    store.moveCell('c4', -2);
    assert.deepEqual(store.cells.map((c) => c.id), ['c4', 'c1', 'c2']);
    store.moveCell('c4', -1);
    assert.deepEqual(store.cells.map((c) => c.id), ['c4', 'c1', 'c2'], 'no move past the top');
    store.changeKind('c1', 'code');
    assert.equal(store.cell('c1')!.kind, 'code');
    assert.ok(changes.filter((c) => c.kind === 'structure').length >= 4);
    assert.equal(store.dirty, true);
  });

  it('builds run requests from what the user sees', () => {
    const { store } = storeWithChanges();
    store.updateSource('c2', 'console.log(1)');
    const request = store.runRequest(['c2']);
    assert.deepEqual(request.run, ['c2']);
    assert.equal(request.cells[1]!.source, 'console.log(1)');
  });
});

describe('NotebookStore: host events', () => {
  it('tracks cell states, clearing outputs when a cell starts again', () => {
    const { store } = storeWithChanges();
    store.applyCellState({ path: 'a.ts', cellId: 'c2', status: 'running' });
    store.applyOutput({ path: 'a.ts', cellId: 'c2', output: { kind: 'text', stream: 'stdout', text: 'hi\n' } });
    store.applyCellState({ path: 'a.ts', cellId: 'c2', status: 'done', durationMs: 12 });
    assert.equal(store.cell('c2')!.durationMs, 12);
    assert.equal(store.cell('c2')!.outputs.length, 1);
    store.applyCellState({ path: 'a.ts', cellId: 'c2', status: 'running' });
    assert.equal(store.cell('c2')!.outputs.length, 0);
    assert.equal(store.cell('c2')!.durationMs, undefined);
  });

  it('ignores events for other notebooks', () => {
    const { store, changes } = storeWithChanges();
    store.applyCellState({ path: 'b.ts', cellId: 'c2', status: 'running' });
    store.applyOutput({ path: 'b.ts', cellId: 'c2', output: { kind: 'note', text: 'x' } });
    assert.deepEqual(changes, []);
  });

  it('merges consecutive text of one stream and trims very long output from the front', () => {
    const { store, changes } = storeWithChanges();
    store.applyOutput({ path: 'a.ts', cellId: 'c2', output: { kind: 'text', stream: 'stdout', text: 'a\n' } });
    store.applyOutput({ path: 'a.ts', cellId: 'c2', output: { kind: 'text', stream: 'stdout', text: 'b\n' } });
    store.applyOutput({ path: 'a.ts', cellId: 'c2', output: { kind: 'text', stream: 'stderr', text: 'c\n' } });
    assert.deepEqual(store.cell('c2')!.outputs, [
      { kind: 'text', stream: 'stdout', text: 'a\nb\n' },
      { kind: 'text', stream: 'stderr', text: 'c\n' },
    ]);
    assert.deepEqual(changes.filter((c) => c.kind === 'outputs').map((c) => (c as { from: number }).from), [0, 0, 1]);
    const line = 'x'.repeat(99) + '\n';
    for (let i = 0; i < (MAX_TEXT_CHARS / 100) * 1.5; i++) store.applyOutput({ path: 'a.ts', cellId: 'c1', output: { kind: 'text', stream: 'stdout', text: line } });
    const text = (store.cell('c1')!.outputs[0] as { text: string }).text;
    assert.ok(text.length <= MAX_TEXT_CHARS + 40);
    assert.ok(text.startsWith('… earlier output trimmed\n' + line));
  });

  it('routes chart points to charts it knows, and forgets charts of cleared cells', () => {
    const { store, changes } = storeWithChanges();
    const chart = { id: 'chart-1', type: 'line' as const, x: 't', y: ['v'], mode: 'append' as const, jobName: 'j' };
    store.applyOutput({ path: 'a.ts', cellId: 'c2', output: { kind: 'chart', chart } });
    const points = { path: 'a.ts', cellId: 'c2', chartId: 'chart-1', series: [{ name: 'v', xs: [1], ys: [2] }] };
    store.applyChartPoints(points);
    store.applyChartPoints({ ...points, chartId: 'unknown' });
    assert.deepEqual(changes.filter((c) => c.kind === 'chart'), [{ kind: 'chart', chartId: 'chart-1', points }]);
    store.applyCellState({ path: 'a.ts', cellId: 'c2', status: 'running' });
    assert.equal(store.charts.size, 0);
  });

  it('keeps jobs of this notebook with their latest figures', () => {
    const { store } = storeWithChanges();
    store.applyJobStarted({ id: 'job-1', name: 'j', path: 'a.ts', cellId: 'c2', startedAt: 0, operators: [{ uid: 'src', name: 'Source', parallelism: 1, kind: 'source' }], edges: [] });
    store.applyJobStarted({ id: 'job-2', name: 'other', path: 'b.ts', cellId: 'c1', startedAt: 0, operators: [], edges: [] });
    store.applyJobUpdate({ jobId: 'job-1', status: 'RUNNING', elapsedMs: 500, operators: [{ uid: 'src', recordsIn: 0, recordsOut: 10, recordsOutPerSecond: 20, stateBytes: 64 }], checkpoints: [], restarts: 0 });
    assert.deepEqual([...store.jobs.keys()], ['job-1']);
    const job = store.jobs.get('job-1')!;
    assert.equal(job.operator('src')!.recordsOut, 10);
    assert.deepEqual(job.samples, [{ t: 0.5, stateBytes: 64, sourceRate: 20 }]);
    assert.deepEqual(store.runningJobs().map((j) => j.id), ['job-1']);
    store.applyJobUpdate({ jobId: 'job-1', status: 'CANCELED', elapsedMs: 900, operators: [], checkpoints: [], restarts: 0 });
    assert.equal(job.running, false);
    assert.equal(job.samples.length, 1, 'the final report adds no sample');
  });
});

describe('NotebookStore: changes on disk', () => {
  it('asks for a reload when there are no unsaved edits', () => {
    const { store } = storeWithChanges();
    assert.equal(store.applyDiskChange({ path: 'a.ts', version: { ...version, sha256: 'new' } }), 'reload');
    assert.equal(store.conflict, undefined);
  });

  it('ignores a change to the content it already has', () => {
    const { store } = storeWithChanges();
    assert.equal(store.applyDiskChange({ path: 'a.ts', version }), 'ignored');
  });

  it('records a conflict when there are unsaved edits; keeping mine bases the next save on the disk version', () => {
    const { store } = storeWithChanges();
    store.updateSource('c2', 'mine');
    const disk = { ...version, sha256: 'theirs' };
    assert.equal(store.applyDiskChange({ path: 'a.ts', version: disk }), 'conflict');
    assert.deepEqual(store.conflict, { version: disk, deleted: false });
    store.keepMine();
    assert.equal(store.conflict, undefined);
    assert.equal(store.saveRequest().baseVersion, disk);
  });

  it('treats a deleted file as a conflict even without edits', () => {
    const { store } = storeWithChanges();
    assert.equal(store.applyDiskChange({ path: 'a.ts', version: { mtimeMs: 0, size: 0, sha256: '' }, deleted: true }), 'conflict');
    assert.equal(store.conflict?.deleted, true);
  });
});

describe('NotebookStore: delete with undo, clear outputs, execution counts', () => {
  it('brings a deleted cell back where it was, with its source and outputs', () => {
    const { store, changes } = storeWithChanges();
    store.applyOutput({ path: 'a.ts', cellId: 'c2', output: { kind: 'text', stream: 'stdout', text: 'hi\n' } });
    store.deleteCell('c1');
    assert.equal(store.canUndoDelete, true);
    assert.deepEqual(changes.filter((c) => c.kind === 'deleted'), [{ kind: 'deleted', cellId: 'c1', undoable: true }]);
    store.deleteCell('c2');
    assert.equal(store.cells.length, 0);
    assert.equal(store.undoDelete(), 'c2');
    assert.equal(store.undoDelete(), 'c1');
    assert.equal(store.undoDelete(), undefined);
    assert.deepEqual(store.cells.map((c) => [c.id, c.source, c.outputs.length]), [['c1', '# Title', 0], ['c2', 'const x = 1;', 1]]);
    assert.equal(store.dirty, true);
  });

  it('clears the outputs and execution count of one cell or of all', () => {
    const { store } = storeWithChanges();
    store.applyCellState({ path: 'a.ts', cellId: 'c2', status: 'running', executionCount: 3 });
    store.applyOutput({ path: 'a.ts', cellId: 'c2', output: { kind: 'note', text: 'n' } });
    store.applyCellState({ path: 'a.ts', cellId: 'c2', status: 'done', executionCount: 3, durationMs: 5 });
    assert.equal(store.cell('c2')!.executionCount, 3);
    store.clearOutputs(['c1']);
    assert.equal(store.cell('c2')!.outputs.length, 1);
    store.clearOutputs('all');
    assert.equal(store.cell('c2')!.outputs.length, 0);
    assert.equal(store.cell('c2')!.executionCount, undefined);
    assert.equal(store.dirty, false, 'outputs are not part of the file');
  });
});
