import { MergingWindowAssigner } from './assigners.ts';
import { TimeWindow } from './windows.ts';

/**
 * Called when windows merge. `mergeResult` replaces `mergedWindows` (the new window excluded);
 * the contents of `mergedStateWindows` must be merged into `stateWindowResult`.
 *
 * @example
 * const onMerge: MergeFunction = (result, merged, stateTarget, stateSources) => {
 *   contents.mergeNamespaces(ns(stateTarget), stateSources.map(ns));
 * };
 */
export type MergeFunction = (
  mergeResult: TimeWindow,
  mergedWindows: TimeWindow[],
  stateWindowResult: TimeWindow,
  mergedStateWindows: TimeWindow[],
) => void;

const defaultMergeWindows = MergingWindowAssigner.prototype.mergeWindows;

/**
 * The in-flight windows of one key of a merging (session) assigner, each mapped to its "state
 * window": the window whose namespace holds its contents (Flink's `MergingWindowSet`). When
 * windows merge, the result keeps the state window of one of them, so only the others' state is
 * moved, and a long session is never copied once per record.
 *
 * A key has few windows in flight, so they are kept in two parallel arrays and searched
 * linearly. The set is loaded from and saved to keyed state as a flat array of numbers
 * `[start, end, stateStart, stateEnd, ...]`, which survives any snapshot format.
 *
 * @example
 * const set = new MergingWindowSet(EventTimeSessionWindows.withGap(10), stored);
 * const actual = set.addWindow(new TimeWindow(5, 15), onMerge);
 * set.getStateWindow(actual); // the window whose namespace gets the record
 */
export class MergingWindowSet {
  private readonly windows: TimeWindow[] = [];
  private readonly stateWindows: TimeWindow[] = [];
  private changed = false;

  constructor(
    private readonly assigner: MergingWindowAssigner,
    stored: readonly number[] | undefined,
  ) {
    if (stored) {
      for (let i = 0; i + 3 < stored.length; i += 4) {
        const w = new TimeWindow(stored[i]!, stored[i + 1]!);
        const sameState = stored[i + 2] === w.start && stored[i + 3] === w.end;
        this.windows.push(w);
        this.stateWindows.push(sameState ? w : new TimeWindow(stored[i + 2]!, stored[i + 3]!));
      }
    }
  }

  private indexOf(window: TimeWindow): number {
    const ws = this.windows;
    for (let i = 0; i < ws.length; i++) if (ws[i]!.start === window.start && ws[i]!.end === window.end) return i;
    return -1;
  }

  /** The window holding the state of in-flight window `window`, or undefined if it is not in flight. */
  getStateWindow(window: TimeWindow): TimeWindow | undefined {
    const i = this.indexOf(window);
    return i < 0 ? undefined : this.stateWindows[i];
  }

  /** Removes a window that was cleaned up (or dropped as late). */
  retireWindow(window: TimeWindow): void {
    const i = this.indexOf(window);
    if (i < 0) throw new Error(`Window ${String(window)} is not in the in-flight window set`);
    this.windows.splice(i, 1);
    this.stateWindows.splice(i, 1);
    this.changed = true;
  }

  /**
   * Adds a new window and merges it with the in-flight windows it overlaps; returns the window
   * the new one ended up in. `mergeFunction` runs once per merge, before this returns.
   */
  addWindow(newWindow: TimeWindow, mergeFunction: MergeFunction): TimeWindow {
    const existing = this.indexOf(newWindow);
    // Flink overwrites the mapping when `newWindow` is already in flight; that would orphan a
    // state window that differs from the window itself, so the entry is kept as it is.
    if (existing >= 0) return this.windows[existing]!;

    if (this.assigner.mergeWindows === defaultMergeWindows && !this.windows.some((w) => w.intersects(newWindow))) {
      // The common case, without sorting: a window that touches nothing merges with nothing.
      this.put(newWindow, newWindow);
      return newWindow;
    }

    const merges: [TimeWindow, TimeWindow[]][] = [];
    this.assigner.mergeWindows([...this.windows, newWindow], (toBeMerged, mergeResult) => merges.push([mergeResult, toBeMerged]));

    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, toBeMerged] of merges) {
      const mergedWindows = toBeMerged.filter((w) => !w.equals(newWindow));
      if (mergedWindows.length !== toBeMerged.length) {
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      // The result inherits the state window of one merged window; the others' state moves there.
      const stateWindowResult = this.getStateWindow(mergedWindows[0]!)!;
      const mergedStateWindows: TimeWindow[] = [];
      for (const w of mergedWindows) {
        const i = this.indexOf(w);
        if (i < 0) continue;
        const stateWindow = this.stateWindows[i]!;
        this.windows.splice(i, 1);
        this.stateWindows.splice(i, 1);
        if (!stateWindow.equals(stateWindowResult)) mergedStateWindows.push(stateWindow);
      }
      this.put(mergeResult, stateWindowResult);
      // A new window inside one in-flight window changes nothing: no state or trigger to merge.
      const onlyItself = mergedWindows.length === 1 && mergedWindows[0]!.equals(mergeResult);
      if (!onlyItself) mergeFunction(mergeResult, mergedWindows, stateWindowResult, mergedStateWindows);
    }

    if (!mergedNewWindow) this.put(resultWindow, resultWindow);
    return resultWindow;
  }

  private put(window: TimeWindow, stateWindow: TimeWindow): void {
    const i = this.indexOf(window);
    if (i >= 0) this.stateWindows[i] = stateWindow;
    else {
      this.windows.push(window);
      this.stateWindows.push(stateWindow);
    }
    this.changed = true;
  }

  /** Number of in-flight windows. */
  get size(): number {
    return this.windows.length;
  }

  /** True when the set differs from what it was loaded from. */
  get isChanged(): boolean {
    return this.changed;
  }

  /** The stored form: `[start, end, stateStart, stateEnd, ...]`, or undefined when empty. */
  toStored(): number[] | undefined {
    if (!this.windows.length) return undefined;
    const out: number[] = [];
    for (let i = 0; i < this.windows.length; i++) {
      const w = this.windows[i]!;
      const s = this.stateWindows[i]!;
      out.push(w.start, w.end, s.start, s.end);
    }
    return out;
  }
}
