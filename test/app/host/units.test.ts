import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { captureConsole, cellContext, tableOf, type CellContext } from '../../../app/host/cell-context.ts';
import { documentFromText, reparse, textOf } from '../../../app/host/documents.ts';
import { ChangedOnDiskError, NotebookFiles } from '../../../app/host/notebook-files.ts';
import { OutputThrottle } from '../../../app/host/output-throttle.ts';
import type { CellOutput } from '../../../app/shared/workbench/protocol.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function folder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-host-unit-'));
  dirs.push(dir);
  return dir;
}

describe('OutputThrottle', () => {
  /** Timers under the test's control. */
  function manual() {
    let pending: (() => void) | undefined;
    return { setTimer: (cb: () => void) => (pending = cb), clearTimer: () => (pending = undefined), fire: () => pending?.() };
  }

  it('sends the first line at once, batches what follows per interval, and keeps streams apart', () => {
    const timer = manual();
    const out: CellOutput[] = [];
    const throttle = new OutputThrottle((o) => out.push(o), timer);
    throttle.write('stdout', 'first\n');
    assert.deepEqual(out, [{ kind: 'text', stream: 'stdout', text: 'first\n' }], 'text after a quiet interval goes at once');
    throttle.write('stdout', 'a\n');
    throttle.write('stderr', 'oops\n');
    throttle.write('stdout', 'b');
    assert.equal(out.length, 1, 'text within the interval gathers');
    timer.fire();
    assert.deepEqual(out.slice(1), [
      { kind: 'text', stream: 'stdout', text: 'a\nb\n' },
      { kind: 'text', stream: 'stderr', text: 'oops\n' },
    ]);
    // Text kept coming: the next interval gathers too.
    throttle.write('stdout', 'c\n');
    assert.equal(out.length, 3);
    timer.fire();
    assert.deepEqual(out.slice(3), [{ kind: 'text', stream: 'stdout', text: 'c\n' }]);
    // A quiet interval: the next line goes at once again.
    timer.fire();
    throttle.write('stdout', 'd\n');
    assert.deepEqual(out.slice(4), [{ kind: 'text', stream: 'stdout', text: 'd\n' }]);
  });

  it('drops lines beyond the cap and says how many', () => {
    const out: CellOutput[] = [];
    const throttle = new OutputThrottle((o) => out.push(o), { ...manual(), maxLines: 3 });
    for (let i = 0; i < 11; i++) throttle.write('stdout', `line ${i}\n`);
    throttle.flush();
    assert.deepEqual(out, [
      { kind: 'text', stream: 'stdout', text: 'line 0\n' },
      { kind: 'text', stream: 'stdout', text: 'line 1\nline 2\nline 3\n… 7 more lines not shown\n' },
    ]);
  });
});

describe('captureConsole', () => {
  it('sends console calls made for a cell to that cell, others to the real console', async () => {
    const written: string[] = [];
    const outputs: CellOutput[] = [];
    const fake = { log: (...a: unknown[]) => written.push(`real ${a.join(' ')}`), info() {}, debug() {}, warn() {}, error() {}, trace() {}, dir() {}, table() {} } as unknown as Console;
    const restore = captureConsole(fake);
    try {
      const context: CellContext = { path: 'a.ts', cellId: 'c1', write: (s, t) => written.push(`${s} ${t}`), output: (o) => outputs.push(o), fail() {} };
      fake.log('outside');
      await cellContext.run(context, async () => {
        fake.log('inside %d', 42);
        await new Promise((r) => setTimeout(r, 1));
        fake.warn('later');
        fake.table([{ a: 1 }]);
      });
      assert.deepEqual(written, ['real outside', 'stdout inside 42\n', 'stderr later\n']);
      assert.deepEqual(outputs, [{ kind: 'table', columns: ['(index)', 'a'], rows: [[0, 1]] }]);
    } finally {
      restore();
    }
    assert.equal(typeof fake.log, 'function');
  });
});

