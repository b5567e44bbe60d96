import * as Comlink from 'comlink';
import { buildJobGraph } from '../../plan/chaining.ts';
import { operatorReports, type SubtaskMetrics } from '../../runtime/metrics.ts';
import type { JobReport } from '../../runtime/host.ts';
import type { ProcessLauncher, WorkerProcess } from '../launcher.ts';
import { ipcEndpoint } from '../rpc/endpoints.ts';
import type {
  ClusterOptions,
  FailureInfo,
  JobManagerApi,
  JobStatus,
  JobSubmission,
  TaskManagerApi,
  TaskManagerEvents,
  TaskManagerResources,
} from '../protocol.ts';
import { describeError } from '../protocol.ts';

interface TaskManagerHandle {
  id: number;
  process: WorkerProcess;
  api: Comlink.Remote<TaskManagerApi>;
  pid: number;
  dataAddress: string;
  lastHeartbeat: number;
  alive: boolean;
  /** What it runs, for failure messages. */
  tasks: Map<string, string[]>;
}

interface JobState {
  id: string;
  submission: JobSubmission;
  status: JobStatus;
  started: number;
  /** Taskmanagers that still run subtasks of the job. */
  pending: Set<number>;
  metrics: Map<number, SubtaskMetrics[]>;
  resources: TaskManagerResources[];
  previous?: { metrics: SubtaskMetrics[]; at: number };
  cancelled: boolean;
}

/**
 * Schedules jobs onto taskmanager processes and watches them (Flink's JobMaster and
 * ResourceManager, for one machine). Subtask i of every chain goes to taskmanager i mod N, so
 * forward edges stay inside a process. A taskmanager that exits or stops answering heartbeats
 * fails the jobs it was running and is replaced for the next job.
 */
export class JobManager implements JobManagerApi {
  private readonly taskManagers: TaskManagerHandle[] = [];
  private readonly jobs = new Map<string, JobState>();
  private nextJob = 1;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTimeoutMs: number;

