/**
 * `weir run --savepoint-dir <dir> --drain` (Flink's `stop --drain`): a stop by signal first
 * advances event time to the end, so every event-time window of the events read so far fires and
 * is committed before the savepoint; without `--drain` the windows still open stay in the
 * savepoint's state and are not in the output. Windows are checked against arithmetic over the
 * events the savepoint had read (the source prints its position at each snapshot), on
 * `--taskmanagers 0` and 2.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { committedLines, uncommittedParts } from '../../harness/jsonl-output.ts';
import { until } from '../../harness/until.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const notebook = path.join(root, 'test/fixtures/cluster/drain.ts');
const weirBin = path.join(root, 'bin/weir.mjs');

/** The windows of events 0 … n-1 as the job computes them, one JSON line each, sorted. */
function windowsOf(n: number): string[] {
  const sums = new Map<string, { key: string; start: number; sum: number; n: number }>();
  for (let i = 0; i < n; i++) {
    const key = `k${(i * 13) % 11}`;
    const start = Math.floor((i * 10) / 1000) * 1000;
    const w = sums.get(`${key} ${start}`) ?? { key, start, sum: 0, n: 0 };
    w.sum += i % 97;
    w.n++;
    sums.set(`${key} ${start}`, w);
  }
  return [...sums.values()].map((w) => JSON.stringify(w)).sort();
}

/** The output's lines in the same form as `windowsOf`. */
function normalized(lines: string[]): string[] {
  return lines
    .map((l) => {
      const w = JSON.parse(l) as { key: string; start: number; sum: number; n: number };
      return JSON.stringify({ key: w.key, start: w.start, sum: w.sum, n: w.n });
    })
    .sort();
}

describe('weir run --drain', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-drain-'));
  let n = 0;
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' }));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** Runs until 3 s of windows are committed, stops with SIGTERM; returns the output and the events the savepoint read. */
  async function stopped(taskManagers: number, drain: boolean): Promise<{ lines: string[]; read: number }> {
    const out = path.join(scratch, `run-${n++}`);
    const args = [weirBin, 'run', notebook, '--taskmanagers', String(taskManagers), '--savepoint-dir', path.join(scratch, 'savepoints'), '--quiet', ...(drain ? ['--drain'] : [])];
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, TMPDIR: scratch, WEIR_TEST_OUT: out }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exitCode = code))));
    const windows = path.join(out, 'windows');
    try {
      await until(`3 s of committed windows (stderr: ${stderr})`, () => exitCode !== undefined || committedLines(windows).length >= 3 * 11 || undefined, 90_000);
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, `the stop with a savepoint failed:\n${stderr}`);
    assert.match(stdout, /^savepoint: .+$/m);
    assert.deepEqual(uncommittedParts(windows), [], 'nothing left uncommitted');
    const positions = [...stdout.matchAll(/^position (\d+)$/gm)].map((m) => Number(m[1]));
    assert.ok(positions.length > 0, `the source printed its positions:\n${stdout}`);
    return { lines: normalized(committedLines(windows)), read: positions[positions.length - 1]! };
  }

  for (const taskManagers of [0, 2]) {
    it(`--taskmanagers ${taskManagers}: with --drain every window of the events read fires before the savepoint`, { timeout: 180_000 }, async () => {
      const { lines, read } = await stopped(taskManagers, true);
      assert.deepEqual(lines, windowsOf(read), `the windows of the ${read} events the savepoint read, the last ones partial`);
    });

    it(`--taskmanagers ${taskManagers}: without --drain the windows still open are not in the output`, { timeout: 180_000 }, async () => {
      const { lines, read } = await stopped(taskManagers, false);
      const all = windowsOf(read);
      const missing = all.filter((l) => !lines.includes(l));
      assert.deepEqual(
        lines.filter((l) => !all.includes(l)),
        [],
        'every window in the output is one of the events read',
      );
      // The window of the last event read cannot have fired: the watermark is 20 ms behind it.
      const last = read - 1;
      const lastWindow = { key: `k${(last * 13) % 11}`, start: Math.floor((last * 10) / 1000) * 1000 };
      assert.ok(
        missing.some((l) => {
          const w = JSON.parse(l) as { key: string; start: number };
          return w.key === lastWindow.key && w.start === lastWindow.start;
        }),
        `the window ${JSON.stringify(lastWindow)} of the last event read is not in the output`,
      );
    });
  }
});
