/**
 * Finding a notebook's jobs without running them (what `weir export` and `weir plan` do):
 * which cell and which occurrence each job is, as a taskmanager counts them; cells that fail
 * or wait for output that never comes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { discoverJobs } from '../../../app/kernel/discover-jobs.ts';

describe('discoverJobs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-discover-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const notebook = (text: string) => {
    const file = path.join(dir, `nb-${++n}.ts`);
    writeFileSync(file, text);
    return file;
  };

  it('identifies each job by its cell, name and occurrence, and runs none of them', async () => {
    const file = notebook(`// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
import { existsSync } from 'node:fs';
const out = ${JSON.stringify(path.join(dir, 'never-written'))};
async function count(name: string, parallelism: number) {
  const env = StreamExecutionEnvironment.create({ parallelism });
  env.fromCollection([1, 2, 3]).map((x) => x + 1).uid('plus-one').sinkTo(Sinks.jsonl(out));
  const result = await env.execute(name);
  return result.report.operators.find((o) => o.uid === 'plus-one')!.recordsOut;
}
// %% [markdown]
// text
// %%
console.log(await count('twice', 1));
await count('twice', 2);
// %% [sql]
// SELECT * FROM nowhere
// %%
await count('once', 3);
if (existsSync(out)) throw new Error('a job ran');
`);
    const found = await discoverJobs(file, {}, async (d) => ({ error: d.error, jobs: d.jobs.map((j) => [j.name, j.cell, j.occurrence, j.graph.vertices[1]!.parallelism]) }));
    assert.equal(found.error, undefined);
    assert.deepEqual(found.jobs, [
      ['twice', 2, 0, 1],
      ['twice', 2, 1, 2],
      ['once', 4, 0, 3],
    ]);
  });

  it('keeps the jobs found before a cell that throws, and says where it threw', async () => {
    const file = notebook(`// %%
import { StreamExecutionEnvironment } from 'weir';
const env = StreamExecutionEnvironment.create();
env.fromCollection([1]).print();
await env.execute('first');
// %%
JSON.parse('not json');
`);
    const found = await discoverJobs(file, {}, async (d) => d);
    assert.deepEqual(found.jobs.map((j) => j.name), ['first']);
    assert.equal(found.error?.cell, 2);
    assert.equal(found.error?.line, 7);
    assert.equal(found.error?.name, 'SyntaxError');
  });

  it('gives up on a cell that waits too long instead of hanging', async () => {
    const file = notebook(`// %%
import { StreamExecutionEnvironment } from 'weir';
const env = StreamExecutionEnvironment.create();
env.fromCollection([1]).print();
await env.execute('before the wait');
await new Promise((resolve) => setTimeout(resolve, 60_000).unref());
`);
    const found = await discoverJobs(file, { cellTimeoutMs: 200 }, async (d) => d);
    assert.deepEqual(found.jobs.map((j) => j.name), ['before the wait']);
    assert.match(found.error?.message ?? '', /did not finish within 0\.2 s while its jobs were being found/);
  });

  it('reports a compile error with no jobs', async () => {
    const file = notebook(`// %%
const x: number = ;
`);
    const found = await discoverJobs(file, {}, async (d) => d);
    assert.deepEqual(found.jobs, []);
    assert.equal(found.error?.phase, 'compile');
  });
});
