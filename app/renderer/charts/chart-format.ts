/**
 * Colours and axis labels shared by the charts (no Chart.js here, so the page can use them
 * without loading it).
 */

/** Series colours: distinct on white, colour-blind friendly first (Okabe–Ito), then more. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#7f3c8d', '#11a579', '#3969ac', '#f2b701', '#e73f74', '#80ba5a', '#e68310', '#008695', '#cf1c90', '#f97b72', '#4b4b8f', '#a5aa99'];

/**
 * The colour of a series, by its name: the same series has the same colour in every chart and
 * every run, whatever order series arrive in. `taken` are colours other series of the chart
 * already have; a name whose colour is taken gets the next free one.
 *
 * @example
 * seriesColour('sensor-1'); // always the same palette entry
 */
export function seriesColour(name: string, taken: ReadonlySet<string> = new Set()): string {
  // FNV-1a: a small, well-spread string hash.
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  for (let probe = 0; probe < PALETTE.length; probe++) {
    const colour = PALETTE[(hash + probe) % PALETTE.length]!;
    if (!taken.has(colour)) return colour;
  }
  return PALETTE[hash % PALETTE.length]!;
}

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
