/**
 * A savepoint that cannot be restored is refused before anything runs, naming what differs and
 * what to do, and `weir savepoint check` prints the same report without running a job: another
 * job's savepoint, a changed window assigner, a changed window state kind, a changed accumulator
 * shape. A compatible one passes the check; --allow-job-mismatch and --allow-non-restored-state
 * let the user through.
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
const notebook = path.join(root, 'test/fixtures/cluster/restore-check.ts');
const weirBin = path.join(root, 'bin/weir.mjs');

describe('restore checked before anything runs', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-restore-check-'));
  let savepoint = '';
  let n = 0;

  /** `weir savepoint check <savepoint> <notebook>` with the notebook's variant. */
  function check(variant: string, ...flags: string[]) {
    return spawnSync(process.execPath, [weirBin, 'savepoint', 'check', savepoint, notebook, ...flags], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WEIR_TEST_OUT: path.join(scratch, 'never'), WEIR_TEST_VARIANT: variant },
      timeout: 60_000,
    });
  }

  /** `weir run --from-savepoint` of the variant; its output directory, to see that nothing ran. */
  function resume(variant: string, ...flags: string[]) {
    const out = path.join(scratch, `resume-${n++}`);
    const r = spawnSync(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '1', '--from-savepoint', savepoint, ...flags], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WEIR_TEST_OUT: out, WEIR_TEST_VARIANT: variant },
      timeout: 60_000,
    });
    return { ...r, out };
  }

  before(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    const out = path.join(scratch, 'first');
    const child = spawn(process.execPath, [weirBin, 'run', notebook, '--taskmanagers', '1', '--savepoint-dir', path.join(scratch, 'savepoints')], {
      cwd: root,
      env: { ...process.env, WEIR_TEST_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Stop once windows are committed: the job runs and checkpoints by then.
    for (const deadline = Date.now() + 60_000; committedLines(path.join(out, 'windows')).length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    savepoint = /^savepoint: (.+)$/m.exec(stdout)?.[1] ?? '';
    assert.ok(savepoint && existsSync(savepoint), `a savepoint was written:\n${stdout}\n${stderr}`);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('the unchanged job passes the check', () => {
    const r = check('');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /can be restored into job 'restore check job' \(\d+ operators? with state matched\)/);
  });

  const refusals: { variant: string; what: RegExp }[] = [
    {
      variant: 'renamed',
      what: /is of job 'restore check job', but the notebook runs no job of that name \(it runs 'renamed job'\).*--allow-job-mismatch/,
    },
    {
      variant: 'two-second',
      what: /operator 'Window\(.*\)' \(uid windows\): window assigner differs: savepoint TumblingEventTimeWindows size 1000 ms, job TumblingEventTimeWindows size 2000 ms\..*--allow-non-restored-state/,
    },
    {
      variant: 'reduce',
      what: /operator 'Window\(.*\)' \(uid windows\): window state differs: savepoint aggregate \(states .*\), job reduce .*--allow-non-restored-state/,
    },
    {
      variant: 'accumulator',
      what: /operator 'Window\(.*\)' \(uid windows\): state value shape differs: savepoint \{sum:number\}, job number\[\]\..*--allow-non-restored-state/,
    },
  ];
  for (const { variant, what } of refusals) {
    it(`'${variant}' is refused before anything runs, and the check says the same`, () => {
      const c = check(variant);
      assert.equal(c.status, 1, c.stdout + c.stderr);
      assert.match(c.stdout, what);
      const r = resume(variant);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, what);
      assert.doesNotMatch(r.stderr, /^cell 1/m, 'no cell ran');
      assert.ok(!existsSync(r.out), 'no output was written: no task started');
    });
  }

  it('--allow-job-mismatch and --allow-non-restored-state let the user through', () => {
    assert.equal(check('renamed', '--allow-job-mismatch').status, 0);
    const allowed = check('two-second', '--allow-non-restored-state');
    assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
    assert.match(allowed.stdout, /window assigner differs.*\[allowed: its state is not restored\]/);
  });
});
