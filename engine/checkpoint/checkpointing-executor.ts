/**
 * Jobs that run in this process (`weir run --taskmanagers 0`, the workbench without workers,
 * tests, `env.execute()` without a host): the `JobMaster` with the in-process `LocalDeployer`,
 * behind the same `JobClient` as a job on taskmanagers.
 */
import { jobFailure, type LocalExecutionOptions } from '../runtime/local-executor.ts';
import type { JobClient, JobDefinition, JobResult } from '../runtime/job.ts';
import { SYSTEM_CLOCK } from '../runtime/processing-time.ts';
import { inProcessReplayControl } from '../runtime/job-replays.ts';
import { MemoryCheckpointStorage } from './memory-storage.ts';
import { JobMaster, type JobMasterOptions } from './job-master/job-master.ts';
import { LocalDeployer } from './job-master/local-deployer.ts';

export { needsFaultTolerance } from './job-master/job-master.ts';
export type { RestartCause } from '../runtime/host.ts';

/**
 * Options of an in-process run: the JobMaster's restore and retention options, with `storage`
 * optional (default: this process's memory).
 */
export interface CheckpointingExecutionOptions
  extends LocalExecutionOptions,
    Partial<Pick<JobMasterOptions, 'storage' | 'restoreFrom' | 'restoreStorage' | 'allowNonRestoredState' | 'allowJobMismatch' | 'minRetained' | 'retainAfterEnd'>> {}

/**
 * Starts a job in this process; returns at once with its handle. Checkpoints, savepoints,
 * restarts, stop and cancel behave as on taskmanagers (docs/ARCHITECTURE.md §7).
 *
 * @example
 * const client = startInProcess(env.buildJob('orders'), { storage });
 * const savepoint = await client.stopWithSavepoint?.();
 * await startInProcess(env.buildJob('orders'), { storage, restoreFrom: savepoint }).result;
 */
export function startInProcess(job: JobDefinition, options: CheckpointingExecutionOptions = {}): JobClient {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const storage = options.storage ?? new MemoryCheckpointStorage(job.graph.name);
  const deployer = new LocalDeployer(job, { ...options, clock, storage });
  const master = new JobMaster(job.graph, deployer, { ...options, storage, now: () => clock.now() });
  const result = master.start().then(({ report, failure }): JobResult => {
    if (report.status === 'FAILED') throw jobFailure(job.graph.name, failure, report);
    return { report };
  });
  return {
    jobName: job.graph.name,
    result,
    cancel: () => master.cancel(),
    metrics: () => deployer.sampleMetrics(),
    checkpoints: (fromId) => master.checkpoints(fromId),
    triggerSavepoint: () => master.triggerSavepoint(),
    stopWithSavepoint: (stop) => master.stopWithSavepoint(stop),
    restarts: () => master.restarts(),
    ...inProcessReplayControl(job.graph, deployer.jobId),
  };
}

/**
 * `startInProcess` as a class, for callers that hold the executor before starting it.
 *
 * @example
 * const client = new CheckpointingExecutor(job, { storage: new MemoryCheckpointStorage('orders') }).start();
 */
export class CheckpointingExecutor {
  constructor(
    private readonly job: JobDefinition,
    private readonly options: CheckpointingExecutionOptions = {},
  ) {}

  /** Starts the job; returns at once with a handle. */
  start(): JobClient {
    return startInProcess(this.job, this.options);
  }
}
