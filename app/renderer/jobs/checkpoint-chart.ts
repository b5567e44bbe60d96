/**
 * The job panel's chart of checkpoint history: one bar per checkpoint for its end-to-end
 * duration (failed ones in red, savepoints darker) and a line for the size of the completed
 * ones, drawn directly on a canvas like `SampleChart`. Fifty checkpoints cost nothing to draw.
 */
import type { CheckpointSummary } from '../../shared/workbench/protocol.ts';
import type { JobModel } from '../state/job-model.ts';
import { formatBytes, formatDuration, h } from '../dom.ts';
import type { FrameScheduler } from '../charts/frame-scheduler.ts';

const HEIGHT = 96;
const PAD = { left: 58, right: 58, top: 8, bottom: 18 };
const SHOWN = 50;
const COLOURS = { bar: '#8fb8e8', savepoint: '#0b63c5', failed: '#cf222e', size: '#8250df', grid: '#e3e6ea', text: '#5b6270' };

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
  private drawn = -1;

  constructor(
    private readonly job: JobModel,
    private readonly frames: FrameScheduler,
  ) {
    this.canvas = h('canvas', { role: 'img', 'aria-label': 'Checkpoint duration and size: no checkpoints yet', height: HEIGHT });
    this.element = h('figure', { class: 'job-chart' }, h('figcaption', {}, 'Checkpoint duration (bars) and size (line)'), this.canvas);
  }

  invalidate(): void {
    this.frames.request(this);
  }

  draw(): void {
    if (!this.canvas.isConnected || this.drawn === this.job.revision) return;
    this.drawn = this.job.revision;
    const rows = this.job.checkpoints.filter((c) => c.status !== 'IN_PROGRESS').slice(-SHOWN);
    this.canvas.setAttribute('aria-label', describe(rows));

    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth || 360;
    if (this.canvas.width !== Math.round(width * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(HEIGHT * ratio);
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    if (rows.length === 0) return;
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const maxMs = Math.max(1, ...rows.map((c) => c.durationMs ?? 0));
    const sized = rows.filter((c) => c.status === 'COMPLETED' && c.sizeBytes !== undefined);
    const maxBytes = Math.max(1, ...sized.map((c) => c.sizeBytes!));
    const slot = plotW / rows.length;
    const xOf = (i: number): number => PAD.left + slot * (i + 0.5);
    const yMs = (ms: number): number => PAD.top + plotH - (ms / maxMs) * plotH;
    const yBytes = (b: number): number => PAD.top + plotH - (b / maxBytes) * plotH;

    ctx.font = '10px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeStyle = COLOURS.grid;
    ctx.fillStyle = COLOURS.text;
    ctx.textBaseline = 'middle';
    for (const f of [0, 0.5, 1]) {
      const y = Math.round(PAD.top + plotH - f * plotH) + 0.5;
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(PAD.left + plotW, y);
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText(formatDuration(maxMs * f), PAD.left - 6, y);
      ctx.textAlign = 'left';
      if (sized.length > 0) ctx.fillText(formatBytes(maxBytes * f), PAD.left + plotW + 6, y);
    }
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'left';
    ctx.fillText(`#${rows[0]!.id}`, PAD.left, HEIGHT - 4);
    ctx.textAlign = 'right';
    ctx.fillText(`#${rows[rows.length - 1]!.id}`, PAD.left + plotW, HEIGHT - 4);

    const barW = Math.max(1, Math.min(14, slot * 0.7));
    rows.forEach((c, i) => {
      const top = yMs(c.durationMs ?? 0);
      ctx.fillStyle = c.status === 'FAILED' ? COLOURS.failed : c.savepoint ? COLOURS.savepoint : COLOURS.bar;
      ctx.fillRect(xOf(i) - barW / 2, top, barW, Math.max(1, PAD.top + plotH - top));
    });
    if (sized.length === 0) return;
    ctx.beginPath();
    let started = false;
    rows.forEach((c, i) => {
      if (c.status !== 'COMPLETED' || c.sizeBytes === undefined) return;
      if (started) ctx.lineTo(xOf(i), yBytes(c.sizeBytes));
      else ctx.moveTo(xOf(i), yBytes(c.sizeBytes));
      started = true;
    });
    ctx.strokeStyle = COLOURS.size;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }

  dispose(): void {
    this.frames.cancel(this);
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
