/**
 * Live control of running replays, for the job-control API and the metrics. A replay reader
 * registers its control under the source's name while it runs; whoever drives the UI looks it
 * up by that name. This module is plain TypeScript with no Node imports, so a host can re-export
 * it anywhere; it lives on `globalThis` so that every copy of the engine in a process (a bundled
 * notebook, the kernel) sees the same registry.
 */

/** Replay speed: event-time milliseconds per wall-clock millisecond, or 'max' (unpaced). */
export type ReplaySpeed = number | 'max';

/** Where a replay is, for progress bars and metrics. */
export interface ReplayProgress {
  /** The source's name (the registry key). */
  name: string;
  state: 'starting' | 'playing' | 'paused' | 'finished';
  speed: ReplaySpeed;
  /** The replay's current event time (ms), or null before the first row. */
  eventTime: number | null;
  /** Event time of the first and last row of the query (ms), null when it has no rows. */
  startTime: number | null;
  endTime: number | null;
  /** Share of the event-time range replayed, 0–100. */
  percent: number;
  /** Rows emitted so far, and rows the query has in all. */
  rowsEmitted: number;
  totalRows: number;
}

/**
 * Controls one running replay. Calls take effect at the reader's next step (immediately if it
 * is waiting for its next row).
 *
 * @example
 * const trips = replayControls.get('trips');
 * trips?.setSpeed(600);          // 10 minutes of event time per second
 * trips?.seek(Date.UTC(2026, 0, 1, 12));
 * console.log(trips?.progress().percent);
 */
export interface ReplayControl {
  readonly name: string;
  /** Stops emitting rows (and advancing event time) until `resume()`. */
  pause(): void;
  resume(): void;
  /** Changes the pace from now on; event time keeps going from where it is. */
  setSpeed(speed: ReplaySpeed): void;
  /**
   * Continues from the first row at or after `eventTime` (ms). Seeking forward skips rows.
   * Seeking back re-emits rows, but watermarks never go back, so downstream event-time
   * windows treat them as late; to re-run a past stretch, restart from a checkpoint.
   */
  seek(eventTime: number): void;
  progress(): ReplayProgress;
}

/** The replays running in this process, by source name. */
export interface ReplayControlRegistry {
  get(name: string): ReplayControl | undefined;
  list(): ReplayControl[];
  /** Called by a replay reader when it opens; returns the function that unregisters it. */
  register(control: ReplayControl): () => void;
}

const KEY = Symbol.for('weir.replayControls');

function createRegistry(): ReplayControlRegistry {
  const byName = new Map<string, ReplayControl>();
  return {
    get: (name) => byName.get(name),
    list: () => [...byName.values()],
    register(control) {
      // The latest replay under a name wins (a re-run of a notebook cell replaces the old one).
      byName.set(control.name, control);
      return () => {
        if (byName.get(control.name) === control) byName.delete(control.name);
      };
    },
  };
}

/**
 * The registry of running replays in this process.
 *
 * @example
 * for (const r of replayControls.list()) console.log(r.name, r.progress().percent.toFixed(1) + '%');
 */
export const replayControls: ReplayControlRegistry = ((globalThis as Record<symbol, ReplayControlRegistry | undefined>)[KEY] ??= createRegistry());
