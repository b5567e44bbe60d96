/**
 * The workbench's Plan and Export actions, through the service as the renderer calls them:
 * paths outside the served folder are refused, a notebook with several jobs needs a choice, an
 * export writes job.json + bundle.mjs + README.md that `weir plan` reads back, and a plan shows
 * tasks (chains) and partitioners without running any job.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JobExports, resolveExportDir } from '../../../app/host/job-exports.ts';
import { NotebookFiles } from '../../../app/host/notebook-files.ts';
import { defaultWeirModule } from '../../../app/kernel/weir-module.ts';
import { checkJobFile } from '../../../app/kernel/job-file.ts';
import { startHarness, type HostHarness } from './harness.ts';
import { fileURLToPath } from 'node:url';
import { NodeProcessLauncher, type ProcessLauncher } from '../../../engine/process/launcher.ts';
import { alive } from '../../harness/processes.ts';
import { until } from '../../harness/until.ts';

/** Two jobs; the sink's file would show that a job ran. */
const TWO_JOBS = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.fromCollection([1, 2, 3]).uid('numbers')
  .map((x) => x * 10).uid('times-ten')
  .keyBy((x) => x % 2)
  .reduce((a, b) => a + b).uid('sum')
  .sinkTo(Sinks.jsonl('ran/sums.jsonl')).uid('sums');
