/**
 * Where a job's checkpoints and savepoints go on disk, the same for a job on taskmanagers and
 * one run inside `weir run --taskmanagers 0`.
 */
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CheckpointLocation } from '../protocol.ts';

/** Where checkpoints go unless `--checkpoint-dir` says otherwise: scratch data of the session. */
export function defaultCheckpointDir(): string {
  return path.join(os.tmpdir(), 'weir-checkpoints');
}

/**
 * The location of one run of job `jobName`: its own directory under the checkpoint directory
 * (one per run, so that a later run of the same notebook never restores this one's state), and
 * savepoints under `savepointDir` (default `<checkpointDir>/savepoints`).
 *
 * @example
 * jobRunLocation('orders', { savepointDir: 'savepoints' }); // { checkpointDir: '/tmp/weir-checkpoints', savepointDir: '/…/savepoints', jobName: 'orders-3fa2c1d0' }
 */
export function jobRunLocation(jobName: string, dirs: { checkpointDir?: string; savepointDir?: string }): CheckpointLocation {
  const checkpointDir = path.resolve(dirs.checkpointDir ?? defaultCheckpointDir());
  return {
    checkpointDir,
    savepointDir: path.resolve(dirs.savepointDir ?? path.join(checkpointDir, 'savepoints')),
    jobName: `${jobName}-${randomBytes(4).toString('hex')}`,
  };
}