  constructor(
    private readonly options: ClusterOptions,
    private readonly launcher: ProcessLauncher,
  ) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 500;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 3000;
  }

  /** Starts the taskmanagers and the heartbeat and metrics loops. */
  async startCluster(): Promise<void> {
    if (!(this.options.taskManagers >= 1)) throw new Error(`A cluster needs at least one taskmanager, got ${this.options.taskManagers}`);
    await Promise.all(Array.from({ length: this.options.taskManagers }, (_, i) => this.startTaskManager(i)));
    this.heartbeatTimer = setInterval(() => this.checkHeartbeats(), this.heartbeatIntervalMs);
    this.metricsTimer = setInterval(() => void this.pollMetrics(), 1000);
  }

  private async startTaskManager(id: number): Promise<TaskManagerHandle> {
    const proc = this.launcher.launch('taskmanager', [String(id)]);
    const events: TaskManagerEvents = {
      finished: (tm, jobId, metrics, resources) => this.onTaskManagerFinished(tm, jobId, metrics, resources),
      failed: (tm, jobId, failure) => this.failJob(jobId, failure),
    };
    Comlink.expose(events, ipcEndpoint(proc.ipc, 'tm-events'));
    const api = Comlink.wrap<TaskManagerApi>(ipcEndpoint(proc.ipc, 'taskmanager'));
    const handle: TaskManagerHandle = { id, process: proc, api, pid: proc.pid, dataAddress: '', lastHeartbeat: Date.now(), alive: true, tasks: new Map() };
    this.taskManagers[id] = handle;
    proc.onExit((code, signal) => this.onTaskManagerExit(handle, code, signal));
    const hello = await api.hello(id);
    handle.dataAddress = hello.dataAddress;
    handle.lastHeartbeat = Date.now();
    return handle;
  }

  private onTaskManagerExit(tm: TaskManagerHandle, code: number | null, signal: string | null): void {
    if (!tm.alive) return;
    tm.alive = false;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    for (const [jobId, tasks] of tm.tasks) {
      this.failJob(jobId, { message: `taskmanager ${tm.id} (pid ${tm.pid}) ${how} while running ${tasks.join(', ')}`, taskManager: tm.id });
    }
  }

  private checkHeartbeats(): void {
    const now = Date.now();
    for (const tm of this.taskManagers) {
      if (!tm?.alive) continue;
      if (now - tm.lastHeartbeat > this.heartbeatTimeoutMs) {
        tm.alive = false;
        const tasks = [...tm.tasks.values()].flat();
        for (const jobId of tm.tasks.keys()) {
          this.failJob(jobId, {
            message: `taskmanager ${tm.id} (pid ${tm.pid}) stopped answering heartbeats for ${((now - tm.lastHeartbeat) / 1000).toFixed(1)} s while running ${tasks.join(', ')}: a user function may be stuck in an endless loop`,
            taskManager: tm.id,
          });
        }
        tm.process.kill('SIGKILL');
        continue;
      }
      tm.api.heartbeat().then(
        () => (tm.lastHeartbeat = Date.now()),
        () => {},
      );
    }
  }

  /** Replaces dead taskmanagers before a job is scheduled. */
  private async ensureTaskManagers(): Promise<void> {
    await Promise.all(this.taskManagers.map((tm, i) => (tm.alive ? undefined : this.startTaskManager(i))));
  }

  async submit(submission: JobSubmission): Promise<string> {
    await this.ensureTaskManagers();
    const id = `job-${this.nextJob++}`;
    const n = this.taskManagers.length;
    const jobGraph = buildJobGraph(submission.plan);
    const maxParallelism = Math.max(...jobGraph.chains.map((c) => c.parallelism));
    const slots = this.options.slots;
    if (slots !== undefined && maxParallelism > n * slots) {
      throw new Error(`Job '${submission.plan.name}' needs ${maxParallelism} slots, but ${n} taskmanagers with ${slots} slots each offer ${n * slots}`);
    }
    const assignment = jobGraph.chains.map((c) => Array.from({ length: c.parallelism }, (_, s) => s % n));
    const job: JobState = {
      id,
      submission,
      started: Date.now(),
      pending: new Set(),
      metrics: new Map(),
      resources: [],
      cancelled: false,
      status: { state: 'CREATED', operators: [], taskManagers: n },
    };
    this.jobs.set(id, job);
    for (const tm of this.taskManagers) {
      const names: string[] = [];
      jobGraph.chains.forEach((c, ci) => {
        const sites = c.vertices.filter((v) => v.definedAt && v.kind !== 'source' && v.kind !== 'sink').map((v) => `${v.name} defined at ${v.definedAt}`);
        for (let s = 0; s < c.parallelism; s++) {
          if (assignment[ci]![s] !== tm.id) continue;
          names.push(`'${c.vertices.map((v) => v.name).join(' -> ')} (${s + 1}/${c.parallelism})'${sites.length ? ` (${sites.join(', ')})` : ''}`);
        }
      });
      if (names.length) {
        tm.tasks.set(id, names);
        job.pending.add(tm.id);
      }
    }
    const peers = this.taskManagers.map((tm) => tm.dataAddress);
    const involved = this.taskManagers.filter((tm) => job.pending.has(tm.id));
    try {
      await Promise.all(involved.map((tm) => tm.api.deploy({ jobId: id, submission, assignment, peers })));
      if (job.status.state === 'CREATED') {
        job.status.state = 'RUNNING';
        await Promise.all(involved.map((tm) => tm.api.start(id)));
      }
    } catch (e) {
      this.failJob(id, { message: describeError(e).message, cause: describeError(e) });
    }
    return id;
  }

  async status(jobId: string): Promise<JobStatus> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`Unknown job ${jobId}`);
    return job.status;
  }

  async cancel(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job || isEnded(job.status.state)) return;
    job.cancelled = true;
    await Promise.all([...job.pending].map((tm) => this.taskManagers[tm]!.api.cancel(jobId).catch(() => {})));
  }

  async shutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.metricsTimer);
    for (const tm of this.taskManagers) {
      tm.alive = false;
      tm.process.kill('SIGTERM');
    }
    setTimeout(() => process.exit(0), 50).unref();
  }

  private async pollMetrics(): Promise<void> {
    for (const job of this.jobs.values()) {
      if (job.status.state !== 'RUNNING') continue;
      const results = await Promise.all([...job.pending].map((tm) => this.taskManagers[tm]!.api.metrics(job.id).then((m) => [tm, m] as const, () => undefined)));
      for (const r of results) if (r) job.metrics.set(r[0], r[1]);
      const all = [...job.metrics.values()].flat();
      const now = Date.now();
      const previous = job.previous ? { metrics: job.previous.metrics, elapsedMs: now - job.previous.at } : undefined;
      job.status.operators = operatorReports(job.submission.plan, all, previous);
      job.previous = { metrics: all, at: now };
    }
  }

  private onTaskManagerFinished(tm: number, jobId: string, metrics: SubtaskMetrics[], resources: TaskManagerResources): void {
    const job = this.jobs.get(jobId);
    if (!job || isEnded(job.status.state)) return;
    job.metrics.set(tm, metrics);
    job.resources.push(resources);
    job.pending.delete(tm);
    this.taskManagers[tm]?.tasks.delete(jobId);
    if (job.pending.size === 0) this.endJob(job, job.cancelled ? 'CANCELED' : 'FINISHED');
  }

  private failJob(jobId: string, failure: FailureInfo): void {
    const job = this.jobs.get(jobId);
    if (!job || isEnded(job.status.state)) return;
    job.status.failure = failure;
    for (const tm of job.pending) {
      this.taskManagers[tm]?.tasks.delete(jobId);
      if (this.taskManagers[tm]?.alive) void this.taskManagers[tm]!.api.cancel(jobId).catch(() => {});
    }
    this.endJob(job, 'FAILED');
  }

  private endJob(job: JobState, state: 'FINISHED' | 'FAILED' | 'CANCELED'): void {
    const operators = operatorReports(job.submission.plan, [...job.metrics.values()].flat());
    const report: JobReport = {
      name: job.submission.plan.name,
      status: state,
      durationMs: Date.now() - job.started,
      operators,
      checkpoints: [],
      restarts: 0,
    };
    Object.assign(report, { taskManagers: job.status.taskManagers, taskManagerResources: job.resources });
    if (job.status.failure) report.error = job.status.failure.message;
    job.status = { ...job.status, state, operators, report };
  }
}

function isEnded(state: JobStatus['state']): boolean {
  return state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED';
}
