import { MAX_WATERMARK } from '../elements.ts';

/**
 * A finite (or global) bucket of a keyed stream. Records are grouped per key and window; a
 * window's contents, trigger state and timers live under the window's namespace in keyed state.
 * `maxTimestamp()` is the last event time that still belongs to the window: results carry it as
 * their timestamp, and event-time windows fire when the watermark reaches it.
 *
 * @example
 * class MyWindow extends Window { maxTimestamp() { return 42; } }
 */
export abstract class Window {
  /** The largest timestamp that belongs to this window. */
  abstract maxTimestamp(): number;
}

/**
 * A time interval `[start, end)` in epoch milliseconds (Flink's `TimeWindow`).
 *
 * @example
 * const w = new TimeWindow(0, 60_000);
 * w.maxTimestamp(); // 59_999
 * w.intersects(new TimeWindow(60_000, 120_000)); // true: touching windows merge into sessions
 */
export class TimeWindow extends Window {
  constructor(
    /** First millisecond of the window (inclusive). */
    readonly start: number,
    /** End of the window (exclusive). */
    readonly end: number,
  ) {
    super();
  }

  maxTimestamp(): number {
    return this.end - 1;
  }

  /**
   * True when the windows overlap or touch. Touching counts, as in Flink, so that two session
   * windows exactly one gap apart merge.
   *
   * @example
   * new TimeWindow(0, 10).intersects(new TimeWindow(10, 20)); // true
   */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /**
   * The smallest window that contains both.
   *
   * @example
   * new TimeWindow(0, 10).cover(new TimeWindow(5, 20)); // TimeWindow [0, 20)
   */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  /**
   * Same bounds.
   *
   * @example
   * new TimeWindow(0, 10).equals(new TimeWindow(0, 10)); // true
   */
  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  override toString(): string {
    return `TimeWindow[${this.start}, ${this.end})`;
  }

  /**
   * The start of the window of size `windowSize` (shifted by `offset`) that contains
   * `timestamp`; correct for negative timestamps (Flink's `getWindowStartWithOffset`).
   *
   * @example
   * TimeWindow.getWindowStartWithOffset(1_234, 0, 1_000); // 1_000
   * TimeWindow.getWindowStartWithOffset(-1, 0, 1_000); // -1_000
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    // JS `%` keeps the dividend's sign, so negative timestamps need the window below.
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }

  /**
   * Merges overlapping (or touching) windows: sorts by start, sweeps, and calls `callback` once
   * per group of two or more windows with the group and the window covering it (Flink's
   * `TimeWindow.mergeWindows`). Equal windows count once.
   *
   * @example
   * TimeWindow.mergeWindows([new TimeWindow(0, 10), new TimeWindow(5, 15)], (merged, result) => {
   *   // merged: both windows, result: TimeWindow [0, 15)
   * });
   */
  static mergeWindows(windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    const sorted = windows.slice().sort((a, b) => a.start - b.start);
    let cover: TimeWindow | undefined;
    let group: TimeWindow[] = [];
    const flush = () => {
      if (cover && group.length > 1) callback(group, cover);
    };
    for (const candidate of sorted) {
      if (cover && cover.intersects(candidate)) {
        cover = cover.cover(candidate);
        if (!group.some((w) => w.equals(candidate))) group.push(candidate);
      } else {
        flush();
        cover = candidate;
        group = [candidate];
      }
    }
    flush();
  }
}

/**
 * The one window of `GlobalWindows`: all records of a key, forever. It never ends, so only a
 * custom trigger (for example a count trigger) makes it fire, and it is never cleaned up.
 *
 * @example
 * GlobalWindow.get().maxTimestamp(); // Infinity
 */
export class GlobalWindow extends Window {
  private static readonly INSTANCE = new GlobalWindow();
  readonly start = Number.NEGATIVE_INFINITY;
  readonly end = Number.POSITIVE_INFINITY;

  private constructor() {
    super();
  }

  /** The singleton. */
  static get(): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }

  maxTimestamp(): number {
    return MAX_WATERMARK;
  }

  override toString(): string {
    return 'GlobalWindow';
  }
}
