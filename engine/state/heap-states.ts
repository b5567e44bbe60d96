import type {
  AggregatingStateDescriptor,
  AnyStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from './descriptors.ts';
import type { StateTable, NamespaceKey } from './state-table.ts';
import { VOID_NAMESPACE } from './state-table.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from './state.ts';
import type { StateTtlConfig } from './ttl.ts';
import type { KeyId } from './key-groups.ts';

/** What a heap state needs from its backend. */
export interface KeyContext {
  currentKeyId: KeyId;
  /** The key group of `currentKeyId`: the shard of every table it lives in. */
  currentKeyGroup: number;
  readonly clock: () => number;
}

/** The engine's view of a state: the user's view plus a namespace (the window). */
export interface InternalState {
  setCurrentNamespace(ns: NamespaceKey): void;
  /** Merges the entries of `sources` into `target` (session windows). */
  mergeNamespaces?(target: NamespaceKey, sources: NamespaceKey[]): void;
}

/** A stored value with its last-access time, when the descriptor has a TTL. */
interface TtlValue<T> {
  v: T;
  t: number;
}

/** TTL bookkeeping shared by every state kind. */
class Ttl {
  constructor(
    private readonly config: StateTtlConfig,
    private readonly clock: () => number,
  ) {}
  wrap<T>(v: T): TtlValue<T> {
    return { v, t: this.clock() };
  }
  expired(w: TtlValue<unknown>): boolean {
    return this.clock() - w.t >= this.config.ttlMs;
  }
  /** Returns the value if visible; `undefined` if expired and not to be returned. */
  read<T>(w: TtlValue<T> | undefined, onExpired: () => void): T | undefined {
    if (w === undefined) return undefined;
    if (this.expired(w)) {
      onExpired();
      return this.config.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? w.v : undefined;
    }
    if (this.config.updateType === 'OnReadAndWrite') w.t = this.clock();
    return w.v;
  }
}

abstract class HeapState<S> implements InternalState {
  protected ns: NamespaceKey = VOID_NAMESPACE;
  protected readonly ttl: Ttl | undefined;
  constructor(
    protected readonly table: StateTable<S>,
    protected readonly ctx: KeyContext,
    descriptor: AnyStateDescriptor,
  ) {
    this.ttl = descriptor.ttl ? new Ttl(descriptor.ttl, ctx.clock) : undefined;
  }
  setCurrentNamespace(ns: NamespaceKey): void {
    this.ns = ns;
  }
  /**
   * Removes the entries of every key under `ns`, visiting each stored value (an accumulator, for
   * aggregating state) by key group, `order` first: how the window operator fires a window for
   * all its keys at once (see `StateTable.drainNamespace`).
   */
  drainNamespace(ns: NamespaceKey, order: readonly number[], visit: (keyGroup: number, key: KeyId, stored: S) => void): void {
    this.table.drainNamespace(ns, order, visit);
  }
  /** Entries in this state's table (all keys and namespaces): a change tells that an add created one. */
  get tableEntries(): number {
    return this.table.size;
  }
  protected raw(): S | undefined {
    return this.table.get(this.ctx.currentKeyGroup, this.ctx.currentKeyId, this.ns);
  }
  protected store(v: S): void {
    this.table.put(this.ctx.currentKeyGroup, this.ctx.currentKeyId, this.ns, v);
  }
  clear(): void {
    this.table.remove(this.ctx.currentKeyGroup, this.ctx.currentKeyId, this.ns);
  }
}

/** A single value, optionally wrapped for TTL. Base of value, reducing and aggregating state. */
abstract class SingleValueState<T> extends HeapState<T | TtlValue<T>> {
  protected read(): T | undefined {
    const raw = this.raw();
    if (!this.ttl) return raw as T | undefined;
    return this.ttl.read(raw as TtlValue<T> | undefined, () => {
      this.clear();
    });
  }
  protected write(v: T): void {
    this.store(this.ttl ? this.ttl.wrap(v) : v);
  }
  mergeNamespaces(target: NamespaceKey, sources: NamespaceKey[]): void {
    const key = this.ctx.currentKeyId;
    const kg = this.ctx.currentKeyGroup;
    let acc: T | undefined;
    for (const ns of [target, ...sources]) {
      this.ns = ns;
      const v = this.read();
      this.table.remove(kg, key, ns);
      if (v !== undefined) acc = acc === undefined ? v : this.combine(acc, v);
    }
    this.ns = target;
    if (acc !== undefined) this.write(acc);
  }
  protected combine(_a: T, _b: T): T {
    throw new Error('This state cannot be merged');
  }
}

class HeapValueState<T> extends SingleValueState<T> implements ValueState<T> {
  constructor(
    table: StateTable<T | TtlValue<T>>,
    ctx: KeyContext,
    private readonly d: ValueStateDescriptor<T>,
  ) {
    super(table, ctx, d);
  }
  value(): T | undefined {
    const v = this.read();
    return v === undefined ? this.d.defaultValue : v;
  }
  update(value: T | undefined): void {
    if (value === undefined) this.clear();
    else this.write(value);
  }
}

class HeapReducingState<T> extends SingleValueState<T> implements ReducingState<T> {
  constructor(
    table: StateTable<T | TtlValue<T>>,
    ctx: KeyContext,
    private readonly d: ReducingStateDescriptor<T>,
  ) {
    super(table, ctx, d);
  }
  get(): T | undefined {
    return this.read();
  }
  add(value: T): void {
    const cur = this.read();
    this.write(cur === undefined ? value : this.d.reduce(cur, value));
  }
  protected override combine(a: T, b: T): T {
    return this.d.reduce(a, b);
  }
}

/** Aggregating state stores the accumulator; `get()` returns the aggregate's result. */
class HeapAggregatingState<IN, ACC, OUT> extends SingleValueState<ACC> implements AggregatingState<IN, OUT> {
  constructor(
    table: StateTable<ACC | TtlValue<ACC>>,
    ctx: KeyContext,
    private readonly d: AggregatingStateDescriptor<IN, ACC, OUT>,
  ) {
    super(table, ctx, d);
  }
  get(): OUT | undefined {
    const acc = this.read();
    return acc === undefined ? undefined : this.d.aggregate.getResult(acc);
  }
  /** The raw accumulator (window operator). */
  getAccumulator(): ACC | undefined {
    return this.read();
  }
  add(value: IN): void {
    const agg = this.d.aggregate;
    const cur = this.read();
    const next = agg.add(value, cur === undefined ? agg.createAccumulator() : cur);
    // An accumulator updated in place is already stored (the hot path of window aggregates);
    // with a TTL the write also refreshes the entry's time, so it always happens.
    if (next !== cur || this.ttl) this.write(next);
  }
  protected override combine(a: ACC, b: ACC): ACC {
    return this.d.aggregate.merge(a, b);
  }
}

/** A list; with TTL each element expires on its own, as in Flink. */
class HeapListState<T> extends HeapState<(T | TtlValue<T>)[]> implements ListState<T> {
  constructor(table: StateTable<(T | TtlValue<T>)[]>, ctx: KeyContext, d: ListStateDescriptor<T>) {
    super(table, ctx, d);
  }
  get(): T[] {
    const list = this.raw();
    if (!list) return [];
    if (!this.ttl) return (list as T[]).slice();
    const out: T[] = [];
    let anyExpired = false;
    for (const w of list as TtlValue<T>[]) {
      const v = this.ttl.read(w, () => {
        anyExpired = true;
      });
      if (v !== undefined) out.push(v);
    }
    if (anyExpired) {
      const live = (list as TtlValue<T>[]).filter((w) => !this.ttl!.expired(w));
      if (live.length) this.store(live);
      else this.clear();
    }
    return out;
  }
  /** The stored list without copying (window operator's hot path, no TTL there). */
  getInternal(): T[] | undefined {
    return this.raw() as T[] | undefined;
  }
  add(value: T): void {
    const list = this.raw();
    const item = this.ttl ? this.ttl.wrap(value) : value;
    if (list) list.push(item);
    else this.store([item]);
  }
  addAll(values: Iterable<T>): void {
    for (const v of values) this.add(v);
  }
  update(values: Iterable<T>): void {
    const list = [...values].map((v) => (this.ttl ? this.ttl.wrap(v) : v));
    if (list.length) this.store(list);
    else this.clear();
  }
  mergeNamespaces(target: NamespaceKey, sources: NamespaceKey[]): void {
    const key = this.ctx.currentKeyId;
    const kg = this.ctx.currentKeyGroup;
    const merged: (T | TtlValue<T>)[] = [];
    for (const ns of [target, ...sources]) {
      const l = this.table.get(kg, key, ns);
      if (l) for (const x of l) merged.push(x);
      this.table.remove(kg, key, ns);
    }
    if (merged.length) this.table.put(kg, key, target, merged);
    this.ns = target;
  }
}

/** A map; with TTL each entry expires on its own, as in Flink. */
class HeapMapState<K, V> extends HeapState<Map<K, V | TtlValue<V>>> implements MapState<K, V> {
  constructor(table: StateTable<Map<K, V | TtlValue<V>>>, ctx: KeyContext, d: MapStateDescriptor<K, V>) {
    super(table, ctx, d);
  }
  private readEntry(m: Map<K, V | TtlValue<V>>, k: K): V | undefined {
    const raw = m.get(k);
    if (!this.ttl) return raw as V | undefined;
    return this.ttl.read(raw as TtlValue<V> | undefined, () => {
      m.delete(k);
      if (m.size === 0) this.clear();
    });
  }
  get(key: K): V | undefined {
    const m = this.raw();
    return m ? this.readEntry(m, key) : undefined;
  }
  put(key: K, value: V): void {
    let m = this.raw();
    if (!m) this.store((m = new Map()));
    m.set(key, this.ttl ? this.ttl.wrap(value) : value);
  }
  putAll(entries: Iterable<[K, V]> | Map<K, V>): void {
    for (const [k, v] of entries) this.put(k, v);
  }
  remove(key: K): void {
    const m = this.raw();
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.clear();
  }
  contains(key: K): boolean {
    return this.get(key) !== undefined;
  }
  entries(): [K, V][] {
    const m = this.raw();
    if (!m) return [];
    const out: [K, V][] = [];
    for (const k of [...m.keys()]) {
      const v = this.readEntry(m, k);
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }
  keys(): K[] {
    return this.entries().map(([k]) => k);
  }
  values(): V[] {
    return this.entries().map(([, v]) => v);
  }
  isEmpty(): boolean {
    return this.entries().length === 0;
  }
}

/** Creates the heap state object for a descriptor. */
export function createHeapState(d: AnyStateDescriptor, table: StateTable<any>, ctx: KeyContext): InternalState {
  switch (d.kind) {
    case 'value':
      return new HeapValueState(table, ctx, d);
    case 'list':
      return new HeapListState(table, ctx, d);
    case 'map':
      return new HeapMapState(table, ctx, d);
    case 'reducing':
      return new HeapReducingState(table, ctx, d);
    case 'aggregating':
      return new HeapAggregatingState(table, ctx, d);
  }
}

export type { HeapValueState, HeapListState, HeapMapState, HeapReducingState, HeapAggregatingState };
