/**
 * Running a job's tasks in this process (Flink's MiniCluster task side): in-memory channels and
 * one `LocalAttempt` per deployment. The lifecycle around attempts is the JobMaster's.
 */
import { OperatorFailure } from './chain-outputs.ts';
import { deploy, type ChannelId, type ChannelProvider, type Deployment } from './deployment.ts';
import { JobExecutionError } from './errors.ts';
import type { JobReport, OperatorReport } from './host.ts';
import type { JobDefinition } from './job.ts';

export type { JobClient, JobResult } from './job.ts';
import { collectSubtaskMetrics, operatorReports, type SubtaskMetrics } from './metrics.ts';
import type { OperatorSnapshot } from './operator.ts';
import type { StreamTask } from './task.ts';
import { LocalChannel } from './network/local-channel.ts';
import type { Clock } from './processing-time.ts';
import { TaskRunner } from './task-runner.ts';
import { platform } from './platform.ts';
import type { RestoreChecks } from '../state/state-migration.ts';

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
 * of every chain becomes a `StreamTask`, and a `TaskRunner` interleaves their steps. The
 * JobMaster's in-process deployer (engine/checkpoint/job-master/local-deployer.ts) runs one
 * attempt per (re)start, with restored state after a restart.
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
    /** How restored state must match the operators' declarations (a start from a savepoint). */
    restoreChecks?: RestoreChecks,
  ) {
    let wake = () => {};
    this.deployment = deploy(job, {
      ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
      clock: options.clock,
      print: options.print ?? ((line: string) => platform.console.log(line)),
      channels: new LocalChannelProvider(options.channelCapacity ?? 8),
      wake: () => wake(),
      ...(restore ? { restore } : {}),
      ...(restoreChecks ? { restoreChecks } : {}),
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
