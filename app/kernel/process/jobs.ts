/**
 * The host's side of the jobs that kernel processes start. A cell's `execute()` in a kernel
 * hands the job's plan and code to the host (protocol.ts), which runs it on the
 * workbench's cluster and tracks it for the job panel exactly as if the cell had run in the host:
 * the job runs inside a cell context of the cell that started it, so its printed lines and
 * charts land under that cell and a rewind finds its cell.
 */
import { ExecuteCalls } from '../../../engine/process/job-identity.ts';
import { describeError } from '../../../engine/process/protocol.ts';
import type { JobClient, JobDefinition } from '../../../engine/runtime/job.ts';
import type { OperatorLocation } from '../../../engine/runtime/errors.ts';
import type { JobReport } from '../../../engine/runtime/host.ts';
import type { CellOutput } from '../../shared/workbench/protocol.ts';
import type { CellOutputEvent } from '../../shared/workbench/service.ts';
import { cellContext, type CellContext } from '../../host/cell-context.ts';
import type { JobTracker } from '../../host/job-tracker.ts';
import type { KernelJobFigures, KernelJobOutcome, KernelJobRequest, SerializedError } from './protocol.ts';
import { OutputThrottle } from '../../host/output-throttle.ts';

/** How long an ended job's handle stays answerable (figures, outcome), ms. */
const ENDED_JOB_KEPT_MS = 60_000;

/**
 * Runs and answers for the jobs of every kernel.
 *
 * @example
 * const kernelJobs = new KernelJobs(tracker, (event) => emit(event));
 * const handle = kernelJobs.submit(request);
 * const outcome = await kernelJobs.outcome(handle);
 */
export class KernelJobs {
  private next = 0;
  private readonly jobs = new Map<number, { client: JobClient; outcome: Promise<KernelJobOutcome> }>();

  constructor(
    private readonly tracker: JobTracker,
    private readonly emit: (event: CellOutputEvent) => void,
  ) {}

  /** Starts a job for a kernel's cell; returns its handle. */
  submit(request: KernelJobRequest): number {
    // Only the plan crosses from the kernel: the cluster's taskmanagers rebuild the operators
    // from the cell's module, so the host never needs the job's functions.
    const job: JobDefinition = { graph: request.graph, vertices: new Map(), edges: [] };
    const context = this.contextFor(request);
    const client = cellContext.run(context, () => {
      const started = this.tracker.submit(job);
      this.tracker.started(started);
      return started;
    });
    const handle = ++this.next;
    // The job's last printed lines reach the clients before the cell that awaits it can end.
    const outcome = client.result.then(
      (result): KernelJobOutcome => {
        context.flush();
        return { ok: true, report: result.report };
      },
      (error: unknown): KernelJobOutcome => {
        context.flush();
        return failedOutcome(error);
      },
    );
    this.jobs.set(handle, { client, outcome });
    void outcome.then(() => setTimeout(() => this.jobs.delete(handle), ENDED_JOB_KEPT_MS).unref?.());
    return handle;
  }

  outcome(handle: number): Promise<KernelJobOutcome> {
    return this.job(handle).outcome;
  }

  figures(handle: number): KernelJobFigures {
    const { client } = this.job(handle);
    return { operators: client.metrics(), checkpoints: client.checkpoints?.() ?? [], restarts: client.restarts?.() ?? [], replays: client.replays?.() ?? [] };
  }

  cancel(handle: number): void {
    this.jobs.get(handle)?.client.cancel();
  }

  client(handle: number): JobClient {
    return this.job(handle).client;
  }

  private job(handle: number): { client: JobClient; outcome: Promise<KernelJobOutcome> } {
    const job = this.jobs.get(handle);
    if (!job) throw new Error(`The workbench no longer knows job #${handle}: it ended over a minute ago`);
    return job;
  }

  /** The cell the job belongs to, as the host's code sees it: its output goes straight to the clients. */
  private contextFor(request: KernelJobRequest): CellContext & { flush(): void } {
    const { path, cellId } = request;
    const emit = (output: CellOutput): void => this.emit({ path, cellId, output });
    const throttle = new OutputThrottle(emit);
    return {
      path,
      cellId,
      // The kernel has counted which of the cell run's execute() calls this job is; the tracker
      // reads that count here, as it does for a cell run in the host.
      code: {
        modulePath: request.modulePath,
        cell: request.cell,
        calls: new ExecuteCalls(request.cell, [[request.graph.name, request.occurrence]]),
        ...(request.baseDir ? { baseDir: request.baseDir } : {}),
        ...(request.captured !== undefined ? { captured: request.captured } : {}),
      },
      write: (stream, text) => throttle.write(stream, text),
      output: (output) => {
        throttle.flush();
        emit(output);
      },
      fail: (error) => {
        throttle.flush();
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        emit({ kind: 'text', stream: 'stderr', text: `Uncaught ${message}\n` });
      },
      flush: () => throttle.flush(),
    };
  }
}

/** A failed job's error as data, with its cause chain and the failing operator. */
function failedOutcome(error: unknown): KernelJobOutcome {
  const failed = error as { operator?: OperatorLocation; report?: JobReport };
  return {
    ok: false,
    error: serializeError(error),
    ...(failed.operator ? { operator: failed.operator } : {}),
    ...(failed.report ? { report: failed.report } : {}),
  };
}

/** An error and its causes as plain data. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  const described: SerializedError = describeError(error);
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined && depth < 8) described.cause = serializeError(cause, depth + 1);
  return described;
}
