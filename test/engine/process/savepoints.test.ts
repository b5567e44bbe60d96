/**
 * Stop with a savepoint (SIGINT) and resume it: same output as an uninterrupted run, also when
 * the parallelism changes and when a stateless operator changed; a savepoint whose stateful
 * operator was removed is refused unless --allow-non-restored-state.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { committedLines } from '../../harness/jsonl-output.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const notebook = path.join(root, 'test/fixtures/cluster/savepoint.ts');
const weirBin = path.join(root, 'bin/weir.mjs');

describe('savepoints', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-savepoint-'));
  let baseline: string[] = [];
  let n = 0;

  function run(args: string[], out: string, variant = '') {
    return spawnSync(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', ...args], {
      cwd: root,
      encoding: 'utf8',
      // A private temp dir: the default checkpoint folder of a failed run goes with the scratch folder.
      env: { ...process.env, TMPDIR: scratch, WEIR_TEST_OUT: out, WEIR_TEST_VARIANT: variant },
      timeout: 60_000,
    });
  }

  /** Runs until its first windows are committed, then SIGINT; returns the savepoint path. */
  async function stopWithSavepoint(out: string, parallelism: number): Promise<string> {
    const child = spawn(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', '--parallelism', String(parallelism), '--savepoint-dir', path.join(scratch, 'savepoints')], {
      cwd: root,
      env: { ...process.env, TMPDIR: scratch, WEIR_TEST_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Stop once the job is well under way: its first windows are committed (a fixed delay
    // would stop a job still starting up on a busy machine, before it could take a savepoint).
    const windows = path.join(out, 'windows');
    for (const deadline = Date.now() + 30_000; committedLines(windows).length < 2 * 11 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 0, `stop-with-savepoint failed:\n${stderr}`);
    const m = /^savepoint: (.+)$/m.exec(stdout);
    assert.ok(m, `a 'savepoint: <path>' line on stdout:\n${stdout}\n${stderr}`);
    assert.ok(committedLines(path.join(out, 'windows')).length < baseline.length, 'the job was stopped before its end');
    return m[1]!;
  }

  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    const out = path.join(scratch, 'baseline');
    const r = run(['--parallelism', '2'], out);
    assert.equal(r.status, 0, r.stderr);
    baseline = committedLines(path.join(out, 'windows'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const [from, to] of [
    [2, 2],
    [1, 3],
    [3, 1],
  ] as const) {
    it(`stop-with-savepoint at parallelism ${from}, resume at ${to}: same output as an uninterrupted run`, async () => {
      assert.equal(baseline.length, 11 * 120);
      const out = path.join(scratch, `resume-${n++}`);
      const savepoint = await stopWithSavepoint(out, from);
      const r = run(['--parallelism', String(to), '--from-savepoint', savepoint], out);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(committedLines(path.join(out, 'windows')), baseline);
    });
  }

  it('a changed stateless operator still restores', async () => {
    const out = path.join(scratch, `resume-${n++}`);
    const savepoint = await stopWithSavepoint(out, 2);
    const r = run(['--parallelism', '2', '--from-savepoint', savepoint], out, 'changed-map');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(committedLines(path.join(out, 'windows')), baseline);
  });

  it('a removed stateful operator is refused without --allow-non-restored-state', async () => {
    const out = path.join(scratch, `resume-${n++}`);
    const savepoint = await stopWithSavepoint(out, 2);
    const refused = run(['--from-savepoint', savepoint], path.join(scratch, 'refused'), 'no-window');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /operator 'Window\(.*\)' \(uid windows\): the savepoint holds state for it.*--allow-non-restored-state/s);
    const allowed = run(['--from-savepoint', savepoint, '--allow-non-restored-state'], path.join(scratch, 'allowed'), 'no-window');
    assert.equal(allowed.status, 0, allowed.stderr);
  });

  it("a cluster job's JobClient reports checkpoints, takes a savepoint while running and stops with one", () => {
    const r = spawnSync(process.execPath, [weirBin, 'run', path.join(root, 'test/fixtures/cluster/job-client.ts'), '--taskmanagers', '2', '--savepoint-dir', path.join(scratch, 'client-savepoints')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: scratch },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const savepoint = /^savepoint: (.+)$/m.exec(r.stdout)?.[1];
    const stopped = /^stopped: (.+)$/m.exec(r.stdout)?.[1];
    assert.ok(savepoint && existsSync(savepoint), `a savepoint was written: ${r.stdout}`);
    assert.ok(stopped && existsSync(stopped) && stopped !== savepoint, `stop-with-savepoint wrote another: ${r.stdout}`);
    assert.match(r.stdout, /^status: FINISHED$/m);
    assert.match(r.stdout, /^checkpoints: true$/m);
  });
});
