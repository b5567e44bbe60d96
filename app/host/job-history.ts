/**
 * What the host remembers of the jobs that cells started and of the live charts they feed, so
 * that a page that reloads (or a second window) shows the job panels, their charts and Rewind
 * buttons again while the kernel still runs: Flink's JobManager keeps its archived execution
 * graphs for the Web UI in the same way (`jobstore.max-capacity`), bounded in number.
 *
 * Memory is bounded: running jobs are all kept, completed ones only the newest `completedJobs`;
 * each job keeps its latest update and its newest `samples` samples; each chart keeps the newest
 * `pointsPerSeries` points of every series (upsert charts: the points of the newest keys).
 */
import type { ChartSnapshot, ChartPointsEvent, JobHistorySnapshot, JobSnapshot, JobUpdateEvent } from '../shared/workbench/service.ts';
import type { ChartSpec, JobDescription, JobSample, SeriesPoints } from '../shared/workbench/protocol.ts';
import { jobSample } from '../shared/workbench/job-samples.ts';

/** How much a history keeps. */
export interface JobHistoryOptions {
  /** Completed (finished, failed, cancelled) jobs kept, the newest. Default 50. */
  completedJobs?: number;
  /** Samples kept per job (two a second: ten minutes). Default 1200. */
  samples?: number;
  /** Points kept per chart series, the newest. Default 5000. */
  pointsPerSeries?: number;
  /** Charts kept in all, the newest. Default 200. */
  charts?: number;
}

interface JobEntry {
  description: JobDescription;
  update?: JobUpdateEvent;
  samples: JobSample[];
}

/** One series of a remembered chart: parallel arrays, or a map by key for upsert charts. */
interface SeriesEntry {
  xs: (number | string)[];
  ys: number[];
  byKey?: Map<string, { x: number | string; y: number }>;
}

interface ChartEntry {
  path: string;
  cellId: string;
  spec: ChartSpec;
  upsert: boolean;
  series: Map<string, SeriesEntry>;
}

/**
 * @example
 * const history = new JobHistory({ completedJobs: 50 });
 * history.started(description);
 * history.updated(event);
 * history.snapshot('sensors.ts'); // { jobs: [{ description, update, samples }], charts: [...] }
 */
export class JobHistory {
  private readonly jobs = new Map<string, JobEntry>();
  private readonly charts = new Map<string, ChartEntry>();
  private readonly completedJobs: number;
  private readonly maxSamples: number;
  private readonly pointsPerSeries: number;
  private readonly maxCharts: number;

  constructor(options: JobHistoryOptions = {}) {
    this.completedJobs = positive(options.completedJobs ?? 50, 'completedJobs');
    this.maxSamples = positive(options.samples ?? 1200, 'samples');
    this.pointsPerSeries = positive(options.pointsPerSeries ?? 5000, 'pointsPerSeries');
    this.maxCharts = positive(options.charts ?? 200, 'charts');
  }

  /** A job started. */
  started(description: JobDescription): void {
    this.jobs.set(description.id, { description, samples: [] });
  }

  /** A job's new figures; its end drops the oldest completed jobs beyond the bound. */
  updated(event: JobUpdateEvent): void {
    const job = this.jobs.get(event.jobId);
    if (!job) return;
    // A job that ended never runs again: a late 'RUNNING' poll is stale (as in the panel's model).
    if (job.update && job.update.status !== 'RUNNING' && event.status === 'RUNNING') return;
    job.update = event;
    const sample = jobSample(job.description, event);
    const ended = job.samples.at(-1)?.final === true;
    if (event.status === 'RUNNING' || (!ended && (sample.stateBytes !== undefined || sample.sourceRate !== undefined))) {
      if (event.status !== 'RUNNING') sample.final = true;
      job.samples.push(sample);
      if (job.samples.length > this.maxSamples) job.samples.splice(0, job.samples.length - this.maxSamples);
    }
    if (event.status !== 'RUNNING') this.dropOldCompleted();
  }

