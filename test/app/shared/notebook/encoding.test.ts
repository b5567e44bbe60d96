/**
 * Notebook files must be UTF-8: the first byte that is not is found, the file refused by name
 * and offset — by `weir run` and by the workbench host alike.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkNotebookEncoding, firstInvalidUtf8Byte, NotebookEncodingError } from '../../../../app/shared/notebook/encoding.ts';
import { NotebookFiles } from '../../../../app/host/notebook-files.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('notebook encoding', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-encoding-test-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const latin1 = Buffer.from('// %%\nconsole.log("caf\u00e9");\n', 'latin1');

  it('finds the first byte that is not UTF-8', () => {
    assert.equal(firstInvalidUtf8Byte(Buffer.from('// %%\nconst s = "café — 日本 🙂";\n', 'utf8')), undefined);
    assert.equal(firstInvalidUtf8Byte(Buffer.from('\uFEFF// %%\n', 'utf8')), undefined, 'a byte order mark is UTF-8');
    assert.equal(firstInvalidUtf8Byte(latin1), 22);
    assert.equal(firstInvalidUtf8Byte(new Uint8Array([0x61, 0xc0, 0xaf])), 1, 'overlong form');
    assert.equal(firstInvalidUtf8Byte(new Uint8Array([0x61, 0x62, 0xed, 0xa0, 0x80])), 2, 'UTF-16 surrogate');
    assert.equal(firstInvalidUtf8Byte(new Uint8Array([0x61, 0xe6, 0x97])), 1, 'cut short at the end');
    assert.equal(firstInvalidUtf8Byte(new Uint8Array([0xf4, 0x90, 0x80, 0x80])), 0, 'above U+10FFFF');
    assert.equal(firstInvalidUtf8Byte(new Uint8Array([0xff, 0xfe, 0x2f, 0x00])), 0, 'UTF-16 LE');
    assert.throws(() => checkNotebookEncoding(latin1, 'nb.ts'), (e: unknown) => e instanceof NotebookEncodingError && e.byteOffset === 22 && /nb\.ts is not UTF-8: byte 22/.test(e.message));
  });

  it('the workbench host refuses to open a Latin-1 notebook, naming it and the offset', async () => {
    writeFileSync(path.join(scratch, 'latin1.ts'), latin1);
    const files = new NotebookFiles(scratch);
    await assert.rejects(files.read('latin1.ts'), /latin1\.ts is not UTF-8: byte 22/);
  });

  it('weir run fails on a Latin-1 notebook, naming it and the offset', () => {
    const file = path.join(scratch, 'run-latin1.ts');
    writeFileSync(file, latin1);
    const child = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', file, '--taskmanagers', '0'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 1, child.stderr);
    assert.match(child.stderr, /run-latin1\.ts is not UTF-8: byte 22/);
    assert.equal(child.stdout, '', 'no cell ran');
  });
});
