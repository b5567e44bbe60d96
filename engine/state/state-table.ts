import type { KeyId } from './key-groups.ts';

/** A namespace: which window (or none) a state entry belongs to. */
export type NamespaceKey = string | number;

/** The namespace of state that is not scoped to a window. */
export const VOID_NAMESPACE: NamespaceKey = 0;

/**
 * The entries of one state on the heap: namespace → key → value. Namespace first, because the
 * window operator clears and fires a window at a time, and non-windowed state has one namespace
 * (so the outer lookup is cached).
 */
export class StateTable<V> {
  readonly byNamespace = new Map<NamespaceKey, Map<KeyId, V>>();
  private lastNs: NamespaceKey | undefined;
  private lastMap: Map<KeyId, V> | undefined;

  private mapFor(ns: NamespaceKey, create: boolean): Map<KeyId, V> | undefined {
    if (ns === this.lastNs && this.lastMap) return this.lastMap;
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

  get(key: KeyId, ns: NamespaceKey): V | undefined {
    return this.mapFor(ns, false)?.get(key);
  }

  put(key: KeyId, ns: NamespaceKey, value: V): void {
    this.mapFor(ns, true)!.set(key, value);
  }

  remove(key: KeyId, ns: NamespaceKey): void {
    const m = this.mapFor(ns, false);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) {
      this.byNamespace.delete(ns);
      if (this.lastNs === ns) {
        this.lastNs = undefined;
        this.lastMap = undefined;
      }
    }
  }

  /** Number of (key, namespace) entries. */
  get size(): number {
    let n = 0;
    for (const m of this.byNamespace.values()) n += m.size;
    return n;
  }

  *entries(): IterableIterator<[KeyId, NamespaceKey, V]> {
    for (const [ns, m] of this.byNamespace) for (const [k, v] of m) yield [k, ns, v];
  }

  clearAll(): void {
    this.byNamespace.clear();
    this.lastNs = undefined;
    this.lastMap = undefined;
  }
}
