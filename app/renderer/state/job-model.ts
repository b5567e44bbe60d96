/**
 * What the job panel shows of one job: its description, its latest figures, and short
 * histories for the panel's charts (state size and throughput over time).
 */
import type { JobUpdateEvent } from '../../shared/workbench/service.ts';
import type { CheckpointSummary, JobDescription, JobFailure, JobSample, JobStatus, OperatorMetrics, ReplayStatus, RestartCause, StopResult } from '../../shared/workbench/protocol.ts';
import { jobSample } from '../../shared/workbench/job-samples.ts';

/** One sample of a job's totals (the type lives in the protocol: the host keeps them too). */
export type { JobSample };

/** How many samples a job keeps (at two per second, ten minutes). */
export const MAX_SAMPLES = 1200;

/**
 * @example
 * const job = new JobModel(description);
 * job.update(event);
 * job.operator('minute-average')?.recordsOutPerSecond;
 */
export class JobModel {
  status: JobStatus = 'RUNNING';
  elapsedMs = 0;
  error: string | undefined;
  restarts = 0;
  /** The failures that caused restarts, oldest first. */
  restartCauses: RestartCause[] = [];
  checkpoints: CheckpointSummary[] = [];
  /** The latest savepoint's location (the one the job was stopped with, or one triggered). */
  savepoint: string | undefined;
  /** A control's failure or caveat to show (a savepoint that could not be taken, a refused rewind). */
  notice: string | undefined;
  /** The job's running replay sources, as of the latest update; none once the job has ended. */
  replays: ReplayStatus[] = [];
  readonly samples: JobSample[] = [];
  /** The failure that ended a FAILED job, with its stack. */
  failure: JobFailure | undefined;
  /** The lowest watermark of its operators when it ended. */
  finalWatermark: number | undefined;
  private metrics = new Map<string, OperatorMetrics>();
  /** Bumped on every update. */
  revision = 0;

  constructor(readonly description: JobDescription) {}

  get id(): string {
    return this.description.id;
  }

  get running(): boolean {
    return this.status === 'RUNNING';
  }

  /** The job takes checkpoints: Stop takes a savepoint, and its checkpoints can be rewound to. */
  get checkpointing(): boolean {
    return this.description.checkpointing === true;
  }

  /** What a stop did: the savepoint it took, or why it took none although the job checkpoints. */
  noteStop(result: StopResult): void {
    if (result.savepoint !== undefined) this.savepoint = result.savepoint;
    if (result.savepointError !== undefined) this.notice = `Stopped without a savepoint: ${result.savepointError}`;
    this.revision++;
  }

  /** A savepoint was taken while the job runs. */
  noteSavepoint(location: string): void {
    this.savepoint = location;
    this.notice = undefined;
    this.revision++;
  }

  /** A control failed; the panel says why. */
  noteFailure(what: string, error: unknown): void {
    this.notice = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    this.revision++;
  }

  /**
   * The samples the host kept of a job this page did not see start (it was reloaded), before
   * its latest update is applied.
   */
  restoreSamples(samples: readonly JobSample[]): void {
    this.samples.splice(0, this.samples.length, ...samples.slice(-MAX_SAMPLES));
    this.revision++;
  }

  /** The latest figures of an operator. */
  operator(uid: string): OperatorMetrics | undefined {
    return this.metrics.get(uid);
  }

  update(event: JobUpdateEvent): void {
    // A job that ended never runs again (a rewind starts a new job): a late 'RUNNING' update is stale.
    if (this.status !== 'RUNNING' && event.status === 'RUNNING') return;
    this.status = event.status;
    this.elapsedMs = event.elapsedMs;
    this.error = event.error;
    this.restarts = event.restarts;
    this.restartCauses = event.restartCauses ?? [];
    this.checkpoints = event.checkpoints;
    this.replays = event.status === 'RUNNING' ? (event.replays ?? []) : [];
    if (event.savepoint !== undefined) this.savepoint = event.savepoint;
    this.failure = event.failure;
    this.finalWatermark = event.finalWatermark;
    this.metrics = new Map(event.operators.map((o) => [o.uid, o]));
    const sample = jobSample(this.description, event);
    // While it runs, a sample per update; once it ended, one last sample with the final figures
    // (a job shorter than the poll interval would otherwise chart nothing at all).
    const ended = this.samples.length > 0 && this.samples[this.samples.length - 1]!.final === true;
    const hasFigures = sample.stateBytes !== undefined || sample.sourceRate !== undefined;
    if (event.status === 'RUNNING' || (!ended && hasFigures)) {
      if (event.status !== 'RUNNING') sample.final = true;
      this.samples.push(sample);
      if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
    }
    this.revision++;
  }
}
