import type { StreamTask } from './task.ts';
import { SYSTEM_CLOCK, type Clock } from './processing-time.ts';
import { platform, yieldToEventLoop } from './platform.ts';

/**
 * Interleaves the mailbox steps of every task in this process on one thread, fairly (one step
 * per task per round), yielding to the event loop every `timeSliceMs` so that IO, RPC and
 * timers are served even while a job runs flat out. When no task can move it sleeps until the
 * next processing-time timer or a `wake()` (data arrived, a source became ready, cancel).
 */
export class TaskRunner {
  private wakeUp: (() => void) | undefined;
  private stopped = false;
  /** Per task: milliseconds spent working, blocked by back-pressure, and idle. */
  readonly busyMs: number[];
  readonly backPressuredMs: number[];
  readonly idleMs: number[];

  constructor(
    private readonly tasks: StreamTask[],
    private readonly clock: Clock = SYSTEM_CLOCK,
    private readonly timeSliceMs = 10,
  ) {
    this.busyMs = tasks.map(() => 0);
    this.backPressuredMs = tasks.map(() => 0);
    this.idleMs = tasks.map(() => 0);
  }

  /** Wakes the loop if it sleeps. Safe to call at any time. */
  readonly wake = (): void => {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  };

  /** Ends the loop after the current step; `run()` then resolves. */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Opens every task, then runs until all have finished or `stop()` is called. Rejects on failure. */
  async run(): Promise<void> {
    for (const t of this.tasks) await t.open();
    let sliceStart = platform.monotonicNow();
    let last = sliceStart;
    // Per task: whether its last step found it back-pressured. Read before a sleep, not after:
    // the credit that ends the sleep also makes the task writable again.
    const blocked = this.tasks.map(() => false);
    while (!this.stopped) {
      let progressed = false;
      let alive = 0;
      for (let i = 0; i < this.tasks.length; i++) {
        const t = this.tasks[i]!;
        if (t.isFinished) continue;
        alive++;
        t.rethrowPending();
        const r = t.runMailboxStep();
        const now = platform.monotonicNow();
        const spent = now - last;
        last = now;
        blocked[i] = r === 'blocked';
        if (r === 'progress' || r === 'finished') {
          progressed = true;
          this.busyMs[i]! += spent;
        } else if (r === 'blocked') this.backPressuredMs[i]! += spent;
        else this.idleMs[i]! += spent;
      }
      if (alive === 0) return;
      if (progressed) {
        if (last - sliceStart >= this.timeSliceMs) {
          await yieldToEventLoop();
          sliceStart = last = platform.monotonicNow();
        }
        continue;
      }
      const before = platform.monotonicNow();
      await this.idleWait();
      const slept = platform.monotonicNow() - before;
      // Sleeping time is shared out: a task that was blocked slept back-pressured, others idle.
      for (let i = 0; i < this.tasks.length; i++) {
        if (this.tasks[i]!.isFinished) continue;
        if (blocked[i]) this.backPressuredMs[i]! += slept;
        else this.idleMs[i]! += slept;
      }
      sliceStart = last = platform.monotonicNow();
    }
  }

  private idleWait(): Promise<void> {
    let next = Infinity;
    for (const t of this.tasks) if (!t.isFinished) next = Math.min(next, t.nextTimerTime());
    return new Promise<void>((resolve) => {
      let handle: unknown;
      this.wakeUp = () => {
        if (handle !== undefined) platform.clearTimeout(handle);
        resolve();
      };
      if (next !== Infinity) {
        const delay = Math.max(0, next - this.clock.now());
        // A manual clock does not move by itself; poll it so tests that advance it are seen.
        handle = platform.setTimeout(() => this.wake(), this.clock === SYSTEM_CLOCK ? delay : Math.min(delay, 5));
      }
    });
  }
}
