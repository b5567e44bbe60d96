import type { AnyStateDescriptor } from './descriptors.ts';
import { keyIdOf, keyFromId, keyGroupOf, type KeyId, type KeyGroupRange } from './key-groups.ts';
import { NO_KEY_GROUP, StateTable, VOID_NAMESPACE, type NamespaceKey } from './state-table.ts';
import { createHeapState, type InternalState } from './heap-states.ts';
import { ttlCleanupSnapshot } from './ttl-snapshot.ts';
import { KeyedStateView, keyedEntries, type KeyedStateEntries, type KeyedStateSnapshot, type KeyedStateTarget } from './keyed-snapshot.ts';
import { StateMigrationException } from './state-migration.ts';
import type { RecordedStateTtl } from './ttl.ts';

export type { KeyedStateSnapshot, KeyedStateEntries } from './keyed-snapshot.ts';

/** Processing time, for TTL. Injected so tests can move time by hand. */
export type Clock = () => number;

/** A state's table, with its descriptor once the operator has asked for it (restored tables wait for that). */
interface RegisteredTable {
  kind: string;
  table: StateTable<unknown>;
  descriptor?: AnyStateDescriptor;
  state?: InternalState;
  /** Restored tables: the TTL their entries were written with (ms, null: none); undefined when the snapshot did not record it. */
  restoredTtl?: number | null;
}

/**
 * Keyed state on the JS heap (Flink's HashMapStateBackend). Holds the current key, set by the
 * operator before each record or timer; every state object reads and writes under it. Tables
 * are sharded by key group; snapshots are copy-on-write views (`snapshotView`).
 */
export class HeapKeyedStateBackend {
  /** The key of the record or timer being processed, as the user's key selector returned it. */
  currentKey: unknown = undefined;
  /** `keyIdOf(currentKey)`: what state and timers are indexed by. */
  currentKeyId: KeyId = 0;
  /**
   * The key group of the current key: which shard of every table it lives in. `NO_KEY_GROUP`
   * until the first key is set, and while a broadcast element is processed: keyed state used
   * then fails with "No key set", as in Flink.
   */
  currentKeyGroup = NO_KEY_GROUP;
  private readonly tables = new Map<string, RegisteredTable>();

  constructor(
    readonly maxParallelism: number,
    readonly keyGroupRange: KeyGroupRange,
    readonly clock: Clock,
    /** Used in error messages. */
    readonly operatorName: string,
    /**
     * How restored state meets the operator's declarations (state-migration.ts): its uid for
     * messages, and whether a restored state declared with another kind is dropped (else refused).
     */
    private readonly restorePolicy: { uid: string; allowNonRestoredState: boolean } = { uid: operatorName, allowNonRestoredState: false },
  ) {}

  /** Sets the current key from a user key; returns its id. */
  setCurrentKey(key: unknown): KeyId {
    this.currentKey = key;
    const id = (this.currentKeyId = keyIdOf(key));
    this.currentKeyGroup = keyGroupOf(id, this.maxParallelism);
    return id;
  }

  /** Sets the current key when both forms are known (timers carry both). */
  setCurrentKeyAndId(key: unknown, id: KeyId): void {
    this.currentKey = key;
    if (id !== this.currentKeyId || this.currentKeyGroup === NO_KEY_GROUP) this.currentKeyGroup = keyGroupOf(id, this.maxParallelism);
    this.currentKeyId = id;
  }

  /** Sets the current key when its id and key group are known too (firing timers and windows). */
  setCurrentKeyInGroup(key: unknown, id: KeyId, keyGroup: number): void {
    this.currentKey = key;
    this.currentKeyId = id;
    this.currentKeyGroup = keyGroup;
  }

  /**
   * Leaves no key current (Flink's broadcast side, which has no key): keyed state read or
   * written until the next key is set fails with "No key set" instead of using a stale key.
   */
  clearCurrentKey(): void {
    this.currentKey = undefined;
    this.currentKeyGroup = NO_KEY_GROUP;
  }

