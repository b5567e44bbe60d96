/**
 * `weir export`, `weir run <dir>` and `weir plan` end to end, with the built CLI in child
 * processes: every example notebook's jobs, exported and run, write what the notebook writes;
 * savepoints move between a notebook and its exported job both ways; job.json validates
 * against schema/job.schema.json; an exported job runs from a copy outside the repository with
 * only the packed and installed `weir` package.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { installPacked } from '../../harness/install-packed.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const weirBin = path.join(root, 'bin/weir.mjs');
const schema = JSON.parse(readFileSync(path.join(root, 'schema/job.schema.json'), 'utf8')) as object;
const validateJobFile = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <bin> ...args` in `cwd`. */
function weir(args: string[], cwd: string, env: Record<string, string> = {}, bin = weirBin): Run {
  const child = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/**
 * A working directory holding copies of the example notebooks and their `data/` (a notebook
 * reads relative paths in its own folder, an exported job in the directory it runs in).
 */
function workDir(parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  symlinkSync(path.join(root, 'notebooks', 'data'), path.join(dir, 'data'));
  for (const file of readdirSync(path.join(root, 'notebooks')).filter((f) => f.endsWith('.ts'))) copyFileSync(path.join(root, 'notebooks', file), path.join(dir, file));
  return dir;
}

/**
 * What the sinks wrote under `dir`: per directory (relative to `dir`), the sorted lines of its
 * JSONL files. Parallel sink subtasks write their own part files, so lines are compared per directory.
 */
function sinkOutput(dir: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.jsonl')) {
        // Committed part files only: `.pending` and `.inprogress` parts are not output yet.
        const key = path.relative(dir, d) || '.';
        (result[key] ??= []).push(...readFileSync(full, 'utf8').split('\n').filter(Boolean));
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  for (const lines of Object.values(result)) lines.sort();
  return result;
}

function totalLines(output: Record<string, string[]>): number {
  return Object.values(output).reduce((n, lines) => n + lines.length, 0);
}

/**
 * Starts a run, interrupts it with SIGINT once `started()` says the job has made progress, and
 * returns the savepoint path it printed.
 */
async function stopWithSavepoint(args: string[], cwd: string, env: Record<string, string>, started: () => boolean): Promise<string> {
  const child = spawn(process.execPath, [weirBin, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let ended = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      ended = true;
      resolve(code);
    }),
  );
  for (let waited = 0; !started() && !ended; waited += 50) {
    assert.ok(waited < 30_000, `the job made no progress in 30 s:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 0, `stop-with-savepoint failed:\n${stderr}`);
  const m = /^savepoint: (.+)$/m.exec(stdout);
  assert.ok(m, `a 'savepoint: <path>' line on stdout:\n${stdout}\n${stderr}`);
  return m[1]!;
}

/** The specifiers of the static imports of an ES module's text. */
function importSpecifiers(code: string): string[] {
  return [...code.matchAll(/^\s*import\s[^'"]*?from\s*["']([^"']+)["'];?$|^\s*import\s*["']([^"']+)["'];?$/gm)].map((m) => m[1] ?? m[2]!);
}

/**
 * The example notebooks, the jobs each runs (the name given to execute()), and how many
 * taskmanagers run them. fraud-alerts runs in-process: with worker processes its output differs
 * from run to run even for the notebook itself (a card's transactions cross a rebalance before
 * the keyBy, so their order at the keyed function depends on timing), and only a deterministic
 * job can be compared with its export.
 */
const EXAMPLES: Array<{ notebook: string; jobs: string[]; taskManagers: number }> = [
  { notebook: 'sensor-averages.ts', jobs: ['sensor averages (streaming)', 'sensor averages (batch)'], taskManagers: 2 },
  { notebook: 'fraud-alerts.ts', jobs: ['fraud alerts'], taskManagers: 0 },
  { notebook: 'clickstream-sessions.ts', jobs: ['clickstream sessions'], taskManagers: 2 },
  { notebook: 'replay-trips.ts', jobs: ['replay trips'], taskManagers: 2 },
];

/** Notebooks of `[flink-sql]` cells, which print rather than write files: export-flink-sql.test.ts exports them with --flink-sql. */
const FLINK_SQL_EXAMPLES = ['sql-clickstream.ts'];

describe('weir export / run <dir> / plan', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'weir-export-test-'));
  /** Exported jobs by notebook, and what they wrote, for the tests that reuse them. */
  const exportedJobs = new Map<string, string>();
  const outputs = new Map<string, Record<string, string[]>>();

  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('lists every example notebook job, and every notebook has one', () => {
    const present = readdirSync(path.join(root, 'notebooks')).filter((f) => f.endsWith('.ts') && !FLINK_SQL_EXAMPLES.includes(f));
    assert.deepEqual(present.sort(), EXAMPLES.map((e) => e.notebook).sort(), 'a new example notebook must be added to EXAMPLES');
  });

  for (const { notebook, jobs, taskManagers } of EXAMPLES) {
    it(`${notebook}: the exported jobs write what the notebook writes, and their job.json validates`, () => {
      const base = path.join(scratch, notebook.replace(/\.ts$/, ''));
      const inNotebook = workDir(base, 'notebook');
      const inJob = workDir(base, 'job');
      const source = path.join(inNotebook, notebook);

      const run = weir(['run', source, '--taskmanagers', String(taskManagers)], inNotebook);
      assert.equal(run.code, 0, run.stderr);
      const expected = sinkOutput(path.join(inNotebook, 'out'));
      assert.ok(totalLines(expected) > 0, 'the notebook writes output');

      for (const [i, job] of jobs.entries()) {
        const dir = path.join(base, `job-${i}`);
        const exported = weir(['export', source, ...(jobs.length > 1 ? ['--job', job] : []), '--out', dir], inJob);
        assert.equal(exported.code, 0, exported.stderr);
        assert.match(exported.stdout, new RegExp(`exported job '${job.replace(/[()]/g, '\\$&')}'`));
        const jobFile = JSON.parse(readFileSync(path.join(dir, 'job.json'), 'utf8')) as { name: string; vertices: { uid: string }[] };
        assert.ok(validateJobFile(jobFile), JSON.stringify(validateJobFile.errors));
        assert.equal(jobFile.name, job);
        // The bundle imports only the engine, by its package name, and Node's builtins.
        const specifiers = importSpecifiers(readFileSync(path.join(dir, 'bundle.mjs'), 'utf8'));
        assert.ok(specifiers.includes('weir'), specifiers.join(', '));
        assert.deepEqual(specifiers.filter((s) => s !== 'weir' && !isBuiltin(s)), []);
        assert.match(readFileSync(path.join(dir, 'README.md'), 'utf8'), /weir run/);

        const ran = weir(['run', dir, '--taskmanagers', String(taskManagers)], inJob);
        assert.equal(ran.code, 0, ran.stderr);
        assert.match(ran.stderr, new RegExp(`job '.*' ✓ \\d+ ms`));
        exportedJobs.set(notebook, dir);
      }
      const actual = sinkOutput(path.join(inJob, 'out'));
      assert.deepEqual(actual, expected);
      outputs.set(notebook, actual);
    });
  }

  it('a notebook with several jobs needs --job, and an unknown --job names the jobs', () => {
    const cwd = workDir(scratch, 'choose');
    const source = path.join(root, 'notebooks/sensor-averages.ts');
    const several = weir(['export', source, '--out', 'x'], cwd);
    assert.equal(several.code, 1);
    assert.equal(
      several.stderr.trim().split('\n').at(-1),
      "error: the notebook runs 2 jobs: 'sensor averages (streaming)', 'sensor averages (batch)'; pick one with --job <name>",
    );
    const unknown = weir(['export', source, '--job', 'nope', '--out', 'x'], cwd);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no job named 'nope': its jobs are 'sensor averages \(streaming\)', 'sensor averages \(batch\)'/);
    assert.equal(existsSync(path.join(cwd, 'x')), false, 'nothing is written');
    const noOut = weir(['export', source], cwd);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /--out <dir> is required/);
  });

  it('refuses to run a bundle whose graph differs from job.json, naming the vertex', () => {
    const cwd = workDir(scratch, 'mismatch');
    const dir = path.join(cwd, 'job');
    assert.ok(exportedJobs.has('fraud-alerts.ts'), 'the fraud-alerts export ran first');
    cpSync(exportedJobs.get('fraud-alerts.ts')!, dir, { recursive: true });
    const file = path.join(dir, 'job.json');
    const job = JSON.parse(readFileSync(file, 'utf8')) as { vertices: { uid: string; parallelism: number }[] };
    const keyed = job.vertices.find((v) => v.uid === 'small-then-large')!;
    keyed.parallelism = 3;
    writeFileSync(file, JSON.stringify(job));
    const ran = weir(['run', dir, '--taskmanagers', '0'], cwd);
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /vertex 'KeyedProcess' \(uid small-then-large\): parallelism is 3 in job\.json, 2 in the bundle/);
    assert.equal(existsSync(path.join(cwd, 'out')), false, 'the job did not run');

    writeFileSync(file, JSON.stringify({ ...job, version: 99 }));
    const newer = weir(['run', dir], cwd);
    assert.equal(newer.code, 1);
    assert.match(newer.stderr, /job\.json: version is 99, but this weir reads version 1/);
  });

  it('weir plan prints one line per operator with parallelism and partitioners, or job.json as JSON', () => {
    const cwd = workDir(scratch, 'plan');
    const text = weir(['plan', path.join(root, 'notebooks/clickstream-sessions.ts')], cwd);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^job 'clickstream sessions' · streaming · checkpoints off · restarts: none$/);
    assert.equal(lines.length, 1 + 5);
    assert.match(lines[3]!, /^ {2}#2 Window\(EventTimeSessionWindows\(1800000\), process\) +\[window, keyed\] +parallelism 2\/128 +task 2 +uid sessions +← #1 hash +assigner=EventTimeSessionWindows\(1800000\)/);
    assert.match(lines[5]!, /← #2 forward \(side output late-clicks\)/);

    const json = weir(['plan', path.join(root, 'notebooks/sensor-averages.ts'), '--job', 'sensor averages (batch)', '--json'], cwd);
    assert.equal(json.code, 0, json.stderr);
    const plan = JSON.parse(json.stdout) as { name: string; mode: string };
    assert.ok(validateJobFile(plan), JSON.stringify(validateJobFile.errors));
    assert.equal(plan.name, 'sensor averages (batch)');
    assert.equal(plan.mode, 'batch');
  });

  it('the schema rejects a job.json without uids or with an unknown partitioner', () => {
    const job = { version: 1, name: 'j', mode: 'streaming', autoWatermarkInterval: 200, entry: { file: 'bundle.mjs', cell: 0, occurrence: 0 } };
    const vertex = { id: 0, uid: 'a', name: 'A', kind: 'source', parallelism: 1, maxParallelism: 128, chainable: true };
    assert.ok(validateJobFile({ ...job, vertices: [vertex], edges: [] }), JSON.stringify(validateJobFile.errors));
    const { uid: _uid, ...noUid } = vertex;
    assert.equal(validateJobFile({ ...job, vertices: [noUid], edges: [] }), false);
    const edge = { source: 0, target: 0, partitioner: 'teleport', inputIndex: 0 };
    assert.equal(validateJobFile({ ...job, vertices: [vertex], edges: [edge] }), false);
  });

  describe('savepoints move between the notebook and its exported job', () => {
    const fixture = path.join(root, 'test/fixtures/cluster/savepoint.ts');
    const base = path.join(scratch, 'savepoints');
    const dir = path.join(base, 'job');
    const windows = (out: string) => sinkOutput(out)['windows'] ?? [];
    const flags = ['--taskmanagers', '2', '--parallelism', '2'];
    // What an uninterrupted run writes, computed from the fixture's generator: event i has key
    // k((13 i) mod 11), time 10 i and value i mod 97; windows are 1 s tumbling sums per key.
    const sums = new Map<string, { key: string; start: number; sum: number }>();
    for (let i = 0; i < 12_000; i++) {
      const key = `k${(i * 13) % 11}`;
      const start = Math.floor((i * 10) / 1000) * 1000;
      const w = sums.get(`${key}@${start}`) ?? { key, start, sum: 0 };
      w.sum += i % 97;
      sums.set(`${key}@${start}`, w);
    }
    const baseline = [...sums.values()].map((w) => JSON.stringify(w)).sort();
    const progressed = (out: string) => () => windows(out).length > 0;
    // The stopped runs hold their source open at its end (WEIR_TEST_HOLD): on a loaded machine
    // the stop could otherwise come after the bounded job has finished, leaving no savepoint.

    before(() => {
      mkdirSync(base, { recursive: true });
      const exported = weir(['export', fixture, '--out', dir], base, { WEIR_TEST_OUT: path.join(base, 'export-time') });
      assert.equal(exported.code, 0, exported.stderr);
    });

    it('notebook savepoint → exported job: same output as an uninterrupted run', async () => {
      assert.equal(baseline.length, 11 * 120);
      const out = path.join(base, 'nb-to-job');
      const savepoint = await stopWithSavepoint(['run', fixture, ...flags, '--savepoint-dir', path.join(base, 'sp1')], base, { WEIR_TEST_OUT: out, WEIR_TEST_HOLD: '1' }, progressed(out));
      assert.ok(windows(out).length < baseline.length, 'the notebook was stopped before its end');
      const resumed = weir(['run', dir, ...flags, '--from-savepoint', savepoint], base, { WEIR_TEST_OUT: out });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.deepEqual(windows(out), baseline);
    });

    it('exported job savepoint → notebook: same output as an uninterrupted run', async () => {
      const out = path.join(base, 'job-to-nb');
      const savepoint = await stopWithSavepoint(['run', dir, ...flags, '--savepoint-dir', path.join(base, 'sp2')], base, { WEIR_TEST_OUT: out, WEIR_TEST_HOLD: '1' }, progressed(out));
      assert.ok(windows(out).length < baseline.length, 'the exported job was stopped before its end');
      const resumed = weir(['run', fixture, ...flags, '--from-savepoint', savepoint], base, { WEIR_TEST_OUT: out });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.deepEqual(windows(out), baseline);
    });
  });

  it('runs a copy of an exported job outside the repository with only the installed weir package', () => {
    const exported = exportedJobs.get('clickstream-sessions.ts');
    assert.ok(exported, 'the clickstream-sessions export ran first');
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'weir-installed-'));
    try {
      // The package as npm would publish it (its "files": bin and dist), installed into a project
      // that has nothing else, with no registry: an empty npm cache, offline. Its dependencies
      // come from the repository's node_modules, as `npm ci` left them.
      const npmEnv = { ...process.env, npm_config_cache: path.join(elsewhere, 'npm-cache'), npm_config_offline: 'true' };
      const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', elsewhere], { cwd: root, encoding: 'utf8', env: npmEnv });
      assert.equal(packed.status, 0, packed.stderr);
      const tarball = path.join(elsewhere, packed.stdout.trim().split('\n').at(-1)!);
      const project = path.join(elsewhere, 'project');
      mkdirSync(project);
      writeFileSync(path.join(project, 'package.json'), '{ "name": "uses-weir", "private": true }\n');
      installPacked(tarball, project, path.join(root, 'node_modules'));
      const bin = path.join(project, 'node_modules/weir/bin/weir.mjs');
      assert.ok(existsSync(path.join(project, 'node_modules/weir/dist/cli.mjs')));
      assert.ok(existsSync(path.join(project, 'node_modules/weir/schema/job.schema.json')), 'the package ships the job.json schema');
      assert.equal(existsSync(path.join(project, 'node_modules/weir/engine')), false, 'the package ships no sources');

      const job = path.join(elsewhere, 'sessions-job');
      cpSync(exported, job, { recursive: true });
      const cwd = path.join(elsewhere, 'run');
      mkdirSync(cwd);
      const ran = weir(['run', job, '--taskmanagers', '2'], cwd, {}, bin);
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(sinkOutput(path.join(cwd, 'out')), outputs.get('clickstream-sessions.ts'));
      const plan = weir(['plan', job], cwd, {}, bin);
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, /uid sessions/);
      assert.ok(statSync(tarball).size > 0);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
