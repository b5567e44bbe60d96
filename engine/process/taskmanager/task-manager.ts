import type { TaskManagerApi, TaskManagerEvents, TaskDeployment, FailureInfo, TaskManagerMetrics, TaskManagerUsage } from '../protocol.ts';
import { describeError } from '../protocol.ts';
import { rebuildJob, planDifference } from './rebuild.ts';
import { inJobScope, markJobOutput } from './job-output.ts';
import { deploy, type ChannelId, type ChannelProvider, type Deployment } from '../../runtime/deployment.ts';
import { TaskRunner } from '../../runtime/task-runner.ts';
import { collectSubtaskMetrics, type SubtaskMetrics } from '../../runtime/metrics.ts';
import { LocalChannel, type ChannelReader, type ChannelWriter } from '../../runtime/network/local-channel.ts';
import { OperatorFailure } from '../../runtime/chain-outputs.ts';
import { SYSTEM_CLOCK } from '../../runtime/processing-time.ts';
import type { JobDefinition } from '../../runtime/job.ts';
import { applyReplayAction, localReplayProgress, replayNames, type ReplayAction } from '../../runtime/job-replays.ts';
import type { ReplayProgress } from '../../runtime/replay-control.ts';
import type { BarrierEvent } from '../../runtime/elements.ts';
import { SourceOperator } from '../../runtime/source.ts';
import type { OperatorSnapshot } from '../../runtime/operator.ts';
import type { StreamTask, TaskSnapshot } from '../../runtime/task.ts';
import type { CheckpointStorage } from '../../checkpoint/storage.ts';
import { loadOperatorSnapshots, writeTaskSnapshot } from '../../checkpoint/task-snapshots.ts';
import { FsCheckpointStorage } from '../checkpoint/fs-storage.ts';
import { checkpointsOf } from '../../checkpoint/job-master/job-master.ts';

/** The taskmanager's side of the data plane: socket-backed channel ends to and from peers. */
export interface DataPlane {
  readonly address: string;
  /** The writer end of a channel whose consumer runs on the taskmanager at `peerAddress`. */
  writer(peerAddress: string, key: string, onWritable: () => void): ChannelWriter;
  /** The reader end of a channel whose producer runs on the taskmanager at `peerAddress`. */
  reader(peerAddress: string, key: string, onData: () => void): ChannelReader;
  /** Forgets the channels whose keys start with `prefix` (a job ended); `abort` breaks them too. */
  release(prefix: string, abort: boolean): void;
  close(): Promise<void>;
}

interface RunningJob {
  job: JobDefinition;
  /** Names of the job's replay sources (those running here are in the replay registry). */
  replays: string[];
  deployment: Deployment;
  runner: TaskRunner;
  storage: CheckpointStorage;
  done?: Promise<void>;
}

/** Record batches a channel holds before its producer must wait (the credit). */
const CHANNEL_CAPACITY = 8;

/**
 * Runs the subtasks the jobmanager assigns to this process. It rebuilds each job from its
 * code, refuses a plan that differs from the client's, wires local channels in memory and
 * remote ones through the data plane, and reports completion or failure as events.
 */
export class TaskManager implements TaskManagerApi {
  private id = -1;
  private readonly jobs = new Map<string, RunningJob>();

  constructor(
    private readonly events: TaskManagerEvents,
    private readonly dataPlane: DataPlane,
  ) {}

  async hello(id: number) {
    this.id = id;
    return { pid: process.pid, dataAddress: this.dataPlane.address };
  }

  async heartbeat(): Promise<number> {
    return Date.now();
  }

  async usage(): Promise<TaskManagerUsage> {
    const memory = process.memoryUsage();
    return { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal };
  }

