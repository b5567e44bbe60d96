import { MergingWindowAssigner } from './assigners.ts';
import { TimeWindow } from './windows.ts';
import type { NamespaceKey } from '../../state/state-table.ts';

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
  namespaces: MergeNamespaces,
) => void;

/**
 * The namespaces of a merge's windows (see `MergingWindowSet`): where the merged windows' trigger
 * state and timers are, and where their contents are.
 *
 * @example
 * contents.mergeNamespaces(ns.stateResult, ns.mergedState);
 */
export interface MergeNamespaces {
  /** Of `mergeResult`. */
  result: NamespaceKey;
  /** Of each of `mergedWindows`, in order. */
  merged: NamespaceKey[];
  /** Of `stateWindowResult`. */
  stateResult: NamespaceKey;
  /** Of each of `mergedStateWindows`, in order. */
  mergedState: NamespaceKey[];
}

const defaultMergeWindows = MergingWindowAssigner.prototype.mergeWindows;

/**
 * The in-flight windows of one key of a merging (session) assigner, each mapped to its "state
 * window": the window whose namespace holds its contents (Flink's `MergingWindowSet`). When
 * windows merge, the result keeps the state window of one of them, so only the others' state is
 * moved, and a long session is never copied once per record.
 *
 * Each in-flight window has a namespace (its trigger state and timers are there) and so has its
 * state window (its contents are there). A new window takes `newNamespace(window)`: the window
 * operator passes a counter, so a session that grows with every record costs no string; by
 * default it is the assigner's `windowNamespace` (`'start:end'`), what sets stored before
 * namespaces were kept take for their windows when loaded.
 *
 * A key has few windows in flight, so they are kept in parallel arrays and searched linearly.
 * The stored form is a flat array of numbers `[start, end, stateStart, stateEnd, ...]`
 * (`toStored`) and the namespaces `[ns, stateNs, ...]` (`storedNamespaces`).
 *
 * @example
 * const set = new MergingWindowSet(EventTimeSessionWindows.withGap(10), stored);
 * const actual = set.addWindow(new TimeWindow(5, 15), onMerge);
 * set.getStateWindow(actual); // the window whose namespace gets the record
 */
export class MergingWindowSet {
  private readonly windows: TimeWindow[] = [];
  private readonly stateWindows: TimeWindow[] = [];
  private readonly namespaces: NamespaceKey[] = [];
  private readonly stateNamespaces: NamespaceKey[] = [];
  private changed = false;
  private readonly newNamespace: (window: TimeWindow) => NamespaceKey;

  constructor(
    private readonly assigner: MergingWindowAssigner,
    stored: readonly number[] | undefined,
    /** `[ns, stateNs, ...]` of the stored windows; without it they take the assigner's namespaces. */
    storedNamespaces?: readonly NamespaceKey[],
    newNamespace?: (window: TimeWindow) => NamespaceKey,
  ) {
    this.newNamespace = newNamespace ?? ((w) => assigner.windowNamespace(w));
    if (stored) {
      for (let i = 0, j = 0; i + 3 < stored.length; i += 4, j += 2) {
        const w = new TimeWindow(stored[i]!, stored[i + 1]!);
        const sameState = stored[i + 2] === w.start && stored[i + 3] === w.end;
        const stateWindow = sameState ? w : new TimeWindow(stored[i + 2]!, stored[i + 3]!);
        this.windows.push(w);
        this.stateWindows.push(stateWindow);
        this.namespaces.push(storedNamespaces ? storedNamespaces[j]! : assigner.windowNamespace(w));
        this.stateNamespaces.push(storedNamespaces ? storedNamespaces[j + 1]! : assigner.windowNamespace(stateWindow));
      }
    }
  }

  /** Position of in-flight window `window` (by bounds), or -1. */
  indexOf(window: TimeWindow): number {
    const ws = this.windows;
    for (let i = 0; i < ws.length; i++) if (ws[i]!.start === window.start && ws[i]!.end === window.end) return i;
    return -1;
  }

  /** Position of the in-flight window whose namespace is `ns`, or -1 (a timer restored with only its namespace). */
  indexOfNamespace(ns: NamespaceKey): number {
    return this.namespaces.indexOf(ns);
  }

  /** The in-flight window at position `i`. */
  windowAt(i: number): TimeWindow {
    return this.windows[i]!;
  }

  /** Namespace of the in-flight window at `i`: its trigger state and timers. */
  namespaceAt(i: number): NamespaceKey {
    return this.namespaces[i]!;
  }

  /** Namespace of the state window of the in-flight window at `i`: its contents. */
  stateNamespaceAt(i: number): NamespaceKey {
    return this.stateNamespaces[i]!;
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
    this.removeAt(i);
    this.changed = true;
  }

