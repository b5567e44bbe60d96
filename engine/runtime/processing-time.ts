/**
 * Processing time, behind an interface so tests can drive it by hand (Flink's
 * `ProcessingTimeService` / `TestProcessingTimeService`). Callbacks never run inside another
 * operator call: the service only tells the task when a timer is due, and the task runs it as a
 * mail between records.
 */
export interface ProcessingTimeService {
  now(): number;
  /** Runs `callback(time)` as a mail once `now() >= time`. Returns a cancel function. */
  schedule(time: number, callback: (time: number) => void): () => void;
}

/** A scheduled callback, due at `time`. */
export interface ScheduledTimer {
  time: number;
  seq: number;
  callback: (time: number) => void;
  cancelled: boolean;
}

/**
 * Keeps a task's scheduled processing-time callbacks in due order. The task asks for due ones
 * between records; the executor asks for the earliest time to know when to wake up.
 */
export class TimerQueue {
  private heap: ScheduledTimer[] = [];
  private seq = 0;

  add(time: number, callback: (time: number) => void): ScheduledTimer {
    const t: ScheduledTimer = { time, seq: this.seq++, callback, cancelled: false };
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, t)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = t;
    return t;
  }

  /** The earliest due time, or Infinity. */
  peekTime(): number {
    while (this.heap.length && this.heap[0]!.cancelled) this.pop();
    return this.heap.length ? this.heap[0]!.time : Infinity;
  }

  /** Removes and returns the earliest timer if it is due at `now`. */
  pollDue(now: number): ScheduledTimer | undefined {
    if (this.peekTime() > now) return undefined;
    return this.pop();
  }

  get size(): number {
    return this.heap.length;
  }

  private pop(): ScheduledTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length && top !== last) {
      let i = 0;
      const n = h.length;
      while (true) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r]!, h[l]!) ? r : l;
        if (less(last, h[c]!)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function less(a: ScheduledTimer, b: ScheduledTimer): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** A clock: wall time in production, a manual clock in tests. */
export interface Clock {
  now(): number;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private time = 0) {}
  now(): number {
    return this.time;
  }
  advanceTo(time: number): void {
    if (time < this.time) throw new Error(`ManualClock cannot go back from ${this.time} to ${time}`);
    this.time = time;
  }
  advanceBy(ms: number): void {
    this.time += ms;
  }
}
