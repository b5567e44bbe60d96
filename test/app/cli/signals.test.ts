/**
 * `weir run` under signals, in a real pseudo-terminal (util-linux `script`): Ctrl+C reaches only
 * `weir run` (workers run in sessions of their own), which stops with a savepoint that resumes
 * to the exact output; a second Ctrl+C cancels at once; SIGTERM acts like the first Ctrl+C. And
 * what it says meanwhile: the status line on a terminal (none with --quiet or off a terminal),
 * restarts with their cause after a taskmanager is killed, and after the jobmanager is killed the
 * last checkpoint with a command that resumes from it, exactly; failed checkpoints.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { committedLines } from '../../harness/jsonl-output.ts';
import { alive, descendants } from '../../harness/processes.ts';
import { until } from '../../harness/until.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const weirBin = path.join(root, 'bin/weir.mjs');
const savepointJob = path.join(root, 'test/fixtures/cluster/savepoint.ts');
const faultTolerantJob = path.join(root, 'test/fixtures/cluster/fault-tolerant.ts');

/** util-linux `script`, which runs a command in a pseudo-terminal; undefined where there is none. */
const scriptTool = (() => {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && /util-linux/.test(probe.stdout) ? 'script' : undefined;
})();

/** A running `weir run`, with everything it printed so far. */
interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

function track(child: ChildProcess): Run {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) => until(`${pattern} in the output:\n${out}`, () => (pattern.test(out) ? true : undefined), timeoutMs).then(() => {}),
  };
}

