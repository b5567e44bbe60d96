import type { ReplaySpeed } from './replay-control.ts';

/**
 * Maps wall-clock time to a replay's event time. Event time runs `speed` times as fast as the
 * wall clock from an anchor (a wall time and the event time at that moment); every control
 * (pause, resume, speed change, seek) re-anchors at the current instant, so event time never
 * jumps except on seek. Pure: the caller passes `now`, which makes pacing testable without
 * timers.
 *
 * Invariant: while playing, `eventTimeAt(now)` is non-decreasing in `now`.
 */
export class ReplayClock {
  private wallAnchor = 0;
  private eventAnchor = 0;
  private started = false;
  private paused = false;

  constructor(private speedValue: ReplaySpeed) {}

  get speed(): ReplaySpeed {
    return this.speedValue;
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Starts (or restarts after a seek) at `eventTime` as of wall time `now`. */
  start(eventTime: number, now: number): void {
    this.started = true;
    this.eventAnchor = eventTime;
    this.wallAnchor = now;
  }

  /** The replay's event time at wall time `now` (the anchor while paused or not started). */
  eventTimeAt(now: number): number {
    if (!this.started || this.paused || this.speedValue === 'max') return this.eventAnchor;
    return this.eventAnchor + (now - this.wallAnchor) * this.speedValue;
  }

  /** The wall time at which `eventTime` is reached (Infinity while paused; -Infinity at 'max'). */
  wallTimeOf(eventTime: number): number {
    if (this.speedValue === 'max') return -Infinity;
    if (!this.started || this.paused) return Infinity;
    return this.wallAnchor + (eventTime - this.eventAnchor) / this.speedValue;
  }

  /** Tells the clock that rows up to `eventTime` went out (at 'max' speed this is the clock). */
  advanceTo(eventTime: number): void {
    if (this.speedValue === 'max' && eventTime > this.eventAnchor) this.eventAnchor = eventTime;
  }

  pause(now: number): void {
    if (this.paused) return;
    this.eventAnchor = this.eventTimeAt(now);
    this.wallAnchor = now;
    this.paused = true;
  }

  resume(now: number): void {
    if (!this.paused) return;
    this.paused = false;
    this.wallAnchor = now;
  }

  setSpeed(speed: ReplaySpeed, now: number): void {
    this.eventAnchor = this.eventTimeAt(now);
    this.wallAnchor = now;
    this.speedValue = speed;
  }
}

/** Checks a speed given by a user: a positive finite number or 'max'. */
export function checkSpeed(speed: unknown, what: string): ReplaySpeed {
  if (speed === 'max') return speed;
  if (typeof speed === 'number' && Number.isFinite(speed) && speed > 0) return speed;
  throw new Error(`${what}: speed must be a number > 0 (event-time ms per wall-clock ms) or 'max', got ${String(speed)}`);
}
