/**
 * `weir run --param name=value`: cells read job parameters with `params` while they build the
 * pipeline, in the client and when taskmanagers rebuild the job alike, so the operators see the
 * values they captured; a missing required one fails the cell saying how to pass it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { committedLines } from '../../harness/jsonl-output.ts';
import { notebookFolder } from '../../harness/weir-run.ts';

/** The `x` of every record the job wrote into `out` (relative to `dir`), sorted. */
function written(dir: string, out: string): number[] {
  return committedLines(path.join(dir, out))
    .map((l) => (JSON.parse(l) as { x: number }).x)
    .sort((a, b) => a - b);
}

const NOTEBOOK = `// %%
import { StreamExecutionEnvironment, Sinks, params } from 'weir';
const factor = params.getNumber('factor', 1);
const negate = params.getBoolean('negate', false);
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env
  .fromElements(1, 2, 3)
  .map((x) => ({ x: x * factor * (negate ? -1 : 1) }))
  .sinkTo(Sinks.jsonl(params.get('out', 'out/default/')!));
await env.execute('scaled');
console.log('label', params.get('label', 'none'));
// %%
params.required('bucket');
`;

describe('weir run --param', () => {
  const { dir, weir } = notebookFolder('params', { 'p.ts': NOTEBOOK });

  it('passes parameters to cells and to operators on taskmanagers; a missing required one names the flag', () => {
    const out = weir(['run', 'p.ts', '--taskmanagers', '2', '--param', 'factor=10', '--param', 'negate=true', '--param', 'out=out/p/']);
    assert.equal(out.code, 1, out.stderr);
    assert.match(out.stdout, /^label none$/m);
    assert.deepEqual(written(dir, 'out/p'), [-30, -20, -10]);
    assert.match(out.stderr, /^cell 1 ✓/m);
    assert.match(out.stderr, /Missing parameter 'bucket': pass it with --param bucket=<value>/);
  });

  it('records the parameters the job read in job.json, shows them in weir plan, and weir run <dir> --param overrides them', () => {
    const exported = weir(['export', 'p.ts', '--job', 'scaled', '--out', 'job', '--param', 'factor=10']);
    assert.equal(exported.code, 0, exported.stderr);
    const jobFile = JSON.parse(readFileSync(path.join(dir, 'job/job.json'), 'utf8')) as { params?: Record<string, string> };
    // 'label' is read after execute(), 'bucket' in a later cell: not this job's.
    assert.deepEqual(jobFile.params, { factor: '10', negate: 'false', out: 'out/default/' });
    const plan = weir(['plan', 'job']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^ {2}params: factor="10" negate="false" out="out\/default\/"$/m);
    const run = weir(['run', 'job', '--taskmanagers', '2', '--param', 'negate=true', '--param', 'out=out/exported/']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(written(dir, 'out/exported'), [-30, -20, -10]);
  });

  it('rejects a --param without a name', () => {
    const out = weir(['run', 'p.ts', '--param', '=x']);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /--param must be name=value, got '=x'/);
  });
});
