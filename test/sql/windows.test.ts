/**
 * Window TVFs: TUMBLE and HOP aggregates (COUNT, SUM, MIN, MAX, AVG, HAVING) over an
 * out-of-order file equal DuckDB's GROUP BY over the same windows, in streaming (watermarks
 * from WATERMARK FOR) and batch mode at parallelism 1 and 2; with a watermark tighter than the
 * disorder no on-time row is lost; TUMBLE without aggregation adds window columns.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamExecutionEnvironment, StreamTableEnvironment } from '../../engine/index.node.ts';
import { closeDuckDB } from '../../engine/connectors/duckdb/instance.ts';
import { MODES, Scratch, assertSameRows, duckdbRows, eventsDdl, eventsEnv, writeEvents } from './fixtures.ts';

const s = new Scratch('sql-windows');
before(() => writeEvents(s));
after(async () => {
  await closeDuckDB();
  s.close();
});

const events = () => `(SELECT *, epoch_ms(ts) AS t FROM read_csv(${s.lit('events.csv')}, header = false, columns = {'id': 'INTEGER', 'user': 'VARCHAR', 'amount': 'DOUBLE', 'qty': 'INTEGER', 'name': 'VARCHAR', 'ts': 'TIMESTAMP'}))`;

test('TUMBLE by key: COUNT, SUM, MIN, MAX, AVG equal DuckDB, streaming and batch, p=1 and p=2', async () => {
  const query = `
    SELECT window_start, window_end, \`user\`, COUNT(*) AS n, SUM(amount) AS total, MIN(qty) AS lo, MAX(qty) AS hi,
      AVG(qty) AS avg_qty, COUNT(name) AS named, MAX(name) AS last_name
    FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
    WHERE qty <> 0
    GROUP BY window_start, window_end, \`user\``;
  // Flink's AVG of INT is an INT: the quotient truncated toward zero.
  const reference = `
    SELECT (t // 10000) * 10000 AS window_start, (t // 10000) * 10000 + 10000 AS window_end, "user", count(*) AS n, sum(amount) AS total,
      min(qty) AS lo, max(qty) AS hi, CAST(trunc(sum(qty) / count(qty)) AS INTEGER) AS avg_qty, count(name) AS named, max(name) AS last_name
    FROM ${events()} WHERE qty <> 0 GROUP BY ALL`;
  const expected = await duckdbRows(s, reference, ['window_start', 'window_end', 'n', 'named']);
  const columns = ['window_start', 'window_end', 'user', 'n', 'total', 'lo', 'hi', 'avg_qty', 'named', 'last_name'];
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    assertSameRows(await tEnv.executeSql(query).collect(), expected, columns, `${mode} p${parallelism}`);
  }
});

test('HOP without a key, with expressions over aggregates and HAVING, equals DuckDB', async () => {
  const query = `
    SELECT window_start, window_end, COUNT(*) AS n, SUM(qty) * 2 AS twice, MAX(amount) - MIN(amount) AS spread,
      CASE WHEN SUM(qty) > 0 THEN 'up' ELSE 'down' END AS trend
    FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND))
    GROUP BY window_start, window_end
    HAVING COUNT(*) > 10`;
  const reference = `
    SELECT ws AS window_start, ws + 15000 AS window_end, count(*) AS n, sum(qty) * 2 AS twice, max(amount) - min(amount) AS spread,
      CASE WHEN sum(qty) > 0 THEN 'up' ELSE 'down' END AS trend
    FROM (SELECT *, unnest([(t // 5000) * 5000, (t // 5000) * 5000 - 5000, (t // 5000) * 5000 - 10000]) AS ws FROM ${events()})
    GROUP BY ws HAVING count(*) > 10`;
  const expected = await duckdbRows(s, reference, ['window_start', 'window_end', 'n', 'twice']);
  const columns = ['window_start', 'window_end', 'n', 'twice', 'spread', 'trend'];
  for (const { mode, parallelism } of MODES) {
    const { tEnv } = await eventsEnv(s, mode, parallelism);
    assertSameRows(await tEnv.executeSql(query).collect(), expected, columns, `${mode} p${parallelism}`);
  }
});

test('a watermark tighter than the disorder never drops an on-time row in streaming, and batch keeps them all', async () => {
  const query = `SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end`;
  const all = await duckdbRows(s, `SELECT (t // 10000) * 10000 AS window_start, count(*) AS n FROM ${events()} GROUP BY ALL`, ['window_start', 'n']);
  // Read in file order by one subtask, a row is late when its window ended at or before the
  // watermark: the largest timestamp so far, less one second.
  const late = await duckdbRows(
    s,
    `SELECT (t // 10000) * 10000 AS window_start, count(*) AS n FROM (
       SELECT *, max(t) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - 1000 AS wm FROM ${events()})
     WHERE wm IS NULL OR (t // 10000) * 10000 + 10000 - 1 > wm GROUP BY ALL`,
    ['window_start', 'n'],
  );
  const lateCount = all.reduce((n, r) => n + (r['n'] as number), 0) - late.reduce((n, r) => n + (r['n'] as number), 0);
  assert.ok(lateCount > 0, 'the data has late rows');
  for (const mode of ['streaming', 'batch'] as const) {
    const env = StreamExecutionEnvironment.create({ mode, parallelism: 1 });
    // Per-record watermarks would make lateness independent of timing; a 1 ms period is the nearest.
    env.getConfig().setAutoWatermarkInterval(1);
    const tEnv = await StreamTableEnvironment.create(env);
    tEnv.executeSql(eventsDdl(s, 1));
    const rows = await tEnv.executeSql(query).collect();
    if (mode === 'batch') assertSameRows(rows, all, ['window_start', 'n'], 'batch keeps every row');
    else {
      // Periodic watermarks lag the data: a window may keep rows that would be late against a
      // watermark per row, but never loses one that is on time, nor counts one twice.
      const count = (rs: typeof rows, start: unknown) => rs.find((r) => r['window_start'] === start)?.['n'] ?? 0;
      for (const w of all) {
        const n = count(rows, w['window_start']) as number;
        assert.ok(n >= (count(late, w['window_start']) as number) && n <= (w['n'] as number), `window ${String(w['window_start'])}: ${n} rows`);
      }
    }
  }
});

test('TUMBLE without aggregation gives each row its window_start, window_end and window_time', async () => {
  const { tEnv } = await eventsEnv(s, 'streaming', 2);
  const rows = await tEnv.executeSql(`SELECT id, window_start, window_end, window_time FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE id < 100`).collect();
  const expected = await duckdbRows(s, `SELECT id, (t // 60000) * 60000 AS window_start, (t // 60000) * 60000 + 60000 AS window_end, (t // 60000) * 60000 + 59999 AS window_time FROM ${events()} WHERE id < 100`, ['window_start', 'window_end', 'window_time']);
  assertSameRows(rows, expected, ['id', 'window_start', 'window_end', 'window_time'], 'window columns');
});