  /**
   * The state for a descriptor, created on first use. Asking twice with the same name returns
   * the same state; the same name with another kind is an error.
   */
  getState<S extends InternalState>(descriptor: AnyStateDescriptor): S {
    const existing = this.tables.get(descriptor.name);
    if (existing?.state) {
      if (existing.descriptor!.kind !== descriptor.kind) {
        throw new Error(
          `Operator '${this.operatorName}': state '${descriptor.name}' is already registered as ${existing.descriptor!.kind} state, not ${descriptor.kind}`,
        );
      }
      return existing.state as S;
    }
    // A restored table is adopted as it is, if it holds state of the kind now declared.
    let entry: RegisteredTable | undefined = existing;
    const migration = entry && this.migrationOf(entry, descriptor);
    if (migration) {
      if (!this.restorePolicy.allowNonRestoredState) throw migration;
      entry = undefined;
    }
    entry ??= { kind: descriptor.kind, table: new StateTable<unknown>(this.describe(descriptor.name)) };
    entry.descriptor = descriptor;
    entry.state = createHeapState(descriptor, entry.table, this);
    this.tables.set(descriptor.name, entry);
    return entry.state as S;
  }

  /**
   * Why a restored table cannot be adopted by `descriptor`: another kind, or a TTL switched on or
   * off (entries with a TTL are stored with their last-access time). A TTL of another length
   * is fine, as in Flink: the entries keep their times and expire by the new length.
   */
  private migrationOf(entry: RegisteredTable, descriptor: AnyStateDescriptor): StateMigrationException | undefined {
    const owner = { uid: this.restorePolicy.uid, name: this.operatorName };
    if (entry.kind !== descriptor.kind) return new StateMigrationException(owner, descriptor.name, entry.kind, descriptor.kind);
    const newTtlMs = descriptor.ttl?.ttlMs ?? null;
    if (entry.restoredTtl === undefined || (entry.restoredTtl === null) === (newTtlMs === null)) return undefined;
    return new StateMigrationException(owner, descriptor.name, entry.kind, entry.kind, { oldTtlMs: entry.restoredTtl, newTtlMs });
  }

  /**
   * The TTL of every state, as a snapshot records it: the descriptor's for declared states, the
   * restored one for states not declared (yet). Undefined when there are no states.
   *
   * @example
   * backend.recordedTtl(); // { count: 60000, seen: null }
   */
  recordedTtl(): RecordedStateTtl | undefined {
    let out: Record<string, number | null> | undefined;
    for (const [name, { descriptor, restoredTtl }] of this.tables) {
      const ttl = descriptor ? (descriptor.ttl?.ttlMs ?? null) : restoredTtl;
      if (ttl !== undefined) (out ??= {})[name] = ttl;
    }
    return out;
  }

  /** Restored states no descriptor has asked for yet: those the operator no longer declares, once it opened. */
  undeclaredStates(): { name: string; kind: string }[] {
    const out: { name: string; kind: string }[] = [];
    for (const [name, { kind, descriptor }] of this.tables) if (!descriptor) out.push({ name, kind });
    return out;
  }

  /** Forgets a restored state no descriptor asked for (`--allow-non-restored-state`). */
  dropUndeclaredState(name: string): void {
    if (!this.tables.get(name)?.descriptor) this.tables.delete(name);
  }

  /** Number of (key, namespace, state) entries: a cheap proxy for state size. */
  entryCount(): number {
    let n = 0;
    for (const { table } of this.tables.values()) n += table.size;
    return n;
  }

  /**
   * Estimated heap bytes of all entries: the serialized size of a sample of entries per state,
   * scaled up, plus a fixed per-entry overhead for the maps that hold them.
   */
  estimateBytes(sample = 16): number {
    let bytes = 0;
    for (const { table } of this.tables.values()) {
      const n = table.size;
      if (n === 0) continue;
      let taken = 0;
      let sampled = 0;
      for (const [, k, , v] of table.entries()) {
        sampled += approxSize(k) + approxSize(v);
        if (++taken >= sample) break;
      }
      bytes += (sampled / taken + 48) * n;
    }
    return Math.round(bytes);
  }