describe('tableOf', () => {
  it('tabulates arrays of objects, objects of rows and primitive rows', () => {
    assert.deepEqual(tableOf({ x: { n: 1 }, y: { n: 2, m: 'z' } }), { kind: 'table', columns: ['(index)', 'n', 'm'], rows: [['x', 1, null], ['y', 2, 'z']] });
    assert.deepEqual(tableOf([1, 'a']), { kind: 'table', columns: ['(index)', 'Values'], rows: [[0, 1], [1, 'a']] });
    assert.deepEqual(tableOf([{ d: new Date(0), o: { k: 1 }, n: NaN }]), { kind: 'table', columns: ['(index)', 'd', 'o', 'n'], rows: [[0, '1970-01-01T00:00:00.000Z', '{"k":1}', 'NaN']] });
    assert.equal(tableOf('text'), undefined);
  });

  it('keeps at most 100k rows and counts the rest', () => {
    const table = tableOf(Array.from({ length: 100_005 }, (_, i) => ({ i })));
    assert.ok(table?.kind === 'table');
    assert.equal(table.rows.length, 100_000);
    assert.equal(table.truncated, 5);
  });
});

describe('documents', () => {
  const text = '// %% [markdown]\n// # Hi\n\n// %%\nconst x = 1;\n';

  it('numbers cells and writes unedited documents back byte for byte', () => {
    const document = documentFromText('a.ts', text, { mtimeMs: 0, size: 0, sha256: '' });
    assert.deepEqual(document.cells.map((c) => c.id), ['c1', 'c2']);
    assert.equal(textOf(document), text);
  });

  it('reparses edited documents so cells know their lines, and refuses sources that hold a marker', () => {
    const document = documentFromText('a.ts', text, { mtimeMs: 0, size: 0, sha256: '' });
    const cells = [{ ...document.cells[0]!, source: '# Hi\nmore\nlines' }, document.cells[1]!];
    assert.equal(reparse({ cells }).notebook.cells[1]!.startLine, 7);
    assert.throws(() => reparse({ cells: [document.cells[0]!, { ...document.cells[1]!, source: 'a;\n// %%\nb;' }] }), /cell 2 contains a line that reads as a cell marker/);
  });
});

describe('NotebookFiles', () => {
  it('resolves only .ts paths inside the folder', () => {
    const files = new NotebookFiles('/srv/notebooks');
    assert.equal(files.resolve('sub/a.ts'), path.resolve('/srv/notebooks/sub/a.ts'));
    for (const bad of ['../a.ts', 'sub/../../a.ts', '/etc/a.ts', 'C:\\a.ts', 'a.js', 'a.d.ts', '', 'a\0.ts']) {
      assert.throws(() => files.resolve(bad), Error, bad);
    }
  });

  it('writes atomically: no temporary file is left, the mode is kept, a stale base is refused', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'a.ts'), '// %%\n1;\n', { mode: 0o600 });
    const files = new NotebookFiles(dir);
    const { version } = await files.read('a.ts');
    const next = await files.write('a.ts', '// %%\n2;\n', version);
    assert.notEqual(next.sha256, version.sha256);
    assert.deepEqual(readdirSync(dir), ['a.ts']);
    assert.equal((await import('node:fs')).statSync(path.join(dir, 'a.ts')).mode & 0o777, 0o600);
    await assert.rejects(files.write('a.ts', '// %%\n3;\n', version), ChangedOnDiskError);
  });

  it('lists notebooks, skipping dependency and hidden folders and files without cells', async () => {
    const dir = folder();
    for (const [file, content] of [['a.ts', '// %%\n'], ['plain.ts', 'export {};\n'], ['types.d.ts', '// %%\n'], ['node_modules/x.ts', '// %%\n'], ['.hidden/y.ts', '// %%\n'], ['deep/er/z.ts', '// %% [markdown]\n']] as const) {
      const full = path.join(dir, file);
      (await import('node:fs')).mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    symlinkSync(dir, path.join(dir, 'loop'));
    const list = await new NotebookFiles(dir).list();
    assert.deepEqual(list.map((e) => e.path), ['a.ts', 'deep/er/z.ts']);
  });
});
