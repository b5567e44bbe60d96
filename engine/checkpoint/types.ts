/**
 * Checkpointing as plain data: the settings a job carries in its plan, what a completed
 * checkpoint's metadata records, and the history a user sees. Shared by the coordinator (in the
 * jobmanager), the tasks, storage and the UI.
 */

// The settings are part of the plan (plain data the plan layer owns, since it may not import
// this layer); they are re-exported here for the checkpoint code and its users.
export type { CheckpointingMode, CheckpointConfigSpec, RestartStrategySpec } from '../plan/job-graph.ts';
import type { CheckpointConfigSpec } from '../plan/job-graph.ts';

/** Where one subtask's state of a checkpoint is stored. */
export interface SubtaskStateHandle {
  uid: string;
  subtask: number;
  /** Path relative to the checkpoint's directory. */
  file: string;
  bytes: number;
  /** CRC-32 of the file's content, hex. */
  checksum: string;
}

/** What a completed checkpoint or savepoint records; written last, atomically. */
export interface CheckpointMetadata {
  version: 1;
  kind: 'checkpoint' | 'savepoint';
  jobName: string;
  checkpointId: number;
  /** When it was triggered (epoch ms). */
  timestamp: number;
  /** The operators it holds state for, with the parallelism they had. */
  operators: { uid: string; name: string; parallelism: number; maxParallelism: number }[];
  states: SubtaskStateHandle[];
}

/** Status of a checkpoint in the history. */
export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** One row of the checkpoint history (`--report` `checkpoints`, the UI's table). */
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

/** The defaults of Flink's CheckpointConfig, with checkpointing off. */
export const DEFAULT_CHECKPOINT_CONFIG: CheckpointConfigSpec = {
  intervalMs: 0,
  mode: 'exactly-once',
  timeoutMs: 10 * 60_000,
  minPauseMs: 0,
  maxConcurrent: 1,
  retained: 1,
  retainOnCancel: false,
  tolerableFailures: 0,
};
