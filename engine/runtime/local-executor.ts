import { validateGraph } from '../plan/job-graph.ts';
import { OperatorFailure } from './chain-outputs.ts';
import { deploy, newJobRunId, type ChannelId, type ChannelProvider, type Deployment } from './deployment.ts';
import { JobExecutionError } from './errors.ts';
import type { JobReport, OperatorReport } from './host.ts';
import type { JobClient, JobDefinition, JobResult } from './job.ts';

export type { JobClient, JobResult } from './job.ts';
import { collectSubtaskMetrics, operatorReports, type SubtaskMetrics } from './metrics.ts';
import type { OperatorSnapshot } from './operator.ts';
import type { StreamTask } from './task.ts';
import { LocalChannel } from './network/local-channel.ts';
import { SYSTEM_CLOCK, type Clock } from './processing-time.ts';
import { TaskRunner } from './task-runner.ts';
import { platform } from './platform.ts';
import { inProcessReplayControl } from './job-replays.ts';

/** Options of an in-process run. */
export interface LocalExecutionOptions {
  /** Processing-time clock; tests pass a ManualClock. */
  clock?: Clock;
  /** Where print sinks write; console.log by default. */
  print?: (line: string) => void;
  /** Record batches a channel holds before its producer must wait. */
  channelCapacity?: number;
  /** How long the loop may run before it yields to the event loop (ms). */
  timeSliceMs?: number;
}


/** In-memory channels: both ends in this process. */
export class LocalChannelProvider implements ChannelProvider {
  private readonly channels = new Map<string, LocalChannel>();
  constructor(private readonly capacity: number) {}
  private get(id: ChannelId): LocalChannel {
    const key = `${id.edge}:${id.producer}:${id.consumer}`;
    let c = this.channels.get(key);
    if (!c) this.channels.set(key, (c = new LocalChannel(this.capacity)));
    return c;
  }
  writer(id: ChannelId) {
    return this.get(id);
  }
  reader(id: ChannelId) {
    return this.get(id);
  }
}

/** Turns whatever escaped the task loop into the job's error, with its report attached. */
export function jobFailure(jobName: string, failure: unknown, report: JobReport): JobExecutionError {
  const error =
    failure instanceof OperatorFailure ? new JobExecutionError(jobName, { ...failure.operator }, failure.cause) : new JobExecutionError(jobName, undefined, failure);
  report.error = error.message;
  return Object.assign(error, { report });
}

/** What one attempt of a job left behind. */
export interface AttemptOutcome {
  /** The first failure (a task's, or one found while closing), or undefined for a clean end or stop. */
  failure: unknown;
  /** Final figures of the attempt's subtasks. */
  metrics: SubtaskMetrics[];
}

/**
 * One deployment of a job in this process, run until it ends, fails or is stopped: every subtask
 * of every chain becomes a `StreamTask`, and a `TaskRunner` interleaves their steps. Executors
 * run one attempt per (re)start; the checkpoint layer's executor restarts with restored state.
 *
 * @example
 * const attempt = new LocalAttempt(job, { clock: SYSTEM_CLOCK, print: console.log });
 * const { failure } = await attempt.run();
 */
export class LocalAttempt {
  readonly deployment: Deployment;
  readonly runner: TaskRunner;
  private lastSample: { metrics: SubtaskMetrics[]; at: number } | undefined;

  /** Deploys the job (throws when it cannot be built); `restore` gives each operator its restored snapshots. */
  constructor(
    private readonly job: JobDefinition,
    options: LocalExecutionOptions & { clock: Clock; jobId?: string },
    restore?: (uid: string) => OperatorSnapshot[],
  ) {
    let wake = () => {};
    this.deployment = deploy(job, {
      ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
      clock: options.clock,
      print: options.print ?? ((line: string) => platform.console.log(line)),
      channels: new LocalChannelProvider(options.channelCapacity ?? 8),
      wake: () => wake(),
      ...(restore ? { restore } : {}),
    });
    this.runner = new TaskRunner(this.deployment.tasks, options.clock, options.timeSliceMs ?? 10);
    wake = this.runner.wake;
  }

