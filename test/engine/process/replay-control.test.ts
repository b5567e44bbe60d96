/**
 * The job-control API for replays (`JobClient.replays()` / `controlReplay()`), the same on worker
 * processes and in the client's process: pause holds the replay, seek and speed finish it, an
 * unknown replay or a bad action is refused with its name; two jobs whose replays share a name
 * and a process are controlled apart.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = path.join(root, 'test/fixtures/cluster/replay-control.ts');
const twoJobs = path.join(root, 'test/fixtures/cluster/replay-two-jobs.ts');
const weirBin = path.join(root, 'bin/weir.mjs');

describe('controlling a replay through its JobClient', () => {
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' }));

  for (const taskManagers of ['2', '0']) {
    it(`pauses, seeks, changes speed and reports progress (--taskmanagers ${taskManagers})`, () => {
      const r = spawnSync(process.execPath, [weirBin, 'run', fixture, '--taskmanagers', taskManagers], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /^unknown: No replay 'nope' runs in job 'replay control' \(its replays: 'hour'\)$/m);
      assert.match(r.stdout, /^invalid: replay 'hour': speed must be a number > 0 or 'max', got 0$/m);
      assert.match(r.stdout, /^state: paused$/m);
      const [, first, second] = /^paused rows: (\d+) (\d+)$/m.exec(r.stdout) ?? [];
      assert.ok(Number(first) > 0, r.stdout);
      assert.equal(second, first, 'no rows while paused');
      assert.match(r.stdout, /^paused percent: true$/m);
      assert.match(r.stdout, /^speed: max$/m);
      // At speed 60 the hour would take a minute: the seek and 'max' finished it.
      assert.match(r.stdout, /^status: FINISHED$/m);
      assert.match(r.stdout, /^after end: 0$/m);
    });
  }

  // One taskmanager: both jobs' readers run in the same process, under the same source name.
  for (const taskManagers of ['1', '0']) {
    it(`pauses one of two concurrent jobs with the same replay name, not the other (--taskmanagers ${taskManagers})`, () => {
      const r = spawnSync(process.execPath, [weirBin, 'run', twoJobs, '--taskmanagers', taskManagers], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /^first paused: paused held$/m);
      assert.match(r.stdout, /^first other: playing moved$/m);
      assert.match(r.stdout, /^second paused: paused held$/m);
      assert.match(r.stdout, /^second other: playing moved$/m);
      assert.match(r.stdout, /^status: FINISHED FINISHED$/m);
    });
  }
});