  async deploy(d: TaskDeployment): Promise<void> {
    const job = await rebuildJob(d.submission.code, d.submission.defaults);
    const diff = planDifference(stripSites(d.submission.plan), stripSites(job.graph));
    if (diff) {
      throw new Error(
        `The job graph built in taskmanager ${this.id} differs from the client's (${diff}). Graph construction must be deterministic: do not build the pipeline from random numbers, the clock or the environment`,
      );
    }
    const chainOf = (vertexId: number) => deploymentChains.get(vertexId)!;
    let deploymentChains = new Map<number, number>();
    const tmOfSubtask = (vertexId: number, subtask: number) => d.assignment[chainOf(vertexId)]![subtask]!;
    const local = new Map<string, LocalChannel>();
    let wake = () => {};
    const key = (id: ChannelId) => `${d.jobId}:${id.edge}:${id.producer}:${id.consumer}`;
    const localChannel = (id: ChannelId) => {
      const k = key(id);
      let c = local.get(k);
      if (!c) local.set(k, (c = new LocalChannel(CHANNEL_CAPACITY)));
      return c;
    };
    const channels: ChannelProvider = {
      writer: (id) => {
        const e = job.graph.edges[id.edge]!;
        const tm = tmOfSubtask(e.target, id.consumer);
        return tm === this.id ? localChannel(id) : this.dataPlane.writer(d.peers[tm]!, key(id), () => wake());
      },
      reader: (id) => {
        const e = job.graph.edges[id.edge]!;
        const tm = tmOfSubtask(e.source, id.producer);
        return tm === this.id ? localChannel(id) : this.dataPlane.reader(d.peers[tm]!, key(id), () => wake());
      },
    };
    const storage = new FsCheckpointStorage({ checkpointDir: d.storage.checkpointDir, savepointDir: d.storage.savepointDir, jobName: d.storage.jobName });
    const restored = d.restore ? await this.loadRestoredState(storage, d, job) : undefined;
    // Output of the job's code is tagged with the job for the client (job-output.ts).
    const deployment = inJobScope(d.jobId, () => deploy(job, {
      jobId: d.jobId,
      clock: SYSTEM_CLOCK,
      restore: restored ? (uid) => restored.get(uid) ?? [] : undefined,
      ...(d.restoreChecks ? { restoreChecks: d.restoreChecks } : {}),
      print: (line) => console.log(line),
      channels,
      isLocal: (chain, subtask) => d.assignment[chain.id]![subtask] === this.id,
      wake: () => wake(),
      beforeWire: (jobGraph) => {
        deploymentChains = jobGraph.chainOf;
      },
    }));
    // Short time slices: socket writes and credit announcements only happen between slices.
    const runner = new TaskRunner(deployment.tasks, SYSTEM_CLOCK, 1);
    wake = runner.wake;
    const finalCheckpoint = checkpointsOf(job.graph) !== undefined;
    let inputEnded = 0;
    for (const task of deployment.tasks) {
      task.onSnapshot = (snap) => this.onTaskSnapshot(d.jobId, task, snap, storage);
      task.awaitsFinalCheckpoint = finalCheckpoint;
      task.onEndOfInput = () => {
        if (++inputEnded === deployment.tasks.length) this.events.inputEnded(this.id, d.jobId);
      };
    }
    this.jobs.set(d.jobId, { job, replays: replayNames(job.graph), deployment, runner, storage });
    markJobOutput(d.jobId, 'begin');
  }

  /** Reads, per operator uid of the job, the snapshots of all its old subtasks (keyed state left encoded). */
  private loadRestoredState(storage: CheckpointStorage, d: TaskDeployment, job: JobDefinition): Promise<Map<string, OperatorSnapshot[]>> {
    return loadOperatorSnapshots(storage, d.restore!, job.graph.vertices.map((v) => v.uid));
  }

  /**
   * A task took its snapshot (keyed state as a copy-on-write view, so the task has already
   * resumed): encode it in slices between the task's steps, write it, then acknowledge to the
   * jobmanager (the same `writeTaskSnapshot` as the in-process executor).
   */
  private onTaskSnapshot(jobId: string, task: StreamTask, snap: TaskSnapshot, storage: CheckpointStorage): void {
    const id = snap.barrier.checkpointId;
    writeTaskSnapshot(task.name, snap, storage).then(
      (ack) => this.events.acknowledgeCheckpoint(this.id, jobId, ack),
      (e: unknown) => this.events.declineCheckpoint(this.id, jobId, id, `task ${task.name} could not write its state: ${describeError(e).message}`, true),
    );
  }

  async triggerCheckpoint(jobId: string, barrier: BarrierEvent): Promise<void> {
    const running = this.jobs.get(jobId);
    if (!running) return;
    if (barrier.endOfInput) {
      for (const t of running.deployment.tasks) t.triggerCheckpoint(barrier);
      return;
    }
    if (running.deployment.tasks.some((t) => t.isFinished || t.awaitsCheckpointToFinish)) {
      this.events.declineCheckpoint(this.id, jobId, barrier.checkpointId, 'some tasks have finished', false);
      return;
    }
    for (const t of running.deployment.tasks) if (t.operators[0] instanceof SourceOperator) t.triggerCheckpoint(barrier);
  }

  async notifyCheckpointComplete(jobId: string, checkpointId: number): Promise<void> {
    const running = this.jobs.get(jobId);
    if (!running) return;
    for (const t of running.deployment.tasks) if (!t.isFinished) t.notifyCheckpointComplete(checkpointId);
  }