/** `weir run` in a pseudo-terminal: what is written to `child.stdin` is typed at it. */
function runInTerminal(args: string[], env: Record<string, string>): Run {
  // `exec`: `script` runs the command through $SHELL, and dash (Debian's /bin/sh) stays as a
  // parent in the terminal's foreground group, where Ctrl+C kills it and `script` reports 130
  // whatever `weir run` did. With exec the shell becomes `weir run`, as typed in a terminal.
  const command = ['exec', ...[process.execPath, weirBin, 'run', ...args].map((w) => `'${w.replace(/'/g, `'\\''`)}'`)].join(' ');
  // -e: exit with the command's code; -q: no banner; /dev/null: no typescript file. COLUMNS
  // wide enough that the status line is not cut before the figures the test reads. SHELL: the
  // same shell on every machine (CI's environment had none set, so `script` used /bin/sh).
  const child = spawn(scriptTool!, ['-q', '-e', '-c', command, '/dev/null'], { cwd: root, env: { ...process.env, SHELL: '/bin/sh', COLUMNS: '400', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  return track(child);
}

/** `weir run` with pipes (not a terminal). */
function runPiped(args: string[], env: Record<string, string>): Run {
  return track(spawn(process.execPath, [weirBin, 'run', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

function runToEnd(args: string[], env: Record<string, string>): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [weirBin, 'run', ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, output: r.stdout + r.stderr };
}

/** Waits until no weir worker process is left below `pid`. */
async function noWorkersBelow(pid: number): Promise<void> {
  await until('the workers to end', () => (descendants(pid, /^weir-(job|task)manager/).length === 0 ? true : undefined), 20_000);
}

describe('weir run under signals, in a terminal', { skip: scriptTool ? false : 'no pseudo-terminal tool: util-linux script is not installed' }, () => {
  let scratch: string;
  let tmp: string;
  let baseline: string[];
  const env = () => ({ TMPDIR: tmp });

  before(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-signals-test-'));
    // A private temp dir: what this run leaves there is its own.
    tmp = path.join(scratch, 'tmp');
    mkdirSync(tmp);
    const out = path.join(scratch, 'baseline');
    const run = runToEnd([savepointJob, '--taskmanagers', '2'], { ...env(), WEIR_TEST_OUT: out });
    assert.equal(run.code, 0, run.output);
    baseline = committedLines(path.join(out, 'windows'));
    assert.ok(baseline.length > 100, `the uninterrupted run wrote its windows (${baseline.length})`);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('Ctrl+C stops with a savepoint (status line shown meanwhile), exits 0, and --from-savepoint resumes to the exact output', async () => {
    const out = path.join(scratch, 'ctrl-c');
    const run = runInTerminal([savepointJob, '--taskmanagers', '2', '--savepoint-dir', path.join(scratch, 'sp')], { ...env(), WEIR_TEST_OUT: out });
    // The status line names a completed checkpoint, and some windows are committed.
    await run.waitFor(/rec\/s, watermark \d+, checkpoint \d+ \(\d+ s ago\)/);
    await until('committed windows', () => (committedLines(path.join(out, 'windows')).length > 0 ? true : undefined), 60_000);
    run.child.stdin!.write('\x03');
    const code = await run.exited;
    assert.equal(code, 0, run.output());
    const m = /^savepoint: (\S+)\r?$/m.exec(run.output());
    assert.ok(m, `a 'savepoint: <path>' line:\n${run.output()}`);
    assert.match(run.output(), /SIGINT: stopping the running jobs with a savepoint/);
    assert.doesNotMatch(run.output(), /killed by SIGINT/, 'no worker got the terminal\'s SIGINT');
    assert.ok(committedLines(path.join(out, 'windows')).length < baseline.length, 'stopped before the end');
    await noWorkersBelow(run.child.pid!);

    const resumed = runToEnd([savepointJob, '--taskmanagers', '2', '--from-savepoint', m[1]!], { ...env(), WEIR_TEST_OUT: out });
    assert.equal(resumed.code, 0, resumed.output);
    assert.deepEqual(committedLines(path.join(out, 'windows')), baseline);
  });

  it('a second Ctrl+C cancels at once; with --quiet there is no status line', async () => {
    const out = path.join(scratch, 'twice');
    const run = runInTerminal([savepointJob, '--taskmanagers', '2', '--quiet', '--savepoint-dir', path.join(scratch, 'sp-twice')], { ...env(), WEIR_TEST_OUT: out });
    await run.waitFor(/job 'savepoint job': RUNNING/);
    run.child.stdin!.write('\x03');
    await run.waitFor(/SIGINT: stopping/);
    run.child.stdin!.write('\x03');
    const code = await run.exited;
    assert.match(run.output(), /SIGINT again: cancelling at once/);
    assert.doesNotMatch(run.output(), /^savepoint: /m);
    assert.equal(code, 130, run.output());
    assert.doesNotMatch(run.output(), /rec\/s/, 'no status line with --quiet');
    await noWorkersBelow(run.child.pid!);
  });

  it('SIGTERM stops with a savepoint as the first Ctrl+C does; off a terminal there is no status line', async () => {
    const out = path.join(scratch, 'sigterm');
    const run = runPiped([savepointJob, '--taskmanagers', '2', '--savepoint-dir', path.join(scratch, 'sp-term')], { ...env(), WEIR_TEST_OUT: out });
    await run.waitFor(/job 'savepoint job': RUNNING/);
    await until('committed windows', () => (committedLines(path.join(out, 'windows')).length > 0 ? true : undefined), 60_000);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.output());
    assert.match(run.output(), /^savepoint: \S+$/m);
    assert.doesNotMatch(run.output(), /rec\/s/, 'no status line off a terminal');
    assert.ok(!run.output().includes('\u001b[K'), 'no line rewriting off a terminal');
  });

  it('a killed taskmanager: the restart is printed with its cause (taskmanager, pid, signal)', async () => {
    const out = path.join(scratch, 'tm-kill');
    const run = runPiped([faultTolerantJob, '--taskmanagers', '2'], { ...env(), WEIR_TEST_OUT: out, WEIR_TEST_RECORDS: '60000', WEIR_TEST_RATE: '5000' });
    await run.waitFor(/job 'fault tolerant': RUNNING/);
    const victim = await until('a taskmanager', () => descendants(run.child.pid!, /^weir-taskmanager/)[0]);
    process.kill(victim.pid, 'SIGKILL');
    // A restart starts a new taskmanager; with two suites sharing two cores that once took over a minute.
    await run.waitFor(new RegExp(`job 'fault tolerant': restart 1, after taskmanager \\d+ \\(pid ${victim.pid}\\) was killed by SIGKILL`), 240_000);
    assert.equal(await run.exited, 0, run.output());
    assert.match(run.output(), /job 'fault tolerant': FINISHED/);
  });

  it('a killed jobmanager: the last completed checkpoint and the command that resumes from it, which completes the output exactly', async () => {
    const base = path.join(scratch, 'jm-base');
    const full = runToEnd([faultTolerantJob, '--taskmanagers', '2'], { ...env(), WEIR_TEST_OUT: base, WEIR_TEST_RECORDS: '60000', WEIR_TEST_RATE: '5000' });
    assert.equal(full.code, 0, full.output);
    const expected = committedLines(path.join(base, 'windows'));

    const out = path.join(scratch, 'jm-kill');
    const checkpoints = path.join(scratch, 'jm-checkpoints');
    const args = [faultTolerantJob, '--taskmanagers', '2', '--checkpoint-dir', checkpoints];
    const runEnv = { ...env(), WEIR_TEST_OUT: out, WEIR_TEST_RECORDS: '60000', WEIR_TEST_RATE: '5000' };
    const run = runPiped(args, runEnv);
    await run.waitFor(/job 'fault tolerant': RUNNING/);
    await until('committed windows', () => (committedLines(path.join(out, 'windows')).length > 0 ? true : undefined), 60_000);
    const jobManager = await until('the jobmanager', () => descendants(run.child.pid!, /^weir-jobmanager/)[0]);
    process.kill(jobManager.pid, 'SIGKILL');
    await run.exited;
    assert.match(run.output(), /the jobmanager killed by SIGKILL/);
    // Orphaned taskmanagers end quietly: none crashes writing to the dead jobmanager (EPIPE).
    assert.doesNotMatch(run.output(), /Unhandled 'error' event|EPIPE/);
    const m = /last completed checkpoint: \d+ at (\S+)\n\s+resume with: (.+)$/m.exec(run.output());
    assert.ok(m, `the checkpoint and the resume command:\n${run.output()}`);
    assert.ok(committedLines(path.join(out, 'windows')).length < expected.length, 'killed before the end');
    await until('the workers to end', () => (descendants(run.child.pid!).length === 0 && !alive(jobManager.pid) ? true : undefined), 20_000);

    // The printed command, as a user would paste it (npx weir → this repository's bin).
    const words = m[2]!.split(' ');
    assert.deepEqual(words.slice(0, 3), ['npx', 'weir', 'run']);
    assert.equal(words.at(-1), m[1]);
    const resumed = runToEnd(words.slice(3).map((w) => w.replace(/^'(.*)'$/, '$1')), runEnv);
    assert.equal(resumed.code, 0, resumed.output);
    assert.deepEqual(committedLines(path.join(out, 'windows')), expected);
  });

  it('leaves no weir-* temp folder of its runs once the next run has started', () => {
    const next = runToEnd(['--help'], env());
    assert.equal(next.code, 0);
    const started = runToEnd([savepointJob, '--taskmanagers', '1', '--mode', 'batch'], { ...env(), WEIR_TEST_OUT: path.join(scratch, 'last') });
    assert.equal(started.code, 0, started.output);
    assert.deepEqual(
      readdirSync(tmp).filter((n) => n.startsWith('weir-') && n !== 'weir-checkpoints'),
      [],
    );
  });
});

describe('weir run says what happens', () => {
  it('prints each failed checkpoint with its reason, once', () => {
    const run = runToEnd([path.join(root, 'test/fixtures/cli/slow-checkpoints.ts'), '--taskmanagers', '2'], {});
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /^job 'slow checkpoints': RUNNING$/m);
    const failed = [...run.output.matchAll(/^job 'slow checkpoints': checkpoint (\d+) failed: expired after 10 ms/gm)].map((m) => Number(m[1]));
    assert.ok(failed.length > 0, run.output);
    assert.equal(new Set(failed).size, failed.length, 'each failure is said once');
    assert.match(run.output, /^job 'slow checkpoints': FINISHED$/m);
  });
});
