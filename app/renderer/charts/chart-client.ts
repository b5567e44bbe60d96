/**
 * The page's side of the chart worker: one worker for all live charts, started on first use.
 */
import type { ChartReport, ChartRequest } from './chart-protocol.ts';

type Listener = (report: ChartReport) => void;

let worker: Worker | undefined;
const listeners = new Map<string, Set<Listener>>();

/** Sends a request to the chart worker (transferring the canvas of a `create` or `create-panel`). */
export function postToCharts(request: ChartRequest): void {
  if (!worker) {
    worker = new Worker(new URL('chart.worker.js', document.baseURI), { type: 'module', name: 'charts' });
    worker.onmessage = (event: MessageEvent<ChartReport>) => listeners.get(event.data.id)?.forEach((l) => l(event.data));
  }
  worker.postMessage(request, request.type === 'create' || request.type === 'create-panel' ? [request.canvas] : []);
}

/** Receives the reports about one chart; returns a function that stops it. */
export function onChartReport(id: string, listener: Listener): () => void {
  let set = listeners.get(id);
  if (!set) listeners.set(id, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) listeners.delete(id);
  };
}

/**
 * Times `runs` full redraws of a chart in the worker, with and without the raster (benchmark
 * seam for the end-to-end measurements).
 */
export function measureChart(id: string, runs: number): Promise<Extract<ChartReport, { type: 'measured' }>> {
  return new Promise((resolve) => {
    const stop = onChartReport(id, (report) => {
      if (report.type !== 'measured') return;
      stop();
      resolve(report);
    });
    postToCharts({ type: 'measure', id, runs });
  });
}

/** What a chart shows now: axis ticks, series with colours and gaps, tooltip (test seam). */
export function describeChart(id: string): Promise<Extract<ChartReport, { type: 'described' }>> {
  return new Promise((resolve) => {
    const stop = onChartReport(id, (report) => {
      if (report.type !== 'described') return;
      stop();
      resolve(report);
    });
    postToCharts({ type: 'describe', id });
  });
}
