/**
 * One row of a job's checkpoint history, as plain data. It lives in the runtime layer because a
 * `JobClient` (runtime) hands it out while the coordinator (checkpoint layer, above the runtime)
 * fills it in; engine/checkpoint/types.ts re-exports it for the checkpoint code and its users.
 */

/** Status of a checkpoint in the history. */
export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/**
 * One row of the checkpoint history (`--report` `checkpoints`, the workbench's table).
 *
 * @example
 * const done = client.checkpoints?.().filter((c: CheckpointStats) => c.status === 'COMPLETED');
 */
export interface CheckpointStats {
  id: number;
  status: CheckpointStatus;
  savepoint: boolean;
  failureReason?: string;
  /** Trigger time, epoch ms. */
  triggerTime: number;
  /** End-to-end duration (ms), from trigger to the last acknowledgement. */
  durationMs: number;
  /** Longest synchronous snapshot part over subtasks (ms). */
  syncMs: number;
  /** Longest asynchronous part (serialising and writing) over subtasks (ms). */
  asyncMs: number;
  /** Longest barrier alignment over subtasks (ms). */
  alignmentMs: number;
  /** Total bytes written. */
  sizeBytes: number;
  /** Bytes per operator. */
  operators: { uid: string; sizeBytes: number }[];
  /** Where it is stored, once completed. */
  path?: string;
}
