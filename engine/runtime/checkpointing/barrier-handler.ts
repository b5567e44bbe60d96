import type { BarrierEvent } from '../elements.ts';

/** What the handler asks of its task. */
export interface BarrierHandlerCallbacks {
  /** All expected barriers of a checkpoint arrived: snapshot now, then forward the barrier. */
  onCheckpoint(barrier: BarrierEvent, alignmentMs: number): void;
  /** A pending checkpoint was given up (a newer barrier overtook it). */
  onAbort?(checkpointId: number): void;
}

/**
 * Tracks checkpoint barriers across a task's input channels (Flink's `CheckpointBarrierHandler`).
 *
 * Aligned (exactly-once): a channel that delivered the barrier of checkpoint n is blocked until
 * every other channel delivered it too, so no record after the barrier is processed before the
 * snapshot. Unaligned tracking (at-least-once): channels keep flowing; the snapshot is taken when
 * the last barrier arrives, so records after an early barrier may be in it and are replayed after
 * a restore. A barrier of a newer checkpoint while one is pending aborts the older one. Channels
 * that ended are not waited for.
 *
 * Pure and clock-injected, so alignment is unit-tested without tasks.
 */
export class BarrierHandler {
  private pending: BarrierEvent | undefined;
  private readonly received: boolean[];
  private readonly blocked: boolean[];
  private readonly ended: boolean[];
  private alignmentStart = 0;
  private lastCompleted = -1;

  constructor(
    readonly numChannels: number,
    private readonly callbacks: BarrierHandlerCallbacks,
    private readonly now: () => number,
  ) {
    this.received = new Array<boolean>(numChannels).fill(false);
    this.blocked = new Array<boolean>(numChannels).fill(false);
    this.ended = new Array<boolean>(numChannels).fill(false);
  }

  /** True while records of `channel` must wait (it delivered the pending aligned barrier). */
  isBlocked(channel: number): boolean {
    return this.blocked[channel]!;
  }

  /** The checkpoint being aligned, if any. */
  get pendingCheckpoint(): number | undefined {
    return this.pending?.checkpointId;
  }

  onBarrier(channel: number, barrier: BarrierEvent): void {
    if (barrier.checkpointId <= this.lastCompleted) return; // a late duplicate
    if (this.pending && barrier.checkpointId < this.pending.checkpointId) return; // an overtaken one
    if (this.pending && barrier.checkpointId > this.pending.checkpointId) this.abortPending();
    if (!this.pending) {
      this.pending = barrier;
      this.alignmentStart = this.now();
    }
    this.received[channel] = true;
    if (barrier.aligned) this.blocked[channel] = true;
    this.maybeComplete();
  }

  /** A channel ended: it will deliver no more barriers. */
  onEndOfInput(channel: number): void {
    this.ended[channel] = true;
    this.blocked[channel] = false;
    this.maybeComplete();
  }

  private maybeComplete(): void {
    const p = this.pending;
    if (!p) return;
    for (let c = 0; c < this.numChannels; c++) if (!this.received[c] && !this.ended[c]) return;
    const alignmentMs = this.now() - this.alignmentStart;
    this.reset();
    this.lastCompleted = p.checkpointId;
    this.callbacks.onCheckpoint(p, alignmentMs);
  }

  private abortPending(): void {
    const id = this.pending!.checkpointId;
    this.reset();
    this.callbacks.onAbort?.(id);
  }

  private reset(): void {
    this.pending = undefined;
    this.received.fill(false);
    this.blocked.fill(false);
  }
}
