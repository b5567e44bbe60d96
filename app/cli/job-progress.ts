/**
 * What `weir run` says on stderr while its jobs run (Flink's CLI and web UI show the same in
 * their job overview): each job's state changes, every restart with its cause, failed
 * checkpoints, and on a terminal one status line rewritten in place about once a second. When
 * the jobmanager is lost, it names the last completed checkpoint and the command that resumes
 * from it. Everything it reads comes from the `JobClient`s, as a remote client would see it.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { JobClient, JobState, RestartInfo } from '../../engine/runtime/job.ts';
import type { CheckpointStats } from '../../engine/runtime/checkpoint-stats.ts';
import type { OperatorReport } from '../../engine/runtime/host.ts';
import { isJobManagerLoss } from '../../engine/process/cluster-client.ts';
import { METADATA } from '../../engine/process/checkpoint/fs-storage.ts';

/** How often job status is read (ms); the status line is redrawn at most once a second. */
const POLL_MS = 250;
const STATUS_LINE_MS = 1_000;

/** Options of `JobProgress`. */
export interface JobProgressOptions {
  /** Writes to stderr. */
  write(text: string): void;
  /** Draw the status line (stderr is a terminal and `--quiet` was not given). */
  statusLine: boolean;
  /** The command that resumes the run from a checkpoint or savepoint at `path`. */
  resumeCommand(path: string): string;
  /** Columns of the terminal, to keep the status line on one row. */
  columns?: number;
}

/** What has been said of one job, so that each event is said once. */
interface Watched {
  client: JobClient;
  state: JobState | undefined;
  restarts: number;
  reportedCheckpoints: Set<number>;
  lastCompleted: CheckpointStats | undefined;
  ended: boolean;
  /** Records the sources had emitted at the last status line. */
  sourceRead?: { at: number; count: number };
}

/**
 * Watches jobs and prints what happens to them.
 *
 * @example
 * const progress = new JobProgress({ write: (t) => process.stderr.write(t), statusLine: process.stderr.isTTY, resumeCommand: (p) => `npx weir run nb.ts --from-savepoint ${p}` });
 * progress.watch(client);
 * // job 'clicks': RUNNING
 * // job 'clicks': restart 1 — Map (2/2) on taskmanager 1: boom
 */
