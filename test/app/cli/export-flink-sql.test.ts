/**
 * `weir export --flink-sql`: notebooks/sql-clickstream.ts exports to a job.sql that parses with
 * the Flink grammar and, run back through Weir as a notebook of one `[flink-sql]` cell, prints
 * what the notebook prints (the SELECT's table and the INSERT's print rows); its relative path
 * is mapped with a note, and the README says how to submit it. A DataStream job beside SQL
 * cells is named with its operators and left out; an option only Weir has is refused, naming
 * it, and nothing is written.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseSql } from '../../../engine/sql/parser.ts';
import { repoRoot as root, runWeir } from '../../harness/weir-run.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'weir-export-flink-sql-'));
  mkdirSync(path.join(dir, 'data'));
  cpSync(path.join(root, 'notebooks/data/clicks.csv'), path.join(dir, 'data/clicks.csv'));
  cpSync(path.join(root, 'notebooks/sql-clickstream.ts'), path.join(dir, 'sql-clickstream.ts'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function weir(...args: string[]) {
  return runWeir(args, { cwd: dir, timeoutMs: 300_000 });
}

/** What a run shows of its results: the rows of console tables and the print sink's lines, sorted. */
function results(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /^│ +\d+ +│/.test(l) || / \+I\[/.test(l))
    .map((l) => l.replace(/^│ +\d+ +│/, '│'))
    .sort();
}

test('sql-clickstream exports to a job.sql that parses as Flink SQL and gives the notebook output back in Weir', () => {
  const run = weir('run', 'sql-clickstream.ts', '--taskmanagers', '0');
  assert.equal(run.code, 0, run.stderr);
  const expected = results(run.stdout);
  // A day of clicks and one after midnight: 25 hours in the table, 8 + 8 cumulating windows printed.
  assert.deepEqual([expected.filter((l) => l.startsWith('│')).length, expected.filter((l) => l.includes('+I[')).length], [25, 16], run.stdout);

  const exported = weir('export', '--flink-sql', 'sql-clickstream.ts', '--out', 'flink');
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /submit it with: sql-client\.sh -f flink\/job\.sql/);
  const absolute = path.join(dir, 'out/clicks.csv');
  assert.ok(exported.stderr.includes(`note: cell 3 (line 17): table 'clicks': 'path' = 'out/clicks.csv' is relative to the notebook; the SQL client resolves paths elsewhere, so job.sql names '${absolute}'`), exported.stderr);
  const script = readFileSync(path.join(dir, 'flink/job.sql'), 'utf8');
  assert.ok(script.includes(`'path' = '${absolute}'`), script);
  assert.match(readFileSync(path.join(dir, 'flink/README.md'), 'utf8'), /sql-client\.sh -f job\.sql/);
  assert.deepEqual(
    parseSql(script).map((p) => p.statement.kind),
    ['set', 'createTable', 'createTable', 'query', 'insert'],
  );

  writeFileSync(path.join(dir, 'round-trip.ts'), `// %% [flink-sql]\n${script.trimEnd().split('\n').map((l) => `// ${l}`).join('\n')}\n`);
  const again = weir('run', 'round-trip.ts', '--taskmanagers', '0');
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(results(again.stdout), expected);
});

