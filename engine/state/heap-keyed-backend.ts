import type { AnyStateDescriptor } from './descriptors.ts';
import { keyIdOf, keyFromId, keyGroupOf, type KeyId, type KeyGroupRange } from './key-groups.ts';
import { StateTable, VOID_NAMESPACE, type NamespaceKey } from './state-table.ts';
import { createHeapState, type InternalState } from './heap-states.ts';

/** Processing time, for TTL. Injected so tests can move time by hand. */
export type Clock = () => number;

/** A state's entries grouped by key group: what a snapshot stores and a restore redistributes. */
export interface KeyedStateSnapshot {
  /** state name → kind + entries of [keyGroup, keyId, namespace, value]. */
  states: Record<string, { kind: string; entries: [number, KeyId, NamespaceKey, unknown][] }>;
}

/**
 * Keyed state on the JS heap (Flink's HashMapStateBackend). Holds the current key, set by the
 * operator before each record or timer; every state object reads and writes under it.
 */
export class HeapKeyedStateBackend {
  /** The key of the record or timer being processed, as the user's key selector returned it. */
  currentKey: unknown = undefined;
  /** `keyIdOf(currentKey)`: what state and timers are indexed by. */
  currentKeyId: KeyId = 0;
  private readonly tables = new Map<string, { descriptor: AnyStateDescriptor; table: StateTable<unknown>; state: InternalState }>();

  constructor(
    readonly maxParallelism: number,
    readonly keyGroupRange: KeyGroupRange,
    readonly clock: Clock,
    /** Used in error messages. */
    readonly operatorName: string,
  ) {}

  /** Sets the current key from a user key; returns its id. */
  setCurrentKey(key: unknown): KeyId {
    this.currentKey = key;
    return (this.currentKeyId = keyIdOf(key));
  }

  /** Sets the current key when both forms are known (timers carry both). */
  setCurrentKeyAndId(key: unknown, id: KeyId): void {
    this.currentKey = key;
    this.currentKeyId = id;
  }

  /**
   * The state for a descriptor, created on first use. Asking twice with the same name returns
   * the same state; the same name with another kind is an error.
   */
  getState<S extends InternalState>(descriptor: AnyStateDescriptor): S {
    const existing = this.tables.get(descriptor.name);
    if (existing) {
      if (existing.descriptor.kind !== descriptor.kind) {
        throw new Error(
          `Operator '${this.operatorName}': state '${descriptor.name}' is already registered as ${existing.descriptor.kind} state, not ${descriptor.kind}`,
        );
      }
      return existing.state as S;
    }
    const table = new StateTable<unknown>();
    const state = createHeapState(descriptor, table, this);
    this.tables.set(descriptor.name, { descriptor, table, state });
    this.pendingRestore(descriptor.name, table);
    return state as S;
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
      for (const [k, , v] of table.entries()) {
        sampled += approxSize(k) + approxSize(v);
        if (++taken >= sample) break;
      }
      bytes += (sampled / taken + 48) * n;
    }
    return Math.round(bytes);
  }

  /** Copies every entry, grouped by key group (the synchronous part of a snapshot). */
  snapshot(): KeyedStateSnapshot {
    const states: KeyedStateSnapshot['states'] = {};
    for (const [name, { descriptor, table }] of this.tables) {
      const entries: [number, KeyId, NamespaceKey, unknown][] = [];
      for (const [k, ns, v] of table.entries()) entries.push([keyGroupOf(k, this.maxParallelism), k, ns, v]);
      states[name] = { kind: descriptor.kind, entries };
    }
    return { states };
  }

  private restored: KeyedStateSnapshot['states'] = {};

  /** Loads the entries of the key groups this backend owns from one or more snapshots. */
  restore(snapshots: KeyedStateSnapshot[]): void {
    for (const snap of snapshots) {
      for (const [name, { kind, entries }] of Object.entries(snap.states)) {
        const mine = entries.filter(([kg]) => kg >= this.keyGroupRange.start && kg <= this.keyGroupRange.end);
        const target = (this.restored[name] ??= { kind, entries: [] });
        for (const e of mine) target.entries.push(e); // no spread: it overflows the stack on large state
      }
    }
    for (const [name, { table }] of this.tables) this.pendingRestore(name, table);
  }

  private pendingRestore(name: string, table: StateTable<unknown>): void {
    const r = this.restored[name];
    if (!r) return;
    for (const [, k, ns, v] of r.entries) table.put(k, ns, v);
    delete this.restored[name];
  }

  /** Key ids that have an entry in `stateName` under `namespace` (for `applyToAllKeys`). */
  keysOf(stateName: string, namespace: NamespaceKey = VOID_NAMESPACE): unknown[] {
    const t = this.tables.get(stateName);
    const m = t?.table.byNamespace.get(namespace);
    return m ? [...m.keys()].map(keyFromId) : [];
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
