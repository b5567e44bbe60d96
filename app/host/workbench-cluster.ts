/**
 * The workbench's worker processes: a `LocalCluster` started on the first job of a notebook
 * cell (a jobmanager and its taskmanagers), and the socket on which the taskmanagers send what
 * jobs print and chart, which this file delivers to the cell that started each job.
 */
import path from 'node:path';
import { LocalCluster } from '../../engine/process/cluster-client.ts';
import type { ProcessLauncher } from '../../engine/process/launcher.ts';
import type { TaskManagerInfo } from '../../engine/process/protocol.ts';
import { JOB_OUTPUT_ENV } from '../../engine/process/taskmanager/job-output.ts';
import type { CellContext } from './cell-context.ts';
import type { ClusterJobs } from './job-tracker.ts';
import { JobOutputServer, type DeliveredOutput } from './job-output.ts';
import type { LiveCharts } from './live-charts.ts';

/** How the workbench's cluster is set up. */
export interface WorkbenchClusterOptions {
  taskManagers: number;
  /** The directory under which `checkpoints/` and `savepoints/` go (made when first needed). */
  directory(): string;
  /** Where savepoints of a notebook's jobs go (its folder-relative path); default `savepoints/` under `directory()`. */
  savepointDirFor?(notebook: string): string;
  /** Completed checkpoints each job keeps at least, to rewind to. */
  minRetained: number;
  charts: LiveCharts;
  /**
   * How processes are started: Node's `child_process.fork` by default; in Electron's utility
   * process, a launcher that asks main (with `launchTaskManagers: 'parent'`).
   */
  launcher?: ProcessLauncher;
  launchTaskManagers?: 'fork' | 'parent';
  /** How long a taskmanager may miss its heartbeats before its tasks fail (Flink's `heartbeat.timeout`); default 50 s. Given alone, it also bounds the CPU a spinning function may burn (default 3 s). */
  heartbeatTimeoutMs?: number;
}

/**
 * The cluster notebook jobs run on.
 *
 * @example
 * const cluster = new WorkbenchCluster({ taskManagers: 2, directory: () => dir, minRetained: 10, charts });
 * new JobTracker(events, { cluster });
 * await cluster.shutdown();
 */
export class WorkbenchCluster implements ClusterJobs {
  private started: LocalCluster | undefined;
  private output: JobOutputServer | undefined;
  /** The chart sinks of each followed job, by taskmanager connection and sink. */
  private readonly sinks = new Map<string, Map<string, ReturnType<LiveCharts['remoteSink']>>>();

  constructor(private readonly options: WorkbenchClusterOptions) {}

  get checkpointDir(): string {
    return path.join(this.options.directory(), 'checkpoints');
  }

  savepointDirFor(notebook: string): string {
    return this.options.savepointDirFor?.(notebook) ?? path.join(this.options.directory(), 'savepoints');
  }

  cluster(): LocalCluster {
    if (this.started) return this.started;
    this.output = JobOutputServer.listen();
    const root = this.options.directory();
    this.started = new LocalCluster(
      {
        taskManagers: this.options.taskManagers,
        checkpointDir: path.join(root, 'checkpoints'),
        savepointDir: path.join(root, 'savepoints'),
        minRetained: this.options.minRetained,
        retainAfterEnd: true,
        ...(this.options.launchTaskManagers ? { launchTaskManagers: this.options.launchTaskManagers } : {}),
        ...(this.options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: this.options.heartbeatTimeoutMs } : {}),
      },
      {},
      this.options.launcher,
      { [JOB_OUTPUT_ENV]: this.output.address },
    );
    return this.started;
  }

  /** The taskmanagers with their slots and memory; none before the first job started the cluster. */
  async taskManagers(): Promise<TaskManagerInfo[]> {
    return this.started ? this.started.taskManagers() : [];
  }

  /** Resolves once taskmanagers can connect to the output socket. */
  async ready(): Promise<void> {
    await this.output?.ready;
  }

  follow(clusterJobId: string, context: CellContext): () => void {
    const output = this.output;
    if (!output) return () => {};
    const sinks = new Map<string, ReturnType<LiveCharts['remoteSink']>>();
    this.sinks.set(clusterJobId, sinks);
    const unfollow = output.follow(clusterJobId, (message: DeliveredOutput) => {
      if (message.t === 'out') context.write(message.stream === 'stderr' ? 'stderr' : 'stdout', message.text);
      else if (message.t === 'rejects') context.output({ kind: 'rejects', report: message.report });
      else if (message.t === 'sink') {
        sinks.set(`${message.from}:${message.sink}`, this.options.charts.remoteSink(context, message.options, { jobName: message.jobName, operatorName: message.operator, operatorUid: message.uid ?? message.operator, subtask: message.subtask }));
      } else if (message.t === 'rows') sinks.get(`${message.from}:${message.sink}`)?.add(message.rows);
    });
    return () => {
      unfollow();
      this.sinks.delete(clusterJobId);
    };
  }

  /** Resolves once the job's output has arrived, with its charts' last points sent. */
  async drained(clusterJobId: string, timeoutMs: number): Promise<void> {
    await this.output?.drained(clusterJobId, timeoutMs);
    for (const sink of this.sinks.get(clusterJobId)?.values() ?? []) sink.flush();
  }

  /** Stops the jobmanager and taskmanagers (waits until they have exited) and closes the socket. */
  async shutdown(): Promise<void> {
    const cluster = this.started;
    const output = this.output;
    this.started = undefined;
    this.output = undefined;
    await cluster?.shutdown();
    await output?.close();
  }
}
