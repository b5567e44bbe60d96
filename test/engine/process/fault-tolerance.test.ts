/**
 * The failure-injection suite: a seeded harness runs a stateful keyed-window job with an
 * exactly-once JSONL sink and kills random taskmanagers with SIGKILL at random moments. Every
 * run must end successfully with output identical (sorted) to the failure-free run. Plus: a
 * jobmanager killed mid-checkpoint never leaves a checkpoint that restore would use half-written.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FsCheckpointStorage } from '../../../engine/process/checkpoint/fs-storage.ts';
import { descendants, prng } from '../../harness/processes.ts';
import { committedLines } from '../../harness/jsonl-output.ts';
import { until } from '../../harness/until.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const notebook = path.join(root, 'test/fixtures/cluster/fault-tolerant.ts');
const weirBin = path.join(root, 'bin/weir.mjs');
const RUNS = Number(process.env.WEIR_FAULT_RUNS ?? 20);

/** Whether a job writes checkpoints under `checkpointDir` (its run directory holds one). */
function jobCheckpointing(checkpointDir: string): boolean {
  if (!existsSync(checkpointDir)) return false;
  return readdirSync(checkpointDir).some((d) => d !== 'savepoints' && readdirSync(path.join(checkpointDir, d)).length > 0);
}

describe('fault tolerance under SIGKILL', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-fault-'));
  let baseline: string[] = [];
  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    const out = path.join(scratch, 'baseline');
    const r = spawnSync(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', '--checkpoint-dir', path.join(scratch, 'chk-baseline')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WEIR_TEST_OUT: out },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    baseline = committedLines(path.join(out, 'windows'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('the failure-free run produces the expected windows', () => {
    // 24,000 events 10 ms apart over 17 keys: 240 one-second windows per key.
    assert.equal(baseline.length, 17 * 240);
    const total = baseline.reduce((n, l) => n + (JSON.parse(l) as { n: number }).n, 0);
    assert.equal(total, 24_000);
  });

  it(`${RUNS} seeded runs with several taskmanager kills each end successfully with identical output`, { timeout: 20 * 60_000 }, async () => {
    const random = prng(20261122);
    let restartedRuns = 0;
    let kills = 0;
    for (let run = 0; run < RUNS; run++) {
      const out = path.join(scratch, `run-${run}`);
      const report = path.join(scratch, `run-${run}.json`);
      const planned = 2 + Math.floor(random() * 2);
      const at = Array.from({ length: planned }, () => 300 + Math.floor(random() * 2200)).sort((a, b) => a - b);
      const child = spawn(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', '--checkpoint-dir', path.join(scratch, `chk-${run}`), '--report', report], {
        cwd: root,
        env: { ...process.env, WEIR_TEST_OUT: out },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.resume();
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let killed = 0;
      let ended = false;
      void exited.then(() => (ended = true));
      // The kill times count from when the job runs (its first checkpoint is being written): a
      // kill before the taskmanagers exist, or while they start, restarts nothing.
      const chk = path.join(scratch, `chk-${run}`);
      await until(`run ${run}: the job's first checkpoint`, () => (ended || jobCheckpointing(chk) ? true : undefined), 60_000);
      const started = Date.now();
      for (const t of at) {
        await new Promise((r) => setTimeout(r, Math.max(0, t - (Date.now() - started))));
        const tms = descendants(child.pid!, /^weir-taskmanager/).map((p) => p.pid);
        if (tms.length === 0) continue;
        process.kill(tms[Math.floor(random() * tms.length)]!, 'SIGKILL');
        killed++;
      }
      const code = await exited;
      assert.equal(code, 0, `run ${run} (kills at ${at.join(', ')} ms) failed:\n${stderr}`);
      const job = JSON.parse(readFileSync(report, 'utf8')).jobs[0] as { restarts: number; checkpoints: { status: string }[] };
      // A kill after the job has finished restarts nothing; on a loaded machine that can take
      // some of a run's kills.
      if (job.restarts > 0) restartedRuns++;
      kills += killed;
      assert.deepEqual(committedLines(path.join(out, 'windows')), baseline, `run ${run}: output differs from the failure-free run`);
    }
    // The kills did exercise recovery from checkpoints, in most runs.
    assert.ok(restartedRuns >= RUNS / 4, `only ${restartedRuns} of ${RUNS} runs restarted their job, after ${kills} kills in all`);
  });

  it('a jobmanager killed mid-checkpoint leaves no checkpoint that restore would use half-written', async () => {
    const checkpointDir = path.join(scratch, 'chk-jm');
    const child = spawn(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', '--checkpoint-dir', checkpointDir], {
      cwd: root,
      env: { ...process.env, WEIR_TEST_OUT: path.join(scratch, 'jm') },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it once checkpoints are being taken, in the middle of one as likely as not.
    const checkpointing = () => existsSync(checkpointDir) && readdirSync(checkpointDir).some((d) => d !== 'savepoints' && readdirSync(path.join(checkpointDir, d)).length > 1);
    for (const deadline = Date.now() + 30_000; !checkpointing() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 70));
    const [jm] = descendants(child.pid!, /^weir-jobmanager/).map((p) => p.pid);
    assert.ok(jm, 'the jobmanager runs');
    process.kill(jm, 'SIGKILL');
    await exited;
    const jobDirs = readdirSync(checkpointDir).filter((d) => d !== 'savepoints');
    assert.equal(jobDirs.length, 1);
    const storage = new FsCheckpointStorage({ checkpointDir, jobName: jobDirs[0]! });
    const latest = await storage.latest();
    if (latest) {
      // Whatever restore would pick must be complete: every state file reads back and verifies.
      for (const h of latest.metadata.states) assert.ok((await storage.readState(latest, h)).length === h.bytes);
    }
  });
});
