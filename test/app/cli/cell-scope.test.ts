/**
 * Cells share variables as in Jupyter, in `weir run` as in the workbench's kernel
 * (test/app/kernel/process/session.test.ts): a later cell reassigns an earlier cell's `let`, and
 * a job on taskmanagers sees the value the cells left it, captured at `execute()`; assigning an
 * earlier cell's `const` fails before any cell runs, naming the cell and line that declared it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notebookFolder } from '../../harness/weir-run.ts';
import { lineOf } from '../kernel/fixtures.ts';

const REBINDS = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
let seen = 0;
const limit = 3;
// %%
seen++;
seen += 10;
// %%
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
const out = Sinks.collect<number>();
env.fromElements(1, 2, limit).map((x) => x + seen).sinkTo(out);
await env.execute('rebound');
console.log(\`values: \${[...out.values].sort((a, b) => a - b).join(',')} seen: \${seen}\`);
`;

const CONST_ASSIGNED = `// %%
console.log('cell 1 ran');
const limit = 3;
// %%
limit = 4;
`;

describe('weir run: variables across cells', () => {
  const { weir } = notebookFolder('cell-scope', { 'rebinds.ts': REBINDS, 'const.ts': CONST_ASSIGNED });

  it("a later cell reassigns an earlier let, and the job on taskmanagers sees the cells' value", () => {
    const run = weir(['run', 'rebinds.ts', '--taskmanagers', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^values: 12,13,14 seen: 11$/m);
  });

  it("assigning an earlier cell's const fails before any cell runs, naming the cell and line", () => {
    const run = weir(['run', 'const.ts', '--taskmanagers', '0']);
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stdout, /cell 1 ran/);
    assert.match(run.stderr, new RegExp(`const\\.ts:${lineOf(CONST_ASSIGNED, 'limit = 4')}:\\d+: .*Cannot assign to 'limit': it is a const of cell 1 \\(line ${lineOf(CONST_ASSIGNED, 'const limit')}\\)`));
  });
});
