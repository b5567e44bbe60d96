/**
 * The merging-window sets of a merging window operator, one per key, kept in memory (Flink's
 * `WindowOperator` keeps them in a ListState it reads per record; on the heap that is a load
 * and a store of the whole set per record). A set is read from keyed state the first time its
 * key is seen (after a restore), and written back only at a snapshot, and only when it changed.
 *
 * Namespaces of new windows come from one counter per operator, kept in operator state: a
 * window growing with every record of a session costs no string and no lookup. The counter is
 * restored as the largest of every subtask's (union list), so a namespace is never reused, even
 * by a timer a trigger left behind for a window that merged away.
 */
import type { HeapKeyedStateBackend } from '../../state/heap-keyed-backend.ts';
import type { InternalState } from '../../state/heap-states.ts';
import { VOID_NAMESPACE, type NamespaceKey } from '../../state/state-table.ts';
import type { KeyId } from '../../state/key-groups.ts';
import type { MergingWindowAssigner } from './assigners.ts';
import { MergingWindowSet } from './merging-window-set.ts';

/**
 * A set as keyed state stores it. Snapshots written before namespaces were kept hold the bare
 * `toStored()` array; their windows' namespaces are the assigner's (`'start:end'`).
 */
type StoredSet = readonly number[] | { windows: readonly number[]; namespaces: readonly NamespaceKey[] };

function isLegacy(stored: StoredSet | undefined): stored is readonly number[] {
  return Array.isArray(stored);
}

/** The value state the sets are stored in. */
type SetState = InternalState & { value(): StoredSet | undefined; update(v: StoredSet | undefined): void };

/** A key's set with where it belongs, to write it back at a snapshot. */
interface KeySet {
  readonly set: MergingWindowSet;
  readonly key: unknown;
  readonly keyId: KeyId;
  readonly keyGroup: number;
  /** Changed since the last flush. */
  dirty: boolean;
  /** Keyed state holds a version of it (restored, or written by a flush). */
  persisted: boolean;
  /** Emptied and dropped: a flush skips it. */
  removed: boolean;
}

/**
 * The per-key sets of one operator subtask (see the file comment).
 *
 * @example
 * const sets = new MergingWindowSets(assigner, backend, state, restoredCounters);
 * const set = sets.current();           // the current key's set
 * set.addWindow(window, onMerge);
 * sets.changed();                       // after a record that may have changed it
 * sets.flush();                         // before the keyed state is snapshotted
 */
export class MergingWindowSets {
  private readonly byKey = new Map<KeyId, KeySet>();
  private readonly dirty: KeySet[] = [];
  private entry: KeySet | undefined;
  private nextNamespace: number;
  private readonly newNamespace = (): NamespaceKey => this.nextNamespace++;

  constructor(
    private readonly assigner: MergingWindowAssigner,
    private readonly backend: HeapKeyedStateBackend,
    private readonly state: SetState,
    /** The counters of the snapshot restored from (every subtask's), or none. */
    restoredCounters: readonly number[],
  ) {
    // Namespace 0 is the void namespace of per-key state: window namespaces start above it.
    let next = 1;
    for (const c of restoredCounters) if (c > next) next = c;
    this.nextNamespace = next;
  }

  /** The counter to store in a snapshot: every namespace given out so far is below it. */
  get counter(): number {
    return this.nextNamespace;
  }

  /** The set of the backend's current key, read from keyed state when the key is new here. */
  current(): MergingWindowSet {
    const b = this.backend;
    let e = this.byKey.get(b.currentKeyId);
    if (e === undefined) {
      this.state.setCurrentNamespace(VOID_NAMESPACE);
      const stored = this.state.value();
      const set = isLegacy(stored)
        ? new MergingWindowSet(this.assigner, stored, undefined, this.newNamespace)
        : new MergingWindowSet(this.assigner, stored?.windows, stored?.namespaces, this.newNamespace);
      e = { set, key: b.currentKey, keyId: b.currentKeyId, keyGroup: b.currentKeyGroup, dirty: false, persisted: stored !== undefined, removed: false };
      this.byKey.set(b.currentKeyId, e);
    }
    this.entry = e;
    return e.set;
  }

  /**
   * Call after using the set `current()` returned, with its key still current: remembers it for
   * the next snapshot if it changed. A set that became empty is dropped at once (and from keyed
   * state), so keys whose sessions all ended hold no memory.
   */
  changed(): void {
    const e = this.entry!;
    if (e.set.size === 0) {
      if (e.removed) return;
      if (e.persisted) {
        this.state.setCurrentNamespace(VOID_NAMESPACE);
        this.state.update(undefined);
      }
      e.removed = true;
      this.byKey.delete(e.keyId);
      return;
    }
    if (e.dirty || !e.set.isChanged) return;
    e.dirty = true;
    this.dirty.push(e);
  }

  /** Writes the sets changed since the last flush into keyed state (before a snapshot of it). */
  flush(): void {
    if (this.dirty.length === 0) return;
    const b = this.backend;
    const { currentKey, currentKeyId, currentKeyGroup } = b;
    const state = this.state;
    state.setCurrentNamespace(VOID_NAMESPACE);
    for (const e of this.dirty) {
      e.dirty = false;
      if (e.removed) continue;
      b.setCurrentKeyInGroup(e.key, e.keyId, e.keyGroup);
      state.update({ windows: e.set.toStored()!, namespaces: e.set.storedNamespaces() });
      e.set.markSaved();
      e.persisted = true;
    }
    this.dirty.length = 0;
    b.setCurrentKeyInGroup(currentKey, currentKeyId, currentKeyGroup);
  }
}
