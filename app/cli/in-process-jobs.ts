/**
 * The jobs `weir run --taskmanagers 0` runs inside its own process: the engine's JobMaster with
 * the in-process deployer (docs/ARCHITECTURE.md §7), checkpointing into files as a job on
 * taskmanagers does, so that `--checkpoint-dir`, `--savepoint-dir` and `--from-savepoint` mean
 * the same with and without worker processes.
 */
import type { JobClient, JobDefinition, StopOptions } from '../../engine/runtime/job.ts';
import { startInProcess } from '../../engine/checkpoint/checkpointing-executor.ts';
import { isJobFinishedBeforeStop } from '../../engine/checkpoint/job-master/job-master.ts';
import type { StopResult } from '../../engine/process/cluster-client.ts';
import { FsCheckpointStorage } from '../../engine/process/checkpoint/fs-storage.ts';
import { jobRunLocation } from '../../engine/process/checkpoint/location.ts';

/** What a job resumes from. */
export interface JobRestore {
  fromSavepoint?: string;
  allowNonRestoredState?: boolean;
}

/**
 * The running in-process jobs of one `weir run`.
 *
 * @example
 * const jobs = new InProcessJobs({ savepointDir: 'savepoints' });
 * installExecutionHost({ submitJob: (job) => jobs.start(job, {}) });
 * await jobs.stopAllWithSavepoint(); // on Ctrl+C
 */
export class InProcessJobs {
  private readonly running = new Map<JobClient, string>();

  constructor(private readonly dirs: { checkpointDir?: string; savepointDir?: string }) {}

  /** Starts `job` here, checkpointing into its own directory; from `restore` when given. */
  start(job: JobDefinition, restore: JobRestore): JobClient {
    const storage = new FsCheckpointStorage(jobRunLocation(job.graph.name, this.dirs));
    const client = startInProcess(job, {
      storage,
      ...(restore.fromSavepoint !== undefined ? { restoreFrom: restore.fromSavepoint } : {}),
      ...(restore.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
    });
    this.running.set(client, job.graph.name);
    const ended = () => void this.running.delete(client);
    client.result.then(ended, ended);
    return client;
  }

  /** Stops every running job with a savepoint (Flink's stop-with-savepoint); resolves with the paths. */
  async stopAllWithSavepoint(stop?: StopOptions): Promise<StopResult[]> {
    return Promise.all(
      [...this.running].map(([client, name]) =>
        client.stopWithSavepoint!(stop).then(
          (p) => ({ job: name, path: p }),
          (e: unknown) => ({ job: name, error: e instanceof Error ? e.message : String(e), ...(isJobFinishedBeforeStop(e) ? { finished: true } : {}) }),
        ),
      ),
    );
  }
}
