/**
 * Messages between the page and the chart worker. Live charts draw in a worker on an
 * OffscreenCanvas: decimating and rasterising hundreds of thousands of points then costs the
 * page's main thread nothing, however fast a job produces them (with software rendering, the
 * raster of one busy chart alone took 40–70 ms per frame on the main thread).
 */
import type { ChartSpec } from '../../shared/workbench/protocol.ts';
import type { ChartPointsEvent } from '../../shared/workbench/service.ts';
import type { PanelChartData } from './panel-chart-data.ts';

/** Page → worker. */
export type ChartRequest =
  | { type: 'create'; id: string; spec: ChartSpec; canvas: OffscreenCanvas; width: number; height: number; pixelRatio: number }
  | { type: 'points'; id: string; series: ChartPointsEvent['series']; upsert?: boolean }
  | { type: 'resize'; id: string; width: number; height: number }
  | { type: 'pause'; id: string; paused: boolean }
  /** Zoom to the x range between two pixel offsets from the canvas's left edge; none to reset. */
  | { type: 'zoom'; id: string; fromPx?: number; toPx?: number }
  /** The pointer is at (x, y) px in the canvas (none: it left): show the values there. */
  | { type: 'hover'; id: string; x?: number; y?: number }
  | { type: 'dispose'; id: string }
  /** A job panel chart (see panel-chart.ts): sized like a live chart, its whole data replaced on each `panel-data`. */
  | { type: 'create-panel'; id: string; kind: PanelChartData['kind']; canvas: OffscreenCanvas; width: number; height: number; pixelRatio: number }
  | { type: 'panel-data'; id: string; data: PanelChartData }
  /** Test seam: report what the chart shows now (`described`). */
  | { type: 'describe'; id: string }
  /** Benchmark seam: redraw `runs` times, each followed by a raster flush, and report the times. */
  | { type: 'measure'; id: string; runs: number };

/** Worker → page. */
export type ChartReport =
  | { type: 'count'; id: string; points: number }
  | { type: 'drawn'; id: string; ms: number; points: number }
  | { type: 'zoomed'; id: string; zoomed: boolean }
  | ({ type: 'described'; id: string } & ChartDescription)
  /** Per redraw: ms of Chart.js work, and ms including rasterising the canvas. */
  | { type: 'measured'; id: string; points: number; drawMs: number[]; withRasterMs: number[] };

/** What a live chart shows, for tests: its x axis, its series and its tooltip. */
export interface ChartDescription {
  /** `time` for epoch-millisecond x values, else `linear` or `category`. */
  xScale: string;
  /** The x axis's ticks as drawn: value and label; `major` marks the first tick of a day. */
  ticks: { value: number; label: string; major: boolean }[];
  /** The x axis's title (the date or dates on a time axis). */
  xTitle: string;
  /** The shown x range. */
  min: number;
  max: number;
  series: { name: string; colour: string; points: number; gaps: number }[];
  /** The tooltip's lines while it shows, else empty. */
  tooltip: string[];
}
