import type { KeyId } from '../../state/key-groups.ts';

/** One window that has contents and has not fired. */
export interface PendingWindow {
  readonly start: number;
  /**
   * Key groups in the order their first key entered the window: firing visits them in this order
   * (then any others, e.g. after a restore), as per-key timers would have fired.
   */
  readonly keyGroups: number[];
  /** Array and object keys by id, so a firing hands the user the key object it gave. */
  keys: Map<KeyId, unknown> | undefined;
}

interface Entry extends PendingWindow {
  readonly seenGroups: Set<number>;
}

/**
 * The event-time windows that have contents and have not fired yet, earliest first. With the
 * default event-time trigger and no allowed lateness, every key of such a window has one timer,
 * at the window's end; the window operator keeps this short list instead and fires a window for
 * all its keys when the watermark passes its end (see `WindowOperator`).
 *
 * Few windows are open at once (one tumbling window, size/slide sliding ones, a few more while
 * out-of-order data arrives), so a sorted array is the right structure.
 *
 * @example
 * const pending = new PendingWindows();
 * pending.noteKey(60_000, 3, 'a', 'a'); pending.noteKey(0, 7, 'b', 'b');
 * pending.pollEndedBy(59_999)?.start; // 0: the window [0, 60000) ends by then
 */
export class PendingWindows {
  private readonly starts: number[] = [];
  private readonly byStart = new Map<number, Entry>();
  private last: Entry | undefined;

  /** Notes that a key (of `keyGroup`) put its first record into the window starting at `start`. */
  noteKey(start: number, keyGroup: number, id: KeyId, key: unknown): void {
    let w = this.last;
    if (w === undefined || w.start !== start) w = this.last = this.byStart.get(start) ?? this.open(start);
    if (!w.seenGroups.has(keyGroup)) {
      w.seenGroups.add(keyGroup);
      w.keyGroups.push(keyGroup);
    }
    if (typeof key === 'object' && key !== null) (w.keys ??= new Map()).set(id, key);
  }

  /** Adds a window without keys (restored from a snapshot). */
  add(start: number): void {
    if (!this.byStart.has(start)) this.open(start);
  }

  /** Removes and returns the earliest window if its start is ≤ `lastStart`, else undefined. */
  pollEndedBy(lastStart: number): PendingWindow | undefined {
    const s = this.starts;
    if (s.length === 0 || s[0]! > lastStart) return undefined;
    const start = s.shift()!;
    const w = this.byStart.get(start)!;
    this.byStart.delete(start);
    if (this.last === w) this.last = undefined;
    return w;
  }

  get size(): number {
    return this.starts.length;
  }

  /** The starts, earliest first (a copy). */
  allStarts(): number[] {
    return this.starts.slice();
  }

  private open(start: number): Entry {
    const w: Entry = { start, keyGroups: [], seenGroups: new Set(), keys: undefined };
    this.byStart.set(start, w);
    const s = this.starts;
    let i = s.length;
    // Windows mostly open in time order: search from the end.
    while (i > 0 && s[i - 1]! > start) i--;
    s.splice(i, 0, start);
    return w;
  }
}
