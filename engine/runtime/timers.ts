import type { KeyId } from '../state/key-groups.ts';
import type { NamespaceKey } from '../state/state-table.ts';
import type { HeapKeyedStateBackend } from '../state/heap-keyed-backend.ts';
import type { ProcessingTimeService } from './processing-time.ts';

/** A timer of one key and namespace (window) at one time. */
export interface InternalTimer<N> {
  readonly timestamp: number;
  readonly key: unknown;
  readonly keyId: KeyId;
  readonly namespace: N;
  readonly nsKey: NamespaceKey;
}

/** Who gets called when a timer fires; the current key is set to the timer's key first. */
export interface Triggerable<N> {
  onEventTime(timer: InternalTimer<N>): void;
  onProcessingTime(timer: InternalTimer<N>): void;
}

/**
 * Timers of one kind, deduplicated per (key, namespace, time) as in Flink: registering the
 * same timer twice fires it once. Grouped by time, so the per-record cost of re-registering
 * the timer of the current window is three map lookups, and firing walks times in order.
 */
export class TimerSet<N> {
  private readonly byTime = new Map<number, Map<KeyId, Map<NamespaceKey, InternalTimer<N>>>>();
  private readonly times: number[] = []; // min-heap of times present in byTime (may hold stale ones)

  add(timer: InternalTimer<N>): boolean {
    let perKey = this.byTime.get(timer.timestamp);
    if (!perKey) {
      perKey = new Map();
      this.byTime.set(timer.timestamp, perKey);
      this.pushTime(timer.timestamp);
    }
    let perNs = perKey.get(timer.keyId);
    if (!perNs) {
      perNs = new Map();
      perKey.set(timer.keyId, perNs);
    } else if (perNs.has(timer.nsKey)) return false;
    perNs.set(timer.nsKey, timer);
    return true;
  }

  has(time: number, keyId: KeyId, nsKey: NamespaceKey): boolean {
    return this.byTime.get(time)?.get(keyId)?.has(nsKey) ?? false;
  }

  delete(time: number, keyId: KeyId, nsKey: NamespaceKey): void {
    const perKey = this.byTime.get(time);
    const perNs = perKey?.get(keyId);
    if (!perNs) return;
    perNs.delete(nsKey);
    if (perNs.size === 0) perKey!.delete(keyId);
    if (perKey!.size === 0) this.byTime.delete(time);
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
    const perKey = this.byTime.get(t)!;
    this.byTime.delete(t);
    const out: InternalTimer<N>[] = [];
    for (const perNs of perKey.values()) for (const timer of perNs.values()) out.push(timer);
    return out;
  }

  get size(): number {
    let n = 0;
    for (const perKey of this.byTime.values()) for (const perNs of perKey.values()) n += perNs.size;
    return n;
  }

  *all(): IterableIterator<InternalTimer<N>> {
    for (const perKey of this.byTime.values()) for (const perNs of perKey.values()) yield* perNs.values();
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

  registerEventTimeTimer(namespace: N, time: number): void {
    const b = this.backend;
    const nsKey = this.nsKeyOf(namespace);
    if (this.eventTimers.has(time, b.currentKeyId, nsKey)) return;
    this.eventTimers.add({ timestamp: time, key: b.currentKey, keyId: b.currentKeyId, namespace, nsKey });
  }

  deleteEventTimeTimer(namespace: N, time: number): void {
    this.eventTimers.delete(time, this.backend.currentKeyId, this.nsKeyOf(namespace));
  }

  registerProcessingTimeTimer(namespace: N, time: number): void {
    const b = this.backend;
    const nsKey = this.nsKeyOf(namespace);
    if (this.processingTimers.has(time, b.currentKeyId, nsKey)) return;
    this.processingTimers.add({ timestamp: time, key: b.currentKey, keyId: b.currentKeyId, namespace, nsKey });
    this.reschedule();
  }

  deleteProcessingTimeTimer(namespace: N, time: number): void {
    this.processingTimers.delete(time, this.backend.currentKeyId, this.nsKeyOf(namespace));
  }

  /**
   * Re-registers a timer from a snapshot for the current key. Its namespace object is not
   * stored: the timer carries the namespace key in both places, and the operator maps it back
   * (see the window operator's `windowForNamespace`).
   */
  restoreEventTimeTimer(nsKey: NamespaceKey, time: number): void {
    const b = this.backend;
    this.eventTimers.add({ timestamp: time, key: b.currentKey, keyId: b.currentKeyId, namespace: nsKey as unknown as N, nsKey });
  }

  restoreProcessingTimeTimer(nsKey: NamespaceKey, time: number): void {
    const b = this.backend;
    if (this.processingTimers.add({ timestamp: time, key: b.currentKey, keyId: b.currentKeyId, namespace: nsKey as unknown as N, nsKey })) this.reschedule();
  }

  /** Fires every event-time timer ≤ `watermark`, earliest first. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    let bucket: InternalTimer<N>[] | undefined;
    while ((bucket = this.eventTimers.pollBucket(watermark))) {
      for (const timer of bucket) {
        this.backend.setCurrentKeyAndId(timer.key, timer.keyId);
        this.triggerable.onEventTime(timer);
      }
    }
  }

  /** Fires processing-time timers ≤ `now` (called by the scheduled mail, or at end of input). */
  fireProcessingTimers(now: number): void {
    let bucket: InternalTimer<N>[] | undefined;
    while ((bucket = this.processingTimers.pollBucket(now))) {
      for (const timer of bucket) {
        this.backend.setCurrentKeyAndId(timer.key, timer.keyId);
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
