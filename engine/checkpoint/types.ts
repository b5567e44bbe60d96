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
  /** The states the file holds (name and kind), when written by a Weir that records them. */
  states?: StoredStateInfo[];
}

/** One named state of an operator as a savepoint holds it. */
export interface StoredStateInfo {
  name: string;
  /** Keyed: value, list, map, reducing, aggregating; operator state: list, union, broadcast. */
  kind: string;
}

/**
 * What a checkpoint records of one operator of the job that wrote it. The fields after
 * `maxParallelism` are what a restore is checked against (restore-check.ts); checkpoints written
 * before they existed lack them, and what is missing is not checked.
 */
export interface StoredOperatorInfo {
  uid: string;
  name: string;
  parallelism: number;
  maxParallelism: number;
  /** The operator's kind in the plan: 'source', 'map', 'window', ... */
  kind?: string;
  /** For windows: the assigner as the plan shows it, e.g. 'TumblingEventTimeWindows(1000)'. */
  window?: string;
  /** For windows: the window function kind (reduce, aggregate, process), which decides its state. */
  windowFunction?: string;
  /** The shape of the value it keeps in state (`VertexSpec.valueShape`). */
  valueShape?: string;
}

/** What a completed checkpoint or savepoint records; written last, atomically. */
export interface CheckpointMetadata {
  version: 1;
  kind: 'checkpoint' | 'savepoint';
  jobName: string;
  checkpointId: number;
  /** When it was triggered (epoch ms). */
  timestamp: number;
  /** The operators of the job that wrote it, with the parallelism they had. */
  operators: StoredOperatorInfo[];
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