  /** The attempt's tasks (for checkpoint triggers and notifications). */
  get tasks(): readonly StreamTask[] {
    return this.deployment.tasks;
  }

  /** Runs until every task has finished, one fails, or `stop()`; then closes every task. Never rejects. */
  async run(): Promise<AttemptOutcome> {
    let failure: unknown;
    try {
      await this.runner.run();
    } catch (e) {
      failure = e;
    }
    for (const t of this.deployment.tasks) {
      const errs = t.close();
      if (failure === undefined && errs.length) failure = errs[0];
    }
    return { failure, metrics: collectSubtaskMetrics(this.deployment, this.runner, this.job.graph) };
  }

  /** Ends the run after the current step. */
  stop(): void {
    this.runner.stop();
  }

  /** Current figures per operator, with rates since the previous call. */
  sampleMetrics(): OperatorReport[] {
    const now = platform.monotonicNow();
    const metrics = collectSubtaskMetrics(this.deployment, this.runner, this.job.graph);
    const previous = this.lastSample ? { metrics: this.lastSample.metrics, elapsedMs: now - this.lastSample.at } : undefined;
    this.lastSample = { metrics, at: now };
    return operatorReports(this.job.graph, metrics, previous);
  }
}

/**
 * Runs a whole job in this process as one attempt (see `LocalAttempt`). Channels between
 * subtasks are in-memory queues with bounded credit, so back-pressure behaves as it does across
 * processes. Jobs that checkpoint or restart run on the checkpoint layer's
 * `CheckpointingExecutor`, which runs attempts the same way.
 */
export class LocalExecutor {
  private attempt: LocalAttempt | undefined;
  private cancelled = false;
  private readonly clock: Clock;
  /** This run's id: its replay readers register under it (see `newJobRunId`). */
  private readonly jobId: string;

  constructor(
    private readonly job: JobDefinition,
    private readonly options: LocalExecutionOptions = {},
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.jobId = newJobRunId(job.graph.name);
  }

  /** Starts the job; returns at once with a handle. */
  start(): JobClient {
    const result = this.run();
    return {
      jobName: this.job.graph.name,
      result,
      cancel: () => {
        this.cancelled = true;
        this.attempt?.stop();
      },
      metrics: () => this.attempt?.sampleMetrics() ?? operatorReports(this.job.graph, []),
      checkpoints: () => [],
      triggerSavepoint: () => Promise.reject(notCheckpointing(this.job.graph.name)),
      stopWithSavepoint: () => Promise.reject(notCheckpointing(this.job.graph.name)),
      ...inProcessReplayControl(this.job.graph, this.jobId),
    };
  }

  private async run(): Promise<JobResult> {
    const started = this.clock.now();
    const graph = this.job.graph;
    let outcome: AttemptOutcome = { failure: undefined, metrics: [] };
    try {
      validateGraph(graph);
      this.attempt = new LocalAttempt(this.job, { ...this.options, clock: this.clock, jobId: this.jobId });
      if (this.cancelled) this.attempt.stop();
      outcome = await this.attempt.run();
    } catch (e) {
      outcome.failure = e;
    }
    const failure = outcome.failure;
    const report: JobReport = {
      name: graph.name,
      status: failure ? 'FAILED' : this.cancelled ? 'CANCELED' : 'FINISHED',
      durationMs: Math.max(0, this.clock.now() - started),
      operators: operatorReports(graph, outcome.metrics),
      checkpoints: [],
      restarts: 0,
    };
    if (failure) throw jobFailure(graph.name, failure, report);
    return { report };
  }
}

/** Why a job that does not checkpoint cannot take a savepoint. */
export function notCheckpointing(jobName: string): Error {
  return new Error(`Job '${jobName}' does not take checkpoints, so it cannot take a savepoint: enable them with env.enableCheckpointing(intervalMs)`);
}
