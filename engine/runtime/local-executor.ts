import { validateGraph } from '../plan/job-graph.ts';
import { OperatorFailure } from './chain-outputs.ts';
import { deploy, type ChannelId, type ChannelProvider, type Deployment } from './deployment.ts';
import { JobExecutionError } from './errors.ts';
import type { JobReport, OperatorReport } from './host.ts';
import type { JobClient, JobDefinition, JobResult } from './job.ts';

export type { JobClient, JobResult } from './job.ts';
import { collectSubtaskMetrics, operatorReports, type SubtaskMetrics } from './metrics.ts';
import { LocalChannel } from './network/local-channel.ts';
import { SYSTEM_CLOCK, type Clock } from './processing-time.ts';
import { TaskRunner } from './task-runner.ts';
import { platform } from './platform.ts';

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

/**
 * Runs a whole job in this process: every subtask of every chain becomes a `StreamTask`, and a
 * `TaskRunner` interleaves their steps. Channels between subtasks are in-memory queues with
 * bounded credit, so back-pressure behaves as it does across processes.
 */
export class LocalExecutor {
  private deployment: Deployment | undefined;
  private runner: TaskRunner | undefined;
  private cancelled = false;
  private readonly clock: Clock;
  private lastSample: { metrics: SubtaskMetrics[]; at: number } | undefined;

  constructor(
    private readonly job: JobDefinition,
    private readonly options: LocalExecutionOptions = {},
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** Starts the job; returns at once with a handle. */
  start(): JobClient {
    const result = this.run();
    return {
      jobName: this.job.graph.name,
      result,
      cancel: () => {
        this.cancelled = true;
        this.runner?.stop();
      },
      metrics: () => this.sampleMetrics(),
    };
  }

  private sampleMetrics(): OperatorReport[] {
    if (!this.deployment) return operatorReports(this.job.graph, []);
    const now = platform.monotonicNow();
    const metrics = collectSubtaskMetrics(this.deployment, this.runner, this.job.graph);
    const previous = this.lastSample ? { metrics: this.lastSample.metrics, elapsedMs: now - this.lastSample.at } : undefined;
    this.lastSample = { metrics, at: now };
    return operatorReports(this.job.graph, metrics, previous);
  }

  private async run(): Promise<JobResult> {
    const started = this.clock.now();
    const graph = this.job.graph;
    let failure: unknown;
    let wake = () => {};
    try {
      validateGraph(graph);
      this.deployment = deploy(this.job, {
        clock: this.clock,
        print: this.options.print ?? ((line: string) => platform.console.log(line)),
        channels: new LocalChannelProvider(this.options.channelCapacity ?? 8),
        wake: () => wake(),
      });
      this.runner = new TaskRunner(this.deployment.tasks, this.clock, this.options.timeSliceMs ?? 10);
      wake = this.runner.wake;
      if (this.cancelled) this.runner.stop();
      await this.runner.run();
    } catch (e) {
      failure = e;
    }
    for (const t of this.deployment?.tasks ?? []) {
      const errs = t.close();
      if (!failure && errs.length) failure = errs[0];
    }
    const operators = this.deployment
      ? operatorReports(graph, collectSubtaskMetrics(this.deployment, this.runner, graph))
      : operatorReports(graph, []);
    const report: JobReport = {
      name: graph.name,
      status: failure ? 'FAILED' : this.cancelled ? 'CANCELED' : 'FINISHED',
      durationMs: Math.max(0, this.clock.now() - started),
      operators,
      checkpoints: [],
      restarts: 0,
    };
    if (failure) throw jobFailure(graph.name, failure, report);
    return { report };
  }
}
