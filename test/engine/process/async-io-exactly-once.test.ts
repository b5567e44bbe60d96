/**
 * Async I/O under SIGKILL: a job looks records up in an HTTP service (started here, on
 * 127.0.0.1) with 20 requests in flight per subtask, checkpoints every 200 ms and writes with
 * the exactly-once JSONL sink. A taskmanager is killed while requests are in flight, after a
 * checkpoint completed; the job restarts from it, requests the checkpointed in-flight records
 * again, and its committed output equals the uninterrupted run's: every key exactly once.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { descendants } from '../../harness/processes.ts';
import { committedLines } from '../../harness/jsonl-output.ts';
import { startLookupService, type LookupService } from '../../harness/lookup-service.ts';
import { until } from '../../harness/until.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const notebook = path.join(root, 'test/fixtures/cluster/async-lookup.ts');
const weirBin = path.join(root, 'bin/weir.mjs');
const RECORDS = 1_500;
const RUNS = Number(process.env.WEIR_ASYNC_FAULT_RUNS ?? 2);

/** Whether a checkpoint under `checkpointDir` has completed (its `_metadata` is written). */
function checkpointCompleted(checkpointDir: string): boolean {
  if (!existsSync(checkpointDir)) return false;
  return readdirSync(checkpointDir).some(
    (job) => job !== 'savepoints' && readdirSync(path.join(checkpointDir, job)).some((d) => existsSync(path.join(checkpointDir, job, d, '_metadata'))),
  );
}

describe('async I/O exactly-once under SIGKILL', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-async-eo-'));
  let service: LookupService;

  /** Runs the notebook on two taskmanagers; `during` runs while it does. The service must stay responsive, so nothing here blocks. */
  async function run(name: string, during?: (pid: number) => Promise<void>): Promise<{ lines: string[]; restarts: number }> {
    const out = path.join(scratch, name);
    const report = path.join(scratch, `${name}.json`);
    const child = spawn(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '2', '--checkpoint-dir', path.join(scratch, `chk-${name}`), '--report', report], {
      cwd: root,
      env: { ...process.env, WEIR_TEST_OUT: out, WEIR_TEST_SERVICE: service.url, WEIR_TEST_RECORDS: String(RECORDS) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await during?.(child.pid!);
    } finally {
      const code = await exited;
      assert.equal(code, 0, `${name} failed:\n${stderr}`);
    }
    const job = JSON.parse(readFileSync(report, 'utf8')).jobs[0] as { restarts: number };
    return { lines: committedLines(path.join(out, 'rows')), restarts: job.restarts };
  }

  before(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    service = await startLookupService();
  });
  after(async () => {
    await service?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it(`${RUNS} runs with a taskmanager killed while requests are in flight commit what the uninterrupted run commits`, { timeout: 15 * 60_000 }, async () => {
    const baseline = await run('baseline');
    // The lookups themselves, independently: key k answers v = 10k, every key once.
    const expected = Array.from({ length: RECORDS }, (_, k) => JSON.stringify({ k, v: k * 10 })).sort();
    assert.deepEqual(baseline.lines, expected, 'the uninterrupted run looked every key up once');

    for (let r = 0; r < RUNS; r++) {
      const name = `killed-${r}`;
      let killedWhileInFlight = 0;
      const result = await run(name, async (pid) => {
        const chk = path.join(scratch, `chk-${name}`);
        // Kill once a checkpoint holds the job's progress and requests are being answered.
        await until('a completed checkpoint and requests in flight', () => (checkpointCompleted(chk) && service.inFlight > 0 ? true : undefined), 120_000);
        const tms = descendants(pid, /^weir-taskmanager/);
        assert.ok(tms.length > 0, 'the taskmanagers run');
        killedWhileInFlight = service.inFlight;
        process.kill(tms[r % tms.length]!.pid, 'SIGKILL');
      });
      assert.ok(killedWhileInFlight > 0);
      assert.ok(result.restarts >= 1, `${name}: the job restarted after the kill`);
      assert.deepEqual(result.lines, baseline.lines, `${name}: committed output differs from the uninterrupted run`);
    }
  });
});
