/**
 * A notebook runs in its own folder: `weir run` started elsewhere resolves the relative paths of
 * code cells, SQL cells, sources and sinks against the notebook's folder, on taskmanagers too,
 * and a missing input names the absolute path it looked at and the line of the source.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { committedLines } from '../../harness/jsonl-output.ts';
import { notebookFolder } from '../../harness/weir-run.ts';

/** The records of every `.jsonl` file in a directory, sorted. */
function rows(dir: string): unknown[] {
  return committedLines(dir).map((l) => JSON.parse(l) as unknown);
}

const READS = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
import { readFileSync } from 'node:fs';
console.log('lines', readFileSync('data/x.csv', 'utf8').trim().split('\\n').length);
// %%
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.fromDuckDB<{ id: number; v: number }>("SELECT id, v FROM 'data/x.csv'")
  .map((r) => ({ id: Number(r.id), v: Number(r.v) * 2 }))
  .sinkTo(Sinks.jsonl('out/doubled/'));
await env.execute('double');
// %% [sql]
// SELECT sum(v) AS total FROM read_json_auto('out/doubled/*.jsonl')
`;

const WRITES = `// %%
import { StreamExecutionEnvironment, Sinks } from 'weir';
const env = StreamExecutionEnvironment.create({ parallelism: 2 });
env.fromElements(1, 2, 3).map((x) => ({ x: x * 2 })).sinkTo(Sinks.jsonl('out/tm/'));
await env.execute('on taskmanagers');
`;

const MISSING = `// %%
import { StreamExecutionEnvironment } from 'weir';
const env = StreamExecutionEnvironment.create();
env
  .replay({ sql: "SELECT * FROM 'data/trades.csv'", timestampColumn: 'ts', speed: 'max' })
  .print();
await env.execute('missing');
`;

describe('a notebook runs in its own folder', () => {
  const scratch = notebookFolder('folder', {
    'notebooks/sub/data/x.csv': 'id,v\n1,10\n2,20\n3,30\n',
    'notebooks/sub/reads.ts': READS,
    'notebooks/sub/writes.ts': WRITES,
    'notebooks/sub/missing.ts': MISSING,
    'elsewhere/': '',
  });
  const folder = path.join(scratch.dir, 'notebooks', 'sub');
  const elsewhere = path.join(scratch.dir, 'elsewhere');
  const weir = (args: string[]) => scratch.weir(args, { cwd: elsewhere });

  it('reads data/x.csv next to the notebook in code, source and SQL cells, and writes next to it, from another directory', () => {
    const out = weir(['run', '../notebooks/sub/reads.ts', '--taskmanagers', '0']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^lines 4\n/);
    assert.match(out.stdout, /total\n─+\n\s*120\n/);
    assert.deepEqual(rows(path.join(folder, 'out/doubled')), [{ id: 1, v: 20 }, { id: 2, v: 40 }, { id: 3, v: 60 }]);
    assert.deepEqual(readdirSync(elsewhere), [], 'nothing is written where weir run was started');
  });

  it('resolves a sink path on taskmanagers against the notebook folder too', () => {
    const out = weir(['run', '../notebooks/sub/writes.ts', '--taskmanagers', '2']);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(rows(path.join(folder, 'out/tm')), [{ x: 2 }, { x: 4 }, { x: 6 }]);
    assert.deepEqual(readdirSync(elsewhere), []);
  });

  it("names the absolute path of a missing file and points at the source's line", () => {
    const out = weir(['run', '../notebooks/sub/missing.ts', '--taskmanagers', '0']);
    assert.equal(out.code, 1);
    const error = out.stderr.split('\n').find((line) => line.startsWith('error: '));
    const expected = path.join(folder, 'data/trades.csv');
    assert.ok(error?.includes(`no file matches ${expected}`), out.stderr);
    // Line 5 holds the replay(...) call; execute() is on line 7.
    assert.match(error!, /missing\.ts:5:\d+: /);
    assert.equal(existsSync(path.join(elsewhere, 'data')), false);
  });
});
