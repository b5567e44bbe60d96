/**
 * A small time-series chart of one figure of a job (state size, throughput): a filled line over
 * seconds since the job started, drawn with Chart.js by the chart worker (see panel-chart.ts), so
 * the page only shapes the points and keeps the caption and the canvas's label current.
 */
import type { JobModel, JobSample } from '../state/job-model.ts';
import { h } from '../dom.ts';
import type { FrameScheduler } from '../charts/frame-scheduler.ts';
import { PanelCanvas } from '../charts/panel-canvas.ts';
import { samplePoints, type PanelValueFormat } from '../charts/panel-chart-data.ts';

/**
 * A chart of `pick(sample)` over the job's samples.
 *
 * @example
 * const chart = new SampleChart('State size over time', (s) => s.stateBytes, formatBytes, 'bytes', job, frames, PALETTE[0]!);
 * panel.append(chart.element);
 * chart.invalidate(); // after each update
 */
export class SampleChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly latest: HTMLElement;
  private readonly drawn: PanelCanvas;
  private shownRevision = -1;

  constructor(
    private readonly label: string,
    private readonly pick: (sample: JobSample) => number | undefined,
    private readonly format: (n: number) => string,
    private readonly valueFormat: PanelValueFormat,
    private readonly job: JobModel,
    private readonly frames: FrameScheduler,
    private readonly colour: string,
  ) {
    this.canvas = h('canvas', { role: 'img', 'aria-label': label });
    this.latest = h('span', { class: 'job-chart-latest' });
    this.element = h('figure', { class: 'job-chart' }, h('figcaption', {}, label, this.latest), this.canvas);
    this.drawn = new PanelCanvas(this.canvas, 'samples');
  }

  invalidate(): void {
    this.frames.request(this);
  }

  /** Runs at most once per animation frame (via the FrameScheduler). */
  draw(): void {
    if (!this.canvas.isConnected || this.shownRevision === this.job.revision) return;
    this.shownRevision = this.job.revision;
    const points = samplePoints(this.job.samples, this.pick);
    const last = points[points.length - 1];
    const when = this.job.samples[this.job.samples.length - 1]?.final ? 'at the end' : 'now';
    this.latest.textContent = last ? ` · ${when} ${this.format(last.y)}` : ' · no figures yet';
    this.canvas.setAttribute('aria-label', `${this.label}${last ? `: ${this.format(last.y)} ${when}` : ': no figures yet'}`);
    this.drawn.show({ kind: 'samples', points, format: this.valueFormat, colour: this.colour });
  }

  dispose(): void {
    this.frames.cancel(this);
    this.drawn.dispose();
  }
}
