/**
 * `Sinks.collect()` wherever the job runs: the same rows in `weir run` with the job in-process
 * and on two taskmanagers (they come back with the job's report), and a job whose records
 * exceed the sink's limit fails naming the limit. Many small records (a SQL SELECT's changelog
 * over a large file) come back whole: the jobmanager once died gathering them (stack overflow).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notebookFolder } from '../../harness/weir-run.ts';

const COLLECTS = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
const out = Sinks.collect<{ n: number; doubled: number }>();
env.fromSequence(1, 200).map((n) => ({ n, doubled: n * 2 })).sinkTo(out);
await env.execute('collect');
const sorted = [...out.values].sort((a, b) => a.n - b.n);
console.log(JSON.stringify({ count: sorted.length, first: sorted[0], last: sorted.at(-1), sum: sorted.reduce((s, r) => s + r.doubled, 0) }));
`;

const TWO_STREAMS = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
const out = Sinks.collect<number>();
env.fromElements(10, 20).sinkTo(out);
env.fromElements(1, 2, 3).map((x) => x * 2).sinkTo(out);
await env.execute('two streams');
console.log(\`values: \${[...out.values].sort((a, b) => a - b).join(',')}\`);
`;

const TOO_MUCH = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 1 });
env.fromSequence(1, 1000).sinkTo(Sinks.collect({ maxBytes: 100 }));
await env.execute('too much');
`;

/** More records from one taskmanager than a call's arguments may hold (~120k on Node 20), well under 16 MiB as JSON. */
const MANY = 300_000;
const MANY_SMALL = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 1 });
const out = Sinks.collect<number>();
env.fromSequence(1, ${MANY}).sinkTo(out);
await env.execute('many small');
console.log(JSON.stringify({ count: out.values.length, sum: out.values.reduce((s, n) => s + n, 0) }));
`;

describe('Sinks.collect() wherever the job runs', () => {
  const { weir } = notebookFolder('collect', { 'collects.ts': COLLECTS, 'two-streams.ts': TWO_STREAMS, 'too-much.ts': TOO_MUCH, 'many-small.ts': MANY_SMALL });

  it('returns the same rows in-process and on 2 taskmanagers', () => {
    const expected = { count: 200, first: { n: 1, doubled: 2 }, last: { n: 200, doubled: 400 }, sum: 200 * 201 };
    for (const taskManagers of ['0', '2']) {
      const out = weir(['run', 'collects.ts', '--taskmanagers', taskManagers]);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout.trim()), expected, `--taskmanagers ${taskManagers}`);
    }
  });

  it('gathers the records of two streams sunk into one collect once each, in-process and on 2 taskmanagers', () => {
    for (const taskManagers of ['0', '2']) {
      const out = weir(['run', 'two-streams.ts', '--taskmanagers', taskManagers]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^values: 2,4,6,10,20$/m, `--taskmanagers ${taskManagers}`);
    }
  });

  it('fails a job whose records exceed the limit, naming it, on taskmanagers and in-process', () => {
    for (const taskManagers of ['0', '2']) {
      const out = weir(['run', 'too-much.ts', '--taskmanagers', taskManagers]);
      assert.equal(out.code, 1, out.stderr);
      assert.match(out.stderr, /Sinks\.collect\(\): the records exceed its limit of 100 bytes \(maxBytes\)/, `--taskmanagers ${taskManagers}`);
    }
  });

  it(`gathers ${MANY.toLocaleString('en')} records of one subtask on 2 taskmanagers without the jobmanager dying`, () => {
    const out = weir(['run', 'many-small.ts', '--taskmanagers', '2']);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout.trim()), { count: MANY, sum: (MANY * (MANY + 1)) / 2 });
  });
});
