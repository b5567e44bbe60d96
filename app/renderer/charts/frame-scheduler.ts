/**
 * Coalesces redraw requests into animation frames at no more than a given rate (30 fps by
 * default): any number of chart updates between two frames cost one draw per chart, and a
 * stream of updates never makes the page draw more often than the cap.
 */

/** Something that draws when asked. */
export interface Drawable {
  draw(): void;
}

/** The timing functions a scheduler uses; tests pass fakes. */
export interface FrameClock {
  requestFrame(callback: () => void): void;
  now(): number;
}

/**
 * @example
 * const frames = new FrameScheduler();
 * frames.request(chartView); // chartView.draw() runs in a coming frame, once
 */
export class FrameScheduler {
  private readonly pending = new Set<Drawable>();
  private scheduled = false;
  private lastFrame = -Infinity;

  constructor(
    private readonly minIntervalMs = 1000 / 30,
    private readonly clock: FrameClock = { requestFrame: (cb) => void requestAnimationFrame(cb), now: () => performance.now() },
  ) {}

  /** Asks for `target.draw()` in a coming frame. */
  request(target: Drawable): void {
    this.pending.add(target);
    if (!this.scheduled) {
      this.scheduled = true;
      this.clock.requestFrame(this.frame);
    }
  }

  /** Forgets a pending request (a view that is gone). */
  cancel(target: Drawable): void {
    this.pending.delete(target);
  }

  private readonly frame = (): void => {
    const now = this.clock.now();
    // Frames come at the display's rate; skip those that are too early for the cap. The small
    // tolerance keeps a 60 Hz display at a steady 30 fps rather than alternating.
    if (now - this.lastFrame < this.minIntervalMs - 4) {
      this.clock.requestFrame(this.frame);
      return;
    }
    this.lastFrame = now;
    this.scheduled = false;
    const targets = [...this.pending];
    this.pending.clear();
    for (const target of targets) target.draw();
  };
}