export class JobProgress {
  private readonly jobs: Watched[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private statusShown = false;
  private lastStatusAt = 0;

  constructor(private readonly options: JobProgressOptions) {}

  /** Starts watching a job until it ends. */
  watch(client: JobClient): void {
    const watched: Watched = { client, state: undefined, restarts: 0, reportedCheckpoints: new Set(), lastCompleted: undefined, ended: false };
    this.jobs.push(watched);
    client.result.then(
      (result) => this.ended(watched, result.report.status),
      (error: unknown) => this.ended(watched, 'FAILED', error),
    );
    if (!this.timer) {
      this.timer = setInterval(() => this.poll(), POLL_MS);
      this.timer.unref();
    }
  }

  /**
   * Writes a line of its own (an error, a savepoint path on stderr) without mixing it into the
   * status line, which is drawn again on the next tick.
   */
  line(text: string): void {
    this.clearStatus();
    this.options.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Removes the status line (before the process writes its last words or exits). */
  clearStatus(): void {
    if (!this.statusShown) return;
    this.options.write('\r\x1b[K');
    this.statusShown = false;
  }

  /** Stops watching; says nothing more. */
  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clearStatus();
  }

  private poll(): void {
    for (const job of this.jobs) if (!job.ended) this.observe(job);
    const running = this.jobs.filter((j) => !j.ended);
    if (running.length === 0) {
      this.clearStatus();
      if (this.jobs.every((j) => j.ended) && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
      return;
    }
    const now = Date.now();
    if (this.options.statusLine && now - this.lastStatusAt >= STATUS_LINE_MS) {
      this.lastStatusAt = now;
      const text = running.map((j) => statusOf(j, now)).join('  |  ');
      const columns = this.options.columns ?? 0;
      this.options.write(`\r\x1b[K${columns > 1 && text.length >= columns ? `${text.slice(0, columns - 2)}…` : text}`);
      this.statusShown = true;
    }
  }

  /** Says what changed since the last look. */
  private observe(job: Watched): void {
    const name = job.client.jobName;
    const state = job.client.state?.();
    if (state && state !== job.state && !isFinal(state)) {
      job.state = state;
      this.line(`job '${name}': ${state}`);
    }
    const restarts = job.client.restarts?.() ?? [];
    for (const restart of restarts.slice(job.restarts)) this.line(`job '${name}': restart ${++job.restarts}, after ${describeRestart(restart)}`);
    for (const checkpoint of job.client.checkpoints?.() ?? []) {
      if (checkpoint.status === 'COMPLETED' && checkpoint.path && (!job.lastCompleted || checkpoint.id > job.lastCompleted.id)) job.lastCompleted = checkpoint;
      if (checkpoint.status !== 'FAILED' || job.reportedCheckpoints.has(checkpoint.id)) continue;
      job.reportedCheckpoints.add(checkpoint.id);
      this.line(`job '${name}': ${checkpoint.savepoint ? 'savepoint' : 'checkpoint'} ${checkpoint.id} failed: ${checkpoint.failureReason ?? 'no reason given'}`);
    }
  }

  private ended(job: Watched, state: JobState, error?: unknown): void {
    if (job.ended) return;
    this.observe(job);
    job.ended = true;
    const name = job.client.jobName;
    if (!isJobManagerLoss(error)) {
      this.line(`job '${name}': ${state}`);
      return;
    }
    const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    this.line(`job '${name}': ${message}`);
    const retained = newestCompletedOnDisk(job.client.checkpoints?.() ?? []);
    if (!retained?.path) {
      this.line(`job '${name}': no completed checkpoint survives it; the job cannot resume where it was`);
      return;
    }
    this.line(`job '${name}': last completed ${retained.savepoint ? 'savepoint' : 'checkpoint'}: ${retained.id} at ${retained.path}`);
    this.line(`  resume with: ${this.options.resumeCommand(retained.path)}`);
  }
}

/**
 * The newest checkpoint or savepoint whose metadata is on disk. The client's history can be a
 * step behind the jobmanager it lost: the checkpoint it last saw completed may since have been
 * subsumed (its folder half removed) by a newer one it never heard of, so the folder the known
 * checkpoints live in is read as well.
 */
function newestCompletedOnDisk(history: readonly CheckpointStats[]): { id: number; path: string; savepoint: boolean } | undefined {
  const found: { id: number; path: string; savepoint: boolean }[] = [];
  const folders = new Set<string>();
  for (const c of history) {
    if (c.status !== 'COMPLETED' || !c.path) continue;
    if (existsSync(path.join(c.path, METADATA))) found.push({ id: c.id, path: c.path, savepoint: !!c.savepoint });
    if (!c.savepoint) folders.add(path.dirname(c.path));
  }
  for (const folder of folders) {
    let names: string[] = [];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      const id = Number(/^chk-(\d+)$/.exec(name)?.[1]);
      const at = path.join(folder, name);
      if (Number.isSafeInteger(id) && existsSync(path.join(at, METADATA))) found.push({ id, path: at, savepoint: false });
    }
  }
  return found.sort((a, b) => b.id - a.id)[0];
}

function isFinal(state: JobState): boolean {
  return state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED';
}

/** `Map (2/2) on taskmanager 1: boom`, or the message alone when the place is unknown. */
export function describeRestart(restart: RestartInfo): string {
  const where: string[] = [];
  if (restart.operator) where.push(`${restart.operator.name} (${restart.operator.subtask + 1}/${restart.operator.parallelism})`);
  // A taskmanager's death names the taskmanager, its pid and the exit code or signal itself.
  if (restart.taskManager !== undefined && !/^taskmanager \d/.test(restart.cause)) where.push(`on taskmanager ${restart.taskManager}`);
  return where.length > 0 ? `${where.join(' ')}: ${restart.cause}` : restart.cause;
}

/** `clicks: 12,300 rec/s, watermark 2026-01-01T10:00:05Z, replay 41%, checkpoint 7 (2 s ago)`. */
function statusOf(job: Watched, now: number): string {
  const operators = job.client.metrics();
  // Rates from the totals between two status lines: they hold however often the executor
  // refreshes its own per-interval rates.
  const read = sourceRecords(operators);
  const rate = job.sourceRead && now > job.sourceRead.at ? Math.max(0, ((read - job.sourceRead.count) * 1000) / (now - job.sourceRead.at)) : 0;
  job.sourceRead = { at: now, count: read };
  const parts = [`${job.client.jobName}: ${Math.round(rate).toLocaleString('en-US')} rec/s`];
  const watermark = minWatermark(operators);
  if (watermark !== undefined) parts.push(`watermark ${formatTime(watermark)}`);
  for (const replay of job.client.replays?.() ?? []) parts.push(`replay ${replay.name} ${replay.percent.toFixed(0)}%${replay.state === 'paused' ? ' (paused)' : ''}`);
  if (job.lastCompleted) parts.push(`checkpoint ${job.lastCompleted.id} (${Math.max(0, Math.round((now - job.lastCompleted.triggerTime - job.lastCompleted.durationMs) / 1000))} s ago)`);
  if (job.restarts > 0) parts.push(`${job.restarts} restart${job.restarts === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** Records out of the sources so far (operators that read no records from another). */
function sourceRecords(operators: OperatorReport[]): number {
  const sources = operators.filter((o) => o.recordsIn === 0);
  return (sources.length > 0 ? sources : operators.slice(0, 1)).reduce((sum, o) => sum + o.recordsOut, 0);
}

/** The lowest watermark any operator has reached (what the job's output is complete up to). */
function minWatermark(operators: OperatorReport[]): number | undefined {
  const marks = operators.map((o) => o.watermark).filter((w): w is number => typeof w === 'number' && Number.isFinite(w));
  return marks.length > 0 ? Math.min(...marks) : undefined;
}

/** Epoch milliseconds as a UTC time; small numbers (synthetic event times) as they are. */
function formatTime(t: number): string {
  return t > 1e11 && t < 1e14 ? new Date(t).toISOString().replace('.000Z', 'Z') : String(t);
}
