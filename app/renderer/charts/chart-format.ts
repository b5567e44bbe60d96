/**
 * Colours and axis labels shared by the charts (no Chart.js here, so the page can use them
 * without loading it).
 */

/** Series colours: distinct on white, colour-blind friendly first (Okabe–Ito), then more. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#7f3c8d', '#11a579', '#3969ac', '#f2b701', '#e73f74', '#80ba5a', '#e68310', '#008695', '#cf1c90', '#f97b72', '#4b4b8f', '#a5aa99'];

/**
 * Labels for an x value: epoch-millisecond times as clock times (UTC), other numbers as they are.
 *
 * @example
 * formatX(Date.UTC(2026, 0, 1, 8, 5), true); // '08:05:00'
 */
export function formatX(value: number, isTime: boolean, spanMs = 0): string {
  if (!isTime) return Number.isInteger(value) ? String(value) : value.toFixed(2);
  const iso = new Date(value).toISOString();
  return spanMs > 2 * 86_400_000 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 19);
}

/** Whether x values look like epoch milliseconds (after 2001, before 2286). */
export function looksLikeTime(min: number, max: number): boolean {
  return min > 978_307_200_000 && max < 1e13;
}
