import type { KeyId } from './key-groups.ts';
import { copyValue } from './copy.ts';

/** A namespace: which window (or none) a state entry belongs to. */
export type NamespaceKey = string | number;

/** The namespace of state that is not scoped to a window. */
export const VOID_NAMESPACE: NamespaceKey = 0;

/**
 * The key group of no key: a keyed backend's current key group before the first key is set and
 * on the broadcast side of a broadcast process function. No shard has it, so it is only checked
 * where a shard is missing (off the hot path).
 */
export const NO_KEY_GROUP = -1;

/** Receives the entries of a snapshot, one at a time. */
export type EntryVisitor<V> = (keyGroup: number, key: KeyId, namespace: NamespaceKey, value: V) => void;

/**
 * The entries of one key group of one state, still encoded (a restore): decoded into the table
 * the first time the task uses that key group, so a restore only indexes its bytes.
 *
 * @example
 * table.putEncoded(kg, { count: 1, decode: (visit) => visit('user-1', 0, 42), *iterate() { yield ['user-1', 0, 42]; } });
 */
export interface EncodedKeyGroup {
  /** Entries it holds. */
  readonly count: number;
  /** Decodes every entry, in order; throws naming the snapshot when the bytes are corrupt. */
  decode(visit: (key: KeyId, ns: NamespaceKey, value: unknown) => void): void;
  /** The same entries one at a time (a snapshot reads them in steps). */
  iterate(): IterableIterator<[KeyId, NamespaceKey, unknown]>;
}

/** In a snapshot's record of changed entries: the entry did not exist at the barrier. */
const ABSENT = Symbol('absent');
/** In a snapshot's record of changed entries: the snapshot already wrote the entry from the live table. */
const WRITTEN = Symbol('written');
type Preserved<V> = V | typeof ABSENT | typeof WRITTEN;

/**
 * One key group's entries of one state: namespace → key → value. Namespace first, because the
 * window operator clears and fires a window at a time, and non-windowed state has one namespace
 * (so the outer lookup is cached).
 */
class KeyGroupShard<V> {
  readonly byNamespace = new Map<NamespaceKey, Map<KeyId, V>>();
  size = 0;
  lastNs: NamespaceKey | undefined;
  lastMap: Map<KeyId, V> | undefined;
  /** Snapshots that still have to write this shard as it was at their barrier. */
  views: ShardView<V>[] | undefined;
  /** Restored entries not decoded yet (then the maps are empty); decoded on first use. */
  encoded: EncodedKeyGroup[] | undefined;

  mapFor(ns: NamespaceKey, create: boolean): Map<KeyId, V> | undefined {
    if (ns === this.lastNs) return this.lastMap;
    let m = this.byNamespace.get(ns);
    if (!m) {
      if (!create) return undefined;
      m = new Map();
      this.byNamespace.set(ns, m);
    }
    this.lastNs = ns;
    this.lastMap = m;
    return m;
  }

  /** Called before an entry is read (objects) or changed while snapshots are pending. */
  preserve(key: KeyId, ns: NamespaceKey, current: V | undefined, present: boolean): void {
    for (const view of this.views!) view.preserve(key, ns, current, present);
  }
}

/**
 * One snapshot's view of one shard: the shard as it was at the barrier, read while the task
 * keeps changing it. Entries the task touches before the view has written them are copied into
 * `changed` first (or marked absent when they did not exist at the barrier); everything not in
 * `changed` is unchanged since the barrier and is read from the live maps. A shard written over
 * several steps marks what it wrote, so a later touch does not write an entry twice.
 */
class ShardView<V> {
  private readonly changed = new Map<NamespaceKey, Map<KeyId, Preserved<V>>>();
  private budget = 0;
  private visit: EntryVisitor<V> | undefined;
  private readonly walker: Generator<void, void, void>;
  done = false;

  constructor(
    private readonly shard: KeyGroupShard<V>,
    private readonly keyGroup: number,
    /** Set when the shard was still encoded at the barrier: those bytes never change, so they are the view. */
    private readonly encoded?: EncodedKeyGroup[],
  ) {
    this.walker = encoded ? this.walkEncoded() : this.walk();
  }