  async start(jobId: string): Promise<void> {
    const running = this.requireJob(jobId);
    // 'done' goes out after the tasks' last output and before the jobmanager hears of the end.
    running.done = inJobScope(jobId, () => running.runner.run())
      .finally(() => markJobOutput(jobId, 'done'))
      .then(
        () => this.finish(jobId, running, undefined),
        (e: unknown) => this.finish(jobId, running, e),
      );
  }

  private finish(jobId: string, running: RunningJob, error: unknown): void {
    let failure = error;
    for (const t of running.deployment.tasks) {
      const errs = t.close();
      if (!failure && errs.length) failure = errs[0];
    }
    const metrics = this.located(collectSubtaskMetrics(running.deployment, running.runner, running.job.graph));
    this.jobs.delete(jobId);
    // After a clean end every writer has queued end-of-input, which must still reach its reader:
    // only a failed or cancelled job tears its channels down.
    this.dataPlane.release(`${jobId}:`, failure !== undefined || running.runner.isStopped);
    if (failure && !running.runner.isStopped) this.events.failed(this.id, jobId, failureInfo(failure, this.id));
    else this.events.finished(this.id, jobId, metrics, { taskManager: this.id, pid: process.pid, peakRssBytes: process.resourceUsage().maxRSS * 1024 }, collectedRows(running.job));
  }

  async cancel(jobId: string): Promise<void> {
    this.jobs.get(jobId)?.runner.stop();
  }

  async mailsDelivered(jobId: string): Promise<void> {
    const running = this.jobs.get(jobId);
    if (!running) return;
    // Mails run in order: these run after the notify-complete queued before them.
    const delivered = running.deployment.tasks.filter((t) => !t.isFinished).map((t) => new Promise<void>((resolve) => t.enqueueMail(resolve)));
    await Promise.race([Promise.all(delivered), running.done ?? new Promise<never>(() => {})]);
  }

  async resume(jobId: string): Promise<void> {
    for (const t of this.jobs.get(jobId)?.deployment.tasks ?? []) t.resume();
  }

  async metrics(jobId: string): Promise<TaskManagerMetrics> {
    const running = this.jobs.get(jobId);
    if (!running) return { subtasks: [], replays: [] };
    return { subtasks: this.located(collectSubtaskMetrics(running.deployment, running.runner, running.job.graph)), replays: localReplayProgress(jobId, running.replays) };
  }

  async controlReplay(jobId: string, name: string, action: ReplayAction): Promise<ReplayProgress | undefined> {
    const running = this.jobs.get(jobId);
    if (!running || !applyReplayAction(jobId, running.replays, name, action)) return undefined;
    return localReplayProgress(jobId, [name])[0];
  }

  /** Subtask figures tagged with this taskmanager, for the SubTasks view. */
  private located(metrics: SubtaskMetrics[]): SubtaskMetrics[] {
    return metrics.map((m) => ({ ...m, taskManager: this.id }));
  }

  private requireJob(jobId: string): RunningJob {
    const j = this.jobs.get(jobId);
    if (!j) throw new Error(`Taskmanager ${this.id} has no job ${jobId}`);
    return j;
  }
}

/** Definition sites depend on where the code was loaded from; they are not part of the plan's identity. */
function stripSites(plan: unknown): unknown {
  return JSON.parse(JSON.stringify(plan, (k, v) => (k === 'definedAt' ? undefined : v)));
}

/** A failure as the control plane carries it, with the operator when known. */
export function failureInfo(e: unknown, taskManager: number): FailureInfo {
  if (e instanceof OperatorFailure) {
    return { message: describeError(e.cause).message, cause: describeError(e.cause), operator: { ...e.operator }, taskManager };
  }
  return { message: describeError(e).message, cause: describeError(e), taskManager };
}

/**
 * The records the job's `Sinks.collect()` sinks gathered here, by operator uid (none: undefined).
 * Streams that sink into one collect share its array: it goes once, under the first of their
 * uids (the client's vertices share it too), or its records would arrive once per stream.
 */
function collectedRows(job: JobDefinition): Record<string, unknown[]> | undefined {
  const rows: Record<string, unknown[]> = {};
  const sent = new Set<unknown[]>();
  for (const vertex of job.graph.vertices) {
    const values = job.vertices.get(vertex.id)?.collected;
    if (!values || values.length === 0 || sent.has(values)) continue;
    sent.add(values);
    rows[vertex.uid] = values;
  }
  return Object.keys(rows).length > 0 ? rows : undefined;
}
