/**
 * Changelog kinds at the sinks: `print` prints each change as Flink does (`+I[...]`, `-U[...]`,
 * `+U[...]`); the filesystem sink in format 'json' refuses an updating query naming the table and
 * the node, as Flink does, and takes an insert-only one (and a batch GROUP BY, which is
 * insert-only); in format 'changelog-json' it writes every change, and the changes applied equal
 * DuckDB's GROUP BY (streaming and batch, p=1 and p=2). With exactly-once delivery, a failure
 * mid-run restores the aggregation's keyed state and the file holds each change once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { RestartStrategies, Schema, StreamExecutionEnvironment, StreamTableEnvironment, type Row } from '../../engine/index.node.ts';
import { applyChangelog, withKind, type RowKind } from '../../engine/sql/changelog.ts';
import type { CheckpointStats } from '../../engine/runtime/checkpoint-stats.ts';
import { committedLinesInOrder } from '../harness/jsonl-output.ts';
import { MODES, assertSameRows, duckdbRows, eventsEnv, eventsInDuckDB, eventsScratch } from './fixtures.ts';

const s = eventsScratch('sql-changelog-sinks');

const events = () => eventsInDuckDB(s);

/** Lines of changelog-json as rows with their kinds. */
function changes(lines: string[]): Row[] {
  return lines.map((l) => {
    const { data, op } = JSON.parse(l) as { data: Row; op: RowKind };
    return withKind(data, op);
  });
}

test('print writes each change with its kind, as Flink: +I[u, 1], then -U[u, n] and +U[u, n + 1]', async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 2);
  tEnv.executeSql("CREATE TABLE shown (`user` STRING, n BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'counts')");
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => void lines.push(line);
  try {
    await tEnv.executeSql('INSERT INTO shown SELECT `user`, COUNT(*) FROM events WHERE id < 20 GROUP BY `user`').await();
  } finally {
    console.log = log;
  }
  const expected = await duckdbRows(s, `SELECT "user", count(*) AS n FROM ${events()} WHERE id < 20 GROUP BY ALL`, ['n']);
  for (const { user, n: total } of expected) {
    const flink = [`counts> +I[${String(user)}, 1]`];
    for (let n = 1; n < (total as number); n++) flink.push(`counts> -U[${String(user)}, ${n}]`, `counts> +U[${String(user)}, ${n + 1}]`);
    assert.deepEqual(
      lines.filter((l) => l.includes(`[${String(user)},`)),
      flink,
    );
  }
});

test("the filesystem sink refuses an updating query in format 'json', naming the table and the node", async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 1);
  tEnv.executeSql(`CREATE TABLE sink_out (\`user\` STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${s.path('refused')}', 'format' = 'json')`);
  assert.throws(
    () => tEnv.executeSql('INSERT INTO sink_out SELECT `user`, COUNT(*) FROM events GROUP BY `user`'),
    /Table sink 'sink_out' doesn't support consuming update changes which is produced by node GroupAggregate\(groupBy=\[user\], select=\[user, COUNT\(\*\)\]\): write its changes with 'format' = 'changelog-json'/,
  );
  assert.throws(() => tEnv.toDataStream(tEnv.sqlQuery('SELECT `user`, COUNT(*) AS n FROM events GROUP BY `user`')), /Table sink '\*anonymous_datastream_sink\*' doesn't support consuming update changes/);
  assert.ok(!existsSync(s.path('refused')), 'nothing ran');
});

test("the filesystem sink writes an insert-only query as json, and a batch GROUP BY too (it is insert-only there)", async () => {
  for (const mode of ['streaming', 'batch'] as const) {
    const { tEnv } = await eventsEnv(s, mode, 2);
    const dir = s.path(`json-${mode}`);
    tEnv.executeSql(`CREATE TABLE big (id INT, amount DOUBLE, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json')`);
    await tEnv.executeSql('INSERT INTO big SELECT id, amount, ts FROM events WHERE amount > 90').await();
    const expected = await duckdbRows(s, `SELECT id, amount, strftime(ts, '%Y-%m-%d %H:%M:%S.000') AS ts FROM ${events()} WHERE amount > 90`);
    assertSameRows(committedLinesInOrder(dir).map((l) => JSON.parse(l) as Row), expected, ['id', 'amount', 'ts'], `${mode} json rows`);
  }
  const { tEnv } = await eventsEnv(s, 'batch', 2);
  const dir = s.path('json-batch-counts');
  tEnv.executeSql(`CREATE TABLE counts (\`user\` STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json')`);
  await tEnv.executeSql('INSERT INTO counts SELECT `user`, COUNT(*) FROM events GROUP BY `user`').await();
  const expected = await duckdbRows(s, `SELECT "user", count(*) AS n FROM ${events()} GROUP BY ALL`, ['n']);
  assertSameRows(committedLinesInOrder(dir).map((l) => JSON.parse(l) as Row), expected, ['user', 'n'], 'batch GROUP BY as json');
});