  preserve(key: KeyId, ns: NamespaceKey, current: V | undefined, present: boolean): void {
    let t = this.changed.get(ns);
    if (t === undefined) this.changed.set(ns, (t = new Map()));
    else if (t.has(key)) return;
    t.set(key, present ? copyValue(current as V) : ABSENT);
  }

  /** Visits up to `budget` entries; returns the budget left (0 when the view is not done). */
  step(budget: number, visit: EntryVisitor<V>): number {
    this.budget = budget;
    this.visit = visit;
    if (this.walker.next().done) this.done = true;
    this.visit = undefined;
    return this.budget;
  }

  /** Stops tracking changes: the snapshot was abandoned. */
  release(): void {
    this.unregister();
    this.changed.clear();
    this.done = true;
  }

  private unregister(): void {
    const views = this.shard.views;
    if (!views) return;
    const i = views.indexOf(this);
    if (i >= 0) views.splice(i, 1);
    if (views.length === 0) this.shard.views = undefined;
  }

  /** A shard still encoded at the barrier is read from its bytes (decoded and visited per step). */
  private *walkEncoded(): Generator<void, void, void> {
    const kg = this.keyGroup;
    for (const group of this.encoded!) {
      for (const [key, ns, value] of group.iterate()) {
        this.visit!(kg, key, ns, value as V);
        if (--this.budget <= 0) yield;
      }
    }
  }

  private *walk(): Generator<void, void, void> {
    const kg = this.keyGroup;
    // A shard that fits in this step is written without yielding, so nothing can touch it
    // between its entries and there is nothing to mark.
    const mark = this.shard.size >= this.budget;
    for (const [ns, m] of this.shard.byNamespace) {
      let t = this.changed.get(ns);
      for (const [key, value] of m) {
        if (t !== undefined && t.has(key)) continue;
        this.visit!(kg, key, ns, value);
        if (mark) {
          if (t === undefined) this.changed.set(ns, (t = new Map()));
          t.set(key, WRITTEN);
        }
        if (--this.budget <= 0) {
          yield;
          t = this.changed.get(ns);
        }
      }
    }
    // Every entry of the barrier is now written or preserved in `changed`.
    this.unregister();
    for (const [ns, t] of this.changed) {
      for (const [key, value] of t) {
        if (value === ABSENT || value === WRITTEN) continue;
        this.visit!(kg, key, ns, value);
        if (--this.budget <= 0) yield;
      }
    }
    this.changed.clear();
  }
}

/**
 * A consistent view of one state table at a barrier (the synchronous part of a copy-on-write
 * snapshot: one cheap registration per key group). `step` then reads it, key group by key group,
 * while the task goes on changing the table. Read it to the end or `release()` it: until then,
 * every touched entry is copied.
 *
 * @example
 * const snap = table.snapshot();
 * while (!snap.step(512, (kg, key, ns, value) => out.push([kg, key, ns, value])));
 */
export class StateTableSnapshot<V> {
  private next = 0;
  private written = 0;

  constructor(
    private readonly views: ShardView<V>[],
    /** Entries at the barrier. */
    readonly count: number,
  ) {}

  /** Visits up to about `budget` entries; true when every entry has been visited. */
  step(budget: number, visit: EntryVisitor<V>): boolean {
    const counted: EntryVisitor<V> = (kg, key, ns, value) => {
      this.written++;
      visit(kg, key, ns, value);
    };
    while (this.next < this.views.length) {
      const view = this.views[this.next]!;
      budget = view.step(budget, counted);
      if (!view.done) return false;
      this.next++;
      if (budget <= 0) break;
    }
    if (this.next < this.views.length) return false;
    if (this.written !== this.count) {
      throw new Error(`Internal error: a state snapshot wrote ${this.written} entries, but the state had ${this.count} at the barrier`);
    }
    return true;
  }

  /** Abandons the snapshot: the table stops copying entries for it. */
  release(): void {
    for (let i = this.next; i < this.views.length; i++) this.views[i]!.release();
    this.next = this.views.length;
  }
}

