/**
 * `weir run` end to end: the built CLI in a child process, with the real engine.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = 'test/fixtures/notebooks';
const engineReady = existsSync(path.join(root, 'engine/index.node.ts'));

interface JobReportJson {
  name: string;
  status: string;
  error?: string;
  operators: Array<{ name: string; parallelism: number; recordsIn: number; recordsOut: number }>;
}

/** Runs `node bin/weir.mjs ...args` from the repository root. */
function weir(args: string[], cwd = root): { code: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('weir run (built CLI)', { skip: !engineReady && 'engine/index.node.ts does not exist yet' }, () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-cli-test-'));
  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('runs cells in order: output on stdout, one status line per cell on stderr, exit 0', () => {
    const out = weir(['run', `${fixtures}/hello.ts`]);
    assert.equal(out.code, 0, out.stderr);
    // The SQL cell's result table comes between the two code cells' output.
    assert.equal(out.stdout, 'hello world\n1\n─\n1\n(1 row)\nA,B\n');
    const lines = out.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 3, out.stderr);
    assert.match(lines[0]!, /^cell 2 ✓ \d+ ms$/);
    assert.match(lines[1]!, /^cell 3 \[sql\] ✓ \d+ ms$/);
    assert.match(lines[2]!, /^cell 4 ✓ \d+ ms$/);
  });

  it('exits 1 on a failing cell with the error located in the notebook file', () => {
    const out = weir(['run', `${fixtures}/fails.ts`]);
    assert.equal(out.code, 1);
    assert.equal(out.stdout, 'before\n1\n');
    const lines = out.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^cell 1 ✓ \d+ ms$/);
    assert.match(lines[2]!, /^cell 3 ✗ \d+ ms$/);
    assert.equal(lines[3], `error: cell 3, ${fixtures}/fails.ts:7:30: RangeError: not a number: x`);
    assert.equal(lines[4], `    at parse (${fixtures}/fails.ts:7:30)`);
    assert.equal(lines[5], `    at ${fixtures}/fails.ts:13:1`);
    assert.equal(lines.length, 6);
  });

  it('runs engine jobs and writes their reports with --report', () => {
    const report = path.join(scratch, 'jobs.json');
    const out = weir(['run', `${fixtures}/jobs.ts`, '--report', report]);
    assert.equal(out.code, 0, out.stderr);
    for (const value of ['2', '4', '6', 'A', 'B']) assert.match(out.stdout, new RegExp(`^(.*> )?${value}$`, 'm'));
    const jobs = (JSON.parse(readFileSync(report, 'utf8')) as { jobs: JobReportJson[] }).jobs;
    assert.deepEqual(
      jobs.map((j) => [j.name, j.status]),
      [
        ['doubling', 'FINISHED'],
        ['upper', 'FINISHED'],
      ],
    );
  });

  it('passes --parallelism and --mode to environments as defaults', () => {
    const report = path.join(scratch, 'parallel.json');
    const out = weir(['run', `${fixtures}/jobs.ts`, '--mode', 'batch', '--parallelism', '2', '--report', report]);
    assert.equal(out.code, 0, out.stderr);
    const jobs = (JSON.parse(readFileSync(report, 'utf8')) as { jobs: JobReportJson[] }).jobs;
    const map = jobs[0]!.operators.find((o) => /map/i.test(o.name));
    assert.equal(map?.parallelism, 2, JSON.stringify(jobs[0]!.operators));
  });

  it('locates an error inside a job at the user function, and reports the failed job', () => {
    const report = path.join(scratch, 'failed.json');
    const out = weir(['run', `${fixtures}/job-fails.ts`, '--report', report]);
    assert.equal(out.code, 1);
    const error = out.stderr.split('\n').find((line) => line.startsWith('error: '));
    assert.match(error ?? out.stderr, new RegExp(`^error: cell 3, ${fixtures}/job-fails.ts:8:24: JobExecutionError: Job 'strict' failed .*two is not allowed$`));
    const jobs = (JSON.parse(readFileSync(report, 'utf8')) as { jobs: JobReportJson[] }).jobs;
    assert.deepEqual(
      jobs.map((j) => [j.name, j.status]),
      [['strict', 'FAILED']],
    );
  });

  it('fails the run when a callback throws after its cell finished', () => {
    const out = weir(['run', `${fixtures}/late-throw.ts`]);
    assert.equal(out.code, 1);
    assert.equal(out.stdout, '');
    assert.match(out.stderr, new RegExp(`^error: cell 2, ${fixtures}/late-throw.ts:4:9: thrown from a timer$`, 'm'));
  });

  it("runs a notebook outside the repository that imports 'weir' and a helper next to it", () => {
    const dir = mkdtempSync(path.join(scratch, 'elsewhere-'));
    copyFileSync(path.join(root, fixtures, 'jobs.ts'), path.join(dir, 'jobs.ts'));
    writeFileSync(path.join(dir, 'names.ts'), "export const names = ['x', 'y'];\n");
    writeFileSync(
      path.join(dir, 'nb.ts'),
      "import { StreamExecutionEnvironment } from 'weir';\nimport { names } from './names.ts';\n// %%\nconst env = StreamExecutionEnvironment.create();\nenv.fromElements(...names).print();\nawait env.execute('names');\n",
    );
    const out = weir(['run', 'nb.ts'], dir);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^(.*> )?x$/m);
    assert.match(out.stdout, /^(.*> )?y$/m);
  });

  it('rejects bad flags with exit code 2', () => {
    const out = weir(['run', `${fixtures}/hello.ts`, '--parallelism', '-3']);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /^error: .*parallelism.*\n$/);
    assert.equal(weir(['--version']).stdout, `weir ${(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });
});
