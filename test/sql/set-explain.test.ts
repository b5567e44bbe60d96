/**
 * SET and EXPLAIN: `SET 'key' = 'value'` changes the parallelism, runtime mode, job name and
 * checkpointing of the jobs that follow (a batch SELECT after SET gives DuckDB's answer), an
 * unknown key or bad value is refused naming it; EXPLAIN gives the operator tree in the shape
 * of Flink's "Optimized Physical Plan" and the tasks with their parallelism, without running;
 * in `[flink-sql]` cells a SET of a cell above applies below and EXPLAIN prints the plan.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StreamExecutionEnvironment, StreamTableEnvironment } from '../../engine/index.node.ts';
import { closeDuckDB } from '../../engine/connectors/duckdb/instance.ts';
import { Scratch, assertSameRows, duckdbRows, eventsDdl, writeEvents } from './fixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const s = new Scratch('sql-set-explain');
before(() => writeEvents(s));
after(async () => {
  await closeDuckDB();
  s.close();
});

const PER_USER = `SELECT window_start, \`user\`, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE qty > 0 GROUP BY window_start, window_end, \`user\``;

async function session() {
  const env = StreamExecutionEnvironment.create({ mode: 'streaming', parallelism: 1, autoWatermarkInterval: 20 });
  const tEnv = await StreamTableEnvironment.create(env);
  tEnv.executeSql(eventsDdl(s));
  return { env, tEnv };
}

test('SET changes parallelism, mode, job name and checkpointing of the jobs that follow', async () => {
  const { env, tEnv } = await session();
  for (const set of [
    "SET 'parallelism.default' = '2'",
    "SET 'execution.runtime-mode' = 'batch'",
    "SET 'pipeline.name' = 'per user'",
    "SET 'execution.checkpointing.interval' = '10 s'",
  ]) {
    assert.equal(tEnv.executeSql(set).getResultKind(), 'SUCCESS', set);
  }
  assert.equal(env.getParallelism(), 2);
  assert.equal(env.getCheckpointConfig().getCheckpointInterval(), 10_000);
  assert.deepEqual(await tEnv.executeSql('SET').collect(), [
    { key: 'parallelism.default', value: '2' },
    { key: 'execution.runtime-mode', value: 'batch' },
    { key: 'pipeline.name', value: 'per user' },
    { key: 'execution.checkpointing.interval', value: '10 s' },
  ]);
  const result = tEnv.executeSql(PER_USER);
  assert.equal(result.getJobClient()?.jobName, 'per user');
  const expected = await duckdbRows(
    s,
    `SELECT (epoch_ms(ts) // 10000) * 10000 AS window_start, "user", count(*) AS n FROM read_csv(${s.lit('events.csv')}, header = false,
       columns = {'id': 'INTEGER', 'user': 'VARCHAR', 'amount': 'DOUBLE', 'qty': 'INTEGER', 'name': 'VARCHAR', 'ts': 'TIMESTAMP'}) WHERE qty > 0 GROUP BY ALL`,
    ['window_start', 'n'],
  );
  assertSameRows(await result.collect(), expected, ['window_start', 'user', 'n'], 'batch at p=2 after SET');
  assert.match(tEnv.explainSql(PER_USER), /^mode: batch$/m);
});

test('SET refuses an unknown key and a bad value, naming them and where', async () => {
  const { tEnv } = await session();
  assert.throws(() => tEnv.executeSql("SET 'table.exec.mini-batch.enabled' = 'true'"), /SET: unknown option 'table\.exec\.mini-batch\.enabled'; Weir's SQL sessions know 'parallelism\.default', .*\(line 1, column 1\)/);
  assert.throws(() => tEnv.executeSql("SET 'parallelism.default' = 'two'"), /SET 'parallelism\.default': expected an integer ≥ 1, got 'two'/);
  assert.throws(() => tEnv.executeSql("SET 'execution.runtime-mode' = 'automatic'"), /expected 'streaming' or 'batch', got 'automatic'/);
  assert.throws(() => tEnv.executeSql("SET 'execution.checkpointing.interval' = 'soon'"), /expected a duration of at least 10 ms/);
});

test('EXPLAIN gives the operator tree as Flink shapes it and the tasks, without running', async () => {
  const { tEnv } = await session();
  tEnv.executeSql("SET 'parallelism.default' = '2'");
  tEnv.executeSql("CREATE TABLE sink_out (window_start TIMESTAMP(3), `user` STRING, n BIGINT) WITH ('connector' = 'blackhole')");
  const rows = await tEnv.executeSql(`EXPLAIN ${PER_USER}`).collect();
  assert.equal(rows.length, 1);
  const plan = String(rows[0]!['result']);
  const physical = plan.slice(0, plan.indexOf('\n\n'));
  assert.equal(
    physical,
    [
      '== Optimized Physical Plan ==',
      'Sink(table=[collect])',
      '+- Calc(select=[window_start, user, n])',
      '   +- WindowAggregate(groupBy=[user], window=[TUMBLE(time_col=[ts], size=[10 s])])',
      '      +- Exchange(distribution=[hash])',
      '         +- Calc(where)',
      '            +- WatermarkAssigner',
      '               +- TableSourceScan(table=[[events]], connector=[filesystem])',
    ].join('\n'),
  );
  assert.match(plan, /== Optimized Execution Plan ==\nmode: streaming\n\[1\] Source: filesystem events -> Timestamps\/Watermarks -> Where \(parallelism 2\)\n\[2\] WindowAggregate.* -> Sink \(parallelism 2\), input \[1\] by hash$/);
  const insert = tEnv.explainSql(`EXPLAIN PLAN FOR INSERT INTO sink_out ${PER_USER}`);
  assert.match(insert, /^Sink\(table=\[sink_out\], connector=\[blackhole\]\)\n\+- Calc\(select=\[window_start, user, n\]\)/m);
  assert.throws(() => tEnv.executeSql(`EXPLAIN CHANGELOG_MODE ${PER_USER}`), /EXPLAIN CHANGELOG_MODE is not supported yet \(line 1, column 9\)/);
});

test('[flink-sql] cells: a SET above applies below, EXPLAIN prints the plan, an unknown key fails at its notebook line', () => {
  const notebook = s.write(
    'set-explain.ts',
    `// %% [flink-sql] Session
// SET 'parallelism.default' = '3';
// ${eventsDdl(s).replaceAll('\n', '\n// ')};

// %% [flink-sql] Plan
// EXPLAIN ${PER_USER}
`,
  );
  const run = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', notebook, '--taskmanagers', '0'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /\+- WindowAggregate\(groupBy=\[user\], window=\[TUMBLE\(time_col=\[ts\], size=\[10 s\]\)\]\)/);
  assert.match(run.stdout, /Where \(parallelism 3\)/);

  const bad = s.write('set-bad.ts', `// %% [markdown]\n// A session\n\n// %% [flink-sql]\n//\n// SET 'no.such.key' = '1'\n`);
  const failed = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', bad, '--taskmanagers', '0'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.notEqual(failed.status, 0);
  assert.match(failed.stderr, /unknown option 'no\.such\.key'.*\(line 6, column 1\)/);
});
