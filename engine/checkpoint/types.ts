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

// The history row is handed out by a runtime `JobClient`, so the runtime owns its type.
export type { CheckpointStatus, CheckpointStats } from '../runtime/checkpoint-stats.ts';

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