  /** A chart appeared under a cell. */
  chartAdded(path: string, cellId: string, spec: ChartSpec): void {
    this.charts.set(spec.id, { path, cellId, spec, upsert: spec.mode === 'upsert', series: new Map() });
    for (const id of this.charts.keys()) {
      if (this.charts.size <= this.maxCharts) break;
      this.charts.delete(id);
    }
  }

  /** New points for a chart (points of a chart it does not know are ignored). */
  chartPoints(event: ChartPointsEvent): void {
    const chart = this.charts.get(event.chartId);
    if (!chart) return;
    for (const batch of event.series) {
      let series = chart.series.get(batch.name);
      if (!series) chart.series.set(batch.name, (series = chart.upsert ? { xs: [], ys: [], byKey: new Map() } : { xs: [], ys: [] }));
      if (series.byKey) {
        for (let i = 0; i < batch.xs.length; i++) {
          const key = batch.keys?.[i] ?? String(batch.xs[i]);
          // Re-inserted, so that the map's order is by newest update and the oldest keys go first.
          series.byKey.delete(key);
          series.byKey.set(key, { x: batch.xs[i]!, y: batch.ys[i]! });
        }
        for (const key of series.byKey.keys()) {
          if (series.byKey.size <= this.pointsPerSeries) break;
          series.byKey.delete(key);
        }
      } else {
        for (let i = 0; i < batch.xs.length; i++) {
          series.xs.push(batch.xs[i]!);
          series.ys.push(batch.ys[i]!);
        }
        // Trimmed in steps of a tenth, so that a long run does not shift the arrays on every batch.
        if (series.xs.length > this.pointsPerSeries * 1.1) {
          const cut = series.xs.length - this.pointsPerSeries;
          series.xs.splice(0, cut);
          series.ys.splice(0, cut);
        }
      }
    }
  }

  /** A cell runs again (or is skipped): its outputs are cleared, so are its charts. */
  cellCleared(path: string, cellId: string): void {
    for (const [id, chart] of this.charts) if (chart.path === path && chart.cellId === cellId) this.charts.delete(id);
  }

  /** What a page that opens `path` is shown: its jobs, oldest first, and the charts under its cells. */
  snapshot(path: string): JobHistorySnapshot {
    const jobs: JobSnapshot[] = [];
    for (const job of this.jobs.values()) {
      if (job.description.path !== path) continue;
      jobs.push({ description: job.description, ...(job.update ? { update: job.update } : {}), samples: [...job.samples] });
    }
    const charts: ChartSnapshot[] = [];
    for (const chart of this.charts.values()) {
      if (chart.path !== path) continue;
      charts.push({ path: chart.path, cellId: chart.cellId, chart: chart.spec, series: [...chart.series].map(([name, s]) => seriesPoints(name, s, this.pointsPerSeries)), ...(chart.upsert ? { upsert: true } : {}) });
    }
    return { jobs, charts };
  }

  /** Jobs kept: running ones and the newest completed ones. */
  get size(): number {
    return this.jobs.size;
  }

  private dropOldCompleted(): void {
    let completed = 0;
    for (const job of this.jobs.values()) if (job.update && job.update.status !== 'RUNNING') completed++;
    for (const [id, job] of this.jobs) {
      if (completed <= this.completedJobs) break;
      if (!job.update || job.update.status === 'RUNNING') continue;
      this.jobs.delete(id);
      completed--;
    }
  }
}

function seriesPoints(name: string, s: SeriesEntry, limit: number): SeriesPoints {
  if (s.byKey) {
    const points: SeriesPoints = { name, xs: [], ys: [], keys: [] };
    for (const [key, p] of s.byKey) {
      points.xs.push(p.x);
      points.ys.push(p.y);
      points.keys!.push(key);
    }
    return points;
  }
  const from = Math.max(0, s.xs.length - limit);
  return { name, xs: s.xs.slice(from), ys: s.ys.slice(from) };
}

function positive(n: number, what: string): number {
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new Error(`JobHistory: ${what} must be an integer of at least 1, got ${n}`);
  return n;
}