test("format 'changelog-json' writes every change; applied, they equal DuckDB's GROUP BY (streaming and batch, p=1 and p=2)", async () => {
  const expected = await duckdbRows(s, `SELECT "user", name, count(*) AS n, max(qty) AS hi FROM ${events()} GROUP BY ALL HAVING count(*) > 3`, ['n']);
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    const dir = s.path(`changelog-${mode}-${parallelism}`);
    tEnv.executeSql(`CREATE TABLE sink_out (\`user\` STRING, name STRING, n BIGINT, hi INT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'changelog-json')`);
    await tEnv.executeSql('INSERT INTO sink_out SELECT `user`, name, COUNT(*), MAX(qty) FROM events GROUP BY `user`, name HAVING COUNT(*) > 3').await();
    const written = changes(committedLinesInOrder(dir));
    assertSameRows(applyChangelog(written, ['user', 'name', 'n', 'hi']), expected, ['user', 'name', 'n', 'hi'], `${mode} p${parallelism}`);
    const kinds = new Set(written.map((r) => r['$rowKind']));
    assert.deepEqual([...kinds].sort(), mode === 'batch' ? ['+I'] : ['+U', '-U'], `${mode} p${parallelism} kinds`);
  }
});

test('after a failure mid-run, the restored aggregation writes each change once (exactly-once changelog-json)', async () => {
  const RECORDS = 4_000;
  let seen = 0;
  let failed = false;
  let checkpoints: () => CheckpointStats[] = () => [];
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.enableCheckpointing(50);
  env.setRestartStrategy(RestartStrategies.fixedDelay(3, 20));
  const input = env
    .fromGenerator(RECORDS, (i) => ({ k: `k${(i * 7) % 5}`, v: i % 31 }), { recordsPerSecond: 2_000 })
    .map((e) => {
      seen++;
      // Fail once, after two checkpoints have completed (early enough for a loaded machine).
      if (!failed && seen > RECORDS / 4 && checkpoints().filter((c) => c.status === 'COMPLETED').length >= 2) {
        failed = true;
        throw new Error('injected failure');
      }
      return e;
    });
  const tEnv = await StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('input', input, Schema.newBuilder().column('k', 'STRING').column('v', 'INT').build());
  const dir = s.path('exactly-once');
  tEnv.executeSql(`CREATE TABLE sink_out (k STRING, n BIGINT, total INT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'changelog-json', 'sink.delivery-guarantee' = 'exactly-once')`);
  const result = tEnv.executeSql('INSERT INTO sink_out SELECT k, COUNT(*), SUM(v) FROM input GROUP BY k');
  const client = result.getJobClient()!;
  checkpoints = () => (client.checkpoints?.() ?? []) as CheckpointStats[];
  await result.await();
  assert.ok(failed, 'the failure was injected');
  const { report } = await client.result;
  assert.equal(report.restarts, 1);
  const written = changes(committedLinesInOrder(dir));
  for (let key = 0; key < 5; key++) {
    const counts = written.filter((r) => r['k'] === `k${key}` && r['$rowKind'] !== '-U').map((r) => r['n']);
    assert.deepEqual(counts, Array.from({ length: RECORDS / 5 }, (_x, i) => i + 1), `k${key}: each count once, in order`);
  }
  const totals = new Map<string, number>();
  for (let i = 0; i < RECORDS; i++) totals.set(`k${(i * 7) % 5}`, (totals.get(`k${(i * 7) % 5}`) ?? 0) + (i % 31));
  assertSameRows(applyChangelog(written, ['k', 'n', 'total']), [...totals].map(([k, total]) => ({ k, n: RECORDS / 5, total })), ['k', 'n', 'total'], 'final state');
});

test("with PRIMARY KEY, format 'changelog-json' is an upsert sink: -U written as -D; the latest row per key, -D removing it, equals DuckDB", async () => {
  // COUNT(*) only grows, so groups of 20 rows or more leave the HAVING again: their rows are deleted (-D).
  const expected = await duckdbRows(s, `SELECT "user", name, count(*) AS n FROM ${events()} GROUP BY ALL HAVING count(*) < 20`, ['n']);
  for (const { mode, parallelism } of [MODES[1], MODES[3]]) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    const dir = s.path(`upsert-${mode}-${parallelism}`);
    tEnv.executeSql(`CREATE TABLE sink_out (\`user\` STRING, name STRING, n BIGINT, PRIMARY KEY (\`user\`, name) NOT ENFORCED) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'changelog-json')`);
    await tEnv.executeSql('INSERT INTO sink_out SELECT `user`, name, COUNT(*) FROM events GROUP BY `user`, name HAVING COUNT(*) < 20').await();
    const written = changes(committedLinesInOrder(dir));
    const byKey = new Map<string, Row>();
    for (const row of written) {
      const key = JSON.stringify([row['user'], row['name']]);
      if (row['$rowKind'] === '-D') byKey.delete(key);
      else byKey.set(key, { user: row['user'], name: row['name'], n: row['n'] });
    }
    assertSameRows([...byKey.values()], expected, ['user', 'name', 'n'], `${mode} p${parallelism}`);
    const kinds = new Set(written.map((r) => r['$rowKind']));
    assert.ok(!kinds.has('-U'), `${mode} p${parallelism}: an upsert sink writes no -U`);
    if (mode === 'streaming') assert.ok(kinds.has('-D') && kinds.has('+U'), `streaming writes updates and deletes: ${[...kinds]}`);
  }
});

test('a PRIMARY KEY names columns of the table, physical ones, as Flink checks it', async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 1);
  assert.throws(
    () => tEnv.executeSql("CREATE TABLE bad (k STRING, n BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'print')"),
    /Invalid primary key 'PK_id'\. Column 'id' does not exist\./,
  );
  assert.throws(
    () => tEnv.executeSql("CREATE TABLE bad2 (k STRING, n BIGINT, m AS n + 1, PRIMARY KEY (m) NOT ENFORCED) WITH ('connector' = 'print')"),
    /Invalid primary key 'PK_m'\. Column 'm' is not a physical column\./,
  );
});
