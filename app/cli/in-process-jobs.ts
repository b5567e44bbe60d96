/**
 * The jobs `weir run --taskmanagers 0` runs inside its own process: the engine's JobMaster with
 * the in-process deployer (docs/ARCHITECTURE.md §7), checkpointing into files as a job on
 * taskmanagers does, so that `--checkpoint-dir`, `--savepoint-dir` and `--from-savepoint` mean
 * the same with and without worker processes.
 */
import type { JobClient, JobDefinition } from '../../engine/runtime/job.ts';
import { startInProcess } from '../../engine/checkpoint/checkpointing-executor.ts';
import { FsCheckpointStorage } from '../../engine/process/checkpoint/fs-storage.ts';
import { jobRunLocation } from '../../engine/process/checkpoint/location.ts';

/** What a job resumes from. */
export interface JobRestore {
  fromSavepoint?: string;
  allowNonRestoredState?: boolean;
  allowJobMismatch?: boolean;
}

/**
 * Starts the in-process jobs of one `weir run`.
 *
 * @example
 * const jobs = new InProcessJobs({ savepointDir: 'savepoints' });
 * installExecutionHost({ submitJob: (job) => jobs.start(job, {}) });
 * // Ctrl+C stops it through its JobClient, as a job on taskmanagers (cluster-session.ts).
 */
export class InProcessJobs {
  constructor(private readonly dirs: { checkpointDir?: string; savepointDir?: string }) {}

  /** Starts `job` here, checkpointing into its own directory; from `restore` when given. */
  start(job: JobDefinition, restore: JobRestore): JobClient {
    const storage = new FsCheckpointStorage(jobRunLocation(job.graph.name, this.dirs));
    const client = startInProcess(job, {
      storage,
      ...(restore.fromSavepoint !== undefined ? { restoreFrom: restore.fromSavepoint } : {}),
      ...(restore.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
      ...(restore.allowJobMismatch ? { allowJobMismatch: true } : {}),
    });
    return client;
  }

}
