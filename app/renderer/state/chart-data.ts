/**
 * The points of one live chart, kept the way Chart.js wants them for decimation: per series an
 * array of `{ x, y }` sorted by x. Points arrive in batches from the host; appends at the end
 * are the common case (windows fire in time order), out-of-order points are inserted in place.
 *
 * A gap stays a gap: when a point lands much further after the last one than the series' usual
 * step (a replay that seeks ahead, a source that paused), a `{ x, y: null }` marker goes
 * between them, so that a line chart (with `spanGaps: false`) breaks there instead of drawing a
 * straight line across time that had no data.
 */
import type { ChartSpec, SeriesPoints } from '../../shared/workbench/protocol.ts';
import type { ChartPointsEvent } from '../../shared/workbench/service.ts';

/** A point as Chart.js reads it with `parsing: false`. */
export interface ChartPoint {
  x: number;
  /** `null` marks a gap in the series (not a point of the data). */
  y: number | null;
}

/** A step this many times the series' usual step is a gap. */
export const GAP_FACTOR = 10;
/** The usual step is the median of this many of the latest steps. */
const STEP_SAMPLES = 16;

/** One series of a chart. */
export interface ChartSeries {
  name: string;
  points: ChartPoint[];
  /** Upsert charts: the point of each key. */
  byKey?: Map<string, ChartPoint>;
  /** The latest steps between appended points, for finding gaps. */
  steps?: number[];
}

/**
 * @example
 * const data = new ChartData(spec);
 * data.add({ path, cellId, chartId: spec.id, series: [{ name: 's1', xs: [1, 2], ys: [10, 20] }] });
 * data.pointCount; // 2
 */
export class ChartData {
  readonly series: ChartSeries[] = [];
  /** Category labels, for charts whose x values are strings (index = x). */
  readonly categories: string[] = [];
  private readonly categoryIndex = new Map<string, number>();
  private readonly seriesIndex = new Map<string, ChartSeries>();
  /** Bumped on every change; a view redraws when it differs from what it drew. */
  revision = 0;
  pointCount = 0;

  constructor(readonly spec: ChartSpec) {}

  /** Adds a batch of points. Returns the series that were created by it. */
  add(event: Pick<ChartPointsEvent, 'series' | 'upsert'>): ChartSeries[] {
    const created: ChartSeries[] = [];
    for (const batch of event.series) {
      let series = this.seriesIndex.get(batch.name);
      if (!series) {
        series = { name: batch.name, points: [] };
        if (event.upsert) series.byKey = new Map();
        this.seriesIndex.set(batch.name, series);
        this.series.push(series);
        created.push(series);
      }
      if (event.upsert) this.upsert(series, batch);
      else this.append(series, batch);
    }
    this.revision++;
    return created;
  }

  private append(series: ChartSeries, batch: SeriesPoints): void {
    const points = series.points;
    for (let i = 0; i < batch.xs.length; i++) {
      const point = { x: this.xOf(batch.xs[i]!), y: batch.ys[i]! };
      if (!this.categorical) this.markGap(series, point.x);
      insertSorted(points, point);
      this.pointCount++;
    }
  }

  /** Puts a gap marker before a point appended far after the last one (see the file comment). */
  private markGap(series: ChartSeries, x: number): void {
    const last = series.points[series.points.length - 1];
    if (!last || x < last.x) return;
    const step = x - last.x;
    const steps = (series.steps ??= []);
    if (steps.length >= STEP_SAMPLES / 2 && step > 0) {
      const sorted = [...steps].sort((a, b) => a - b);
      const usual = sorted[sorted.length >> 1]!;
      if (usual > 0 && step > GAP_FACTOR * usual) {
        // Halfway: the pointer then finds the nearer real point on either side of the gap
        // (Chart.js looks only at the two points around the pointer's x).
        series.points.push({ x: last.x + step / 2, y: null });
        return; // a gap's length says nothing of the usual step
      }
    }
    if (step > 0) {
      steps.push(step);
      if (steps.length > STEP_SAMPLES) steps.shift();
    }
  }

  private upsert(series: ChartSeries, batch: SeriesPoints): void {
    const byKey = series.byKey!;
    for (let i = 0; i < batch.xs.length; i++) {
      const key = batch.keys?.[i] ?? String(batch.xs[i]);
      const x = this.xOf(batch.xs[i]!);
      const y = batch.ys[i]!;
      const existing = byKey.get(key);
      if (existing && existing.x === x) {
        existing.y = y;
        continue;
      }
      if (existing) {
        series.points.splice(series.points.indexOf(existing), 1);
        this.pointCount--;
      }
      const point = { x, y };
      byKey.set(key, point);
      insertSorted(series.points, point);
      this.pointCount++;
    }
  }

  /** Strings become category indexes, in order of first appearance. */
  private xOf(value: number | string): number {
    if (typeof value === 'number') return value;
    let index = this.categoryIndex.get(value);
    if (index === undefined) {
      index = this.categories.length;
      this.categories.push(value);
      this.categoryIndex.set(value, index);
    }
    return index;
  }

  /** Whether x values are categories rather than numbers. */
  get categorical(): boolean {
    return this.categories.length > 0;
  }
}

/** Inserts keeping `points` sorted by x; equal x values keep arrival order. */
export function insertSorted(points: ChartPoint[], point: ChartPoint): void {
  const last = points[points.length - 1];
  if (!last || last.x <= point.x) {
    points.push(point);
    return;
  }
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.x <= point.x) lo = mid + 1;
    else hi = mid;
  }
  points.splice(lo, 0, point);
}
