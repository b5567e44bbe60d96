import type { KeyId } from '../state/key-groups.ts';
import type { NamespaceKey } from '../state/state-table.ts';
import type { HeapKeyedStateBackend } from '../state/heap-keyed-backend.ts';
import type { ProcessingTimeService } from './processing-time.ts';

/** A timer of one key and namespace (window) at one time. */
export interface InternalTimer<N> {
  readonly timestamp: number;
  readonly key: unknown;
  readonly keyId: KeyId;
  /** The key's key group: timers are stored, snapshotted and restored by key group. */
  readonly keyGroup: number;
  readonly namespace: N;
  readonly nsKey: NamespaceKey;
}

/** Who gets called when a timer fires; the current key is set to the timer's key first. */
export interface Triggerable<N> {
  onEventTime(timer: InternalTimer<N>): void;
  onProcessingTime(timer: InternalTimer<N>): void;
}

/**
 * The timers of one key at one time: the timer itself while there is one (the common case: one
 * window per key ends at a time), a map by namespace key once there are more.
 */
type KeyTimers<N> = InternalTimer<N> | Map<NamespaceKey, InternalTimer<N>>;

/** The timers of one time and key group, by key id. */
interface TimerBucket<N> {
  /** The set's epoch when the bucket was made; a view taken in a later epoch may share it. */
  epoch: number;
  size: number;
  readonly byKey: Map<KeyId, KeyTimers<N>>;
}

function hasTimer<N>(entry: KeyTimers<N> | undefined, nsKey: NamespaceKey): boolean {
  if (entry === undefined) return false;
  return entry instanceof Map ? entry.has(nsKey) : entry.nsKey === nsKey;
}

/**
 * The timers of a `TimerSet` at a barrier, for the checkpoint's asynchronous part: taken in
 * O(times × key groups), read while the task keeps registering and firing timers (the set copies
 * a bucket before changing one a view may still read). Read it to the end or `release()` it.
 */
export interface TimerSetView<N> {
  /** Timers at the barrier. */
  readonly count: number;
  /** Every timer at the barrier (a timer is immutable, so the objects are the live ones). */
  timers(): IterableIterator<InternalTimer<N>>;
  /** Lets the set stop copying buckets for this view. Idempotent. */
  release(): void;
}

/**
 * Timers of one kind, deduplicated per (key, namespace, time) as in Flink: registering the
 * same timer twice fires it once. Grouped by time, then key group, then key: the per-record
 * cost of re-registering the timer of the current window is four map lookups, firing walks
 * times in order, and a checkpoint takes a copy-on-write view instead of copying every timer
 * while the task waits (a bucket is copied, once, when the task first changes it while a view
 * is open: at most the timers of one time and key group).
 */
export class TimerSet<N> {
  private readonly byTime = new Map<number, Map<number, TimerBucket<N>>>();
  private readonly times: number[] = []; // min-heap of times present in byTime (may hold stale ones)
  private epoch = 0;
  private openViews = 0;

  add(timer: InternalTimer<N>): boolean {
    let perGroup = this.byTime.get(timer.timestamp);
    if (!perGroup) {
      perGroup = new Map();
      this.byTime.set(timer.timestamp, perGroup);
      this.pushTime(timer.timestamp);
    }
    let bucket = perGroup.get(timer.keyGroup);
    if (!bucket) {
      bucket = { epoch: this.epoch, size: 0, byKey: new Map() };
      perGroup.set(timer.keyGroup, bucket);
    } else if (hasTimer(bucket.byKey.get(timer.keyId), timer.nsKey)) return false;
    else bucket = this.writable(perGroup, timer.keyGroup, bucket);
    const entry = bucket.byKey.get(timer.keyId);
    if (entry === undefined) bucket.byKey.set(timer.keyId, timer);
    else if (entry instanceof Map) entry.set(timer.nsKey, timer);
    else bucket.byKey.set(timer.keyId, new Map([[entry.nsKey, entry], [timer.nsKey, timer]]));
    bucket.size++;
    return true;
  }

  has(time: number, keyGroup: number, keyId: KeyId, nsKey: NamespaceKey): boolean {
    return hasTimer(this.byTime.get(time)?.get(keyGroup)?.byKey.get(keyId), nsKey);
  }

