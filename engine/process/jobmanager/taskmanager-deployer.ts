/**
 * The taskmanager adapter of `JobDeployer` (Flink's `ExecutionGraph` deployment over the
 * `TaskManagerGateway`): an attempt's subtasks go to taskmanager slots — placed by the slot
 * assignment (engine/plan/slot-assignment.ts; with one slot sharing group, subtask i of every
 * chain on taskmanager i mod N, so forward edges stay inside a process) — through the deploy,
 * start, trigger, notify, mailsDelivered, resume and cancel RPCs. What the taskmanagers report
 * (finished, failed, acknowledgements) reaches the attempt through the jobmanager.
 */
import type * as Comlink from 'comlink';
import { assignSubtasks, slotsUsedOn } from '../../plan/slot-assignment.ts';
import type { JobGraphSpec } from '../../plan/chaining.ts';
import type { BarrierEvent } from '../../runtime/elements.ts';
import type { SubtaskMetrics } from '../../runtime/metrics.ts';
import type { ReplayProgress } from '../../runtime/replay-control.ts';
import type { CheckpointAck } from '../../checkpoint/coordinator.ts';
import {
  RecoverableDeployFailure,
  type AttemptListener,
  type AttemptOutcome,
  type DeployedAttempt,
  type JobDeployer,
  type RestoreSource,
} from '../../checkpoint/job-master/job-deployer.ts';
import type { WorkerProcess } from '../launcher.ts';
import type { TaskManagerHeartbeat } from './heartbeat-monitor.ts';
import type { CheckpointLocation, FailureInfo, JobSubmission, TaskManagerApi, TaskManagerResources } from '../protocol.ts';

/** The jobmanager's handle of one taskmanager process. */
export interface TaskManagerHandle {
  id: number;
  process: WorkerProcess;
  api: Comlink.Remote<TaskManagerApi>;
  pid: number;
  dataAddress: string;
  /** Its heartbeat state: requests outstanding, silence, CPU (heartbeat-monitor.ts). */
  heartbeat: TaskManagerHeartbeat;
  alive: boolean;
  /** Attempt id → names of the tasks it runs, for failure messages. */
  tasks: Map<string, string[]>;
  /** Attempt id → slots its subtasks occupy here. */
  slots: Map<string, number>;
  /** When the process was started, ms since the epoch. */
  startedAt: number;
  /** Rejects when the process exits: calls to it race this, so none waits on a dead process. */
  dead: Promise<never>;
}

/** A taskmanager died while the jobmanager waited on it: a failure to recover from, not a bug. */
export class TaskManagerLost extends RecoverableDeployFailure {
  override name = 'TaskManagerLost';
}

/** A failure a taskmanager reported, or the loss of one, as the cluster describes it. */
export class ClusterJobFailure extends Error {
  constructor(readonly info: FailureInfo) {
    super(info.message);
  }

  /** Where it happened, for the JobMaster's restart causes. */
  /** The original error's stack on the taskmanager (none for a lost taskmanager). */
  get causeStack(): string | undefined {
    return this.info.cause?.stack;
  }

  get place(): { operator?: FailureInfo['operator']; taskManager?: number } {
    return { ...(this.info.operator ? { operator: this.info.operator } : {}), ...(this.info.taskManager !== undefined ? { taskManager: this.info.taskManager } : {}) };
  }
}

/** The taskmanagers the deployer schedules onto (the jobmanager's pool). */
export interface TaskManagerPool {
  /** Starts taskmanagers in place of dead ones; resolves with all of them, by id. */
  ensureTaskManagers(): Promise<readonly TaskManagerHandle[]>;
  /** Slots per taskmanager (`--slots`); undefined: as many as a job needs. */
  readonly slots?: number;
}

/**
 * One attempt of a job on taskmanagers, known to them as `<job id>@<attempt>`.
 *
 * @example
 * deployer.current?.onFinished(0, metrics, resources);
 */
