/**
 * Temp folders named after their owner: removed on release and at exit, kept while the owner
 * lives, swept once it is gone; a `savepoints` folder with content in one stays.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ownedTempDir, releaseTempDir, removeOrphanedTempDirs } from '../../../engine/process/temp-dirs.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'weir-temp-dirs-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('owned temp folders', () => {
  it("are named after the owner's pid and go on release", () => {
    const dir = ownedTempDir('weir-kernel', root);
    assert.match(path.basename(dir), new RegExp(`^weir-kernel-${process.pid}-[A-Za-z0-9]{6}$`));
    writeFileSync(path.join(dir, 'cell.mjs'), '');
    releaseTempDir(dir);
    assert.equal(existsSync(dir), false);
  });

  it('go when the owning process exits, without being released', () => {
    const script = `import('${path.resolve('engine/process/temp-dirs.ts')}').then((m) => { const d = m.ownedTempDir('weir-dp', ${JSON.stringify(root)}); console.log(d); process.exit(3); });`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    assert.equal(child.status, 3, child.stderr);
    const made = child.stdout.trim();
    assert.match(made, /weir-dp-\d+-/);
    assert.equal(existsSync(made), false);
  });

  it("a sweep removes those of dead processes, keeps live owners' and a savepoints folder with content", () => {
    const dead = deadPid();
    const orphan = path.join(root, `weir-workbench-${dead}-abcdef`);
    mkdirSync(path.join(orphan, 'checkpoints'), { recursive: true });
    const withSavepoints = path.join(root, `weir-workbench-${dead}-ghijkl`);
    mkdirSync(path.join(withSavepoints, 'savepoints', 'savepoint-1'), { recursive: true });
    mkdirSync(path.join(withSavepoints, 'checkpoints'), { recursive: true });
    const live = ownedTempDir('weir-out', root);
    const notOurs = path.join(root, 'weir-checkpoints');
    mkdirSync(notOurs);
    removeOrphanedTempDirs(root);
    assert.deepEqual(readdirSync(root).sort(), [path.basename(live), 'weir-checkpoints', path.basename(withSavepoints)].sort());
    assert.deepEqual(readdirSync(withSavepoints), ['savepoints']);
    releaseTempDir(live);
  });
});
