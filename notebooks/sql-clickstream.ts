// %% [markdown]
// # Clickstream in Flink SQL
//
// A day of page clicks from 50 users, read as a stream in event time, in Flink's SQL dialect
// on Weir's engine: clicks per hour as a live table under the cell, checkouts so far today,
// every three hours, into a print table, and clicks per page as a live chart. On a Flink cluster:
// `npx weir export --flink-sql notebooks/sql-clickstream.ts --out out/flink` writes the SQL as
// `job.sql` for Flink's SQL client.

// %% Clicks without the header line, as Flink's csv format reads a file
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

mkdirSync('out', { recursive: true });
writeFileSync('out/clicks.csv', readFileSync('data/clicks.csv', 'utf8').split('\n').slice(1).join('\n'));

// %% [flink-sql] Tables
// CREATE TABLE clicks (
//   `user` STRING,
//   page STRING,
//   ts TIMESTAMP(3),
//   WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
// ) WITH ('connector' = 'filesystem', 'path' = 'out/clicks.csv', 'format' = 'csv');
//
// CREATE TABLE checkouts_today (window_end TIMESTAMP(3), checkouts BIGINT, buyers BIGINT)
// WITH ('connector' = 'print', 'print-identifier' = 'checkouts so far');

// %% [flink-sql] Clicks, users and checkouts per hour
// SELECT window_start, window_end, COUNT(*) AS clicks, COUNT(DISTINCT `user`) AS users,
//   SUM(CASE WHEN page = '/checkout' THEN 1 ELSE 0 END) AS checkouts
// FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' HOUR))
// GROUP BY window_start, window_end

// %% [flink-sql] Checkouts so far today, every three hours
// INSERT INTO checkouts_today
// SELECT window_end, COUNT(*), COUNT(DISTINCT `user`)
// FROM TABLE(CUMULATE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '3' HOUR, INTERVAL '1' DAY))
// WHERE page = '/checkout'
// GROUP BY window_start, window_end

// %% Clicks per page so far, as a live chart (an updating GROUP BY through the Table API)
import { Sinks, StreamExecutionEnvironment, StreamTableEnvironment } from 'weir';

const env = StreamExecutionEnvironment.create({ parallelism: 1 });
const tEnv = await StreamTableEnvironment.create(env);
tEnv.executeSql("CREATE TABLE page_clicks (`user` STRING, page STRING, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = 'out/clicks.csv', 'format' = 'csv')");
const perPage = tEnv.sqlQuery('SELECT page, COUNT(*) AS clicks FROM page_clicks GROUP BY page');
// Each page's bar takes its latest count: the changelog's +I and +U rows, keyed by page.
tEnv
  .toChangelogStream(perPage)
  .filter((change) => change.kind === '+I' || change.kind === '+U')
  .map((change) => change.row)
  .sinkTo(Sinks.chart({ type: 'bar', x: 'page', y: 'clicks', mode: 'upsert', title: 'Clicks per page so far' }));
await env.execute('clicks per page');
