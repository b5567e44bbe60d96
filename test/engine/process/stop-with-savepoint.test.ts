/**
 * Stop-with-savepoint as in Flink, the same in-process (`--taskmanagers 0`) and on taskmanagers:
 * once `weir run` has exited on SIGINT or SIGTERM, or a cell's `JobClient.stopWithSavepoint()`
 * has returned, no exactly-once sink has uncommitted output (the savepoint's transactions were
 * committed before the tasks ended), and a run resumed from the savepoint completes the output
 * exactly: equal to an uninterrupted run, nothing lost, nothing twice. The job's source holds
 * at its end ($WEIR_TEST_HOLD), so a stop never races the end of the job.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { committedLines, uncommittedParts } from '../../harness/jsonl-output.ts';
import { until } from '../../harness/until.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const notebook = path.join(root, 'test/fixtures/cluster/savepoint.ts');
const weirBin = path.join(root, 'bin/weir.mjs');

describe('stop with savepoint', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-stop-'));
  let baseline: string[] = [];
  let n = 0;

  function run(taskManagers: number, args: string[], out: string, env: Record<string, string> = {}) {
    return spawnSync(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', String(taskManagers), '--checkpoint-dir', path.join(scratch, 'checkpoints'), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: scratch, WEIR_TEST_OUT: out, ...env },
      timeout: 120_000,
    });
  }

  /** What a resumed run adds to `out`, compared with the uninterrupted run. */
  function assertResumedExactly(taskManagers: number, savepoint: string, out: string): void {
    const r = run(taskManagers, ['--from-savepoint', savepoint], out);
    assert.equal(r.status, 0, r.stderr);
    const lines = committedLines(path.join(out, 'windows'));
    const expected = new Set(baseline);
    const lost = baseline.filter((l) => !lines.includes(l)).length;
    const extra = lines.length - new Set(lines).size + lines.filter((l) => !expected.has(l)).length;
    assert.deepEqual(lines, baseline, `resumed output differs: ${lost} windows lost, ${extra} duplicated or wrong`);
  }

  /** Runs until its first windows are committed, then sends `signal` to `weir run`; returns the savepoint. */
  async function stopBySignal(taskManagers: number, signal: NodeJS.Signals, out: string): Promise<string> {
    const child = spawn(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', String(taskManagers), '--savepoint-dir', path.join(scratch, 'savepoints')], {
      cwd: root,
      // A private temp dir: without --checkpoint-dir the checkpoints go to <temp>/weir-checkpoints,
      // which a failed run would leave behind in the shared one.
      env: { ...process.env, TMPDIR: scratch, WEIR_TEST_OUT: out, WEIR_TEST_HOLD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exitCode = code))));
    const windows = path.join(out, 'windows');
    await until(`committed windows (stderr: ${stderr})`, () => exitCode !== undefined || committedLines(windows).length >= 2 * 11 || undefined, 60_000);
    child.kill(signal);
    const code = await exited;
    assert.equal(code, 0, `stop-with-savepoint failed:\n${stderr}`);
    const m = /^savepoint: (.+)$/m.exec(stdout);
    assert.ok(m, `a 'savepoint: <path>' line on stdout:\n${stdout}\n${stderr}`);
    assert.deepEqual(uncommittedParts(windows), [], 'every transaction of the savepoint was committed before weir run exited');
    assert.ok(committedLines(windows).length < baseline.length, 'the job was stopped before its end');
    return m[1]!;
  }

  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    const out = path.join(scratch, 'baseline');
    const r = run(2, ['--parallelism', '2'], out);
    assert.equal(r.status, 0, r.stderr);
    baseline = committedLines(path.join(out, 'windows'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('the uninterrupted run writes every window', () => {
    assert.equal(baseline.length, 11 * 120);
  });

  for (const taskManagers of [0, 2]) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`--taskmanagers ${taskManagers}, ${signal} to weir run: nothing uncommitted after it exits; the resumed run completes the output exactly`, async () => {
        const out = path.join(scratch, `signal-${n++}`);
        const savepoint = await stopBySignal(taskManagers, signal, out);
        assertResumedExactly(taskManagers, savepoint, out);
      });
    }

    it(`--taskmanagers ${taskManagers}, JobClient.stopWithSavepoint(): the job ends FINISHED with nothing uncommitted; the resumed run completes the output exactly`, () => {
      const out = path.join(scratch, `client-${n++}`);
      const r = run(taskManagers, ['--savepoint-dir', path.join(scratch, 'savepoints')], out, { WEIR_TEST_CLIENT_STOP: '1', WEIR_TEST_HOLD: '1' });
      assert.equal(r.status, 0, r.stderr);
      const savepoint = /^stopped: (.+)$/m.exec(r.stdout)?.[1];
      assert.ok(savepoint, `a 'stopped: <path>' line:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /^status: FINISHED$/m);
      assert.deepEqual(uncommittedParts(path.join(out, 'windows')), [], 'every transaction of the savepoint was committed when stopWithSavepoint() returned');
      assert.ok(committedLines(path.join(out, 'windows')).length < baseline.length, 'the job was stopped before its end');
      assertResumedExactly(taskManagers, savepoint, out);
    });
  }
});