/**
 * The entries of one state on the heap, sharded by key group (Flink's `StateTable` with one
 * `StateMap` per key group): a restore or a rescale touches only its own key groups, a snapshot
 * is written key group by key group, and no single Map comes near V8's limit of 2^24 entries.
 * Snapshots are copy-on-write (see `snapshot()`).
 */
export class StateTable<V> {
  private readonly shards: (KeyGroupShard<V> | undefined)[] = [];
  private count = 0;

  constructor(
    /** What the table holds, for errors: "state 'clicks' of operator 'count'". */
    private readonly label = 'keyed state',
  ) {}

  get(keyGroup: number, key: KeyId, ns: NamespaceKey): V | undefined {
    const s = this.shards[keyGroup];
    if (s === undefined) {
      if (keyGroup === NO_KEY_GROUP) this.noKeySet('read');
      return undefined;
    }
    if (s.encoded !== undefined) this.decodeShard(s);
    const v = s.mapFor(ns, false)?.get(key);
    // An object read may be changed in place (an accumulator, a list): keep the barrier's copy.
    if (s.views !== undefined && typeof v === 'object' && v !== null) s.preserve(key, ns, v, true);
    return v;
  }

  put(keyGroup: number, key: KeyId, ns: NamespaceKey, value: V): void {
    let s = this.shards[keyGroup];
    if (s === undefined) {
      if (keyGroup === NO_KEY_GROUP) this.noKeySet('written');
      this.shards[keyGroup] = s = new KeyGroupShard();
    } else if (s.encoded !== undefined) this.decodeShard(s);
    const m = s.mapFor(ns, true)!;
    if (s.views !== undefined) s.preserve(key, ns, m.get(key), m.has(key));
    const before = m.size;
    m.set(key, value);
    if (m.size !== before) {
      s.size++;
      this.count++;
    }
  }

  remove(keyGroup: number, key: KeyId, ns: NamespaceKey): void {
    const s = this.shards[keyGroup];
    if (s === undefined) {
      if (keyGroup === NO_KEY_GROUP) this.noKeySet('cleared');
      return;
    }
    if (s.encoded !== undefined) this.decodeShard(s);
    const m = s.mapFor(ns, false);
    if (!m || !m.has(key)) return;
    if (s.views !== undefined) s.preserve(key, ns, m.get(key), true);
    m.delete(key);
    s.size--;
    this.count--;
    if (m.size === 0) {
      s.byNamespace.delete(ns);
      if (s.lastNs === ns) {
        s.lastNs = undefined;
        s.lastMap = undefined;
      }
    }
  }

  /**
   * Removes every entry of namespace `ns` and visits them: the key groups in `order` first, then
   * the others in ascending order; within a key group, keys in the order they were first put.
   * Cheaper than `remove` per key (a fired window goes in one step per key group); entries put
   * under `ns` while visiting start a new, empty namespace.
   *
   * @example
   * table.drainNamespace(windowStart, [5, 2], (kg, key, acc) => emit(key, acc));
   */
  drainNamespace(ns: NamespaceKey, order: readonly number[], visit: (keyGroup: number, key: KeyId, value: V) => void): void {
    for (const kg of order) this.drainShard(kg, ns, visit);
    for (let kg = 0; kg < this.shards.length; kg++) this.drainShard(kg, ns, visit);
  }

  /** Flink's "No key set" (its `NullPointerException` from a keyed state backend without a current key). */
  private noKeySet(what: string): never {
    throw new Error(
      `No key set: ${this.label} was ${what} where no key is current. Keyed state belongs to the key of the record or timer being processed (processElement, onTimer); processBroadcastElement has no key: visit every key's state with ctx.applyToKeyedState(name, fn)`,
    );
  }

  private drainShard(kg: number, ns: NamespaceKey, visit: (keyGroup: number, key: KeyId, value: V) => void): void {
    const s = this.shards[kg];
    if (s === undefined) return;
    if (s.encoded !== undefined) this.decodeShard(s);
    const m = s.byNamespace.get(ns);
    if (m === undefined) return;
    s.byNamespace.delete(ns);
    if (s.lastNs === ns) {
      s.lastNs = undefined;
      s.lastMap = undefined;
    }
    s.size -= m.size;
    this.count -= m.size;
    if (s.views !== undefined) for (const [key, value] of m) s.preserve(key, ns, value, true);
    // forEach, not for-of: destructuring each entry allocates a [key, value] pair per entry.
    m.forEach((value, key) => visit(kg, key, value));
  }

