/**
 * `// %% [flink-sql]` cells under `weir run`, with taskmanagers rebuilding the jobs: the DDL of
 * one cell serves the cells below; a windowed SELECT shows its rows as a table; an INSERT INTO a
 * print table prints Flink's `+I[...]` rows, equal to DuckDB's answer on the same file; a bad
 * statement fails its cell naming the notebook's line and column.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closeDuckDB } from '../../engine/connectors/duckdb/instance.ts';
import { Scratch, duckdbRows, writeEvents } from './fixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const s = new Scratch('sql-cells');
before(() => writeEvents(s));
after(async () => {
  await closeDuckDB();
  s.close();
});

function weirRun(notebook: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', notebook, ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

const DDL = `// %% [flink-sql] Tables
// CREATE TABLE events (
//   id INT, \`user\` STRING, amount DOUBLE, qty INT, name STRING, ts TIMESTAMP(3),
//   WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
// ) WITH ('connector' = 'filesystem', 'path' = 'events.csv', 'format' = 'csv');
// CREATE TABLE per_user (window_start TIMESTAMP(3), \`user\` STRING, n BIGINT, total INT)
// WITH ('connector' = 'print', 'print-identifier' = 'per-user');
`;

test('[flink-sql] cells: a SELECT as a table, an INSERT into print equal to DuckDB', async () => {
  const notebook = s.write(
    'cells.ts',
    `${DDL}
// %% [flink-sql] Windows
// SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
// GROUP BY window_start, window_end

// %% [flink-sql] Into print
// INSERT INTO per_user
// SELECT window_start, \`user\`, COUNT(*), SUM(qty)
// FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '30' SECOND))
// WHERE amount > 20
// GROUP BY window_start, window_end, \`user\`
`,
  );
  // In weir run's own process: a taskmanager reading the file through DuckDB on this loaded
  // machine can miss heartbeats for reasons of its own; the next test runs on taskmanagers.
  const run = weirRun(notebook, '--taskmanagers', '0');
  assert.equal(run.code, 0, run.stderr);
  const events = `read_csv(${s.lit('events.csv')}, header = false, columns = {'id': 'INTEGER', 'user': 'VARCHAR', 'amount': 'DOUBLE', 'qty': 'INTEGER', 'name': 'VARCHAR', 'ts': 'TIMESTAMP'})`;
  const minutes = await duckdbRows(s, `SELECT count(*) AS n FROM ${events} GROUP BY epoch_ms(ts) // 60000`);
  const tableRows = run.stdout.split('\n').filter((l) => /^│ \d+ +│ '\d{4}-\d\d-\d\d \d\d:\d\d:00\.000' │/.test(l));
  assert.equal(tableRows.length, minutes.length, run.stdout);

  const expected = await duckdbRows(
    s,
    `SELECT strftime(make_timestamp((epoch_ms(ts) // 30000) * 30000 * 1000), '%Y-%m-%d %H:%M:%S.000') AS ws, "user", count(*) AS n, sum(qty) AS total
     FROM ${events} WHERE amount > 20 GROUP BY ALL`,
    ['n', 'total'],
  );
  const printed = run.stdout.split('\n').filter((l) => l.startsWith('per-user> '));
  const lines = (rows: string[]) => [...rows].sort();
  assert.deepEqual(lines(printed), lines(expected.map((r) => `per-user> +I[${String(r['ws'])}, ${String(r['user'])}, ${String(r['n'])}, ${String(r['total'])}]`)));
});

test('taskmanagers rebuild a [flink-sql] job from the parsed statements the cell carries', () => {
  const notebook = s.write(
    'cluster.ts',
    `// %% [flink-sql]
// CREATE TABLE gen (id INT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '40',
//   'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '40', 'fields.v.min' = '0', 'fields.v.max' = '9');
// CREATE TABLE shown (id INT, twice INT) WITH ('connector' = 'print', 'print-identifier' = 'gen');

// %% [flink-sql]
// INSERT INTO shown SELECT id, v * 2 FROM gen WHERE MOD(id, 4) = 0
`,
  );
  const run = weirRun(notebook, '--taskmanagers', '2', '--parallelism', '2');
  assert.equal(run.code, 0, run.stderr);
  const printed = run.stdout.split('\n').filter((l) => l.startsWith('gen> '));
  assert.deepEqual(printed.map((l) => Number(/^gen> \+I\[(\d+), (\d+)\]$/.exec(l)?.[1])).sort((a, b) => a - b), [4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
  for (const line of printed) assert.equal(Number(/, (\d+)\]$/.exec(line)?.[1]) % 2, 0, line);
});

test('a bad statement in a [flink-sql] cell fails it naming the notebook line and column', () => {
  const notebook = s.write('bad.ts', `${DDL}\n// %% [flink-sql]\n// SELECT id,\n//   nope FROM events\n`);
  const run = weirRun(notebook, '--taskmanagers', '0');
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /Column 'nope' not found in \[id, user, amount, qty, name, ts\] \(line 11, column 3\)/);
  const syntax = s.write('syntax.ts', `${DDL}\n// %% [flink-sql]\n// SELECT id FROM events WHERE\n`);
  const bad = weirRun(syntax, '--taskmanagers', '0');
  assert.notEqual(bad.code, 0);
  // Columns count in the cell's SQL as the editor shows it (without the `// ` of the file).
  assert.match(bad.stderr, /SQL parse error: Statement is incomplete \(line 10, column 28\)/);
});

test('an updating SELECT shows its final state under the cell, and INSERT INTO print its changes, on taskmanagers', () => {
  const notebook = s.write(
    'updating.ts',
    `// %% [flink-sql]
// CREATE TABLE gen (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '40',
//   'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '40');
// CREATE TABLE shown (g INT, n BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'groups');

// %% [flink-sql]
// SELECT g, COUNT(*) AS n, MAX(id) AS top FROM (SELECT MOD(id, 3) AS g, id FROM gen) GROUP BY g

// %% [flink-sql]
// INSERT INTO shown SELECT g, COUNT(*) FROM (SELECT MOD(id, 3) AS g FROM gen WHERE id <= 6) GROUP BY g
`,
  );
  const run = weirRun(notebook, '--taskmanagers', '2', '--parallelism', '2');
  assert.equal(run.code, 0, run.stderr);
  // One row per group with its final count and maximum: the changelog applied, not its 40 changes.
  const rows = run.stdout
    .split('\n')
    .map((l) => /^│ \d+ +│ (\d) +│ (\d+) +│ (\d+) +│$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => m.slice(1).join(' '))
    .sort();
  const ids = Array.from({ length: 40 }, (_x, i) => i + 1);
  const expected = [0, 1, 2].map((g) => {
    const members = ids.filter((id) => id % 3 === g);
    return `${g} ${members.length} ${Math.max(...members)}`;
  });
  assert.deepEqual(rows, expected);
  const printed = run.stdout.split('\n').filter((l) => l.startsWith('groups> '));
  for (const g of [0, 1, 2]) {
    assert.deepEqual(
      printed.filter((l) => l.includes(`[${g},`)),
      [`groups> +I[${g}, 1]`, `groups> -U[${g}, 1]`, `groups> +U[${g}, 2]`],
    );
  }
});

test('[flink-sql] a streaming GROUP BY over 100,000 rows on 2 taskmanagers: its whole changelog comes back, the table equals DuckDB', async () => {
  // Each row changes its group's count: the SELECT gathers some 200,000 changes (12 MB of the 16 MiB limit) (+I/-U/+U) on
  // the jobmanager, which once died of a stack overflow gathering more than ~120k of them.
  const clicks = 100_000;
  s.write('clicks.csv', Array.from({ length: clicks }, (_x, i) => `user-${String((i * 7) % 20).padStart(2, '0')},${(i * 13) % 10}`).join('\n') + '\n');
  const notebook = s.write(
    'many-changes.ts',
    `// %% [flink-sql]
// CREATE TABLE clicks (\`user\` STRING, n INT) WITH ('connector' = 'filesystem', 'path' = 'clicks.csv', 'format' = 'csv');
//
// SELECT \`user\`, COUNT(*) AS clicks, SUM(n) AS total FROM clicks GROUP BY \`user\`
`,
  );
  const run = weirRun(notebook, '--taskmanagers', '2', '--parallelism', '1');
  assert.equal(run.code, 0, run.stderr);
  const rows = run.stdout
    .split('\n')
    .map((l) => /^│ \d+ +│ '(user-\d\d)' +│ (\d+) +│ (\d+) +│$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => m.slice(1).join(' '))
    .sort();
  const reference = await duckdbRows(
    s,
    `SELECT "user" || ' ' || count(*) || ' ' || sum(n) AS line FROM read_csv(${s.lit('clicks.csv')}, header = false, columns = {'user': 'VARCHAR', 'n': 'INTEGER'}) GROUP BY "user" ORDER BY line`,
  );
  assert.equal(reference.length, 20);
  assert.deepEqual(rows, reference.map((r) => String(r.line)).sort());
});
