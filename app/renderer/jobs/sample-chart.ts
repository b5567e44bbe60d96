/**
 * A small time-series chart of one figure of a job (state size, throughput), drawn directly on
 * a canvas: a filled line over 0…max with the max, the latest value and the time span labelled.
 * Chart.js stays in the chart worker; these few hundred points cost well under a millisecond.
 */
import type { JobModel, JobSample } from '../state/job-model.ts';
import { h } from '../dom.ts';
import type { FrameScheduler } from '../charts/frame-scheduler.ts';

const HEIGHT = 96;
const PAD = { left: 58, right: 8, top: 8, bottom: 18 };

/** A chart of `pick(sample)` over the job's samples. */
export class SampleChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly latest: HTMLElement;
  private drawn = -1;

  constructor(
    private readonly label: string,
    private readonly pick: (sample: JobSample) => number | undefined,
    private readonly format: (n: number) => string,
    private readonly job: JobModel,
    private readonly frames: FrameScheduler,
    private readonly colour: string,
  ) {
    this.canvas = h('canvas', { role: 'img', 'aria-label': label, height: HEIGHT });
    this.latest = h('span', { class: 'job-chart-latest' });
    this.element = h('figure', { class: 'job-chart' }, h('figcaption', {}, label, this.latest), this.canvas);
  }

  invalidate(): void {
    this.frames.request(this);
  }

  draw(): void {
    if (!this.canvas.isConnected || this.drawn === this.job.revision) return;
    this.drawn = this.job.revision;
    const points = this.job.samples.flatMap((s) => {
      const y = this.pick(s);
      return y === undefined ? [] : [{ t: s.t, y }];
    });
    const last = points[points.length - 1];
    this.latest.textContent = last ? ` · now ${this.format(last.y)}` : ' · no figures yet';
    this.canvas.setAttribute('aria-label', `${this.label}${last ? `: ${this.format(last.y)} now` : ': no figures yet'}`);

    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth || 360;
    if (this.canvas.width !== Math.round(width * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(HEIGHT * ratio);
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const max = Math.max(1e-9, ...points.map((p) => p.y));
    const t0 = points[0]?.t ?? 0;
    const span = Math.max(1, (last?.t ?? 1) - t0);
    const x = (t: number): number => PAD.left + ((t - t0) / span) * plotW;
    const y = (v: number): number => PAD.top + plotH - (v / max) * plotH;

    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#5b6270';
    ctx.strokeStyle = '#e3e6ea';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of [0, max / 2, max]) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, Math.round(y(v)) + 0.5);
      ctx.lineTo(PAD.left + plotW, Math.round(y(v)) + 0.5);
      ctx.stroke();
      if (points.length > 0) ctx.fillText(this.format(v), PAD.left - 6, y(v));
    }
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'left';
    ctx.fillText(`${t0.toFixed(0)} s`, PAD.left, HEIGHT - 4);
    ctx.textAlign = 'right';
    ctx.fillText(`${(last?.t ?? 0).toFixed(0)} s`, PAD.left + plotW, HEIGHT - 4);
    if (points.length < 2) return;

    // One point per pixel column is all a line this size can show.
    const step = Math.max(1, Math.floor(points.length / plotW));
    ctx.beginPath();
    ctx.moveTo(x(points[0]!.t), y(points[0]!.y));
    for (let i = step; i < points.length; i += step) ctx.lineTo(x(points[i]!.t), y(points[i]!.y));
    ctx.lineTo(x(last!.t), y(last!.y));
    ctx.strokeStyle = this.colour;
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.lineTo(x(last!.t), y(0));
    ctx.lineTo(x(points[0]!.t), y(0));
    ctx.closePath();
    ctx.fillStyle = `${this.colour}22`;
    ctx.fill();
  }

  dispose(): void {
    this.frames.cancel(this);
  }
}
