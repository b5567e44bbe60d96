/**
 * The jobs that notebook cells start, as the job panel shows them. The engine tells the host
 * of each job as it starts (`ExecutionHost.onJobStarted`); the tracker remembers which cell
 * started it (from `cellContext`), polls its live figures, and reports its end.
 */
import type { StreamGraphSpec } from '../../engine/plan/job-graph.ts';
import type { JobReport, OperatorReport } from '../../engine/runtime/host.ts';
import type { JobClient } from '../../engine/runtime/job.ts';
import type { JobUpdateEvent } from '../shared/workbench/service.ts';
import type { CheckpointSummary, JobDescription, JobStatus, OperatorMetrics } from '../shared/workbench/protocol.ts';
import { cellContext } from './cell-context.ts';

/** Where the tracker reports. */
export interface JobEvents {
  started(job: JobDescription): void;
  updated(event: JobUpdateEvent): void;
}

interface TrackedJob {
  description: JobDescription;
  client: JobClient;
  status: JobStatus;
  started: number;
}

/** Options of a tracker. */
export interface JobTrackerOptions {
  /** How often running jobs' figures are read, ms. Default 500. */
  pollMs?: number;
}

/**
 * Tracks jobs started in this process.
 *
 * @example
 * const jobs = new JobTracker({ started: (j) => ..., updated: (e) => ... });
 * installExecutionHost({ submitJob: (job) => jobs.expect(job.graph), onJobStarted: (c) => jobs.started(c) });
 */
export class JobTracker {
  private readonly jobs = new Map<string, TrackedJob>();
  private nextId = 0;
  private expected: StreamGraphSpec | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly pollMs: number;

  constructor(
    private readonly events: JobEvents,
    options: JobTrackerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
  }

  /**
   * Notes the plan of the job about to start: the engine submits a job and reports it started
   * right after, in the same synchronous step. Returns undefined (run the job in-process).
   */
  expect(graph: StreamGraphSpec): undefined {
    this.expected = graph;
    return undefined;
  }

  /** A job has started; called by the engine. */
  started(client: JobClient): void {
    const context = cellContext.getStore();
    const graph = this.expected?.name === client.jobName ? this.expected : undefined;
    this.expected = undefined;
    const id = `job-${++this.nextId}`;
    const description: JobDescription = {
      id,
      name: client.jobName,
      path: context?.path ?? '',
      cellId: context?.cellId ?? '',
      startedAt: Date.now(),
      operators: graph
        ? graph.vertices.map((v) => ({ uid: v.uid, name: v.name, parallelism: v.parallelism, kind: v.kind }))
        : safeMetrics(client).map((o) => ({ uid: o.uid, name: o.name, parallelism: o.parallelism })),
      edges: graph ? graph.edges.flatMap((e) => edgeOf(graph, e)) : [],
    };
    const job: TrackedJob = { description, client, status: 'RUNNING', started: performance.now() };
    this.jobs.set(id, job);
    this.events.started(description);
    this.timer ??= setInterval(() => this.poll(), this.pollMs);
    this.timer.unref?.();
    client.result.then(
      (result) => this.finish(job, result.report),
      (error: unknown) => this.finish(job, (error as { report?: JobReport }).report, error),
    );
  }

  /** Stops a job; until stop-with-savepoint exists, this cancels it. */
  stop(id: string): void {
    this.cancel(id);
  }

  /** Cancels a job; unknown or ended jobs are ignored. */
  cancel(id: string): void {
    const job = this.jobs.get(id);
    if (job?.status === 'RUNNING') job.client.cancel();
  }

  /** Cancels the running jobs that a cell started. */
  cancelJobsOf(path: string, cellId: string): void {
    for (const job of this.jobs.values()) {
      if (job.status === 'RUNNING' && job.description.path === path && job.description.cellId === cellId) job.client.cancel();
    }
  }

  /** Ids of running jobs. */
  running(): string[] {
    return [...this.jobs.values()].filter((j) => j.status === 'RUNNING').map((j) => j.description.id);
  }

  /** Cancels every running job and stops polling. */
  dispose(): void {
    for (const job of this.jobs.values()) if (job.status === 'RUNNING') job.client.cancel();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private poll(): void {
    let anyRunning = false;
    for (const job of this.jobs.values()) {
      if (job.status !== 'RUNNING') continue;
      anyRunning = true;
      this.events.updated({
        jobId: job.description.id,
        status: 'RUNNING',
        elapsedMs: performance.now() - job.started,
        operators: safeMetrics(job.client).map(operatorMetrics),
        checkpoints: [],
        restarts: 0,
      });
    }
    if (!anyRunning && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private finish(job: TrackedJob, report: JobReport | undefined, error?: unknown): void {
    job.status = report?.status ?? 'FAILED';
    const event: JobUpdateEvent = {
      jobId: job.description.id,
      status: job.status,
      elapsedMs: report?.durationMs ?? performance.now() - job.started,
      operators: (report?.operators ?? safeMetrics(job.client)).map(operatorMetrics),
      checkpoints: (report?.checkpoints ?? []).flatMap(checkpointSummary),
      restarts: report?.restarts ?? 0,
    };
    const message = report?.error ?? (error instanceof Error ? error.message : error === undefined ? undefined : String(error));
    if (job.status === 'FAILED' && message) event.error = message;
    this.events.updated(event);
  }
}

function safeMetrics(client: JobClient): OperatorReport[] {
  try {
    return client.metrics();
  } catch {
    return [];
  }
}

/** An operator's report as the panel's figures; JSON-safe (no infinities). */
export function operatorMetrics(report: OperatorReport): OperatorMetrics {
  const metrics: OperatorMetrics = { uid: report.uid, recordsIn: report.recordsIn, recordsOut: report.recordsOut };
  if (Number.isFinite(report.recordsInPerSecond)) metrics.recordsInPerSecond = report.recordsInPerSecond!;
  if (Number.isFinite(report.recordsOutPerSecond)) metrics.recordsOutPerSecond = report.recordsOutPerSecond!;
  if (Number.isFinite(report.watermark)) metrics.watermark = report.watermark!;
  if (Number.isFinite(report.stateBytes)) metrics.stateBytes = report.stateBytes!;
  const subtasks = report.subtasks ?? [];
  if (subtasks.length > 0) {
    metrics.backPressure = Math.max(...subtasks.map((s) => s.backPressuredRatio));
    metrics.busy = Math.max(...subtasks.map((s) => s.busyRatio));
  }
  return metrics;
}

/** A checkpoint entry of a report, when it has the expected shape. */
function checkpointSummary(entry: unknown): CheckpointSummary[] {
  if (!entry || typeof entry !== 'object') return [];
  const c = entry as Record<string, unknown>;
  if (typeof c.id !== 'number') return [];
  const summary: CheckpointSummary = { id: c.id, status: String(c.status ?? 'COMPLETED') };
  const number = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const duration = number(c.durationMs);
  const size = number(c.sizeBytes ?? c.stateBytes);
  const alignment = number(c.alignmentMs);
  if (duration !== undefined) summary.durationMs = duration;
  if (size !== undefined) summary.sizeBytes = size;
  if (alignment !== undefined) summary.alignmentMs = alignment;
  return [summary];
}

function edgeOf(graph: StreamGraphSpec, edge: StreamGraphSpec['edges'][number]): { source: string; target: string; partitioner: string }[] {
  const source = graph.vertices.find((v) => v.id === edge.source);
  const target = graph.vertices.find((v) => v.id === edge.target);
  return source && target ? [{ source: source.uid, target: target.uid, partitioner: edge.partitioner }] : [];
}
