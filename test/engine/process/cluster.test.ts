/**
 * Jobs across worker processes, end to end through `weir run`: the same output at any
 * parallelism and spread, failures detected fast, back-pressure bounding memory, no orphans.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { descendants, type ProcessEntry } from '../../harness/processes.ts';
import { committedLines } from '../../harness/jsonl-output.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = path.join(root, 'test/fixtures/cluster');
const weirBin = path.join(root, 'bin/weir.mjs');

/** The jobmanager and taskmanagers below `ancestor`. */
function workers(ancestor: number): ProcessEntry[] {
  return descendants(ancestor, /^weir-(job|task)manager/);
}

/** Starts `weir run` and resolves when `pattern` shows up on stdout or stderr. */
function startRun(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [weirBin, 'run', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { pattern: RegExp; resolve: (at: number) => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      if (!w.pattern.test(out)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(performance.now());
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: performance.now() })));
  return {
    child,
    output: () => out,
    exited,
    waitFor: (pattern: RegExp) =>
      new Promise<number>((resolve) => {
        if (pattern.test(out)) resolve(performance.now());
        else waiters.push({ pattern, resolve });
      }),
  };
}

describe('jobs on taskmanager processes', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-cluster-test-'));
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' }));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('parallelism 4 over 2 taskmanagers gives the same output as parallelism 1 in one process', () => {
    const single = path.join(scratch, 'p1');
    const multi = path.join(scratch, 'p4');
    const report = path.join(scratch, 'p4.json');
    const a = spawnSync(process.execPath, [weirBin, 'run', path.join(fixtures, 'equivalence.ts'), '--taskmanagers', '0', '--parallelism', '1'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WEIR_TEST_OUT: single },
      timeout: 60_000,
    });
    assert.equal(a.status, 0, a.stderr);
    const b = spawnSync(
      process.execPath,
      [weirBin, 'run', path.join(fixtures, 'equivalence.ts'), '--taskmanagers', '2', '--parallelism', '4', '--report', report],
      { cwd: root, encoding: 'utf8', env: { ...process.env, WEIR_TEST_OUT: multi }, timeout: 60_000 },
    );
    assert.equal(b.status, 0, b.stderr);
    for (const job of ['windows', 'broadcast']) {
      const expected = committedLines(path.join(single, job));
      assert.ok(expected.length > 0, `${job} produced output`);
      assert.deepEqual(committedLines(path.join(multi, job)), expected, `${job}: same output`);
    }
    // A rolling sum emits every update, in an order that depends on how records interleave;
    // its final value per key (the largest: all inputs are positive) does not.
    const finalSums = (dir: string) => {
      const best = new Map<number, number>();
      for (const l of committedLines(dir)) {
        const { k, n } = JSON.parse(l) as { k: number; n: number };
        best.set(k, Math.max(best.get(k) ?? 0, n));
      }
      return [...best].sort((a, b) => a[0] - b[0]);
    };
    const expectedSums = finalSums(path.join(single, 'rebalance'));
    assert.equal(expectedSums.length, 11);
    assert.deepEqual(finalSums(path.join(multi, 'rebalance')), expectedSums, 'rebalance → keyBy: same final sums');
    assert.equal(committedLines(path.join(multi, 'rebalance')).length, 30_000, 'one update per record');
    const jobs = JSON.parse(readFileSync(report, 'utf8')).jobs as { status: string; taskManagers: number; operators: { parallelism: number }[] }[];
    assert.equal(jobs.length, 3);
    for (const j of jobs) {
      assert.equal(j.status, 'FINISHED');
      assert.equal(j.taskManagers, 2);
      assert.ok(j.operators.some((o) => o.parallelism === 4));
    }
  });

  it('a taskmanager killed with SIGKILL fails the job within 5 s, with the cause, and leaves no process behind', async () => {
    const run = startRun([path.join(fixtures, 'endless.ts'), '--taskmanagers', '2']);
    await run.waitFor(/> 50/);
    const tms = workers(run.child.pid!).filter((p) => p.title.startsWith('weir-taskmanager'));
    assert.equal(tms.length, 2, `two taskmanagers run: ${JSON.stringify(workers(run.child.pid!))}`);
    const killedAt = performance.now();
    process.kill(tms[0]!.pid, 'SIGKILL');
    const { code, at } = await run.exited;
    assert.equal(code, 1);
    assert.ok(at - killedAt < 5000, `failure reported after ${Math.round(at - killedAt)} ms`);
    assert.match(run.output(), /taskmanager \d \(pid \d+\) was killed by SIGKILL while running/);
    assert.deepEqual(workers(run.child.pid!), []);
  });

  it('a user function stuck in an endless loop is detected by the CPU it burns, and named', async () => {
    const run = startRun([path.join(fixtures, 'endless.ts'), '--taskmanagers', '1'], { WEIR_TEST_LOOP: '1' });
    const loopAt = await run.waitFor(/entering loop/);
    const { code, at } = await run.exited;
    assert.equal(code, 1);
    // 3 s of the spinning thread's CPU: about 4 s on a quiet machine. On a loaded one the thread
    // gets a share of a core and takes longer (at load 37 on 2 cores, a twentieth: a minute); the
    // bound only catches a job left spinning.
    assert.ok(at - loopAt < 180_000, `detected after ${Math.round(at - loopAt)} ms`);
    assert.match(run.output(), /stopped answering heartbeats for [\d.]+ s, its main thread computing for [\d.]+ s of CPU in one turn, while running .*Map defined at .*endless\.ts:7:\d+.*stuck in an endless loop/);
  });

  it('a map that blocks 5 s per record (longer than the old 3 s timeout) is slow, not lost: no restart', () => {
    const report = path.join(scratch, 'slow-map.json');
    const r = spawnSync(process.execPath, [weirBin, 'run', path.join(fixtures, 'slow-map.ts'), '--taskmanagers', '1', '--report', report], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter((l) => /^\d+$/.test(l)), ['10', '20', '30']);
    const job = (JSON.parse(readFileSync(report, 'utf8')) as { jobs: { status: string; restarts: number }[] }).jobs[0]!;
    assert.equal(job.status, 'FINISHED');
    assert.equal(job.restarts, 0, 'no taskmanager was declared lost');
  });

  it('weir run killed with SIGKILL leaves no worker process behind', async () => {
    const run = startRun([path.join(fixtures, 'endless.ts'), '--taskmanagers', '2']);
    await run.waitFor(/> 50/);
    const before = workers(run.child.pid!);
    assert.equal(before.length, 3, 'a jobmanager and two taskmanagers');
    run.child.kill('SIGKILL');
    await run.exited;
    const deadline = performance.now() + 5000;
    const alive = () => before.filter((p) => {
      try {
        process.kill(p.pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    while (alive().length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(alive(), []);
  });

  it('a slow sink slows the source down (credit-based back-pressure) and memory stays bounded', () => {
    const report = path.join(scratch, 'slow.json');
    const r = spawnSync(process.execPath, [weirBin, 'run', path.join(fixtures, 'slow-sink.ts'), '--taskmanagers', '2'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WEIR_TEST_OUT: report },
      timeout: 300_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const job = JSON.parse(readFileSync(report, 'utf8')) as {
      status: string;
      operators: { name: string; recordsIn: number; recordsOut: number }[];
      taskManagerResources: { peakRssBytes: number }[];
    };
    assert.equal(job.status, 'CANCELED');
    const source = job.operators.find((o) => o.name.startsWith('Source'))!;
    const sink = job.operators.find((o) => o.name.startsWith('Sink'))!;
    // The job is cancelled once ~4,000 records were consumed (1 ms each on 2 sink subtasks: ~2 s).
    // Without back-pressure the generator would have produced millions in that time.
    const inFlight = source.recordsOut - sink.recordsIn;
    assert.ok(sink.recordsIn >= 4000, `the sink consumed ${sink.recordsIn}`);
    assert.ok(inFlight < 100_000, `records produced but not consumed: ${inFlight}`);
    const peak = Math.max(...job.taskManagerResources.map((t) => t.peakRssBytes));
    assert.ok(peak < 300 * 2 ** 20, `taskmanager peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (bound 300 MiB)`);
  });
});
