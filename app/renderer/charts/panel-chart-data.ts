/**
 * What the job panel's small charts show, shaped on the page into plain data the chart worker
 * draws with Chart.js (see panel-chart.ts): a filled line of one figure over the job's samples,
 * and checkpoint durations as bars with the completed ones' sizes as a line. No DOM, no
 * Chart.js here, so the shaping is unit-tested in Node.
 */
import type { CheckpointSummary } from '../../shared/workbench/protocol.ts';

/** A point of a panel chart: x in seconds since the job started or a checkpoint id. */
export interface PanelPoint {
  x: number;
  y: number;
}

/** How a panel chart's y values read: the worker formats ticks with the same functions as the page. */
export type PanelValueFormat = 'bytes' | 'count';

/** What a checkpoint's bar looks like. */
export type CheckpointBarKind = 'completed' | 'savepoint' | 'failed';

/** The data of one panel chart, as posted to the chart worker. */
export type PanelChartData =
  | { kind: 'samples'; points: PanelPoint[]; format: PanelValueFormat; colour: string }
  | { kind: 'checkpoints'; bars: (PanelPoint & { bar: CheckpointBarKind })[]; sizes: PanelPoint[] };

/** How many checkpoints the chart shows: the newest ones. */
export const CHECKPOINTS_SHOWN = 50;

/**
 * The points of one figure over time, skipping samples that lack it.
 *
 * @example
 * samplePoints([{ t: 0, stateBytes: 10 }, { t: 1 }, { t: 2, stateBytes: 30 }], (s) => s.stateBytes);
 * // [{ x: 0, y: 10 }, { x: 2, y: 30 }]
 */
export function samplePoints<S extends { t: number }>(samples: readonly S[], pick: (sample: S) => number | undefined): PanelPoint[] {
  const points: PanelPoint[] = [];
  for (const sample of samples) {
    const y = pick(sample);
    if (y !== undefined && Number.isFinite(y)) points.push({ x: sample.t, y });
  }
  return points;
}

/**
 * The newest finished checkpoints as bars of their duration (x = checkpoint id), and the sizes of
 * the completed ones as a line; in-progress checkpoints are left out until they finish.
 *
 * @example
 * checkpointSeries([{ id: 1, status: 'COMPLETED', durationMs: 40, sizeBytes: 900, savepoint: false, ... }]);
 * // { kind: 'checkpoints', bars: [{ x: 1, y: 40, bar: 'completed' }], sizes: [{ x: 1, y: 900 }] }
 */
export function checkpointSeries(checkpoints: readonly CheckpointSummary[], shown = CHECKPOINTS_SHOWN): Extract<PanelChartData, { kind: 'checkpoints' }> {
  const rows = finishedCheckpoints(checkpoints, shown);
  return {
    kind: 'checkpoints',
    bars: rows.map((c) => ({ x: c.id, y: c.durationMs ?? 0, bar: c.status === 'FAILED' ? 'failed' : c.savepoint ? 'savepoint' : 'completed' })),
    sizes: rows.filter((c) => c.status === 'COMPLETED' && c.sizeBytes !== undefined).map((c) => ({ x: c.id, y: c.sizeBytes! })),
  };
}

/**
 * The newest `shown` checkpoints that have finished (completed or failed).
 *
 * @example
 * finishedCheckpoints(job.checkpoints).length; // at most 50
 */
export function finishedCheckpoints(checkpoints: readonly CheckpointSummary[], shown = CHECKPOINTS_SHOWN): CheckpointSummary[] {
  return checkpoints.filter((c) => c.status !== 'IN_PROGRESS').slice(-shown);
}

/**
 * A step for a byte axis that lands on round binary sizes (2 KiB, 512 KiB, 1 MiB), so its
 * labels read `0 B`, `2.0 KiB`, `4.0 KiB` rather than the decimal steps Chart.js picks
 * (`2.0 KiB`, `3.9 KiB`); about `steps` steps up to `max`.
 *
 * @example
 * byteStep(2100); // 2048
 * byteStep(3 * 1024 ** 2); // 2 MiB: 2097152
 */
export function byteStep(max: number, steps = 2): number {
  const raw = Math.max(1, max) / steps;
  const unit = 1024 ** Math.max(0, Math.floor(Math.log(raw) / Math.log(1024)));
  const nice = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 1024].find((n) => n * unit >= raw) ?? 1024;
  return nice * unit;
}

/**
 * Whether two shapings of a panel chart show the same thing, judged by their counts and their
 * first and last points: the job's figures only change by samples and checkpoints added (and the
 * oldest dropped), so this spares the chart worker a redraw for every job update in between.
 *
 * @example
 * samePanelData(checkpointSeries(before), checkpointSeries(after)); // false once a checkpoint finished
 */
export function samePanelData(a: PanelChartData | undefined, b: PanelChartData): boolean {
  if (!a || a.kind !== b.kind) return false;
  if (a.kind === 'samples' && b.kind === 'samples') return a.format === b.format && a.colour === b.colour && sameEnds(a.points, b.points);
  if (a.kind === 'checkpoints' && b.kind === 'checkpoints') return sameEnds(a.bars, b.bars) && sameEnds(a.sizes, b.sizes) && a.bars.at(-1)?.bar === b.bars.at(-1)?.bar;
  return false;
}

function sameEnds(a: readonly PanelPoint[], b: readonly PanelPoint[]): boolean {
  const same = (p: PanelPoint | undefined, q: PanelPoint | undefined): boolean => p?.x === q?.x && p?.y === q?.y;
  return a.length === b.length && same(a[0], b[0]) && same(a.at(-1), b.at(-1));
}
