/**
 * The forms keyed state takes in a snapshot. All three describe the same logical content (per
 * state: name, kind, and entries of key group, key, namespace, value); they differ in when the
 * work is done:
 *
 * - `KeyedStateEntries`: plain arrays, the decoded form (tests, small state).
 * - `KeyedStateView`: a copy-on-write view of a live heap backend, taken in O(key groups) at the
 *   barrier; the checkpoint's asynchronous part reads it in steps while the task keeps running.
 * - `KeyedStateReader`: a snapshot's encoded bytes, decoded on restore straight into the
 *   backend's tables, only for the key groups the subtask owns.
 */
import type { KeyGroupRange, KeyId } from './key-groups.ts';
import type { EncodedKeyGroup, EntryVisitor, NamespaceKey } from './state-table.ts';

/** One keyed entry as plain data: [key group, key id, namespace, value]. */
export type KeyedEntry = [number, KeyId, NamespaceKey, unknown];

/** Keyed state as plain arrays. */
export interface KeyedStateEntries {
  readonly form?: undefined;
  /** state name → kind + entries of [keyGroup, keyId, namespace, value]. */
  states: Record<string, { kind: string; entries: KeyedEntry[] }>;
}

/** Where a restore puts entries: the table of a state, created on first use. */
export interface KeyedStateTarget {
  /** The table that takes the entries of state `name` of kind `kind`. */
  tableFor(
    name: string,
    kind: string,
  ): {
    put(keyGroup: number, key: KeyId, ns: NamespaceKey, value: unknown): void;
    /** Takes a key group's entries still encoded, to decode on first use. */
    putEncoded(keyGroup: number, group: EncodedKeyGroup): void;
  };
}

/** Keyed state still encoded; decoded only into a restoring backend, for its own key groups. */
export interface KeyedStateReader {
  readonly form: 'reader';
  /**
   * Puts the entries of key groups in `range` into `target`: indexed by key group and left
   * encoded until the task first uses a key group, where the bytes are grouped by key group (as
   * `encodeSnapshot` writes views); decoded at once otherwise. Throws naming the bytes when corrupt.
   */
  readInto(range: KeyGroupRange, target: KeyedStateTarget): void;
  /** All entries as plain arrays (decodes everything). */
  toEntries(): KeyedStateEntries;
  /** `toEntries().states`, for code that reads any form as plain entries. */
  readonly states: KeyedStateEntries['states'];
}

/**
 * One state's entries at a barrier, read in steps: a table's copy-on-write snapshot
 * (`StateTable.snapshot()`), or that snapshot with expired TTL entries left out (`ttlCleanupSnapshot`).
 *
 * @example
 * while (!snap.step(4096, (kg, key, ns, value) => write(kg, key, ns, value)));
 */
export interface TableSnapshotSteps {
  /** Entries the snapshot writes. */
  readonly count: number;
  /** Visits up to about `budget` entries; true when every entry has been visited. */
  step(budget: number, visit: EntryVisitor<unknown>): boolean;
  /** Abandons the snapshot: the table stops copying entries for it. */
  release(): void;
}

/** One state of a `KeyedStateView`. */
export interface ViewedState {
  readonly name: string;
  readonly kind: string;
  /** Entries at the barrier. */
  readonly count: number;
}

/**
 * A copy-on-write view of a heap backend's keyed state at a barrier. Read it once to the end
 * (`step`), or turn it into plain entries (`toEntries`), or `release()` it: until then the
 * backend copies every entry the task touches before the view has read it.
 *
 * @example
 * const view = backend.snapshotView();          // at the barrier, O(key groups)
 * const bytes = await encodeSnapshotAsync({ keyed: view }); // reads and releases it
 */
export class KeyedStateView {
  readonly form = 'view';
  private materialized: KeyedStateEntries | undefined;
  private started = false;

  constructor(
    /** Name, kind and entry count of every state, in the order `step` reads them. */
    readonly stateInfo: readonly ViewedState[],
    private readonly tables: readonly TableSnapshotSteps[],
  ) {}

  /** Entries at the barrier over all states. */
  get count(): number {
    let n = 0;
    for (const s of this.stateInfo) n += s.count;
    return n;
  }

  /**
   * `toEntries().states`: reads the whole view at once, for code that treats every form as
   * plain entries. The checkpoint path reads it in steps instead (`step`).
   */
  get states(): KeyedStateEntries['states'] {
    return this.toEntries().states;
  }

  /** True until `step` or `toEntries` has begun reading the view. */
  get unread(): boolean {
    return !this.started && !this.materialized;
  }

  /**
   * Visits up to about `budget` entries of state `index` as they were at the barrier; true when
   * that state is done. States are read in order, each once.
   */
  step(index: number, budget: number, visit: EntryVisitor<unknown>): boolean {
    if (this.materialized) throw new Error('Internal error: a keyed state view was read after it was turned into entries');
    this.started = true;
    return this.tables[index]!.step(budget, visit);
  }

  /**
   * The view as plain entries, read at once; later calls return the same entries. Values are
   * the live objects (as the backend's `snapshot()` always gave them): encode or restore the
   * entries before the task changes state in place, or copy them.
   */
  toEntries(): KeyedStateEntries {
    if (this.materialized) return this.materialized;
    if (this.started) throw new Error('Internal error: a keyed state view was turned into entries after it was read');
    const states: KeyedStateEntries['states'] = {};
    this.stateInfo.forEach((s, i) => {
      const entries: KeyedEntry[] = [];
      while (!this.tables[i]!.step(1 << 16, (kg, key, ns, value) => entries.push([kg, key, ns, value])));
      // defineProperty: a state may be named '__proto__'.
      Object.defineProperty(states, s.name, { value: { kind: s.kind, entries }, enumerable: true, writable: true, configurable: true });
    });
    return (this.materialized = { states });
  }

  /** Abandons the view (a failed or declined checkpoint): the backend stops copying for it. */
  release(): void {
    for (const t of this.tables) t.release();
  }
}

/** Keyed state in a snapshot, in any of its forms (see the top of this file). */
export type KeyedStateSnapshot = KeyedStateEntries | KeyedStateView | KeyedStateReader;

/**
 * Plain entries of keyed state in any form (decodes or reads a view to the end).
 *
 * @example
 * const { states } = keyedEntries(snapshot.keyed!);
 */
export function keyedEntries(keyed: KeyedStateSnapshot): KeyedStateEntries {
  return keyed.form === undefined ? keyed : keyed.toEntries();
}
