/**
 * The chart worker: keeps the points of every live chart (`ChartData`) and draws them with
 * Chart.js on the OffscreenCanvas each chart handed over, at most 30 times a second, with LTTB
 * decimation. The page sends points as they arrive and gets point counts and draw times back.
 *
 * x values that are epoch milliseconds go on a time scale: ticks at round times (whole
 * minutes, hours, days) with the date at each new day and under the axis. Lines break at gaps
 * (see chart-data.ts). Series keep their colour by name. The page forwards the pointer, and the
 * chart shows the values under it in a tooltip.
 */
import type { ChartDescription, ChartRequest, ChartReport } from './chart-protocol.ts';
import { ChartData } from '../state/chart-data.ts';
import { formatX, looksLikeTime, seriesColour } from './chart-format.ts';
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
  private readonly chart: Chart<'line' | 'bar' | 'scatter', { x: number; y: number | null }[]>;
  private timeAxis = false;
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
        // Gaps stay gaps: the data has null markers where a series had no points (chart-data.ts).
        spanGaps: false,
        elements: { point: { radius: type === 'scatter' ? 2 : 0, hoverRadius: 3 }, line: { borderWidth: 1.25 } },
        scales: {
          x: { type: 'linear', ticks: { maxRotation: 0, autoSkipPadding: 16, callback: (value) => this.xLabel(Number(value)) } },
          y: { type: 'linear', ticks: { maxTicksLimit: 6 } },
        },
        plugins: {
          decimation: { enabled: type === 'line', algorithm: 'lttb', samples: 300, threshold: DECIMATION_THRESHOLD },
          legend: { display: false, position: 'bottom', labels: { boxWidth: 10, boxHeight: 10 } },
          // Shown for the pointer position the page forwards (`hover`): the values nearest in x.
          tooltip: { enabled: true, mode: 'nearest', axis: 'x', intersect: false, animation: false, callbacks: { title: (items) => (items[0] ? this.xTitle(items[0].parsed.x ?? 0) : '') } },
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

  /** Shows the values nearest the pointer at (x, y) px in the canvas, or none. */
  hover(x: number | undefined, y: number | undefined): void {
    const chart = this.chart;
    if (x === undefined || y === undefined) {
      chart.setActiveElements([]);
      chart.tooltip?.setActiveElements([], { x: 0, y: 0 });
    } else {
      const event = { type: 'mousemove', x, y, native: null } as unknown as Parameters<typeof chart.getElementsAtEventForMode>[0];
      const elements = chart.getElementsAtEventForMode(event, 'nearest', { intersect: false, axis: 'x' }, false).map(({ datasetIndex, index }) => ({ datasetIndex, index }));
      chart.setActiveElements(elements);
      chart.tooltip?.setActiveElements(elements, { x, y });
    }
    chart.update('none');
  }

  draw(): void {
    if (this.drawnRevision === this.data.revision) return;
    const started = performance.now();
    this.syncDatasets();
    this.syncTimeAxis();
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

  /** What the chart shows now (test seam). */
  describe(): ChartDescription {
    const chart = this.chart;
    const x = chart.scales.x!;
    const tooltip = chart.tooltip;
    const tooltipShown = tooltip !== undefined && tooltip.opacity > 0 && tooltip.dataPoints.length > 0;
    const title = (chart.options.scales!.x as { title?: { text?: string } }).title?.text;
    return {
      xScale: x.type,
      ticks: x.ticks.map((tick) => ({ value: tick.value, label: Array.isArray(tick.label) ? tick.label.join(' ') : String(tick.label ?? ''), major: tick.major === true })),
      xTitle: typeof title === 'string' ? title : '',
      min: x.min,
      max: x.max,
      series: this.data.series.map((s, i) => ({ name: s.name, colour: String(chart.data.datasets[i]?.borderColor ?? ''), points: s.points.filter((p) => p.y !== null).length, gaps: s.points.filter((p) => p.y === null).length })),
      tooltip: tooltipShown ? [...tooltip.title, ...tooltip.body.flatMap((b) => b.lines)] : [],
    };
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
    const taken = new Set(datasets.map((d) => String(d.borderColor)));
    for (let i = datasets.length; i < this.data.series.length; i++) {
      const series = this.data.series[i]!;
      // By name, not by arrival: a series has the same colour in every chart and every run.
      const colour = seriesColour(series.name, taken);
      taken.add(colour);
      datasets.push({ label: series.name, data: series.points, borderColor: colour, backgroundColor: area ? `${colour}33` : colour, fill: area ? 'origin' : false, indexAxis: 'x' } as (typeof datasets)[number]);
    }
    const legend = this.chart.options.plugins!.legend!;
    legend.display = datasets.length > 1 && datasets.length <= 24;
  }

  /**
   * Epoch-millisecond x values go on a time scale, with round ticks (Chart.js picks the unit)
   * and the date: on the first tick of each day (a major tick) and as the axis title.
   */
  private syncTimeAxis(): void {
    const { min, max } = this.xRange();
    const x = this.chart.options.scales!.x! as Record<string, unknown>;
    if (!this.timeAxis && !this.data.categorical && looksLikeTime(min, max)) {
      this.timeAxis = true;
      x.type = 'time';
      x.time = {
        displayFormats: { millisecond: 'HH:mm:ss.SSS', second: 'HH:mm:ss', minute: 'HH:mm', hour: 'HH:mm', day: 'd MMM', week: 'd MMM', month: 'MMM yyyy', quarter: 'MMM yyyy', year: 'yyyy' },
        tooltipFormat: 'yyyy-MM-dd HH:mm:ss.SSS',
      };
      x.ticks = { maxRotation: 0, autoSkipPadding: 16, source: 'auto', major: { enabled: true }, font: (context: { tick?: { major?: boolean } }) => (context.tick?.major ? { weight: 'bold' } : undefined) };
    }
    if (this.timeAxis && Number.isFinite(min)) {
      const day = (ms: number): string => new Date(ms).toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: 'numeric', weekday: 'short' });
      x.title = { display: true, text: day(min) === day(max) ? day(min) : `${day(min)} – ${day(max)}`, padding: 0, font: { size: 10 } };
    }
  }

  private xRange(): { min: number; max: number } {
    let min = Infinity;
    let max = -Infinity;
    for (const s of this.data.series) {
      if (s.points.length === 0) continue;
      min = Math.min(min, s.points[0]!.x);
      max = Math.max(max, s.points[s.points.length - 1]!.x);
    }
    return { min, max };
  }

  private xLabel(value: number): string {
    if (this.data.categorical) return this.data.categories[Math.round(value)] ?? '';
    const { min, max } = this.xRange();
    return formatX(value, looksLikeTime(min, max), max - min);
  }

  /** The tooltip's title: the x value in full. */
  private xTitle(value: number): string {
    if (this.data.categorical) return this.data.categories[Math.round(value)] ?? '';
    return this.timeAxis ? new Date(value).toLocaleString('en-GB') : formatX(value, false);
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
    case 'hover':
      chart.hover(request.x, request.y);
      break;
    case 'dispose':
      chart.dispose();
      charts.delete(request.id);
      break;
    case 'measure':
      chart.measure(request.runs);
      break;
    case 'describe':
      scope.postMessage({ type: 'described', id: chart.id, ...chart.describe() });
      break;
  }
};
