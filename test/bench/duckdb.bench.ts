/**
 * DuckDB sources (`npm run bench -- duckdb-source`): rows/s that `fromDuckDB` and `replay`
 * deliver into the engine from one generated Parquet file (10M rows: BIGINT, INTEGER, DOUBLE,
 * TIMESTAMP and a short VARCHAR) into a sink that only counts, against DuckDB's own scans of the
 * same file (`count(*)`, which Parquet metadata answers, and `count(*), sum(...)` over every
 * numeric column, the ceiling). The engine runs in this process (local executor, one JS thread),
 * so at parallelism p the rate per subtask is the total divided by p. `--rows N` for fewer rows.
 *
 * On a shared machine wall time mostly measures the load, so each engine line also gives rows
 * per CPU-second: of the whole process (DuckDB's threads included) and of the main thread (the
 * engine and record building), from the best of the runs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { StreamExecutionEnvironment } from '../../engine/index.node.ts';
import { closeDuckDB } from '../../engine/connectors/duckdb/instance.ts';
import { bestRate, fmtRate } from './machine.ts';

async function engineRead(sql: string, parallelism: number): Promise<number> {
  let seen = 0;
  const env = StreamExecutionEnvironment.create({ parallelism });
  env.fromDuckDB(sql).sinkTo({ invoke: () => void seen++ });
  await env.execute('bench-fromDuckDB');
  return seen;
}

async function engineReplay(sql: string): Promise<number> {
  let seen = 0;
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  env.replay({ sql, timestampColumn: 'ts', speed: 'max' }).sinkTo({ invoke: () => void seen++ });
  await env.execute('bench-replay');
  return seen;
}

/** CPU ms of this process's main thread (Linux), or NaN elsewhere. */
function mainThreadCpuMs(): number {
  const stat = `/proc/self/task/${process.pid}/stat`;
  if (!existsSync(stat)) return NaN;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
}

/** Runs `fn` `runs` times after a warm-up; the fastest run's wall, process CPU and main-thread CPU ms. */
async function bestRun(runs: number, fn: () => Promise<void>): Promise<{ ms: number; cpuMs: number; mainMs: number }> {
  await fn();
  let best = { ms: Infinity, cpuMs: NaN, mainMs: NaN };
  for (let i = 0; i < runs; i++) {
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    const t0 = performance.now();
    await fn();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (ms < best.ms) best = { ms, cpuMs: (cpu.user + cpu.system) / 1000, mainMs: mainThreadCpuMs() - main0 };
  }
  return best;
}

/** Rows/s of a run: by wall time, per CPU-second of the process and of its main thread. */
function rates(rows: number, run: { ms: number; cpuMs: number; mainMs: number }, parallelism: number): string {
  const perSecond = (ms: number) => fmtRate(rows / (ms / 1000)).replace(' records/s', '');
  return `${fmtRate(rows / (run.ms / 1000))}, ${fmtRate(rows / (run.ms / 1000) / parallelism)} per subtask (${run.ms.toFixed(0)} ms); per CPU-second: ${perSecond(run.cpuMs)} (process), ${perSecond(run.mainMs)} (main thread)`;
}

const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

export async function benchDuckDB(rows = 10_000_000): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-bench-duckdb-'));
  const file = path.join(dir, 'events.parquet');
  const lines: string[] = [`load average before: ${loadAverage()}`];
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`COPY (SELECT i AS id, (i % 1000)::INTEGER AS qty, ((i % 997) * 0.5)::DOUBLE AS amount,
                           TIMESTAMP '2026-01-01' + to_milliseconds(i * 10) AS ts, 'user-' || (i % 1000) AS user
                         FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet)`);
    const mb = (statSync(file).size / 2 ** 20).toFixed(0);
    const groups = (await conn.runAndReadAll(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${file}')`)).getRows()[0]![0];
    const from = `'${file}'`;
    lines.push(`input: ${rows / 1e6}M rows (id BIGINT, qty INTEGER, amount DOUBLE, ts TIMESTAMP, user VARCHAR), one Parquet file of ${mb} MiB, ${String(groups)} row groups`);

    const count = await bestRate(rows, 3, async () => {
      await conn.run(`SELECT count(*) FROM ${from}`);
    });
    lines.push(`duckdb count(*) of the file: ${fmtRate(count.rate)} (${count.ms.toFixed(0)} ms)`);
    const scan = await bestRun(3, async () => {
      await conn.run(`SELECT count(*), sum(id), sum(qty), sum(amount), max(ts), max(length(user)) FROM ${from}`);
    });
    lines.push(`duckdb scan of every column (count(*), sum(...), max(...)), the ceiling: ${fmtRate(rows / (scan.ms / 1000))} (${scan.ms.toFixed(0)} ms); per CPU-second: ${fmtRate(rows / (scan.cpuMs / 1000))} (process)`);

    for (const parallelism of [1, 2]) {
      const read = await bestRun(2, async () => {
        const n = await engineRead(`SELECT * FROM ${from}`, parallelism);
        if (n !== rows) throw new Error(`fromDuckDB delivered ${n} rows, expected ${rows}`);
      });
      lines.push(`fromDuckDB → engine, one file, parallelism ${parallelism}: ${rates(rows, read, parallelism)}; DuckDB's own scan is ${(scan.ms === 0 ? 0 : read.ms / scan.ms).toFixed(1)}× faster`);
    }
    const replay = await bestRun(2, async () => {
      const n = await engineReplay(`SELECT * FROM ${from}`);
      if (n !== rows) throw new Error(`replay delivered ${n} rows, expected ${rows}`);
    });
    lines.push(`replay at 'max' (ORDER BY ts, event time + watermarks), parallelism 1: ${rates(rows, replay, 1)}`);
  } finally {
    conn.closeSync();
    instance.closeSync();
    await closeDuckDB();
    rmSync(dir, { recursive: true, force: true });
  }
  lines.push(`load average after: ${loadAverage()}`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const rows = args.includes('--rows') ? Number(args[args.indexOf('--rows') + 1]) : undefined;
  for (const line of await benchDuckDB(rows)) console.log(line);
}