  private removeAt(i: number): void {
    this.windows.splice(i, 1);
    this.stateWindows.splice(i, 1);
    this.namespaces.splice(i, 1);
    this.stateNamespaces.splice(i, 1);
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

    if (this.assigner.mergeWindows === defaultMergeWindows) {
      let overlapping = -1;
      let count = 0;
      for (let i = 0; i < this.windows.length; i++) {
        if (this.windows[i]!.intersects(newWindow)) {
          overlapping = i;
          count++;
        }
      }
      // The common cases, without sorting: a window that touches nothing merges with nothing;
      // one that touches one in-flight window (a session going on) merges with that one only
      // (in-flight windows never touch each other: they would have merged).
      if (count === 0) {
        this.put(newWindow, newWindow, undefined);
        return newWindow;
      }
      if (count === 1) return this.mergeWithOne(overlapping, newWindow, mergeFunction);
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
      const first = this.indexOf(mergedWindows[0]!);
      const stateWindowResult = this.stateWindows[first]!;
      const stateResultNs = this.stateNamespaces[first]!;
      const mergedStateWindows: TimeWindow[] = [];
      const mergedNs: NamespaceKey[] = [];
      const mergedStateNs: NamespaceKey[] = [];
      for (const w of mergedWindows) {
        const i = this.indexOf(w);
        if (i < 0) {
          mergedNs.push(this.assigner.windowNamespace(w));
          continue;
        }
        const stateWindow = this.stateWindows[i]!;
        mergedNs.push(this.namespaces[i]!);
        if (!stateWindow.equals(stateWindowResult)) {
          mergedStateWindows.push(stateWindow);
          mergedStateNs.push(this.stateNamespaces[i]!);
        }
        this.removeAt(i);
      }
      // A result with the bounds of a merged window is that window: it keeps its namespace.
      const same = mergedWindows.findIndex((w) => w.equals(mergeResult));
      const resultNs = this.put(mergeResult, stateWindowResult, stateResultNs, same >= 0 ? mergedNs[same] : undefined);
      // A new window inside one in-flight window changes nothing: no state or trigger to merge.
      const onlyItself = mergedWindows.length === 1 && mergedWindows[0]!.equals(mergeResult);
      if (!onlyItself) {
        mergeFunction(mergeResult, mergedWindows, stateWindowResult, mergedStateWindows, { result: resultNs, merged: mergedNs, stateResult: stateResultNs, mergedState: mergedStateNs });
      }
    }

    if (!mergedNewWindow) this.put(resultWindow, resultWindow, undefined);
    return resultWindow;
  }

  /** `addWindow` when `newWindow` touches exactly the in-flight window at `i` (default merging). */
  private mergeWithOne(i: number, newWindow: TimeWindow, mergeFunction: MergeFunction): TimeWindow {
    const existing = this.windows[i]!;
    if (existing.start <= newWindow.start && existing.end >= newWindow.end) return existing; // inside it: nothing changes
    const result = existing.cover(newWindow);
    const ns = this.namespaces[i]!;
    const stateWindow = this.stateWindows[i]!;
    const stateNs = this.stateNamespaces[i]!;
    const resultNs = this.newNamespace(result);
    // The result takes the existing window's place and keeps its state window.
    this.windows[i] = result;
    this.namespaces[i] = resultNs;
    this.changed = true;
    mergeFunction(result, [existing], stateWindow, [], { result: resultNs, merged: [ns], stateResult: stateNs, mergedState: [] });
    return result;
  }

  /**
   * Puts `window` in flight with its state window (of namespace `stateNs`, or its own when
   * undefined); a window not in flight yet takes namespace `ns`, or a new one. Returns its namespace.
   */
  private put(window: TimeWindow, stateWindow: TimeWindow, stateNs: NamespaceKey | undefined, ns?: NamespaceKey): NamespaceKey {
    const i = this.indexOf(window);
    this.changed = true;
    if (i >= 0) {
      this.stateWindows[i] = stateWindow;
      this.stateNamespaces[i] = stateNs ?? this.namespaces[i]!;
      return this.namespaces[i]!;
    }
    ns ??= this.newNamespace(window);
    this.windows.push(window);
    this.stateWindows.push(stateWindow);
    this.namespaces.push(ns);
    this.stateNamespaces.push(stateNs ?? ns);
    return ns;
  }

  /** Number of in-flight windows. */
  get size(): number {
    return this.windows.length;
  }

  /** True when the set differs from what it was loaded from or last saved as. */
  get isChanged(): boolean {
    return this.changed;
  }

  /** The set was saved as it is now. */
  markSaved(): void {
    this.changed = false;
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

  /** The namespaces of the stored form: `[ns, stateNs, ...]`, in the order of `toStored()`. */
  storedNamespaces(): NamespaceKey[] {
    const out: NamespaceKey[] = [];
    for (let i = 0; i < this.windows.length; i++) out.push(this.namespaces[i]!, this.stateNamespaces[i]!);
    return out;
  }
}
