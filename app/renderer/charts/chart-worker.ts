/**
 * The chart worker: keeps the points of every live chart (`ChartData`) and draws them with
 * Chart.js on the OffscreenCanvas each chart handed over, at most 30 times a second, with LTTB
 * decimation. The page sends points as they arrive and gets point counts and draw times back.
 */
import type { ChartRequest, ChartReport } from './chart-protocol.ts';
import { ChartData } from '../state/chart-data.ts';
import { formatX, looksLikeTime, PALETTE } from './chart-format.ts';
import { Chart, workerChartOptions } from './chart-setup.ts';
import { FrameScheduler } from './frame-scheduler.ts';
import { PanelChart } from './panel-chart.ts';

/** The worker's global scope, typed by hand: the renderer's tsconfig has DOM, not WebWorker. */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ChartRequest>) => void) | null;
  postMessage(message: ChartReport): void;
  requestAnimationFrame?(callback: () => void): number;
};

/** Draws at most every 33 ms; workers with an OffscreenCanvas have animation frames in Chromium. */
const frames = new FrameScheduler(1000 / 30, {
  requestFrame: (callback) => (scope.requestAnimationFrame ? void scope.requestAnimationFrame(callback) : void setTimeout(callback, 16)),
  now: () => performance.now(),
});

/** Above this many points in a series, it is decimated. */
const DECIMATION_THRESHOLD = 1000;

/** One chart in the worker. */
class WorkerChart {
  readonly data: ChartData;
  private readonly chart: Chart<'line' | 'bar' | 'scatter', { x: number; y: number }[]>;
  private drawnRevision = -1;
  paused = false;
  private zoom: { min: number; max: number } | undefined;

  constructor(
    readonly id: string,
    request: Extract<ChartRequest, { type: 'create' }>,
  ) {
    this.data = new ChartData(request.spec);
    const spec = request.spec;
    const type = spec.type === 'bar' ? 'bar' : spec.type === 'scatter' ? 'scatter' : 'line';
    request.canvas.width = Math.round(request.width * request.pixelRatio);
    request.canvas.height = Math.round(request.height * request.pixelRatio);
    this.chart = new Chart(request.canvas as unknown as HTMLCanvasElement, {
      type,
      data: { datasets: [] },
      options: {
        ...workerChartOptions(request.pixelRatio),
        spanGaps: true,
        elements: { point: { radius: type === 'scatter' ? 2 : 0 }, line: { borderWidth: 1.25 } },
        scales: {
          x: { type: 'linear', ticks: { maxRotation: 0, autoSkipPadding: 16, callback: (value) => this.xLabel(Number(value)) } },
          y: { type: 'linear', ticks: { maxTicksLimit: 6 } },
        },
        plugins: {
          decimation: { enabled: type === 'line', algorithm: 'lttb', samples: 300, threshold: DECIMATION_THRESHOLD },
          legend: { display: false, position: 'bottom', labels: { boxWidth: 10, boxHeight: 10 } },
          tooltip: { enabled: false },
        },
      },
    });
    // Chart.js sizes an OffscreenCanvas from its attributes; set the CSS size it should assume.
    this.chart.resize(request.width, request.height);
  }

  add(request: Extract<ChartRequest, { type: 'points' }>): void {
    this.data.add(request);
    scope.postMessage({ type: 'count', id: this.id, points: this.data.pointCount });
    this.invalidate();
  }

  invalidate(): void {
    if (!this.paused) frames.request(this);
  }

  resize(width: number, height: number): void {
    this.chart.resize(width, height);
    this.drawnRevision = -1;
    this.invalidate();
  }

  setZoom(fromPx: number | undefined, toPx: number | undefined): void {
    const scale = this.chart.scales.x;
    if (fromPx === undefined || toPx === undefined || !scale) this.zoom = undefined;
    else {
      const a = scale.getValueForPixel(Math.min(fromPx, toPx));
      const b = scale.getValueForPixel(Math.max(fromPx, toPx));
      this.zoom = a !== undefined && b !== undefined && b > a ? { min: a, max: b } : undefined;
    }
    scope.postMessage({ type: 'zoomed', id: this.id, zoomed: this.zoom !== undefined });
    this.drawnRevision = -1;
    frames.request(this);
  }

