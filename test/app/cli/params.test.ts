/**
 * `weir run --param name=value`: cells read job parameters with `params` while they build the
 * pipeline, in the client and when taskmanagers rebuild the job alike, so the operators see the
 * values they captured; a missing required one fails the cell saying how to pass it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function weir(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
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
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-params-test-'));
  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    writeFileSync(path.join(dir, 'p.ts'), NOTEBOOK);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes parameters to cells and to operators on taskmanagers; a missing required one names the flag', () => {
    const out = weir(['run', 'p.ts', '--taskmanagers', '2', '--param', 'factor=10', '--param', 'negate=true', '--param', 'out=out/p/'], dir);
    assert.equal(out.code, 1, out.stderr);
    assert.match(out.stdout, /^label none$/m);
    const written = readdirSync(path.join(dir, 'out/p'))
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(path.join(dir, 'out/p', f), 'utf8').trim().split('\n').filter(Boolean))
      .map((l) => (JSON.parse(l) as { x: number }).x)
      .sort((a, b) => a - b);
    assert.deepEqual(written, [-30, -20, -10]);
    assert.match(out.stderr, /^cell 1 ✓/m);
    assert.match(out.stderr, /Missing parameter 'bucket': pass it with --param bucket=<value>/);
  });

  it('records the parameters the job read in job.json, shows them in weir plan, and weir run <dir> --param overrides them', () => {
    const exported = weir(['export', 'p.ts', '--job', 'scaled', '--out', 'job', '--param', 'factor=10'], dir);
    assert.equal(exported.code, 0, exported.stderr);
    const jobFile = JSON.parse(readFileSync(path.join(dir, 'job/job.json'), 'utf8')) as { params?: Record<string, string> };
    // 'label' is read after execute(), 'bucket' in a later cell: not this job's.
    assert.deepEqual(jobFile.params, { factor: '10', negate: 'false', out: 'out/default/' });
    const plan = weir(['plan', 'job'], dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^ {2}params: factor="10" negate="false" out="out\/default\/"$/m);
    const run = weir(['run', 'job', '--taskmanagers', '2', '--param', 'negate=true', '--param', 'out=out/exported/'], dir);
    assert.equal(run.code, 0, run.stderr);
    const written = readdirSync(path.join(dir, 'out/exported'))
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(path.join(dir, 'out/exported', f), 'utf8').trim().split('\n').filter(Boolean))
      .map((l) => (JSON.parse(l) as { x: number }).x)
      .sort((a, b) => a - b);
    assert.deepEqual(written, [-30, -20, -10]);
  });

  it('rejects a --param without a name', () => {
    const out = weir(['run', 'p.ts', '--param', '=x'], dir);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /--param must be name=value, got '=x'/);
  });
});
