/**
 * The `JobClient` that `env.execute()` gets in a kernel process: the job runs on the host's
 * cluster (jobs.ts) and this client asks the host about it. Cell code sees the same
 * handle as anywhere else: `result` settles when the job ends, with the same error a job run in
 * the host would fail with, and the figures are the host's, fetched at most every half second.
 */
import type { Remote } from 'comlink';
import { JobExecutionError } from '../../../engine/runtime/errors.ts';
import type { JobClient, JobResult } from '../../../engine/runtime/job.ts';
import type { KernelHostApi, KernelJobFigures, KernelJobOutcome, KernelJobRequest, SerializedError } from './protocol.ts';

/** How old the figures `metrics()` returns may be before they are fetched again, ms. */
const FIGURES_MAX_AGE_MS = 500;

/**
 * Hands a job to the host and returns its handle.
 *
 * @example
 * installExecutionHost({ submitJob: (job) => hostedJobClient(host, requestFor(job)) });
 */
export function hostedJobClient(host: Remote<KernelHostApi>, request: KernelJobRequest): JobClient {
  const jobName = request.graph.name;
  const handle = Promise.resolve(host.submitJob(request));
  let figures: KernelJobFigures = { operators: [], checkpoints: [], restarts: [], replays: [] };
  let fetchedAt = -Infinity;
  let ended = false;
  // The figures are synchronous in JobClient: return the last ones, fetch newer ones for next time.
  const current = (): KernelJobFigures => {
    const now = performance.now();
    if (!ended && now - fetchedAt > FIGURES_MAX_AGE_MS) {
      fetchedAt = now;
      handle.then((h) => host.jobFigures(h)).then(
        (f) => (figures = f),
        () => {},
      );
    }
    return figures;
  };
  const result = handle
    // Comlink's types spread a promised union over promises of its members; it is one promise.
    .then((h) => host.jobOutcome(h) as Promise<KernelJobOutcome>)
    .then((outcome): JobResult => {
      ended = true;
      if (outcome.ok) return { report: outcome.report };
      throw jobError(jobName, outcome);
    });
  const withHandle = <T>(call: (h: number) => Promise<T>): Promise<T> => handle.then(call);
  return {
    jobName,
    result,
    cancel: () => void withHandle(async (h) => host.cancelJob(h)).catch(() => {}),
    metrics: () => current().operators,
    checkpoints: (fromId = 0) => current().checkpoints.filter((c) => c.id >= fromId),
    restarts: () => current().restarts.slice(),
    replays: () => current().replays.map((r) => ({ ...r })),
    triggerSavepoint: () => withHandle((h) => host.triggerSavepoint(h)),
    stopWithSavepoint: () => withHandle((h) => host.stopWithSavepoint(h)),
    controlReplay: (name, action) => withHandle((h) => host.controlReplay(h, name, action)),
  };
}

/** The error the job failed with in the host, rebuilt: same message, operator, cause chain and report. */
function jobError(jobName: string, outcome: Extract<KernelJobOutcome, { ok: false }>): Error {
  const { error } = outcome;
  const cause = error.name === 'JobExecutionError' && error.cause ? reviveError(error.cause) : reviveError(error);
  const rebuilt = new JobExecutionError(jobName, outcome.operator, cause);
  if (error.name === 'JobExecutionError') rebuilt.message = error.message;
  return Object.assign(rebuilt, outcome.report ? { report: outcome.report } : {});
}

/** An `Error` from its data, causes included. */
export function reviveError(data: SerializedError): Error {
  const error = new Error(data.message, data.cause ? { cause: reviveError(data.cause) } : undefined);
  error.name = data.name;
  error.stack = data.stack ?? `${data.name}: ${data.message}`;
  return error;
}
