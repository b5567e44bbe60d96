/**
 * DuckDB sources (`npm run bench -- duckdb-source`): rows/s that `fromDuckDB` and `replay`
 * deliver into the engine from one generated Parquet file (10M rows: BIGINT, INTEGER, DOUBLE,
 * TIMESTAMP and a short VARCHAR) into a sink that only counts, against DuckDB's own scans of the
 * same file (`count(*)`, which Parquet metadata answers, and `count(*), sum(...)` over every
 * numeric column, the ceiling). The engine runs in this process (local executor, one JS thread),
 * so at parallelism p the rate per subtask is the total divided by p. `--rows N` for fewer rows.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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
    const scan = await bestRate(rows, 3, async () => {
      await conn.run(`SELECT count(*), sum(id), sum(qty), sum(amount), max(ts), max(length(user)) FROM ${from}`);
    });
    lines.push(`duckdb scan of every column (count(*), sum(...), max(...)): ${fmtRate(scan.rate)} (${scan.ms.toFixed(0)} ms), the ceiling`);

    for (const parallelism of [1, 2]) {
      const read = await bestRate(rows, 2, async () => {
        const n = await engineRead(`SELECT * FROM ${from}`, parallelism);
        if (n !== rows) throw new Error(`fromDuckDB delivered ${n} rows, expected ${rows}`);
      });
      lines.push(
        `fromDuckDB → engine, one file, parallelism ${parallelism}: ${fmtRate(read.rate)}, ${fmtRate(read.rate / parallelism)} per subtask (${read.ms.toFixed(0)} ms; DuckDB's own scan is ${(scan.rate / read.rate).toFixed(1)}× faster)`,
      );
    }
    const replay = await bestRate(rows, 2, async () => {
      const n = await engineReplay(`SELECT * FROM ${from}`);
      if (n !== rows) throw new Error(`replay delivered ${n} rows, expected ${rows}`);
    });
    lines.push(`replay at 'max' (ORDER BY ts, event time + watermarks), parallelism 1: ${fmtRate(replay.rate)} (${replay.ms.toFixed(0)} ms)`);
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
