import type { CheckpointMetadata, SubtaskStateHandle } from './types.ts';

/** A completed checkpoint or savepoint, found in storage. */
export interface StoredCheckpoint {
  metadata: CheckpointMetadata;
  /** Its directory (absolute path or URL, storage-specific). */
  location: string;
}

/**
 * Where checkpoints live. A checkpoint becomes visible only when `complete` has written its
 * metadata, last and atomically; state files without metadata are never used and are cleaned up.
 * Implementations: a local directory (engine/process/checkpoint/fs-storage.ts).
 */
export interface CheckpointStorage {
  /** Writes one subtask's serialised state of checkpoint (or savepoint) `id`. */
  writeState(id: number, kind: 'checkpoint' | 'savepoint', uid: string, subtask: number, bytes: Uint8Array): Promise<SubtaskStateHandle>;
  /** Reads a subtask's state back, verifying its checksum (throws naming the file on mismatch). */
  readState(checkpoint: StoredCheckpoint, handle: SubtaskStateHandle): Promise<Uint8Array>;
  /** Writes the metadata of a checkpoint whose states are all written; returns its location. */
  complete(metadata: CheckpointMetadata): Promise<string>;
  /** The newest completed checkpoint that verifies, or undefined. */
  latest(): Promise<StoredCheckpoint | undefined>;
  /** Opens a completed checkpoint or savepoint by location (e.g. `--from-savepoint <path>`). */
  load(location: string): Promise<StoredCheckpoint>;
  /** Removes a checkpoint's files (failed, subsumed, or cancelled without retention). */
  discard(id: number, kind: 'checkpoint' | 'savepoint'): Promise<void>;
  /** Removes checkpoint directories without valid metadata, and all but the newest `retained`. */
  cleanup(retained: number): Promise<void>;
}
