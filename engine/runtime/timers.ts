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

/** A timer in a `TimerSet`: the timer and where it is in the heap. */
class TimerNode<N> implements InternalTimer<N> {
  constructor(
    readonly timestamp: number,
    readonly key: unknown,
    readonly keyId: KeyId,
    readonly keyGroup: number,
    readonly namespace: N,
    readonly nsKey: NamespaceKey,
    /** Order of registration: timers of one time fire in it. */
    readonly seq: number,
    /** Position in the heap; -1 once removed. */
    public index: number,
  ) {}
}

/** Whether `a` fires before `b`: earlier time, then registered first. */
function before<N>(a: TimerNode<N>, b: TimerNode<N>): boolean {
  return a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
}

/**
 * The timers of a `TimerSet` at a barrier, for the checkpoint's asynchronous part, read while
 * the task keeps registering and firing timers. Read it to the end or `release()` it.
 */
export interface TimerSetView<N> {
  /** Timers at the barrier. */
  readonly count: number;
  /** Every timer at the barrier (a timer is immutable, so the objects are the live ones). */
  timers(): IterableIterator<InternalTimer<N>>;
  /** Lets go of the view. Idempotent. */
  release(): void;
}

/**
 * Timers of one kind, deduplicated per (key, namespace, time) as in Flink: registering the
 * same timer twice fires it once. A binary heap by time (Flink's `HeapPriorityQueue`) with an
 * index by key for the deduplication (a key has few timers: its windows' ends and cleanups), so
 * a timer costs one object whether or not other timers share its time: session windows, where
 * every timer has its own millisecond and is deleted when the session grows, allocate nothing
 * else. Timers of one time fire in the order they were registered.
 *
 * A checkpoint's view is a copy of the heap array, taken at the barrier (pointers only: timers
 * are immutable); the task may change the set at once.
 */
export class TimerSet<N> {
  private readonly heap: TimerNode<N>[] = [];
  private readonly byKey = new Map<KeyId, TimerNode<N> | TimerNode<N>[]>();
  private seq = 0;

  /** Adds a copy of `timer` unless the set has that timer; returns whether it was added. */
  add(timer: InternalTimer<N>): boolean {
    return this.addTimer(timer.timestamp, timer.key, timer.keyId, timer.keyGroup, timer.namespace, timer.nsKey);
  }

  /**
   * Adds a timer unless the set has one of that key, namespace and time; returns whether it was
   * added.
   *
   * @example
   * set.addTimer(window.maxTimestamp(), key, keyId, keyGroup, window, 17);
   */
  addTimer(time: number, key: unknown, keyId: KeyId, keyGroup: number, namespace: N, nsKey: NamespaceKey): boolean {
    const entry = this.byKey.get(keyId);
    if (entry !== undefined && find(entry, time, nsKey) !== undefined) return false;
    const node = new TimerNode(time, key, keyId, keyGroup, namespace, nsKey, this.seq++, this.heap.length);
    if (entry === undefined) this.byKey.set(keyId, node);
    else if (Array.isArray(entry)) entry.push(node);
    else this.byKey.set(keyId, [entry, node]);
    this.heap.push(node);
    this.siftUp(node.index);
    return true;
  }

  has(time: number, _keyGroup: number, keyId: KeyId, nsKey: NamespaceKey): boolean {
    const entry = this.byKey.get(keyId);
    return entry !== undefined && find(entry, time, nsKey) !== undefined;
  }

  delete(time: number, _keyGroup: number, keyId: KeyId, nsKey: NamespaceKey): void {
    const entry = this.byKey.get(keyId);
    if (entry === undefined) return;
    const node = find(entry, time, nsKey);
    if (node === undefined) return;
    this.unindex(node, entry);
    this.removeAt(node.index);
  }

  /** The earliest time with a timer, or Infinity. */
  peekTime(): number {
    return this.heap.length ? this.heap[0]!.timestamp : Infinity;
  }

  /** Removes and returns the first timer to fire if its time is ≤ `upTo`. */
  poll(upTo: number): InternalTimer<N> | undefined {
    const top = this.heap[0];
    if (top === undefined || top.timestamp > upTo) return undefined;
    this.unindex(top, this.byKey.get(top.keyId)!);
    this.removeAt(0);
    return top;
  }

