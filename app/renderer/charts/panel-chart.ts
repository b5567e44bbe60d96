/**
 * The chart worker's side of a job panel chart: a small Chart.js chart on the OffscreenCanvas the
 * panel handed over, redrawn with the whole data of each `panel-data` request (a few hundred
 * points at most, so replacing beats appending). Two kinds: a filled line of one figure over
 * seconds since the job started, and checkpoint durations as bars with the completed ones'
 * sizes as a line on a second axis.
 */
import type { ChartRequest } from './chart-protocol.ts';
import { byteStep, type CheckpointBarKind, type PanelChartData, type PanelValueFormat } from './panel-chart-data.ts';
import { formatBytes, formatCount, formatDuration } from '../dom.ts';
import { Chart, workerChartOptions } from './chart-setup.ts';
import type { FrameScheduler } from './frame-scheduler.ts';

const BAR_COLOURS: Record<CheckpointBarKind, string> = { completed: '#8fb8e8', savepoint: '#0b63c5', failed: '#cf222e' };
const SIZE_COLOUR = '#8250df';
const GRID = '#e3e6ea';
const FORMATS: Record<PanelValueFormat, (n: number) => string> = { bytes: formatBytes, count: formatCount };
/** One point per pixel column is all a line this small can show. */
const DECIMATE_ABOVE = 400;

/**
 * One panel chart in the worker.
 *
 * @example
 * const chart = new PanelChart(createPanelRequest, frames);
 * chart.show({ kind: 'samples', points, format: 'bytes', colour: '#0072B2' });
 */
export class PanelChart {
  private readonly chart: Chart<'line' | 'bar', { x: number; y: number }[]>;
  private data: PanelChartData | undefined;
  private drawnData: PanelChartData | undefined;

  constructor(
    request: Extract<ChartRequest, { type: 'create-panel' }>,
    private readonly frames: FrameScheduler,
  ) {
    request.canvas.width = Math.round(request.width * request.pixelRatio);
    request.canvas.height = Math.round(request.height * request.pixelRatio);
    const samples = request.kind === 'samples';
    const ticks = { font: { size: 10 }, maxRotation: 0 };
    this.chart = new Chart(request.canvas as unknown as HTMLCanvasElement, {
      type: samples ? 'line' : 'bar',
      data: { datasets: [] },
      options: {
        ...workerChartOptions(request.pixelRatio),
        layout: { padding: { top: 4, right: 4 } },
        elements: { point: { radius: 0 }, line: { borderWidth: 1.5 } },
        scales: {
          x: {
            type: 'linear',
            offset: !samples,
            grid: { display: false },
            ticks: { ...ticks, maxTicksLimit: samples ? 6 : 8, precision: 0, includeBounds: false, callback: (v) => (samples ? `${Number(v).toFixed(0)} s` : `#${Number(v)}`) },
          },
          y: { type: 'linear', beginAtZero: true, grid: { color: GRID }, ticks: { ...ticks, maxTicksLimit: 3, callback: (v) => this.formatY(Number(v)) } },
          ...(samples
            ? {}
            : { size: { type: 'linear' as const, position: 'right' as const, beginAtZero: true, grid: { display: false }, ticks: { ...ticks, maxTicksLimit: 3, callback: (v: number | string) => formatBytes(Number(v)) } } }),
        },
        plugins: {
          decimation: { enabled: samples, algorithm: 'lttb', samples: DECIMATE_ABOVE, threshold: DECIMATE_ABOVE },
          legend: { display: false },
          tooltip: { enabled: false },
        },
      },
    });
    this.chart.resize(request.width, request.height);
  }

  /** Replaces what the chart shows and asks for a frame. */
  show(data: PanelChartData): void {
    this.data = data;
    this.frames.request(this);
  }

  resize(width: number, height: number): void {
    this.chart.resize(width, height);
    this.drawnData = undefined;
    this.frames.request(this);
  }

  draw(): void {
    const data = this.data;
    if (!data || data === this.drawnData) return;
    this.drawnData = data;
    // The datasets are made once and only their points replaced: new dataset objects would make
    // Chart.js rebuild its controllers on every redraw.
    const datasets = this.chart.data.datasets;
    let restyled = false;
    if (data.kind === 'samples') {
      if (datasets.length === 0) datasets.push({ data: [], fill: 'origin' } as (typeof datasets)[number]);
      // A lone point (a job that ended before its first sample) draws no line: show it as a dot.
      const point = this.chart.options.elements!.point!;
      const radius = data.points.length === 1 ? 3 : 0;
      // Points share their options; an update in mode 'none' would not pass a new radius to them.
      if (point.radius !== radius) {
        point.radius = radius;
        restyled = true;
      }
      Object.assign(datasets[0]!, { data: data.points, borderColor: data.colour, backgroundColor: `${data.colour}22`, pointBackgroundColor: data.colour });
    } else {
      if (datasets.length === 0) {
        datasets.push(
          { type: 'bar', data: [], yAxisID: 'y', order: 2, maxBarThickness: 14, categoryPercentage: 0.8, barPercentage: 0.9 } as (typeof datasets)[number],
          { type: 'line', data: [], yAxisID: 'size', order: 1, borderColor: SIZE_COLOUR, backgroundColor: SIZE_COLOUR, fill: false } as (typeof datasets)[number],
        );
      }
      Object.assign(datasets[0]!, { data: data.bars, backgroundColor: data.bars.map((b) => BAR_COLOURS[b.bar]) });
      datasets[1]!.data = data.sizes;
      const size = this.chart.options.scales!.size!;
      size.display = data.sizes.length > 0;
    }
    // The x axis spans the data exactly: left to Chart.js, it ends on a round tick past the newest
    // point, and that tick's label squeezes the plot. Whole seconds (ids) are labelled inside it.
    const x = this.chart.options.scales!.x!;
    const xs = data.kind === 'samples' ? data.points : data.bars;
    // A lone sample sits inside the axis (from 0), not on its edge, where its dot would be cut.
    x.min = xs.length === 1 && data.kind === 'samples' ? 0 : xs[0]?.x;
    x.max = xs.length > 1 ? xs[xs.length - 1]!.x : xs[0] && xs[0].x + 1;
    const bytes = data.kind === 'samples' ? (data.format === 'bytes' ? 'y' : undefined) : 'size';
    if (bytes) {
      const values = data.kind === 'samples' ? data.points : data.sizes;
      (this.chart.options.scales![bytes]!.ticks as { stepSize?: number }).stepSize = byteStep(Math.max(0, ...values.map((p) => p.y)));
    }
    this.chart.update(restyled ? undefined : 'none');
  }

  dispose(): void {
    this.frames.cancel(this);
    this.chart.destroy();
  }

  private formatY(value: number): string {
    if (this.data?.kind === 'samples') return FORMATS[this.data.format](value);
    return formatDuration(value);
  }
}
