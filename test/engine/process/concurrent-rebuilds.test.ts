/**
 * Two jobs submitted at once to the same two taskmanagers are rebuilt there at the same time,
 * and one whose code waits before it defines its job (on the taskmanagers) holds up no other:
 * each gives the right output (engine/process/taskmanager/rebuild.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = path.join(root, 'test/fixtures/cluster/concurrent-rebuilds.ts');

describe('jobs rebuilt at the same time on taskmanagers', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-concurrent-rebuilds-'));
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' }));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('rebuilds two jobs at once on 2 taskmanagers while one of them waits, and both give their output', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', fixture, '--taskmanagers', '2'], {
      cwd: root,
      encoding: 'utf8',
      // Only a bound for a deadlock (rebuilds that wait for each other); it passes in seconds.
      timeout: 240_000,
      env: { ...process.env, WEIR_TEST_RELEASE: path.join(scratch, 'release') },
    });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    // Each job's own records, and all of them: 0..999 times 5 and times 3.
    assert.match(r.stdout, /^free: 1000 values, sum 2497500$/m);
    assert.match(r.stdout, /^held: 1000 values, sum 1498500$/m);
  });
});
