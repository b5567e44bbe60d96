/**
 * Figures the renderer keeps about its own speed (chart draw times), readable from the page as
 * `window.weirPerf` by the end-to-end tests and benchmarks.
 */

/** One chart draw. */
export interface DrawSample {
  ms: number;
  points: number;
}

const MAX_SAMPLES = 2000;

/** The samples so far, oldest first. */
export const chartDraws: DrawSample[] = [];

/** Records a chart draw. */
export function recordChartDraw(ms: number, points: number): void {
  chartDraws.push({ ms, points });
  if (chartDraws.length > MAX_SAMPLES) chartDraws.splice(0, chartDraws.length - MAX_SAMPLES);
}