test('a DataStream job beside [flink-sql] cells is named with its operators and left out; an option only Weir has is refused', () => {
  writeFileSync(
    path.join(dir, 'mixed.ts'),
    `// %%
import { StreamExecutionEnvironment } from 'weir';
const env = StreamExecutionEnvironment.create();
env.fromCollection([1, 2, 3]).map((x) => x * 2).name('double').print();
await env.execute('doubles');

// %% [flink-sql]
// CREATE TABLE gen (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3');
// CREATE TABLE shown (id INT) WITH ('connector' = 'print');
// INSERT INTO shown SELECT id FROM gen;
`,
  );
  const mixed = weir('export', '--flink-sql', 'mixed.ts', '--out', 'mixed');
  assert.equal(mixed.code, 0, mixed.stderr);
  assert.match(mixed.stderr, /note: cell 1: job 'doubles' is written with the DataStream API; its operators have no SQL form and are not exported: Source: .*, double, /);
  const script = readFileSync(path.join(dir, 'mixed/job.sql'), 'utf8');
  assert.deepEqual(parseSql(script).map((p) => p.statement.kind), ['set', 'createTable', 'createTable', 'insert']);
  assert.match(readFileSync(path.join(dir, 'mixed/README.md'), 'utf8'), /What is not in job\.sql:\n\n- cell 1: job 'doubles'/);

  writeFileSync(
    path.join(dir, 'header.ts'),
    `// %% [flink-sql]\n// CREATE TABLE clicks (\`user\` STRING, page STRING, ts TIMESTAMP(3))\n// WITH ('connector' = 'filesystem', 'path' = 'data/clicks.csv', 'format' = 'csv', 'csv.ignore-first-line' = 'true');\n`,
  );
  const refused = weir('export', '--flink-sql', 'header.ts', '--out', 'header');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /error: cell 1 \(line 2\): table 'clicks': the option 'csv\.ignore-first-line' has no counterpart in Flink's filesystem connector: it is Weir's/);
  assert.ok(!existsSync(path.join(dir, 'header')), 'nothing is written');
});

test('SET, SESSION, HOP and EXPLAIN export as written, parse with the Flink grammar and give the same rows back in Weir', () => {
  writeFileSync(
    path.join(dir, 'sessions.ts'),
    `// %% [flink-sql] Session options and the table
// SET 'parallelism.default' = '2';
// SET 'pipeline.name' = 'sessions';
// CREATE TABLE clicks (\`user\` STRING, page STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
// WITH ('connector' = 'filesystem', 'path' = 'out/clicks.csv', 'format' = 'csv');

// %% [flink-sql] Sessions per user
// SELECT \`user\`, window_start, window_end, COUNT(*) AS clicks
// FROM TABLE(SESSION(TABLE clicks PARTITION BY \`user\`, DESCRIPTOR(ts), INTERVAL '10' MINUTE))
// GROUP BY \`user\`, window_start, window_end;
// EXPLAIN SELECT page, window_start, COUNT(*) AS n FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '30' MINUTE, INTERVAL '2' HOUR))
// GROUP BY page, window_start, window_end;
// SELECT page, window_start, COUNT(*) AS n FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '30' MINUTE, INTERVAL '2' HOUR))
// GROUP BY page, window_start, window_end
`,
  );
  // out/clicks.csv is the header-less file the first test's notebook wrote.
  assert.ok(existsSync(path.join(dir, 'out/clicks.csv')));
  const run = weir('run', 'sessions.ts', '--taskmanagers', '0');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\+- WindowAggregate\(groupBy=\[page\], window=\[HOP\(time_col=\[ts\], size=\[2 h\], slide=\[30 min\]\)\]\)/);
  const exported = weir('export', '--flink-sql', 'sessions.ts', '--out', 'sessions');
  assert.equal(exported.code, 0, exported.stderr);
  const script = readFileSync(path.join(dir, 'sessions/job.sql'), 'utf8');
  assert.match(script, /FROM TABLE\(SESSION\(TABLE clicks PARTITION BY `user`, DESCRIPTOR\(ts\), INTERVAL '10' MINUTE\)\)/);
  assert.deepEqual(parseSql(script).map((p) => p.statement.kind), ['set', 'set', 'set', 'createTable', 'query', 'explain', 'query']);
  writeFileSync(path.join(dir, 'sessions-again.ts'), `// %% [flink-sql]\n${script.trimEnd().split('\n').map((l) => `// ${l}`).join('\n')}\n`);
  const again = weir('run', 'sessions-again.ts', '--taskmanagers', '0');
  assert.equal(again.code, 0, again.stderr);
  const expected = results(run.stdout);
  assert.ok(expected.length > 300, `${expected.length} rows`);
  assert.deepEqual(results(again.stdout), expected);
});
