/**
 * Nexmark in SQL: nexmark-flink's query files that Weir supports (test/fixtures/nexmark-sql),
 * their INSERT into the blackhole table as nexmark-flink runs them, over the `nexmark`
 * connector, in this process at parallelism 1; events/s per query, printed after the DataStream
 * section of `npm run bench -- nexmark`. The event count is the DataStream section's
 * (`--events N`), or WEIR_NEXMARK_SQL_EVENTS for a quick check on a loaded machine.
 */
import os from 'node:os';
import { StreamExecutionEnvironment, StreamTableEnvironment } from '../../engine/index.node.ts';
import { statements } from '../sql/nexmark/queries.ts';

/** The query files Weir runs (the test verifies each against DuckDB). */
export const SQL_QUERIES = [0, 1, 2, 3, 5, 7, 8, 18, 19, 20, 21, 22];

const rate = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}K`);
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

/** Runs query file `q` over `events` events into its blackhole table; the seconds it took. */
async function timeQuery(q: number, events: number): Promise<number> {
  const env = StreamExecutionEnvironment.create({ mode: 'streaming', parallelism: 1 });
  const tEnv = await StreamTableEnvironment.create(env);
  for (const s of statements('ddl.sql', { TPS: '10000000', EVENTS_NUM: String(events) })) tEnv.executeSql(s);
  const started = performance.now();
  for (const s of statements(`q${q}.sql`)) await tEnv.executeSql(s).await();
  return (performance.now() - started) / 1000;
}

/**
 * Events/s of each SQL query in this process.
 *
 * @example
 * for (const line of await benchNexmarkSql(100_000)) console.log(line);
 */
export async function benchNexmarkSql(events = 10_000_000): Promise<string[]> {
  const lines = [
    `events per query: ${events.toLocaleString('en-US')}, no checkpoints; load average before: ${load()}`,
    '',
    '| query | SQL in-process, p=1 (ev/s) | seconds |',
    '|---|---|---|',
  ];
  for (const q of SQL_QUERIES) {
    const seconds = await timeQuery(q, events);
    const row = `| q${q} | ${rate(events / seconds)} | ${seconds.toFixed(1)} |`;
    lines.push(row);
    console.error(`${row} (load ${load()})`);
  }
  lines.push('', `load average after: ${load()}`);
  return lines;
}
