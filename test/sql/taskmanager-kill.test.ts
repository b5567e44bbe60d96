/**
 * A streaming SQL job (an updating GROUP BY) into an exactly-once upsert sink on two
 * taskmanagers: one taskmanager is killed (SIGKILL) once the job's second checkpoint is written,
 * the job restores from its last checkpoint, and the sink's final table equals DuckDB's GROUP BY.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Row } from '../../engine/sql/catalog.ts';
import { Scratch } from '../engine/connectors/duckdb/fixtures.ts';
import { descendants } from '../harness/processes.ts';
import { committedLinesInOrder } from '../harness/jsonl-output.ts';
import { until } from '../harness/until.ts';
import { assertSameRows, duckdbRows } from './fixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const s = new Scratch('sql-tm-kill');
after(() => s.close());

const ROWS = 6000;

test('a taskmanager killed after checkpoint 2: the exactly-once upsert sink ends as DuckDB', { timeout: 600_000 }, async () => {
  const notebook = s.write(
    'kill.ts',
    `// %% [flink-sql]
// SET 'parallelism.default' = '2';
// SET 'execution.checkpointing.interval' = '200ms';
// CREATE TABLE gen (id INT, k AS id % 7) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '${ROWS}', 'rows-per-second' = '1000');
// CREATE TABLE counts (k INT, n BIGINT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED)
// WITH ('connector' = 'filesystem', 'path' = 'out/counts', 'format' = 'changelog-json', 'sink.delivery-guarantee' = 'exactly-once');
// INSERT INTO counts SELECT k, COUNT(*), SUM(id) FROM gen GROUP BY k;
`,
  );
  const checkpoints = s.path('chk');
  const child = spawn(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', notebook, '--taskmanagers', '2', '--checkpoint-dir', checkpoints, '--report', s.path('report.json')], { cwd: s.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let ended = false;
  void exited.then(() => (ended = true));
  const written = () => (existsSync(checkpoints) ? readdirSync(checkpoints).filter((d) => d !== 'savepoints').flatMap((d) => readdirSync(path.join(checkpoints, d))).filter((f) => /^chk-\d+$/.test(f)).length : 0);
  await until('the second checkpoint', () => (ended || written() >= 2 ? true : undefined), 300_000);
  assert.ok(!ended, `the job ended before its second checkpoint:\n${output}`);
  const [taskmanager] = descendants(child.pid!, /^weir-taskmanager/);
  assert.ok(taskmanager, 'a taskmanager runs');
  process.kill(taskmanager.pid, 'SIGKILL');
  assert.equal(await exited, 0, output);
  const job = (JSON.parse(readFileSync(s.path('report.json'), 'utf8')) as { jobs: { restarts: number }[] }).jobs[0]!;
  assert.ok(job.restarts >= 1, 'the job restarted after the kill');

  const table = new Map<number, Row>();
  for (const line of committedLinesInOrder(s.path('out/counts'))) {
    const { data, op } = JSON.parse(line) as { data: Row; op: string };
    if (op === '-D') table.delete(data['k'] as number);
    else table.set(data['k'] as number, data);
  }
  const expected = await duckdbRows(s, `SELECT i % 7 AS k, count(*) AS n, sum(i) AS total FROM range(1, ${ROWS + 1}) t(i) GROUP BY ALL`, ['k', 'n', 'total']);
  assertSameRows([...table.values()], expected, ['k', 'n', 'total'], `after the kill; out/counts holds ${existsSync(s.path('out/counts')) ? readdirSync(s.path('out/counts')).join(', ') : 'nothing'}\n${output}`);
});
