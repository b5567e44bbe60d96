/**
 * What a job panel's buttons do: stop (with a savepoint when the job checkpoints), cancel,
 * trigger a savepoint, pause, resume or re-pace a replay, and rewind: run the job's cell again, as it is now in the editor, with
 * its job starting from a checkpoint of this one.
 */
import type { RunRequest } from '../../shared/workbench/protocol.ts';
import type { WorkbenchService } from '../../shared/workbench/service.ts';
import type { JobModel } from '../state/job-model.ts';

/** The actions of a job panel. */
export interface JobControls extends Pick<WorkbenchService, 'stopJob' | 'cancelJob' | 'triggerSavepoint' | 'controlReplay'> {
  /** Runs `job`'s cell again with its job restored from checkpoint `checkpointId`; resolves when that run ends. */
  rewind(job: JobModel, checkpointId: number): Promise<void>;
  /** Opens the Export form with the job of this name chosen (absent: the panel has no Export). */
  exportJob?(jobName: string): void;
}

/**
 * The controls of the panels of one notebook's jobs.
 *
 * @example
 * new JobPanelView(job, jobControls(service, store, (name) => openExport(name)), frames);
 */
export function jobControls(
  service: Pick<WorkbenchService, 'stopJob' | 'cancelJob' | 'triggerSavepoint' | 'controlReplay' | 'runCells'>,
  notebook: { runRequest(run: string[]): RunRequest },
  exportJob?: (jobName: string) => void,
): JobControls {
  return {
    ...(exportJob ? { exportJob } : {}),
    stopJob: (id) => service.stopJob(id),
    cancelJob: (id) => service.cancelJob(id),
    triggerSavepoint: (id) => service.triggerSavepoint(id),
    controlReplay: (id, name, action) => service.controlReplay(id, name, action),
    rewind: (job, checkpointId) => service.runCells({ ...notebook.runRequest([job.description.cellId]), restore: { jobId: job.id, checkpointId } }),
  };
}
