/**
 * Cells' side effects happen once, in the process that runs the notebook, not again in every
 * taskmanager that rebuilds a job (app/kernel/slice.ts): a file write, a timer, a print and an
 * assertion between two `execute()` calls run once; a value a job's function captured (the
 * kernel's pid, a number from an environment variable) arrives on the taskmanagers as the
 * kernel had it. The same for `weir run` of a notebook and of an exported job.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { notebookFolder } from '../../harness/weir-run.ts';
import { SIDE_EFFECTS_NOTEBOOK, effects, stamped } from '../kernel/side-effects-notebook.ts';

describe('cell side effects on taskmanagers', () => {
  const folder = notebookFolder('cell-slice', { 'n.ts': SIDE_EFFECTS_NOTEBOOK });
  const dir = folder.dir;
  const weir = (args: string[]) => folder.weir(args, { env: { SLICE_OFFSET: '100' } });

  it('weir run: each effect happens once, in weir run; captured values arrive as the kernel had them', () => {
    rmSync(path.join(dir, 'effects.log'), { force: true });
    const run = weir(['run', 'n.ts', '--taskmanagers', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(effects(dir), [`asserted ${run.pid}`, `timer ${run.pid}`, `write ${run.pid}`]);
    assert.equal(run.stdout.match(/printed at top level/g)?.length, 1, run.stdout);
    const records = stamped(dir);
    assert.deepEqual(records.map((r) => [r.x, r.pid]), [[101, run.pid], [102, run.pid], [103, run.pid]]);
    assert.ok(records.every((r) => r.worker !== run.pid), 'the job ran on taskmanagers');
  });

  it('weir run of an exported job: the same, once in the client that runs the bundle', () => {
    const exported = weir(['export', 'n.ts', '--job', 'stamped', '--out', 'job']);
    assert.equal(exported.code, 0, exported.stderr);
    rmSync(path.join(dir, 'effects.log'), { force: true });
    const run = weir(['run', 'job', '--taskmanagers', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(effects(dir), [`asserted ${run.pid}`, `timer ${run.pid}`, `write ${run.pid}`]);
    const records = stamped(dir);
    assert.deepEqual(records.map((r) => [r.x, r.pid]), [[101, run.pid], [102, run.pid], [103, run.pid]]);
    assert.ok(records.every((r) => r.worker !== run.pid), 'the job ran on taskmanagers');
  });

  it('a captured value that cannot travel fails the job naming the cell and line', () => {
    writeFileSync(
      path.join(dir, 'bad.ts'),
      `// %%
import { StreamExecutionEnvironment } from 'weir';
const format = Intl.NumberFormat('en');
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.fromElements(1, 2).map((x) => format.format(x)).print();
await env.execute('formats');
`,
    );
    const run = weir(['run', 'bad.ts', '--taskmanagers', '2']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /cell 1, line 3: 'format' cannot travel with job 'formats' to the taskmanagers: format is an instance of NumberFormat/);
    assert.ok(!existsSync(path.join(dir, 'out/formats')));
  });
});
