/**
 * Rebuilding jobs in a taskmanager: two jobs rebuilt at the same time in one process each get
 * their own job (their code reaches its own build's host, even under the same job name), and a
 * rebuild whose code waits before it defines its job holds up no other.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { JobDefinition } from '../../../../engine/runtime/job.ts';
import { rebuildJob } from '../../../../engine/process/taskmanager/rebuild.ts';
import { WorkingDirectories } from '../../../../engine/process/taskmanager/working-directories.ts';
import { until } from '../../../harness/until.ts';

const engine = pathToFileURL(path.resolve(import.meta.dirname, '../../../../engine/index.node.ts')).href;

/** The operator names of a job's plan, in order. */
function operators(job: JobDefinition): string[] {
  return job.graph.vertices.map((v) => v.name);
}

describe('rebuilding jobs in one taskmanager', () => {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'weir-rebuild-test-')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // A gate the test opens: the held job's code waits on it before it builds its graph.
  writeFileSync(path.join(dir, 'gate.mjs'), 'export let open;\nexport const opened = new Promise((resolve) => (open = resolve));\n');
  const gateUrl = pathToFileURL(path.join(dir, 'gate.mjs')).href;
  // Both jobs have the same name: only the build each execute() belongs to tells them apart.
  writeFileSync(
    path.join(dir, 'held.mjs'),
    `import { StreamExecutionEnvironment } from ${JSON.stringify(engine)};\n` +
      `import { opened } from ${JSON.stringify(gateUrl)};\n` +
      `console.log('held job code runs');\n` +
      `await opened;\n` +
      `const env = StreamExecutionEnvironment.create({ parallelism: 1 });\n` +
      `env.fromElements(1, 2, 3).map((x) => x * 10).name('held map').print();\n` +
      `await env.execute('orders');\n`,
  );
  writeFileSync(
    path.join(dir, 'free.mjs'),
    `import { StreamExecutionEnvironment } from ${JSON.stringify(engine)};\n` +
      `const env = StreamExecutionEnvironment.create({ parallelism: 2 });\n` +
      `env.fromElements(4, 5).filter((x) => x > 4).name('free filter').print();\n` +
      `await env.execute('orders');\n`,
  );

  it('rebuilds two jobs at once, each its own, while one of them waits before defining its job', async () => {
    const cwd = process.cwd();
    await import(engine); // loaded (and compiled from sources) before the clock below starts
    const heldUrl = pathToFileURL(path.join(dir, 'held.mjs')).href;
    const freeUrl = pathToFileURL(path.join(dir, 'free.mjs')).href;
    const outcomes: { held?: JobDefinition; free?: JobDefinition; error?: unknown } = {};
    const held = rebuildJob({ moduleUrl: heldUrl, jobName: 'orders', occurrence: 0, baseDir: dir }, { parallelism: 1 }).then(
      (job) => (outcomes.held = job),
      (error: unknown) => (outcomes.error = error),
    );
    const free = rebuildJob({ moduleUrl: freeUrl, jobName: 'orders', occurrence: 0, baseDir: dir }).then(
      (job) => (outcomes.free = job),
      (error: unknown) => (outcomes.error = error),
    );
    // The gate stays shut until the other job is rebuilt: rebuilds that took turns would get
    // there only when the held one gave up its turn (after 30 s, when they took turns).
    const freeJob = await until('the job whose code does not wait', () => outcomes.error ?? outcomes.free, 20_000);
    assert.ok(!(freeJob instanceof Error), String(freeJob));
    assert.equal(outcomes.held, undefined, 'the held job is not rebuilt before its gate opens');
    assert.ok(operators(outcomes.free!).includes('free filter'), operators(outcomes.free!).join(', '));
    assert.ok(!operators(outcomes.free!).includes('held map'), 'the job of the other build was not captured');
    assert.equal(process.cwd(), dir, 'the job code runs in its base directory while a rebuild from it is under way');

    const { open } = (await import(gateUrl)) as { open: () => void };
    open();
    await held;
    await free;
    assert.equal(outcomes.error, undefined);
    assert.ok(operators(outcomes.held!).includes('held map'), operators(outcomes.held!).join(', '));
    assert.ok(!operators(outcomes.held!).includes('free filter'));
    assert.equal(outcomes.held!.graph.vertices.find((v) => v.name === 'held map')!.parallelism, 1);
    assert.equal(outcomes.free!.graph.vertices.find((v) => v.name === 'free filter')!.parallelism, 2);
    assert.equal(process.cwd(), cwd, 'the working directory is restored after the last rebuild');
  });
});

describe('the working directory of rebuilds', () => {
  /** A process stand-in that records its directory changes. */
  function fakeProcess() {
    const moves: string[] = [];
    let cwd = '/start';
    return { moves, cwd: () => cwd, chdir: (d: string) => void moves.push((cwd = d)) };
  }

  it('lets rebuilds from one folder in together and one from another folder in after them', async () => {
    const proc = fakeProcess();
    const dirs = new WorkingDirectories(proc, 600_000);
    const a1 = await dirs.enter('/a');
    const a2 = await dirs.enter('/a');
    let bIn = false;
    const b = dirs.enter('/b').then((release) => ((bIn = true), release));
    assert.equal(proc.cwd(), '/a');
    a1();
    await Promise.resolve();
    assert.equal(bIn, false, 'the other folder waits while a rebuild from /a runs');
    a2();
    const releaseB = await b;
    assert.equal(proc.cwd(), '/b');
    releaseB();
    assert.deepEqual(proc.moves, ['/a', '/start', '/b', '/start']);
  });

  it('lets a rebuild from another folder go ahead when the ones before it do not end', async () => {
    const proc = fakeProcess();
    const dirs = new WorkingDirectories(proc, 1);
    await dirs.enter('/hangs');
    const release = await dirs.enter('/b');
    assert.equal(proc.cwd(), '/b');
    release();
    assert.equal(proc.cwd(), '/b', 'the hung rebuild still holds a directory');
  });
});
