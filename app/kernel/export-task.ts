/**
 * The workbench's Plan and Export actions as one task on a saved notebook: find its jobs (as
 * `weir plan` does) or write one of them to a directory (as `weir export` does). The workbench
 * runs a task in its own process (export-worker.ts), because finding jobs evaluates the
 * notebook with a process-wide execution host and silenced console, which must not touch the
 * jobs and cell output of the notebooks the workbench is running meanwhile.
 */
import { discoverJobs } from './discover-jobs.ts';
import { planOfJob, writeExportedJob } from './export-job.ts';
import type { JobFile } from './job-file.ts';
import { describeCellError, pickJob } from './pick-job.ts';

/** What to do, with absolute paths. */
export type ExportTask =
  | { kind: 'plan'; notebook: string; weirModule?: string; weirVersion: string }
  | { kind: 'export'; notebook: string; job?: string; out: string; weirModule?: string; weirVersion: string };

/** The outcome of a task, as plain data (it crosses a process boundary). */
export type ExportTaskReply =
  | { ok: true; kind: 'plan'; plans: JobFile[]; /** A cell failed; the jobs before it are listed. */ error?: string }
  | { ok: true; kind: 'export'; job: string; files: string[] }
  | { ok: false; message: string; /** The job names, when there are several and none was chosen. */ jobs?: string[] };

/**
 * Performs a task; failures of the notebook (a cell that throws, no such job) are replies, not
 * rejections.
 *
 * @example
 * const reply = await performExportTask({ kind: 'plan', notebook: '/home/me/nb/fraud.ts', weirVersion: '0.1.0' });
 * if (reply.ok && reply.kind === 'plan') console.log(reply.plans.map((p) => p.name));
 */
export async function performExportTask(task: ExportTask): Promise<ExportTaskReply> {
  const options = task.weirModule ? { weirModule: task.weirModule } : {};
  return discoverJobs(task.notebook, options, async (discovery): Promise<ExportTaskReply> => {
    const failure = discovery.error ? describeCellError(discovery.error) : undefined;
    if (task.kind === 'plan') {
      const plans = discovery.jobs.map((job) => planOfJob(discovery, job, task.weirVersion));
      return failure === undefined ? { ok: true, kind: 'plan', plans } : { ok: true, kind: 'plan', plans, error: failure };
    }
    const names = [...new Set(discovery.jobs.map((j) => j.name))];
    if (task.job === undefined && names.length > 1) {
      return { ok: false, message: `the notebook runs ${names.length} jobs: ${names.map((n) => `'${n}'`).join(', ')}; choose one to export`, jobs: names };
    }
    const choice = pickJob(discovery, task.job);
    if (!choice.ok) return names.length > 0 ? { ok: false, message: choice.message, jobs: names } : { ok: false, message: choice.message };
    const written = await writeExportedJob(discovery, choice.job, task.out, task.weirVersion);
    return { ok: true, kind: 'export', job: choice.job.name, files: written.files };
  });
}
