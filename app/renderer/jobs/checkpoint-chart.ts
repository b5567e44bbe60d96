/**
 * The job panel's chart of checkpoint history: one bar per checkpoint for its end-to-end
 * duration (failed ones in red, savepoints darker) and a line for the size of the completed
 * ones on a second axis, drawn with Chart.js by the chart worker (see panel-chart.ts).
 */
import type { CheckpointSummary } from '../../shared/workbench/protocol.ts';
import type { JobModel } from '../state/job-model.ts';
import { formatBytes, formatDuration, h } from '../dom.ts';
import type { FrameScheduler } from '../charts/frame-scheduler.ts';
import { PanelCanvas } from '../charts/panel-canvas.ts';
import { checkpointSeries, finishedCheckpoints } from '../charts/panel-chart-data.ts';

/**
 * Durations and sizes of a job's newest checkpoints.
 *
 * @example
 * const chart = new CheckpointChart(job, frames);
 * panel.append(chart.element);
 * chart.invalidate(); // after each update
 */
export class CheckpointChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly drawn: PanelCanvas;
  private shownRevision = -1;

  constructor(
    private readonly job: JobModel,
    private readonly frames: FrameScheduler,
  ) {
    this.canvas = h('canvas', { role: 'img', 'aria-label': 'Checkpoint duration and size: no checkpoints yet' });
    this.element = h('figure', { class: 'job-chart' }, h('figcaption', {}, 'Checkpoint duration (bars) and size (line)'), this.canvas);
    this.drawn = new PanelCanvas(this.canvas, 'checkpoints');
  }

  invalidate(): void {
    this.frames.request(this);
  }

  /** Runs at most once per animation frame (via the FrameScheduler). */
  draw(): void {
    if (!this.canvas.isConnected || this.shownRevision === this.job.revision) return;
    this.shownRevision = this.job.revision;
    this.canvas.setAttribute('aria-label', describe(finishedCheckpoints(this.job.checkpoints)));
    this.drawn.show(checkpointSeries(this.job.checkpoints));
  }

  dispose(): void {
    this.frames.cancel(this);
    this.drawn.dispose();
  }
}

/** The chart in words, for screen readers and tests. */
export function describe(rows: CheckpointSummary[]): string {
  if (rows.length === 0) return 'Checkpoint duration and size: no checkpoints yet';
  const completed = rows.filter((c) => c.status === 'COMPLETED');
  const failed = rows.length - completed.length;
  const last = completed.at(-1);
  const latest = last ? `, the latest took ${formatDuration(last.durationMs ?? 0)} and holds ${formatBytes(last.sizeBytes ?? 0)}` : '';
  return `Checkpoint duration and size: ${completed.length} completed${failed ? `, ${failed} failed` : ''}${latest}`;
}
