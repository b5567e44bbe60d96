/**
 * The one element union that travels on every channel between tasks. Records travel in
 * batches (never one object or promise per record); control events travel alone, in order
 * with the records around them.
 */

/** Marks a record that carries no timestamp (no assigner, processing-time pipeline). */
export const NO_TIMESTAMP = Number.NEGATIVE_INFINITY;

/** The watermark that ends event time: emitted once at the end of bounded input. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

/** The watermark before any was seen. */
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;

/** A batch of records: `values[i]` has event time `timestamps[i]` (or NO_TIMESTAMP). */
export interface RecordBatch {
  readonly kind: 'records';
  readonly values: unknown[];
  readonly timestamps: number[];
}

/** No record with timestamp ≤ `timestamp` will follow on this channel. */
export interface WatermarkEvent {
  readonly kind: 'watermark';
  readonly timestamp: number;
}

/** The channel stops (idle) or resumes (active) contributing to the watermark. */
export interface WatermarkStatusEvent {
  readonly kind: 'status';
  readonly idle: boolean;
}

/** A checkpoint barrier: everything before it belongs to checkpoint `checkpointId`. */
export interface BarrierEvent {
  readonly kind: 'barrier';
  readonly checkpointId: number;
  readonly timestamp: number;
  /** Savepoints are checkpoints in the canonical format, triggered by the user. */
  readonly savepoint: boolean;
  /** Exactly-once barriers are aligned at multi-input tasks; at-least-once ones are not. */
  readonly aligned: boolean;
  /**
   * The savepoint of a stop-with-savepoint: every task suspends right after its part of it, so
   * nothing is emitted after the barrier (docs/ARCHITECTURE.md §7).
   */
  readonly stop?: boolean;
  /** A stop with `drain`: the sources emit the final watermark before the barrier, so every event-time window fires. */
  readonly drain?: boolean;
  /**
   * Every task of the job has reached the end of its input and waits for a final checkpoint
   * (Flink's FLIP-147): the barrier goes to every task directly, not through the channels
   * (they have ended), and each task snapshots its final state.
   */
  readonly endOfInput?: boolean;
}

/** The producer of this channel has finished; nothing follows. */
export interface EndOfInputEvent {
  readonly kind: 'end';
}

/** Everything a channel carries. */
export type StreamElement = RecordBatch | WatermarkEvent | WatermarkStatusEvent | BarrierEvent | EndOfInputEvent;

export const END_OF_INPUT: EndOfInputEvent = Object.freeze({ kind: 'end' });
export const IDLE: WatermarkStatusEvent = Object.freeze({ kind: 'status', idle: true });
export const ACTIVE: WatermarkStatusEvent = Object.freeze({ kind: 'status', idle: false });

export function watermarkEvent(timestamp: number): WatermarkEvent {
  return { kind: 'watermark', timestamp };
}
