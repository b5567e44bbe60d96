import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultWeirModule } from '../../../app/kernel/weir-module.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('defaultWeirModule', () => {
  it('is the engine source entry when the kernel runs from sources', () => {
    assert.equal(defaultWeirModule(pathToFileURL(path.join(root, 'app/kernel/weir-module.ts')).href), path.join(root, 'engine/index.node.ts'));
  });

  it('is the weir.mjs beside the bundle, or beside its chunk directory', () => {
    const dist = mkdtempSync(path.join(os.tmpdir(), 'weir-dist-'));
    try {
      mkdirSync(path.join(dist, 'chunks'));
      writeFileSync(path.join(dist, 'weir.mjs'), '');
      assert.equal(defaultWeirModule(pathToFileURL(path.join(dist, 'cli.mjs')).href), path.join(dist, 'weir.mjs'));
      assert.equal(defaultWeirModule(pathToFileURL(path.join(dist, 'chunks', 'run-X.mjs')).href), path.join(dist, 'weir.mjs'));
      rmSync(path.join(dist, 'weir.mjs'));
      assert.throws(() => defaultWeirModule(pathToFileURL(path.join(dist, 'cli.mjs')).href), /cannot find the weir engine module/);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });
});