  delete(time: number, keyGroup: number, keyId: KeyId, nsKey: NamespaceKey): void {
    const perGroup = this.byTime.get(time);
    let bucket = perGroup?.get(keyGroup);
    if (!bucket || !hasTimer(bucket.byKey.get(keyId), nsKey)) return;
    bucket = this.writable(perGroup!, keyGroup, bucket);
    const entry = bucket.byKey.get(keyId)!;
    if (entry instanceof Map && entry.size > 1) entry.delete(nsKey);
    else bucket.byKey.delete(keyId);
    bucket.size--;
    if (bucket.size === 0) perGroup!.delete(keyGroup);
    if (perGroup!.size === 0) this.byTime.delete(time);
  }

  /** The earliest time with a timer, or Infinity. */
  peekTime(): number {
    while (this.times.length) {
      const t = this.times[0]!;
      if (this.byTime.has(t)) return t;
      this.popTime();
    }
    return Infinity;
  }

  /** Removes and returns all timers at the earliest time if it is ≤ `upTo`. */
  pollBucket(upTo: number): InternalTimer<N>[] | undefined {
    const t = this.peekTime();
    // Infinity is also peekTime's 'empty' answer, so check that a timer is really there.
    if (t > upTo || !this.byTime.has(t)) return undefined;
    this.popTime();
    const perGroup = this.byTime.get(t)!;
    // Dropping the buckets (not emptying them) leaves them intact for any open view.
    this.byTime.delete(t);
    const out: InternalTimer<N>[] = [];
    for (const bucket of perGroup.values()) {
      for (const entry of bucket.byKey.values()) {
        if (entry instanceof Map) for (const timer of entry.values()) out.push(timer);
        else out.push(entry);
      }
    }
    return out;
  }

  get size(): number {
    let n = 0;
    for (const perGroup of this.byTime.values()) for (const bucket of perGroup.values()) n += bucket.size;
    return n;
  }

  *all(): IterableIterator<InternalTimer<N>> {
    for (const perGroup of this.byTime.values()) yield* timersIn(perGroup.values());
  }

  /**
   * A copy-on-write view of the timers now (the synchronous part of a checkpoint).
   *
   * @example
   * const view = timers.snapshotView();   // at the barrier
   * for (const t of view.timers()) write(t); // later, while the task runs on
   */
  snapshotView(): TimerSetView<N> {
    const buckets: TimerBucket<N>[] = [];
    let count = 0;
    for (const perGroup of this.byTime.values()) {
      for (const bucket of perGroup.values()) {
        buckets.push(bucket);
        count += bucket.size;
      }
    }
    // Buckets made from now on belong to the new epoch; older ones are shared with this view.
    this.epoch++;
    this.openViews++;
    let open = true;
    const release = () => {
      if (!open) return;
      open = false;
      this.openViews--;
    };
    return {
      count,
      *timers() {
        try {
          yield* timersIn(buckets);
        } finally {
          release();
        }
      },
      release,
    };
  }

  /** The bucket to change: a copy if a view may still read it (see `snapshotView`). */
  private writable(perGroup: Map<number, TimerBucket<N>>, keyGroup: number, bucket: TimerBucket<N>): TimerBucket<N> {
    if (this.openViews === 0 || bucket.epoch === this.epoch) return bucket;
    const byKey = new Map<KeyId, KeyTimers<N>>();
    for (const [keyId, entry] of bucket.byKey) byKey.set(keyId, entry instanceof Map ? new Map(entry) : entry);
    const copy: TimerBucket<N> = { epoch: this.epoch, size: bucket.size, byKey };
    perGroup.set(keyGroup, copy);
    return copy;
  }

  private pushTime(t: number): void {
    const h = this.times;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= t) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = t;
  }

  private popTime(): void {
    const h = this.times;
    const last = h.pop()!;
    if (!h.length) return;
    let i = 0;
    const n = h.length;
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]! < h[l]! ? r : l;
      if (last <= h[c]!) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

function* timersIn<N>(buckets: Iterable<TimerBucket<N>>): IterableIterator<InternalTimer<N>> {
  for (const bucket of buckets) {
    for (const entry of bucket.byKey.values()) {
      if (entry instanceof Map) yield* entry.values();
      else yield entry;
    }
  }
}

/**
 * Event-time and processing-time timers of one keyed operator (Flink's
 * `InternalTimerServiceImpl`). Timers are scoped to the backend's current key and a namespace.
 */
