/**
 * Worker-process figures: records/s through a keyed exchange between two taskmanagers, and
 * the speed-up of a keyed window aggregation on 2 taskmanagers vs 1 (same job, parallelism 2).
 * Each run is a real `weir run`; the time is the job's own duration from its report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtRate } from './machine.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function jobMs(notebook: string, taskManagers: number, records: number): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-bench-'));
  try {
    const report = path.join(dir, 'report.json');
    const r = spawnSync(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', path.join(root, 'test/bench/notebooks', notebook), '--taskmanagers', String(taskManagers), '--report', report], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WEIR_BENCH_RECORDS: String(records) },
    });
    if (r.status !== 0) throw new Error(`bench run of ${notebook} failed: ${r.stderr}`);
    return JSON.parse(readFileSync(report, 'utf8')).jobs[0].durationMs as number;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function best(runs: number, f: () => number): number {
  let b = Infinity;
  for (let i = 0; i < runs; i++) b = Math.min(b, f());
  return b;
}

export async function benchCluster(): Promise<string[]> {
  const exchangeRecords = 5_000_000;
  const exchange = best(3, () => jobMs('keyed-exchange.ts', 2, exchangeRecords));
  const windowRecords = 4_000_000;
  const one = best(3, () => jobMs('keyed-windows.ts', 1, windowRecords));
  const two = best(3, () => jobMs('keyed-windows.ts', 2, windowRecords));
  // The same job with the per-record work of reading text events (an ISO time parsed, a user id
  // normalised): how the speed-up grows once user functions, not the exchange, cost the most.
  const parsingRecords = 2_000_000;
  const parsingOne = best(3, () => jobMs('keyed-windows-parsing.ts', 1, parsingRecords));
  const parsingTwo = best(3, () => jobMs('keyed-windows-parsing.ts', 2, parsingRecords));
  return [
    `keyed exchange, 2 taskmanagers, parallelism 2 (half the records cross processes): ${fmtRate(exchangeRecords / (exchange / 1000))} (${exchangeRecords.toLocaleString()} records in ${exchange} ms)`,
    `keyed window aggregation, parallelism 2: 1 taskmanager ${one} ms, 2 taskmanagers ${two} ms → speed-up ${(one / two).toFixed(2)}x (${windowRecords.toLocaleString()} records)`,
    `the same, parsing each record's time and user first: 1 taskmanager ${parsingOne} ms, 2 taskmanagers ${parsingTwo} ms → speed-up ${(parsingOne / parsingTwo).toFixed(2)}x (${parsingRecords.toLocaleString()} records)`,
  ];
}
