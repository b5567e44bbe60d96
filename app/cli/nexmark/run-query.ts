/**
 * Runs one Nexmark query notebook (`notebooks/nexmark/qN.ts`) as `weir run` does, in this
 * process or on taskmanagers, times the job from its own report and, when asked, checks its
 * output against the DuckDB reference (verify.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownedTempDir, releaseTempDir } from '../../../engine/process/temp-dirs.ts';
import type { RunReport } from '../report.ts';
import type { CliContext } from '../io.ts';
import { compareNexmarkOutput, nexmarkReferenceRows, readJsonlOutput } from './verify.ts';

/** One bench run of a query. */
export interface NexmarkRunOptions {
  /** `q0`, `q5`, … (a notebook in notebooks/nexmark). */
  query: string;
  events: number;
  /** Job parallelism (default: the taskmanagers, or 1 in this process). */
  parallelism?: number;
  /** Worker processes; 0 runs the job in this process. */
  taskManagers: number;
  /** Checkpoint interval in ms; 0 for none. */
  checkpointInterval?: number;
  mode?: 'streaming' | 'batch';
  /** Event-time rate of the generated events (default nexmark's 10,000/s). */
  eventsPerSecond?: number;
  /** Compare the output with the DuckDB reference. */
  verify?: boolean;
  /** The reference result, when already computed (`nexmarkReferenceRows`); implies `verify`. */
  expected?: string[];
}

/** The bench's JSON line. */
export interface NexmarkResult {
  query: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Processes that ran the job's subtasks: the taskmanagers, or 1 in this process. */
  cores: number;
  eventsPerSecondPerCore: number;
  /** Checkpoints completed while it ran. */
  checkpoints: number;
  /** Whether the output equals the reference; null when not checked. */
  verified: boolean | null;
  /** Rows of the reference result, when checked. */
  rows?: number;
  /** Rows only one side has, when the check failed. */
  differences?: string[];
}

/** The folder holding the Nexmark notebooks: beside the package's own files, from the sources or the bundle. */
export function nexmarkNotebooks(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'notebooks', 'nexmark');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the Nexmark notebooks (notebooks/nexmark) beside the weir package');
    dir = parent;
  }
}

/** The queries there are notebooks for, in order (q0, q1, …, q22). */
export function nexmarkQueries(): string[] {
  return readdirSync(nexmarkNotebooks())
    .filter((f) => /^q\d+\.ts$/.test(f))
    .map((f) => f.slice(0, -3))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/**
 * Runs query `options.query` over `options.events` events and reports its speed.
 *
 * @example
 * const r = await runNexmarkQuery({ query: 'q5', events: 1_000_000, taskManagers: 2, checkpointInterval: 1000 });
 * console.log(JSON.stringify(r));
 */
export async function runNexmarkQuery(options: NexmarkRunOptions): Promise<NexmarkResult> {
  const notebook = path.join(nexmarkNotebooks(), `${options.query}.ts`);
  if (!existsSync(notebook)) throw new Error(`no Nexmark query '${options.query}'; there are ${nexmarkQueries().join(', ')}`);
  const parallelism = options.parallelism ?? Math.max(1, options.taskManagers);
  const dir = ownedTempDir('weir-nexmark');
  try {
    const report = path.join(dir, 'report.json');
    const output = path.join(dir, 'out') + path.sep;
    const argv = [notebook, '--taskmanagers', String(options.taskManagers), '--parallelism', String(parallelism), '--report', report, '--quiet'];
    argv.push('--checkpoint-dir', path.join(dir, 'checkpoints'));
    if (options.mode) argv.push('--mode', options.mode);
    const params: Record<string, number | string> = { events: options.events, 'checkpoint-interval': options.checkpointInterval ?? 0 };
    if (options.eventsPerSecond !== undefined) params['events-per-second'] = options.eventsPerSecond;
    if (options.verify || options.expected) params['output'] = output;
    for (const [name, value] of Object.entries(params)) argv.push('--param', `${name}=${value}`);
    let stderr = '';
    const context: CliContext = { stdout: () => {}, stderr: (text) => void (stderr += text), cwd: process.cwd() };
    const { runCommand } = await import('../run.ts');
    const code = await runCommand(argv, context);
    if (code !== 0) throw new Error(`Nexmark ${options.query} failed:\n${stderr.trim()}`);
    const job = (JSON.parse(readFileSync(report, 'utf8')) as RunReport).jobs.at(-1);
    if (!job || job.status !== 'FINISHED') throw new Error(`Nexmark ${options.query} did not finish: ${job?.error ?? stderr.trim()}`);
    const seconds = job.durationMs / 1000;
    const cores = options.taskManagers > 0 ? options.taskManagers : 1;
    const result: NexmarkResult = {
      query: options.query,
      events: options.events,
      seconds,
      eventsPerSecond: Math.round(options.events / seconds),
      cores,
      eventsPerSecondPerCore: Math.round(options.events / seconds / cores),
      checkpoints: job.checkpoints.filter((c) => c.status === 'COMPLETED' && !c.savepoint).length,
      verified: null,
    };
    if (options.verify || options.expected) {
      const events = { events: options.events, ...(options.eventsPerSecond !== undefined ? { eventsPerSecond: options.eventsPerSecond } : {}) };
      const check = compareNexmarkOutput(options.query, readJsonlOutput(output), options.expected ?? (await nexmarkReferenceRows(options.query, events)));
      result.verified = check.verified;
      result.rows = check.rows;
      if (!check.verified) result.differences = check.differences;
    }
    return result;
  } finally {
    releaseTempDir(dir);
  }
}
