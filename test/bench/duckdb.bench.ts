/**
 * DuckDB sources: rows/s that `fromDuckDB` delivers into the engine from a Parquet file (into a
 * sink that only counts), against DuckDB's own scans of the same file (`count(*)`, which Parquet
 * metadata answers, and a scan that reads every column), and `replay` at 'max' speed (sorted by
 * timestamp first). The engine runs in this process (local executor, one thread), so higher
 * parallelism shows the cost of splitting, not a speed-up.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { StreamExecutionEnvironment } from '../../engine/index.node.ts';
import { closeDuckDB } from '../../engine/connectors/duckdb/instance.ts';
import { bestRate, fmtRate } from './machine.ts';

const ROWS = 3_000_000;

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

export async function benchDuckDB(): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-bench-duckdb-'));
  const file = path.join(dir, 'events.parquet');
  const lines: string[] = [];
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE TABLE ev AS SELECT i AS id, 'user-' || (i % 1000) AS user, ((i % 997) * 0.5)::DOUBLE AS amount,
                           TIMESTAMP '2026-01-01' + to_milliseconds(i * 10) AS ts
                         FROM range(${ROWS}) t(i)`);
    await conn.run(`COPY ev TO '${file}' (FORMAT parquet)`);
    for (let k = 0; k < 4; k++) await conn.run(`COPY (SELECT * FROM ev WHERE id % 4 = ${k}) TO '${path.join(dir, `part-${k}.parquet`)}' (FORMAT parquet)`);
    await conn.run('DROP TABLE ev');
    const mb = (statSync(file).size / 2 ** 20).toFixed(0);
    const from = `'${file}'`;
    lines.push(`input: ${ROWS / 1e6}M rows (id BIGINT, user VARCHAR, amount DOUBLE, ts TIMESTAMP), Parquet ${mb} MiB`);

    const count = await bestRate(ROWS, 3, async () => {
      await conn.run(`SELECT count(*) FROM ${from}`);
    });
    lines.push(`duckdb count(*) of the file: ${fmtRate(count.rate)} (${count.ms.toFixed(0)} ms)`);
    const scan = await bestRate(ROWS, 3, async () => {
      await conn.run(`SELECT count(hash(t)) FROM ${from} t`);
    });
    lines.push(`duckdb scan of every column (count(hash(row))): ${fmtRate(scan.rate)} (${scan.ms.toFixed(0)} ms)`);

    const variants = [
      { what: 'one file, parallelism 1', sql: `SELECT * FROM ${from}`, parallelism: 1 },
      { what: 'one file, parallelism 4 (hash split)', sql: `SELECT * FROM ${from}`, parallelism: 4 },
      { what: '4 files, parallelism 4 (file split)', sql: `SELECT * FROM '${path.join(dir, 'part-*.parquet')}'`, parallelism: 4 },
    ];
    for (const v of variants) {
      const read = await bestRate(ROWS, 2, async () => {
        const n = await engineRead(v.sql, v.parallelism);
        if (n !== ROWS) throw new Error(`fromDuckDB delivered ${n} rows, expected ${ROWS}`);
      });
      lines.push(`fromDuckDB → engine, ${v.what}: ${fmtRate(read.rate)} (${read.ms.toFixed(0)} ms; DuckDB's own full scan is ${(scan.rate / read.rate).toFixed(0)}× faster)`);
    }
    const replay = await bestRate(ROWS, 2, async () => {
      const n = await engineReplay(`SELECT * FROM ${from}`);
      if (n !== ROWS) throw new Error(`replay delivered ${n} rows, expected ${ROWS}`);
    });
    lines.push(`replay at 'max' (ORDER BY ts, event time + watermarks): ${fmtRate(replay.rate)} (${replay.ms.toFixed(0)} ms)`);
  } finally {
    conn.closeSync();
    instance.closeSync();
    await closeDuckDB();
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchDuckDB()) console.log(line);
}
