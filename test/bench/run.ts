/** `npm run bench`: every benchmark in one run, each line a number, headed by the machine. */
import { machineLine } from './machine.ts';
import { benchEngineCore } from './engine-core.bench.ts';
import { benchWindowOperator } from './window-operator.bench.ts';
import { benchWindowJobs } from './window-jobs.bench.ts';
import { benchDuckDB } from './duckdb.bench.ts';
import { benchDataPlane } from './data-plane.bench.ts';
import { benchCluster } from './cluster.bench.ts';
import { benchCheckpoints } from './checkpoint.bench.ts';
import { benchAsyncIO } from './async-io.bench.ts';
import { benchSoak } from './soak.bench.ts';
import { benchNexmark } from './nexmark.bench.ts';
import { benchNexmarkSql } from './nexmark-sql.bench.ts';
import { benchWorkbench } from './workbench.bench.ts';

/**
 * Sections to run: `npm run bench -- checkpoint` runs the sections whose name contains a word
 * given. The memory soak (10 minutes per mode) runs only when asked for: `npm run bench -- soak`
 * (`--minutes N` for a shorter one); so does Nexmark (10M events per query, each run in this
 * process and on 2 taskmanagers): `npm run bench -- nexmark` (`--events N` for fewer).
 */
const args = process.argv.slice(2);
const valueOf = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const flagged = new Set(['--minutes', '--events', '--rows'].flatMap((flag) => (args.includes(flag) ? [args.indexOf(flag), args.indexOf(flag) + 1] : [])));
const only = args.filter((_, i) => !flagged.has(i)).map((a) => a.toLowerCase());
const sections: [string, () => Promise<string[]>][] = [
  ['engine core, one process, one core', benchEngineCore],
  ['window operator alone (harness)', benchWindowOperator],
  ['window jobs against the plain loop (sessions, tumbling, sliding)', () => benchWindowJobs()],
  ['duckdb-source: fromDuckDB and replay from Parquet, against DuckDB\'s own scan', () => benchDuckDB(valueOf('--rows') === undefined ? undefined : Number(valueOf('--rows')))],
  ['data plane (codec, sockets)', benchDataPlane],
  ['worker processes', benchCluster],
  ['checkpoints (heap backend)', benchCheckpoints],
  ['async I/O (one subtask)', benchAsyncIO],
  ['workbench in Chromium: long tasks while a job streams, a 100k-point redraw, opening a 50-cell notebook', benchWorkbench],
  ['soak: memory of every process while a job checkpoints', benchSoak],
  ['nexmark: every query, in-process and on 2 taskmanagers, against a plain loop and Flink', () => benchNexmark(Number(valueOf('--events') ?? 10_000_000))],
  // nexmark-flink's SQL files on the nexmark connector; WEIR_NEXMARK_SQL_EVENTS for a quick check.
  ['nexmark in SQL: nexmark-flink\'s query files, in-process', () => benchNexmarkSql(Number(process.env['WEIR_NEXMARK_SQL_EVENTS'] ?? valueOf('--events') ?? 10_000_000))],
];
const chosen = sections.filter(([name]) => (only.length === 0 ? !name.startsWith('soak') && !name.startsWith('nexmark') : only.some((word) => name.toLowerCase().includes(word))));
if (chosen.length === 0) {
  console.error(`No benchmark section matches ${only.join(', ')}; sections: ${sections.map(([name]) => name).join('; ')}`);
  process.exit(2);
}

console.log(machineLine());
console.log(`date: ${new Date().toISOString()}`);
for (const [name, bench] of chosen) {
  console.log(`## ${name}`);
  for (const line of await bench()) console.log(line);
}
