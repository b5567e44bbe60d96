/**
 * Nexmark, every query with a notebook (notebooks/nexmark): events/s per core in this process
 * at parallelism 1 and on 2 taskmanagers at parallelism 2 (the default path of `weir run`),
 * both checkpointing every second, next to a plain JavaScript loop computing the same result
 * and Flink's published per-core figure. Prints a Markdown table, and the machine's load
 * before and after: on a shared machine the times are upper bounds.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runNexmarkQuery, type NexmarkResult } from '../../app/cli/nexmark/run-query.ts';
import { NEXMARK_LOOPS } from './nexmark-loops.ts';

/**
 * Flink 1.13's events/s per core on nexmark-flink (the figures issue 14 quotes); q9 has none
 * there.
 */
const FLINK_PER_CORE: Record<string, number> = {
  q0: 155_000,
  q1: 158_000,
  q2: 175_000,
  q3: 152_000,
  q4: 34_300,
  q5: 22_100,
  q7: 12_300,
  q8: 146_000,
  q11: 39_700,
};

const rate = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}K`);
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}x` : '—');
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

/** The plain loop's events/s: the best of two runs after a warm-up. */
function loopRate(query: string, events: number): number {
  const loop = NEXMARK_LOOPS[query];
  if (!loop) return NaN;
  loop(Math.min(events, 100_000));
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    loop(events);
    best = Math.min(best, performance.now() - t0);
  }
  return events / (best / 1000);
}

const weirBin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'weir.mjs');

/** One `weir bench nexmark --json` run in a process of its own. */
async function benchProcess(query: string, events: number): Promise<NexmarkResult> {
  const args = [weirBin, 'bench', 'nexmark', '--query', query, '--events', String(events), '--taskmanagers', '0', '--parallelism', '1', '--checkpoint-interval', '1000', '--json'];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as NexmarkResult;
}

/**
 * This machine's ceiling for the 2-taskmanager path, as events/s of the whole job: the job's
 * two halves run at once as independent in-process jobs, each in a process of its own (half the
 * events each, no exchange between them), timed by the slower one. Two busy processes on this
 * VM run far slower than one alone, so this is what 2 taskmanagers could at most reach.
 */
async function twoHalvesRate(query: string, events: number): Promise<number> {
  const half = Math.floor(events / 2);
  const runs = await Promise.all([benchProcess(query, half), benchProcess(query, half)]);
  return (2 * half) / Math.max(...runs.map((r) => r.seconds));
}

/**
 * The Nexmark table over `events` events per query (10M by default; `--events N` scales it).
 *
 * @example
 * for (const line of await benchNexmark(1_000_000)) console.log(line);
 */
export async function benchNexmark(events = 10_000_000, queries = Object.keys(NEXMARK_LOOPS)): Promise<string[]> {
  const lines = [
    `events per query: ${events.toLocaleString('en-US')}, checkpoints every 1 s; load average before: ${load()}`,
    '',
    '| query | in-process, p=1 (ev/s/core) | 2 taskmanagers, p=2 (ev/s/core) | plain JS loop (ev/s) | Flink per core | in-process / Flink | taskmanagers / Flink | in-process / loop | taskmanagers / in-process | taskmanagers / ceiling | checkpoints (in-process, taskmanagers) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const query of queries) {
    const inProcess: NexmarkResult = await runNexmarkQuery({ query, events, parallelism: 1, taskManagers: 0, checkpointInterval: 1000 });
    const cluster: NexmarkResult = await runNexmarkQuery({ query, events, parallelism: 2, taskManagers: 2, checkpointInterval: 1000 });
    const ceiling = await twoHalvesRate(query, events);
    const loop = loopRate(query, events);
    const flink = FLINK_PER_CORE[query];
    const a = inProcess.eventsPerSecondPerCore;
    const b = cluster.eventsPerSecondPerCore;
    const row =
      `| ${query} | ${rate(a)} | ${rate(b)} | ${rate(loop)} | ${flink ? rate(flink) : '—'} | ${ratio(a, flink)} | ${ratio(b, flink)} | ${(a / loop).toFixed(2)} | ${(b / a).toFixed(2)} | ${(cluster.eventsPerSecond / ceiling).toFixed(2)} | ${inProcess.checkpoints}, ${cluster.checkpoints} |`;
    lines.push(row);
    // A long run shows its rows as they come (the table is printed whole at the end).
    console.error(`${row} (load ${load()})`);
  }
  lines.push('', `load average after: ${load()}`);
  return lines;
}