await env.execute('Sums (v2)');
// %%
const other = StreamExecutionEnvironment.create();
other.fromCollection(['a']).uid('letters').print();
await other.execute('letters');
`;

const ONE_JOB = `// %%
import { StreamExecutionEnvironment } from 'weir';
const env = StreamExecutionEnvironment.create();
env.fromCollection([1, 2]).uid('one-two').map((x) => x + 1).uid('plus-one').print();
await env.execute('plus one');
`;

describe('workbench Plan and Export', () => {
  let harness: HostHarness;
  before(async () => {
    harness = await startHarness({ 'two.ts': TWO_JOBS, 'one.ts': ONE_JOB, 'broken.ts': ONE_JOB.replace('await env.execute', "throw new Error('no data');\nawait env.execute") });
  });
  after(() => harness.close());

  it('refuses export directories outside the served folder, without writing anything', async () => {
    const outside = path.join(os.tmpdir(), `weir-outside-${process.pid}`);
    for (const out of ['../escaped', outside, '/etc/weir', '', '.', 'a/../../b']) {
      await assert.rejects(harness.service.exportJob({ path: 'one.ts', out }), /export directory/, `out ${JSON.stringify(out)}`);
    }
    assert.equal(existsSync(path.join(harness.dir, '..', 'escaped')), false);
    assert.equal(existsSync(outside), false);
  });

  it('refuses a directory reached through a symbolic link that leaves the folder, a file, and a folder of other files', () => {
    const target = harness.dir + '-link-target';
    mkdirSync(target, { recursive: true });
    after(() => rmSync(target, { recursive: true, force: true }));
    symlinkSync(target, path.join(harness.dir, 'link'));
    assert.throws(() => resolveExportDir(harness.dir, 'link/job'), /must be inside the folder: link\/job/);
    writeFileSync(path.join(harness.dir, 'plain-file'), 'x');
    assert.throws(() => resolveExportDir(harness.dir, 'plain-file'), /exists and is not a directory/);
    assert.equal(resolveExportDir(harness.dir, 'export/job'), path.join(harness.dir, 'export', 'job'));
    mkdirSync(path.join(harness.dir, 'docs'));
    writeFileSync(path.join(harness.dir, 'docs', 'README.md'), 'mine');
    assert.throws(() => resolveExportDir(harness.dir, 'docs'), /holds other files and no earlier export \(no job.json\): docs/);
  });

  it('asks for a choice when the notebook runs several jobs, and names them', async () => {
    const result = await harness.service.exportJob({ path: 'two.ts', out: 'export/any' });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(result.jobs, ['Sums (v2)', 'letters']);
    assert.match(result.message, /runs 2 jobs: 'Sums \(v2\)', 'letters'; choose one/);
    assert.equal(existsSync(path.join(harness.dir, 'export', 'any')), false);
    const unknown = await harness.service.exportJob({ path: 'two.ts', job: 'nope', out: 'export/any' });
    assert.ok(!unknown.ok);
    assert.match(unknown.message, /no job named 'nope'/);
  });

  it('exports the chosen job: job.json (valid, with uids), bundle.mjs and README.md, and the command to run it', async () => {
    const result = await harness.service.exportJob({ path: 'two.ts', job: 'Sums (v2)', out: 'export/sums' });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.job, 'Sums (v2)');
    assert.equal(result.dir, 'export/sums');
    assert.deepEqual([...result.files].sort(), ['export/sums/README.md', 'export/sums/bundle.mjs', 'export/sums/job.json']);
    assert.match(result.command, /^npx weir run \S*export\/sums$/);
    const jobFile = checkJobFile(JSON.parse(readFileSync(path.join(harness.dir, 'export/sums/job.json'), 'utf8')), 'job.json');
    assert.equal(jobFile.name, 'Sums (v2)');
    assert.deepEqual(jobFile.vertices.map((v) => v.uid), ['numbers', 'times-ten', 'sum', 'sums']);
    assert.equal(jobFile.entry.cell, 0);
    assert.match(readFileSync(path.join(harness.dir, 'export/sums/bundle.mjs'), 'utf8'), /from "weir"|from 'weir'/);
    assert.match(readFileSync(path.join(harness.dir, 'export/sums/README.md'), 'utf8'), /^# Sums \(v2\)/);
    // Found without running: the job's sink wrote nothing.
    assert.equal(existsSync(path.join(process.cwd(), 'ran', 'sums.jsonl')), false);
  });

  it('exports the only job without a choice', async () => {
    const result = await harness.service.exportJob({ path: 'one.ts', out: 'export/plus-one' });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.job, 'plus one');
    assert.ok(existsSync(path.join(harness.dir, 'export/plus-one/job.json')));
    // Exporting again overwrites the earlier export.
    const again = await harness.service.exportJob({ path: 'one.ts', out: 'export/plus-one' });
    assert.ok(again.ok, JSON.stringify(again));
  });

  it('plans every job with tasks, chained edges and partitioners', async () => {
    const plan = await harness.service.planJobs('two.ts');
    assert.equal(plan.path, 'two.ts');
    assert.equal(plan.error, undefined);
    assert.deepEqual(plan.jobs.map((j) => j.name), ['Sums (v2)', 'letters']);
    const sums = plan.jobs[0]!;
    assert.deepEqual(sums.operators.map((o) => [o.uid, o.kind, o.parallelism]), [
      ['numbers', 'source', 1],
      ['times-ten', 'map', 2],
      ['sum', 'reduce', 2],
      ['sums', 'sink', 2],
    ]);
    const edge = (source: string) => sums.edges.find((e) => e.source === source)!;
    assert.equal(edge('numbers').partitioner, 'rebalance');
    assert.equal(edge('times-ten').partitioner, 'hash');
    assert.equal(edge('sum').partitioner, 'forward');
    assert.equal(edge('sum').chained, true, 'sum → sink is chained');
    assert.notEqual(edge('times-ten').chained, true, 'a hash exchange is never chained');
    const task = (uid: string) => sums.operators.find((o) => o.uid === uid)!.task;
    assert.equal(task('sum'), task('sums'));
    assert.notEqual(task('times-ten'), task('sum'));
    assert.equal(sums.tasks, new Set(sums.operators.map((o) => o.task)).size);
    assert.match(sums.operators.find((o) => o.uid === 'sums')!.config ?? '', /sums\.jsonl/);
  });

  it('lists the jobs before a cell that throws, and says where it threw', async () => {
    const plan = await harness.service.planJobs('broken.ts');
    assert.deepEqual(plan.jobs, []);
    assert.match(plan.error ?? '', /cell 1 failed at .*broken\.ts:\d+:\d+: no data/);
    const result = await harness.service.exportJob({ path: 'broken.ts', out: 'export/broken' });
    assert.ok(!result.ok);
    assert.match(result.message, /starts no job.*no data/);
  });

  it('refuses notebooks outside the folder', async () => {
    await assert.rejects(harness.service.planJobs('../x.ts'), /not a path inside the folder/);
  });
});

describe('JobExports worker processes', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-export-worker-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** A notebook whose cell records its process id, then never finishes. */
  const hanging = (name: string): string => {
    writeFileSync(path.join(dir, name), `// %%\nimport { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(path.join(dir, `${name}.pid`))}, String(process.pid));\nawait new Promise(() => {});\n`);
    return name;
  };
  const exportsWith = (timeoutMs: number) => new JobExports({ files: new NotebookFiles(dir), weirModule: defaultWeirModule(), weirVersion: 'test', timeoutMs });

  /** Resolves once the hanging cell has run in the worker (it wrote its process id). */
  async function started(pidFile: string): Promise<void> {
    await until(`the worker to run the notebook cell (${pidFile})`, () => (existsSync(pidFile) ? true : undefined), 120_000);
  }

  /** Resolves once the process is gone (the worker was killed), or rejects after a while. */
  async function gone(pidFile: string): Promise<void> {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await until(`worker ${pid} to end`, () => (alive(pid) ? undefined : true), 30_000);
  }

  it('kills a task that does not answer in time, and says so', async () => {
    const notebook = hanging('slow.ts');
    const planned = exportsWith(8000).plan(notebook);
    const pidFile = path.join(dir, 'slow.ts.pid');
    // On a loaded machine the worker may be stopped before its cell ran: the answer is the same.
    const refused = assert.rejects(planned, /took longer than 8 s; stopped/);
    await Promise.race([started(pidFile), refused]);
    await refused;
    if (existsSync(pidFile)) await gone(pidFile);
  });

  it('kills running tasks on dispose', async () => {
    const notebook = hanging('disposed.ts');
    const exports = exportsWith(60_000);
    const planned = exports.plan(notebook);
    const pidFile = path.join(dir, 'disposed.ts.pid');
    await started(pidFile);
    exports.dispose();
    await assert.rejects(planned, /ended \(SIGKILL\) before answering/);
    await gone(pidFile);
  });
});

describe('export tasks started through a process launcher (as main starts utility processes in the desktop app)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-export-launcher-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('plans a notebook in a launched worker, which ends once it has answered, with no ELECTRON_RUN_AS_NODE', async () => {
    writeFileSync(path.join(dir, 'one.ts'), ONE_JOB);
    const launched: { role: string; env: Record<string, string> | undefined; pid: number }[] = [];
    const node = new NodeProcessLauncher({ 'export-worker': path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../app/kernel/export-worker.ts') });
    const launcher: ProcessLauncher = {
      launch(role, args, env) {
        const worker = node.launch(role, args, env);
        launched.push({ role, env, pid: worker.pid });
        return worker;
      },
    };
    const exports = new JobExports({ files: new NotebookFiles(dir), weirModule: defaultWeirModule(), weirVersion: 'test', launcher });
    const plan = await exports.plan('one.ts');
    assert.deepEqual(plan.jobs.map((j) => j.name), ['plus one']);
    assert.deepEqual(launched.map((l) => [l.role, l.env]), [['export-worker', undefined]]);
    for (let i = 0; i < 100 && alive(launched[0]!.pid); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(launched[0]!.pid), false, 'the worker ended after answering');
  });
});
