/**
 * Operator (non-keyed) state, as Flink's `OperatorStateStore`: named lists that are
 * redistributed round-robin on rescale (`list`), given whole to every subtask (`union`), or kept
 * identical on every subtask (`broadcast`, a map).
 */
export type OperatorStateMode = 'list' | 'union' | 'broadcast';

/** What one subtask's operator state snapshot holds. */
export interface OperatorStateSnapshot {
  lists: Record<string, { mode: OperatorStateMode; items: unknown[] }>;
}

/**
 * The operator state of one subtask.
 *
 * @example
 * const offsets = store.getListState<number>('offsets');
 * offsets.push(42);
 */
export class OperatorStateStore {
  private readonly lists = new Map<string, { mode: OperatorStateMode; items: unknown[] }>();
  private readonly broadcast = new Map<string, Map<unknown, unknown>>();
  private restored = new Map<string, { mode: OperatorStateMode; items: unknown[] }>();

  /** A list redistributed round-robin on rescale. The array is the state: mutate it. */
  getListState<T>(name: string): T[] {
    return this.list(name, 'list') as T[];
  }

  /** A list every subtask receives in full on restore. */
  getUnionListState<T>(name: string): T[] {
    return this.list(name, 'union') as T[];
  }

  /** A map kept identical on every subtask (broadcast state). */
  getBroadcastState<K, V>(name: string): Map<K, V> {
    let m = this.broadcast.get(name);
    if (!m) {
      m = new Map();
      const r = this.restored.get('\u0001' + name);
      if (r) for (const [k, v] of r.items as [unknown, unknown][]) m.set(k, v);
      this.broadcast.set(name, m);
    }
    return m as Map<K, V>;
  }

  private list(name: string, mode: OperatorStateMode): unknown[] {
    let l = this.lists.get(name);
    if (!l) {
      l = { mode, items: this.restored.get(name)?.items ?? [] };
      this.lists.set(name, l);
    } else if (l.mode !== mode) throw new Error(`Operator state '${name}' is a ${l.mode} state, not ${mode}`);
    return l.items;
  }

  /**
   * Restored states whose name the operator has not asked for (`declared` undefined), or asked
   * for as another kind: read once the operator opened, to refuse or drop them
   * (state-migration.ts). Names are as stored (user states carry a `user:` prefix).
   */
  restoredMismatches(): { name: string; kind: OperatorStateMode; declared: OperatorStateMode | undefined }[] {
    const out: { name: string; kind: OperatorStateMode; declared: OperatorStateMode | undefined }[] = [];
    for (const [stored, r] of this.restored) {
      const broadcast = stored.startsWith('\u0001');
      const name = broadcast ? stored.slice(1) : stored;
      const declared = broadcast ? (this.broadcast.has(name) ? 'broadcast' : this.lists.has(name) ? this.lists.get(name)!.mode : undefined) : (this.lists.get(name)?.mode ?? (this.broadcast.has(name) ? 'broadcast' : undefined));
      if (declared !== r.mode) out.push({ name, kind: r.mode, declared });
    }
    return out;
  }

  /** Empties a state that was restored into a declaration of another kind (`--allow-non-restored-state`). */
  clearRestored(name: string): void {
    const l = this.lists.get(name);
    if (l) l.items.length = 0;
  }

  itemCount(): number {
    let n = 0;
    for (const l of this.lists.values()) n += l.items.length;
    for (const m of this.broadcast.values()) n += m.size;
    return n;
  }

  snapshot(): OperatorStateSnapshot | undefined {
    if (this.lists.size === 0 && this.broadcast.size === 0) return undefined;
    const lists: OperatorStateSnapshot['lists'] = {};
    for (const [name, l] of this.lists) lists[name] = { mode: l.mode, items: l.items.slice() };
    for (const [name, m] of this.broadcast) lists['\u0001' + name] = { mode: 'broadcast', items: [...m] };
    return { lists };
  }

  /**
   * Takes this subtask's share of the snapshots of all old subtasks: round-robin for `list`,
   * everything for `union`, the first subtask's copy for `broadcast`.
   */
  restore(snapshots: OperatorStateSnapshot[], subtask: number, parallelism: number): void {
    const merged = new Map<string, { mode: OperatorStateMode; items: unknown[] }>();
    snapshots.forEach((snap, i) => {
      for (const [name, l] of Object.entries(snap.lists)) {
        const m = merged.get(name) ?? { mode: l.mode, items: [] };
        if (l.mode === 'broadcast') {
          if (i === 0) m.items = l.items;
        } else for (const item of l.items) m.items.push(item);
        merged.set(name, m);
      }
    });
    for (const m of merged.values()) {
      if (m.mode === 'list') m.items = m.items.filter((_, i) => i % parallelism === subtask);
    }
    this.restored = merged;
  }
}