  /** Removes and returns all timers at the earliest time if it is ≤ `upTo`, in firing order. */
  pollBucket(upTo: number): InternalTimer<N>[] | undefined {
    const t = this.peekTime();
    if (t > upTo || this.heap.length === 0) return undefined;
    const out: InternalTimer<N>[] = [];
    for (let timer = this.poll(t); timer !== undefined; timer = this.poll(t)) out.push(timer);
    return out;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Every timer, in no particular order. */
  *all(): IterableIterator<InternalTimer<N>> {
    yield* this.heap;
  }

  /**
   * A view of the timers now (the synchronous part of a checkpoint).
   *
   * @example
   * const view = timers.snapshotView();   // at the barrier
   * for (const t of view.timers()) write(t); // later, while the task runs on
   */
  snapshotView(): TimerSetView<N> {
    let timers: TimerNode<N>[] | undefined = this.heap.slice();
    const count = timers.length;
    return {
      count,
      *timers() {
        const list = timers ?? [];
        timers = undefined;
        yield* list;
      },
      release: () => {
        timers = undefined;
      },
    };
  }

  /** Drops `node` from the index by key (`entry` is its key's entry). */
  private unindex(node: TimerNode<N>, entry: TimerNode<N> | TimerNode<N>[]): void {
    if (!Array.isArray(entry)) {
      this.byKey.delete(node.keyId);
      return;
    }
    entry.splice(entry.indexOf(node), 1);
    if (entry.length === 1) this.byKey.set(node.keyId, entry[0]!);
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const removed = heap[i]!;
    removed.index = -1;
    const last = heap.pop()!;
    if (i === heap.length) return;
    heap[i] = last;
    last.index = i;
    if (i > 0 && before(last, heap[(i - 1) >> 1]!)) this.siftUp(i);
    else this.siftDown(i);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const node = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!before(node, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = p;
    }
    heap[i] = node;
    node.index = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const node = heap[i]!;
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(heap[r]!, heap[l]!) ? r : l;
      const child = heap[c]!;
      if (!before(child, node)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = node;
    node.index = i;
  }
}

/** The timer of `entry` (one key's timers) at `time` in namespace `nsKey`, if any. */
function find<N>(entry: TimerNode<N> | TimerNode<N>[], time: number, nsKey: NamespaceKey): TimerNode<N> | undefined {
  if (!Array.isArray(entry)) return entry.timestamp === time && entry.nsKey === nsKey ? entry : undefined;
  for (let i = 0; i < entry.length; i++) {
    const t = entry[i]!;
    if (t.timestamp === time && t.nsKey === nsKey) return t;
  }
  return undefined;
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
    this.eventTimers.addTimer(time, b.currentKey, b.currentKeyId, b.currentKeyGroup, namespace, nsKey);
  }

  deleteEventTimeTimer(namespace: N, time: number, nsKey: NamespaceKey = this.nsKeyOf(namespace)): void {
    this.eventTimers.delete(time, this.backend.currentKeyGroup, this.backend.currentKeyId, nsKey);
  }

  /** `nsKey` is `namespace`'s key, when the caller knows it (saves the lookup). */
  registerProcessingTimeTimer(namespace: N, time: number, nsKey: NamespaceKey = this.nsKeyOf(namespace)): void {
    const b = this.backend;
    if (this.processingTimers.addTimer(time, b.currentKey, b.currentKeyId, b.currentKeyGroup, namespace, nsKey)) this.reschedule();
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
    // One at a time: a timer registered while firing, at a time ≤ watermark, fires in this call too.
    for (let timer = this.eventTimers.poll(watermark); timer !== undefined; timer = this.eventTimers.poll(watermark)) {
      this.backend.setCurrentKeyInGroup(timer.key, timer.keyId, timer.keyGroup);
      this.triggerable.onEventTime(timer);
    }
  }

  /** Fires processing-time timers ≤ `now` (called by the scheduled mail, or at end of input). */
  fireProcessingTimers(now: number): void {
    for (let timer = this.processingTimers.poll(now); timer !== undefined; timer = this.processingTimers.poll(now)) {
      this.backend.setCurrentKeyInGroup(timer.key, timer.keyId, timer.keyGroup);
      this.triggerable.onProcessingTime(timer);
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