export class InternalTimerService<N> {
  readonly eventTimers = new TimerSet<N>();
  readonly processingTimers = new TimerSet<N>();
  private currentWatermark = Number.NEGATIVE_INFINITY;
  private scheduledAt = Infinity;
  private cancelScheduled: (() => void) | undefined;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly triggerable: Triggerable<N>,
    private readonly processingTime: ProcessingTimeService,
    private readonly nsKeyOf: (namespace: N) => NamespaceKey,
    /** In batch mode processing-time timers are only fired at end of input. */
    private readonly deferProcessingTimers = false,
  ) {}

  currentProcessingTime(): number {
    return this.processingTime.now();
  }

  currentWatermarkTime(): number {
    return this.currentWatermark;
  }

  /** `nsKey` is `namespace`'s key, when the caller knows it (saves the lookup). */
  registerEventTimeTimer(namespace: N, time: number, nsKey: NamespaceKey = this.nsKeyOf(namespace)): void {
    const b = this.backend;
    if (this.eventTimers.has(time, b.currentKeyGroup, b.currentKeyId, nsKey)) return;
    this.eventTimers.add({ timestamp: time, key: b.currentKey, keyId: b.currentKeyId, keyGroup: b.currentKeyGroup, namespace, nsKey });
  }

  deleteEventTimeTimer(namespace: N, time: number, nsKey: NamespaceKey = this.nsKeyOf(namespace)): void {
    this.eventTimers.delete(time, this.backend.currentKeyGroup, this.backend.currentKeyId, nsKey);
  }

  /** `nsKey` is `namespace`'s key, when the caller knows it (saves the lookup). */
  registerProcessingTimeTimer(namespace: N, time: number, nsKey: NamespaceKey = this.nsKeyOf(namespace)): void {
    const b = this.backend;
    if (this.processingTimers.has(time, b.currentKeyGroup, b.currentKeyId, nsKey)) return;
    this.processingTimers.add({ timestamp: time, key: b.currentKey, keyId: b.currentKeyId, keyGroup: b.currentKeyGroup, namespace, nsKey });
    this.reschedule();
  }

  deleteProcessingTimeTimer(namespace: N, time: number, nsKey: NamespaceKey = this.nsKeyOf(namespace)): void {
    this.processingTimers.delete(time, this.backend.currentKeyGroup, this.backend.currentKeyId, nsKey);
  }

  /**
   * Re-registers a timer from a snapshot for the current key. Its namespace object is not
   * stored: the timer carries the namespace key in both places, and the operator maps it back
   * (see the window operator's `windowForNamespace`).
   */
  restoreEventTimeTimer(nsKey: NamespaceKey, time: number): void {
    const b = this.backend;
    this.eventTimers.add({ timestamp: time, key: b.currentKey, keyId: b.currentKeyId, keyGroup: b.currentKeyGroup, namespace: nsKey as unknown as N, nsKey });
  }

  restoreProcessingTimeTimer(nsKey: NamespaceKey, time: number): void {
    const b = this.backend;
    if (this.processingTimers.add({ timestamp: time, key: b.currentKey, keyId: b.currentKeyId, keyGroup: b.currentKeyGroup, namespace: nsKey as unknown as N, nsKey })) this.reschedule();
  }

  /** Fires every event-time timer ≤ `watermark`, earliest first. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    let bucket: InternalTimer<N>[] | undefined;
    while ((bucket = this.eventTimers.pollBucket(watermark))) {
      for (const timer of bucket) {
        this.backend.setCurrentKeyInGroup(timer.key, timer.keyId, timer.keyGroup);
        this.triggerable.onEventTime(timer);
      }
    }
  }

  /** Fires processing-time timers ≤ `now` (called by the scheduled mail, or at end of input). */
  fireProcessingTimers(now: number): void {
    let bucket: InternalTimer<N>[] | undefined;
    while ((bucket = this.processingTimers.pollBucket(now))) {
      for (const timer of bucket) {
        this.backend.setCurrentKeyInGroup(timer.key, timer.keyId, timer.keyGroup);
        this.triggerable.onProcessingTime(timer);
      }
    }
    this.reschedule();
  }

  private reschedule(): void {
    if (this.deferProcessingTimers) return;
    const next = this.processingTimers.peekTime();
    if (next === this.scheduledAt) return;
    this.cancelScheduled?.();
    this.scheduledAt = next;
    this.cancelScheduled = undefined;
    if (next === Infinity) return;
    this.cancelScheduled = this.processingTime.schedule(next, () => {
      this.scheduledAt = Infinity;
      this.cancelScheduled = undefined;
      this.fireProcessingTimers(this.processingTime.now());
    });
  }

  /** Stops the scheduled wake-up (operator closing). */
  dispose(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
  }
}
