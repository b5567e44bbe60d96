/**
 * Worker-process figures: records/s through a keyed exchange between two taskmanagers, and
 * the speed-up of a keyed window aggregation on 2 taskmanagers vs 1 (same job, parallelism 2),
 * next to the ceiling this machine allows. Each run is a real `weir run`; the time is the job's
 * own duration from its report.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtRate } from './machine.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs a bench notebook with `weir run` and resolves with the job's own duration from its report. */
function jobMs(notebook: string, taskManagers: number, records: number): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-bench-'));
  const report = path.join(dir, 'report.json');
  const child = spawn(process.execPath, [path.join(root, 'bin/weir.mjs'), 'run', path.join(root, 'test/bench/notebooks', notebook), '--taskmanagers', String(taskManagers), '--report', report], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, WEIR_BENCH_RECORDS: String(records) },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`bench run of ${notebook} failed: ${stderr}`);
        resolve(JSON.parse(readFileSync(report, 'utf8')).jobs[0].durationMs as number);
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function best(runs: number, f: () => Promise<number>): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < runs; i++) b = Math.min(b, await f());
  return b;
}

/**
 * The most any split of the job over two processes could gain on this machine: the job's two
 * halves run as two independent one-taskmanager jobs at once (no exchange between them at all);
 * the time is the slower half's.
 */
function halvesAtOnce(notebook: string, records: number): Promise<number> {
  return Promise.all([jobMs(notebook, 1, records / 2), jobMs(notebook, 1, records / 2)]).then(([a, b]) => Math.max(a, b));
}

/** One line: 1 taskmanager vs 2, and the ceiling the machine allows. */
async function speedUp(what: string, notebook: string, records: number): Promise<string> {
  const one = await best(3, () => jobMs(notebook, 1, records));
  const two = await best(3, () => jobMs(notebook, 2, records));
  const halves = await best(3, () => halvesAtOnce(notebook, records));
  return `${what}, parallelism 2: 1 taskmanager ${one} ms, 2 taskmanagers ${two} ms → speed-up ${(one / two).toFixed(2)}x (${records.toLocaleString()} records); ceiling on this machine ${(one / halves).toFixed(2)}x (its two halves as independent jobs at once: ${halves} ms)`;
}

export async function benchCluster(): Promise<string[]> {
  const exchangeRecords = 5_000_000;
  const exchange = await best(3, () => jobMs('keyed-exchange.ts', 2, exchangeRecords));
  return [
    `keyed exchange, 2 taskmanagers, parallelism 2 (half the records cross processes): ${fmtRate(exchangeRecords / (exchange / 1000))} (${exchangeRecords.toLocaleString()} records in ${exchange} ms)`,
    await speedUp('keyed window aggregation', 'keyed-windows.ts', 4_000_000),
    // The same job with the per-record work of reading text events (an ISO time parsed, a user
    // id normalised): how the speed-up grows once user functions, not the exchange, cost the most.
    await speedUp('the same, parsing each record first', 'keyed-windows-parsing.ts', 2_000_000),
  ];
}