export class TaskManagerAttempt implements DeployedAttempt {
  /** Taskmanagers that still run subtasks of this attempt. */
  readonly pending = new Set<number>();
  /** Final or last polled figures, by taskmanager. */
  readonly metrics = new Map<number, SubtaskMetrics[]>();
  /** Records of the attempt's `Sinks.collect()` sinks, by taskmanager, then operator uid. */
  readonly collected = new Map<number, Record<string, unknown[]>>();
  /** Progress of the job's replays, by taskmanager, as last polled. */
  readonly replays = new Map<number, ReplayProgress[]>();
  private readonly resources: TaskManagerResources[] = [];
  private involved: TaskManagerHandle[] = [];
  private settle!: (outcome: AttemptOutcome) => void;
  private settled = false;
  readonly done: Promise<AttemptOutcome>;
  taskCount = 0;

  constructor(
    readonly id: string,
    private readonly listener: AttemptListener,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  get ended(): boolean {
    return this.settled;
  }

  /** Assigns subtasks, deploys them on every involved taskmanager, then starts them. */
  async deploy(taskManagers: readonly TaskManagerHandle[], slots: number | undefined, jobGraph: JobGraphSpec, submission: JobSubmission, storage: CheckpointLocation, restore: RestoreSource | undefined): Promise<void> {
    const n = taskManagers.length;
    // Slot sharing groups get slots of their own, dealt round robin over the taskmanagers.
    const assignment = assignSubtasks(jobGraph, n, slots);
    this.taskCount = jobGraph.chains.reduce((sum, c) => sum + c.parallelism, 0);
    for (const tm of taskManagers) {
      const names: string[] = [];
      jobGraph.chains.forEach((c, ci) => {
        const sites = c.vertices.filter((v) => v.definedAt && v.kind !== 'source' && v.kind !== 'sink').map((v) => `${v.name} defined at ${v.definedAt}`);
        for (let s = 0; s < c.parallelism; s++) {
          if (assignment[ci]![s] !== tm.id) continue;
          names.push(`'${c.vertices.map((v) => v.name).join(' -> ')} (${s + 1}/${c.parallelism})'${sites.length ? ` (${sites.join(', ')})` : ''}`);
        }
      });
      if (names.length) {
        tm.tasks.set(this.id, names);
        tm.slots.set(this.id, slotsUsedOn(jobGraph, assignment, tm.id));
        this.pending.add(tm.id);
      }
    }
    this.involved = taskManagers.filter((tm) => this.pending.has(tm.id));
    const peers = taskManagers.map((tm) => tm.dataAddress);
    const deployment = { jobId: this.id, submission, assignment, peers, storage, ...(restore ? { restore: restore.checkpoint } : {}), ...(restore?.checks ? { restoreChecks: restore.checks } : {}) };
    try {
      await Promise.all(this.involved.map((tm) => Promise.race([tm.api.deploy(deployment), tm.dead])));
      if (this.settled) return;
      await Promise.all(this.involved.map((tm) => Promise.race([tm.api.start(this.id), tm.dead])));
    } catch (e) {
      // What was deployed must not stay behind on the taskmanagers that did deploy it.
      this.stop();
      throw e;
    }
  }

  triggerCheckpoint(barrier: BarrierEvent): void {
    for (const tm of this.involved) void tm.api.triggerCheckpoint(this.id, barrier).catch(() => {});
  }

  notifyCheckpointComplete(checkpointId: number): void {
    for (const tm of this.involved) if (tm.alive) void tm.api.notifyCheckpointComplete(this.id, checkpointId).catch(() => {});
  }

  async mailsDelivered(): Promise<void> {
    // Sent after the notifications on the same channel, so each taskmanager runs it after them.
    await Promise.all(this.involved.filter((tm) => tm.alive && this.pending.has(tm.id)).map((tm) => Promise.race([tm.api.mailsDelivered(this.id), tm.dead]).catch(() => {})));
  }

  resume(): void {
    for (const tm of this.involved) if (tm.alive) void tm.api.resume(this.id).catch(() => {});
  }

  stop(): void {
    for (const tmId of this.pending) {
      const tm = this.involved.find((t) => t.id === tmId);
      if (tm?.alive) void tm.api.cancel(this.id).catch(() => {});
    }
  }

  acknowledge(ack: CheckpointAck): void {
    this.listener.acknowledge(ack);
  }

  decline(checkpointId: number, reason: string, counts: boolean): void {
    this.listener.decline(checkpointId, reason, counts);
  }

  /** Taskmanagers whose subtasks all reached the end of their input. */
  private readonly inputEnded = new Set<number>();

  /** Every subtask on taskmanager `tm` reached the end of its input; the listener hears once all have. */
  onInputEnded(tm: number): void {
    if (this.settled || !this.pending.has(tm) || this.inputEnded.has(tm)) return;
    this.inputEnded.add(tm);
    if (this.involved.every((t) => this.inputEnded.has(t.id))) this.listener.endOfInput();
  }

  /**
   * Every subtask of the attempt on taskmanager `tm` has ended; `collected` holds the records of
   * its `Sinks.collect()` sinks by operator uid.
   */
  onFinished(tm: number, metrics: SubtaskMetrics[], resources: TaskManagerResources, collected?: Record<string, unknown[]>): void {
    if (this.settled || !this.pending.has(tm)) return;
    this.metrics.set(tm, metrics);
    if (collected) this.collected.set(tm, collected);
    // Its replays have ended with its subtasks.
    this.replays.delete(tm);
    this.resources.push(resources);
    this.pending.delete(tm);
    if (this.pending.size === 0) this.end(undefined);
  }

  /** A subtask failed, or a taskmanager running some was lost: the attempt ends, the others are cancelled. */
  onFailed(failure: FailureInfo, taskManagers: readonly (TaskManagerHandle | undefined)[]): void {
    if (this.settled) return;
    for (const tmId of this.pending) {
      const tm = taskManagers[tmId];
      tm?.tasks.delete(this.id);
      tm?.slots.delete(this.id);
      if (tm?.alive) void tm.api.cancel(this.id).catch(() => {});
    }
    this.end(new ClusterJobFailure(failure));
  }

  /** The records of every `Sinks.collect()` sink of the attempt, by operator uid, over all its taskmanagers. */
  collectedRecords(): Record<string, unknown[]> {
    const all: Record<string, unknown[]> = {};
    // One push per record: spreading a sink's records as arguments overflows the stack past ~100k
    // of them (a SQL SELECT's changelog over a large file), which killed the jobmanager.
    for (const rows of this.collected.values()) {
      for (const [uid, values] of Object.entries(rows)) {
        const into = (all[uid] ??= []);
        for (const value of values) into.push(value);
      }
    }
    return all;
  }

  private end(failure: ClusterJobFailure | undefined): void {
    this.settled = true;
    this.replays.clear();
    this.settle({ failure, metrics: [...this.metrics.values()].flat(), resources: this.resources.slice() });
  }
}

/**
 * Deploys one job's attempts onto the jobmanager's taskmanagers.
 *
 * @example
 * const deployer = new TaskManagerDeployer('job-1', submission, jobGraph, location, pool);
 * const master = new JobMaster(submission.plan, deployer, { storage });
 */
export class TaskManagerDeployer implements JobDeployer {
  /** The attempt deployed last (the one running, or being deployed). */
  current: TaskManagerAttempt | undefined;

  constructor(
    private readonly jobId: string,
    private readonly submission: JobSubmission,
    private readonly jobGraph: JobGraphSpec,
    private readonly storage: CheckpointLocation,
    private readonly pool: TaskManagerPool,
  ) {}

  async deploy(attempt: number, restore: RestoreSource | undefined, listener: AttemptListener): Promise<DeployedAttempt> {
    // A taskmanager may have died since the failure that led here: replace it first.
    const taskManagers = await this.pool.ensureTaskManagers();
    const deployed = new TaskManagerAttempt(`${this.jobId}@${attempt}`, listener);
    this.current = deployed;
    await deployed.deploy(taskManagers, this.pool.slots, this.jobGraph, this.submission, this.storage, restore);
    return deployed;
  }
}