  draw(): void {
    if (this.drawnRevision === this.data.revision) return;
    const started = performance.now();
    this.syncDatasets();
    const x = this.chart.options.scales!.x!;
    x.min = this.zoom?.min;
    x.max = this.zoom?.max;
    this.chart.update('none');
    this.drawnRevision = this.data.revision;
    scope.postMessage({ type: 'drawn', id: this.id, ms: performance.now() - started, points: this.data.pointCount });
  }

  dispose(): void {
    frames.cancel(this);
    this.chart.destroy();
  }

  /** Redraws `runs` times from scratch, timing Chart.js's work and the raster that follows it. */
  measure(runs: number): void {
    const canvas = this.chart.canvas as unknown as OffscreenCanvas;
    const context = canvas.getContext('2d')!;
    const drawMs: number[] = [];
    const withRasterMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      this.chart.update('none');
      drawMs.push(performance.now() - started);
      // Reading a pixel makes the canvas rasterise now rather than at the next commit.
      context.getImageData(0, 0, 1, 1);
      withRasterMs.push(performance.now() - started);
    }
    scope.postMessage({ type: 'measured', id: this.id, points: this.data.pointCount, drawMs, withRasterMs });
  }

  /** Adds datasets for series that appeared since the last draw; the points arrays are shared. */
  private syncDatasets(): void {
    const datasets = this.chart.data.datasets;
    const area = this.data.spec.type === 'area';
    for (let i = datasets.length; i < this.data.series.length; i++) {
      const series = this.data.series[i]!;
      const colour = PALETTE[i % PALETTE.length]!;
      datasets.push({ label: series.name, data: series.points, borderColor: colour, backgroundColor: area ? `${colour}33` : colour, fill: area ? 'origin' : false, indexAxis: 'x' } as (typeof datasets)[number]);
    }
    const legend = this.chart.options.plugins!.legend!;
    legend.display = datasets.length > 1 && datasets.length <= 24;
  }

  private xLabel(value: number): string {
    if (this.data.categorical) return this.data.categories[Math.round(value)] ?? '';
    let min = Infinity;
    let max = -Infinity;
    for (const s of this.data.series) {
      if (s.points.length === 0) continue;
      min = Math.min(min, s.points[0]!.x);
      max = Math.max(max, s.points[s.points.length - 1]!.x);
    }
    return formatX(value, looksLikeTime(min, max), max - min);
  }
}

const charts = new Map<string, WorkerChart>();
/** The job panels' small charts, which take whole data rather than streamed points. */
const panelCharts = new Map<string, PanelChart>();

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'create') {
    charts.get(request.id)?.dispose();
    charts.set(request.id, new WorkerChart(request.id, request));
    return;
  }
  if (request.type === 'create-panel') {
    panelCharts.get(request.id)?.dispose();
    panelCharts.set(request.id, new PanelChart(request, frames));
    return;
  }
  const panel = panelCharts.get(request.id);
  if (panel) {
    if (request.type === 'panel-data') panel.show(request.data);
    else if (request.type === 'resize') panel.resize(request.width, request.height);
    else if (request.type === 'dispose') {
      panel.dispose();
      panelCharts.delete(request.id);
    }
    return;
  }
  const chart = charts.get(request.id);
  if (!chart) return;
  switch (request.type) {
    case 'points':
      chart.add(request);
      break;
    case 'resize':
      chart.resize(request.width, request.height);
      break;
    case 'pause':
      chart.paused = request.paused;
      chart.invalidate();
      break;
    case 'zoom':
      chart.setZoom(request.fromPx, request.toPx);
      break;
    case 'dispose':
      chart.dispose();
      charts.delete(request.id);
      break;
    case 'measure':
      chart.measure(request.runs);
      break;
  }
};