  /**
   * The synchronous part of a checkpoint: a copy-on-write view of every state, in O(states ×
   * key groups). The task may go on changing state at once; the view still reads the state as
   * it is now. States whose TTL asks for `cleanupFullSnapshot()` leave out what has expired by
   * now (one pass over those states). Write the view (the snapshot format's `encodeSnapshotAsync`) or `release()` it.
   *
   * @example
   * const view = backend.snapshotView();
   * const bytes = await encodeSnapshotAsync({ keyed: view });
   */
  snapshotView(): KeyedStateView {
    const states = [];
    const tables = [];
    for (const [name, { kind, table, descriptor }] of this.tables) {
      const ttl = descriptor?.ttl;
      const snap = ttl?.cleanupInFullSnapshot ? ttlCleanupSnapshot(kind, table, ttl.ttlMs, this.clock()) : table.snapshot();
      states.push({ name, kind, count: snap.count });
      tables.push(snap);
    }
    return new KeyedStateView(states, tables);
  }

  /** Every entry, grouped by key group, as plain arrays (values are the live objects, not copies). */
  snapshot(): KeyedStateEntries {
    return this.snapshotView().toEntries();
  }

  /**
   * Loads the entries of the key groups this backend owns from one or more snapshots (all
   * subtasks' snapshots of the operator on a rescale). Encoded snapshots are decoded straight
   * into the tables, skipping other key groups unread. `recordedTtl` are the snapshots' records
   * of their states' TTLs (`recordedTtl()`), checked when the states are declared again.
   */
  restore(snapshots: KeyedStateSnapshot[], recordedTtl: readonly (RecordedStateTtl | undefined)[] = []): void {
    const { start, end } = this.keyGroupRange;
    const target: KeyedStateTarget = { tableFor: (name, kind) => this.tableFor(name, kind) };
    for (const snap of snapshots) {
      if (snap.form === 'reader') {
        snap.readInto(this.keyGroupRange, target);
        continue;
      }
      for (const [name, { kind, entries }] of Object.entries(keyedEntries(snap).states)) {
        const table = this.tableFor(name, kind);
        for (let i = 0; i < entries.length; i++) {
          const [kg, k, ns, v] = entries[i]!;
          if (kg >= start && kg <= end) table.put(kg, k, ns, v);
        }
      }
    }
    for (const ttls of recordedTtl) {
      for (const name in ttls) {
        const entry = this.tables.get(name);
        if (entry && !entry.descriptor && entry.restoredTtl === undefined) entry.restoredTtl = ttls[name];
      }
    }
  }

  /** The table of state `name`, created (without a descriptor yet) for a restore. */
  private tableFor(name: string, kind: string): StateTable<unknown> {
    let entry = this.tables.get(name);
    if (!entry) this.tables.set(name, (entry = { kind, table: new StateTable<unknown>(this.describe(name)) }));
    return entry.table;
  }

  private describe(stateName: string): string {
    return `state '${stateName}' of operator '${this.operatorName}'`;
  }

  /** Key ids that have an entry in `stateName` under `namespace` (for `applyToAllKeys`). */
  keysOf(stateName: string, namespace: NamespaceKey = VOID_NAMESPACE): unknown[] {
    const t = this.tables.get(stateName);
    return t ? t.table.keysOf(namespace).map(keyFromId) : [];
  }
}

/** Rough heap size of a value: primitives by type, objects by their JSON length. */
function approxSize(v: unknown): number {
  switch (typeof v) {
    case 'number':
    case 'boolean':
      return 8;
    case 'bigint':
      return 16;
    case 'string':
      return 16 + v.length * 2;
    case 'undefined':
      return 0;
    default:
      if (v instanceof Map) return 64 + v.size * 64;
      try {
        return 32 + (JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? 0 : x))?.length ?? 0) * 2;
      } catch {
        return 64;
      }
  }
}
