/**
 * The Table API: a DataStream registered with a Schema (rowtime and watermark) is queried with
 * SQL and windowed; a query converts back to a DataStream; INSERT INTO writes through datagen →
 * print as Flink's print connector does; statements run apart from the environment's pending
 * DataStream sinks; bad statements fail naming what and where.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Schema, Sinks, SqlUnsupportedError, SqlValidationError, StreamExecutionEnvironment, StreamTableEnvironment, WatermarkStrategy, type Row } from '../../engine/index.node.ts';

interface Order {
  user: string;
  amount: number;
  ts: Date;
}

const orders: Order[] = Array.from({ length: 200 }, (_x, i) => ({ user: `u${i % 3}`, amount: i % 17, ts: new Date(Date.UTC(2024, 0, 1) + ((i * 7919) % 200) * 1000) }));

/** Per user and 20 s window: the count and sum, computed directly. */
function expectedWindows(): Row[] {
  const out = new Map<string, Row>();
  for (const o of orders) {
    const start = Math.floor(o.ts.getTime() / 20_000) * 20_000;
    const key = `${o.user}@${start}`;
    const row = out.get(key) ?? { user: o.user, window_start: start, n: 0, total: 0 };
    row['n'] = (row['n'] as number) + 1;
    row['total'] = (row['total'] as number) + o.amount;
    out.set(key, row);
  }
  return [...out.values()];
}

const byKey = (rows: Row[]) => [...rows].sort((a, b) => `${String(a['user'])}${String(a['window_start'])}`.localeCompare(`${String(b['user'])}${String(b['window_start'])}`));

test('a DataStream view with a watermark in its Schema windows by SQL, and a query converts back to a DataStream', async () => {
  for (const mode of ['streaming', 'batch'] as const) {
    const env = StreamExecutionEnvironment.create({ mode, parallelism: 2 });
    const tEnv = await StreamTableEnvironment.create(env);
    const schema = Schema.newBuilder().column('user', 'STRING').column('amount', 'INT').column('ts', 'TIMESTAMP(3)').watermark('ts', "ts - INTERVAL '200' SECOND").build();
    tEnv.createTemporaryView('orders', env.fromCollection(orders), schema);
    const windows = tEnv.sqlQuery(`SELECT \`user\`, window_start, COUNT(*) AS n, SUM(amount) AS total
      FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '20' SECOND)) GROUP BY window_start, window_end, \`user\``);
    assert.deepEqual(windows.getResolvedSchema().columns, [
      { name: 'user', type: 'STRING' },
      { name: 'window_start', type: 'TIMESTAMP(3)' },
      { name: 'n', type: 'BIGINT' },
      { name: 'total', type: 'INT' },
    ]);
    const sink = Sinks.collect<Row>();
    tEnv.toDataStream(windows).sinkTo(sink);
    await env.execute(`windows ${mode}`);
    assert.deepEqual(byKey(sink.values), byKey(expectedWindows()), mode);
  }
});

test("SOURCE_WATERMARK() keeps the stream's own timestamps and watermarks as the rowtime", async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const tEnv = await StreamTableEnvironment.create(env);
  const stamped = env.fromCollection(orders).assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Order>(200_000).withTimestampAssigner((o) => o.ts.getTime()));
  tEnv.createTemporaryView('orders', stamped, Schema.newBuilder().column('user', 'STRING').column('amount', 'INT').columnByMetadata('rowtime', 'TIMESTAMP_LTZ(3)').watermark('rowtime', 'SOURCE_WATERMARK()').build());
  const rows = await tEnv
    .executeSql(`SELECT \`user\`, window_start, COUNT(*) AS n, SUM(amount) AS total FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(rowtime), INTERVAL '20' SECOND)) GROUP BY window_start, window_end, \`user\``)
    .collect();
  assert.deepEqual(byKey(rows), byKey(expectedWindows()));
});

test('INSERT INTO a print table writes +I rows of datagen, apart from the pending DataStream sinks', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const tEnv = await StreamTableEnvironment.create(env);
  const pending = Sinks.collect<number>();
  env.fromElements(1, 2, 3).sinkTo(pending);
  tEnv.executeSql(`CREATE TABLE gen (id INT, score INT) WITH ('connector' = 'datagen', 'number-of-rows' = '50',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '50', 'fields.score.min' = '10', 'fields.score.max' = '20')`);
  tEnv.executeSql(`CREATE TABLE sink_out (id BIGINT, score INT, label STRING) WITH ('connector' = 'print', 'print-identifier' = 'gen')`);
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    await tEnv.executeSql("INSERT INTO sink_out SELECT id, score, CASE WHEN score >= 15 THEN 'high' ELSE 'low' END FROM gen WHERE MOD(id, 2) = 0").await();
  } finally {
    console.log = log;
  }
  assert.equal(lines.length, 25);
  for (const line of lines) {
    const m = /^gen> \+I\[(\d+), (\d+), (high|low)\]$/.exec(line);
    assert.ok(m, line);
    assert.equal(Number(m[1]) % 2, 0);
    assert.ok(Number(m[2]) >= 10 && Number(m[2]) <= 20);
    assert.equal(m[3], Number(m[2]) >= 15 ? 'high' : 'low');
  }
  assert.deepEqual(pending.values, [], 'the DataStream sink did not run with the INSERT');
  await env.execute('pending');
  assert.deepEqual(pending.values, [1, 2, 3]);
});

test('bad statements fail naming what and where', async () => {
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  const tEnv = await StreamTableEnvironment.create(env);
  tEnv.executeSql(`CREATE TABLE t (a INT, s STRING, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1')`);
  const cases: [string, typeof SqlValidationError | typeof SqlUnsupportedError, RegExp, number, number][] = [
    ['SELECT a,\n  nope FROM t', SqlValidationError, /Column 'nope' not found in \[a, s, ts\]/, 2, 3],
    ['SELECT a FROM missing', SqlValidationError, /Object 'missing' not found; known tables: t/, 1, 15],
    ["SELECT a + s FROM t", SqlValidationError, /INT \+ STRING: expects numbers/, 1, 8],
    ['SELECT s, COUNT(*) FROM t GROUP BY UPPER(s)', SqlUnsupportedError, /GROUP BY an expression/, 1, 36],
    ["SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end", SqlValidationError, /'ts' of 't' is not one/, 1, 28],
    ['SELECT LEFT(s, 2) FROM t', SqlUnsupportedError, /the function LEFT/, 1, 8],
  ];
  for (const [sql, kind, message, line, column] of cases) {
    assert.throws(() => tEnv.executeSql(sql), (e: Error) => {
      assert.ok(e instanceof kind, `${sql}: ${e}`);
      assert.match(e.message, message);
      assert.deepEqual((e as SqlValidationError).position, { line, column }, sql);
      return true;
    });
  }
});