  /** Number of (key, namespace) entries. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds restored entries of `keyGroup` without decoding them: they are decoded the first time
   * the key group is used. A key group the task already uses is decoded at once.
   *
   * @example
   * reader.readInto(range, { tableFor: () => table }); // calls putEncoded per key group
   */
  putEncoded(keyGroup: number, group: EncodedKeyGroup): void {
    let s = this.shards[keyGroup];
    if (s === undefined) this.shards[keyGroup] = s = new KeyGroupShard();
    if (s.byNamespace.size > 0 || s.views !== undefined) {
      const put = (key: KeyId, ns: NamespaceKey, value: unknown) => this.put(keyGroup, key, ns, value as V);
      group.decode(put);
      return;
    }
    (s.encoded ??= []).push(group);
    s.size += group.count;
    this.count += group.count;
  }

  /** Key groups restored but not decoded yet. */
  get encodedKeyGroups(): number {
    let n = 0;
    for (const s of this.shards) if (s?.encoded) n++;
    return n;
  }

  /** Decodes the restored entries of a shard into its maps (its first use). */
  private decodeShard(s: KeyGroupShard<V>): void {
    const groups = s.encoded!;
    s.encoded = undefined;
    for (const g of groups) {
      s.size -= g.count;
      this.count -= g.count;
    }
    for (const g of groups) {
      g.decode((key, ns, value) => {
        const m = s.mapFor(ns, true)!;
        const before = m.size;
        m.set(key, value as V);
        if (m.size !== before) {
          s.size++;
          this.count++;
        }
      });
    }
  }

  /** Decodes every shard still encoded (before walking all entries). */
  private decodeAll(): void {
    for (const s of this.shards) if (s?.encoded !== undefined) this.decodeShard(s);
  }

  /** Every entry as [keyGroup, key, namespace, value], live (not a snapshot). */
  *entries(): IterableIterator<[number, KeyId, NamespaceKey, V]> {
    for (let kg = 0; kg < this.shards.length; kg++) {
      const s = this.shards[kg];
      if (s?.encoded !== undefined) this.decodeShard(s);
      if (s) for (const [ns, m] of s.byNamespace) for (const [k, v] of m) yield [kg, k, ns, v];
    }
  }

  /** Keys with an entry under `ns`, over all key groups. */
  keysOf(ns: NamespaceKey): KeyId[] {
    this.decodeAll();
    const out: KeyId[] = [];
    for (const s of this.shards) {
      const m = s?.byNamespace.get(ns);
      if (m) for (const k of m.keys()) out.push(k);
    }
    return out;
  }

  /**
   * The synchronous part of a snapshot: registers a view on every non-empty key group, in
   * O(key groups). Entries are copied only when the task touches them before the snapshot has
   * written them.
   *
   * @example
   * const snap = table.snapshot();
   * while (!snap.step(4096, (kg, key, ns, value) => write(kg, key, ns, value))) await nextTurn();
   */
  snapshot(): StateTableSnapshot<V> {
    const views: ShardView<V>[] = [];
    for (let kg = 0; kg < this.shards.length; kg++) {
      const s = this.shards[kg];
      if (!s || s.size === 0) continue;
      if (s.encoded !== undefined) {
        views.push(new ShardView(s, kg, s.encoded.slice()));
        continue;
      }
      const view = new ShardView(s, kg);
      (s.views ??= []).push(view);
      views.push(view);
    }
    return new StateTableSnapshot(views, this.count);
  }

  clearAll(): void {
    this.decodeAll();
    for (let kg = 0; kg < this.shards.length; kg++) {
      const s = this.shards[kg];
      if (!s) continue;
      if (s.views) for (const [ns, m] of s.byNamespace) for (const [k, v] of m) s.preserve(k, ns, v, true);
      s.byNamespace.clear();
      s.size = 0;
      s.lastNs = undefined;
      s.lastMap = undefined;
    }
    this.count = 0;
  }
}
