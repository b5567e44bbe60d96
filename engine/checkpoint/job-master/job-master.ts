/**
 * The lifecycle of one job, wherever its tasks run (Flink's `JobMaster` with its
 * `SchedulerNG`): restore, deployment of attempts through a `JobDeployer`, the checkpoint
 * coordinator of each attempt, restarts with the job's strategy, cancel, stop-with-savepoint,
 * the checkpoint history and the final report. docs/ARCHITECTURE.md §7 draws it.
 */
import { CheckpointHistory, DETAILED_CHECKPOINTS } from '../checkpoint-history.ts';
import { validateGraph, type StreamGraphSpec } from '../../plan/job-graph.ts';
import type { BarrierEvent } from '../../runtime/elements.ts';
import type { JobReport, RestartCause, WorkerResources } from '../../runtime/host.ts';
import type { StopOptions } from '../../runtime/job.ts';
import { operatorReports } from '../../runtime/metrics.ts';
import { platform } from '../../runtime/platform.ts';
import { CheckpointCoordinator } from '../coordinator.ts';
import { RestartBackoff, resolveRestartStrategy } from '../restart-strategies.ts';
import type { CheckpointStorage } from '../storage.ts';
import { checkRestorable, metadataOperators, restorableState } from '../task-snapshots.ts';
import { DEFAULT_CHECKPOINT_CONFIG, type CheckpointConfigSpec, type CheckpointStats } from '../types.ts';
import { RecoverableDeployFailure, type AttemptListener, type AttemptOutcome, type DeployedAttempt, type JobDeployer, type RestoreSource } from './job-deployer.ts';
import { JobStateMachine, type JobState, type TerminalJobState } from './job-state.ts';
import { UNRECOVERABLE_FAILURES } from '../../state/state-migration.ts';

/** Options of one job's lifecycle. */
export interface JobMasterOptions {
  /** Where checkpoints and savepoints go. */
  storage: CheckpointStorage;
  /** Start from this checkpoint or savepoint: a location `storage.load` (or `restoreStorage.load`) understands. */
  restoreFrom?: string;
  /** The storage `restoreFrom` is in, when it is not `storage` (a rewind to another job's checkpoint). */
  restoreStorage?: CheckpointStorage;
  /** Drop the state of operators the job no longer has (or has changed), instead of refusing to start. */
  allowNonRestoredState?: boolean;
  /** Restore a savepoint of a job with another name (see restore-check.ts). */
  allowJobMismatch?: boolean;
  /** Keep at least this many completed checkpoints, more than the job asks for (the workbench rewinds to them). */
  minRetained?: number;
  /** Keep the retained checkpoints after the job ended, whatever its status. */
  retainAfterEnd?: boolean;
  /** The job's clock for durations, checkpoint timing and restart backoff (ms). Default: `Date.now`. */
  now?: () => number;
  /** Taskmanager processes the job runs on, for the report (absent in-process). */
  taskManagers?: number;
  /** Called after every state transition. */
  onStateChange?(from: JobState, to: JobState): void;
}

/** How a job ended: its report, and the failure when it FAILED. */
export interface JobOutcome {
  report: JobReport;
  /** What failed the job (the last attempt's failure), when `report.status` is FAILED. */
  failure?: unknown;
}

/**
 * A stop-with-savepoint that the job's own end overtook: the job is FINISHED with its output
 * complete, so there is no savepoint and nothing to resume. Recognised by its name, which
 * survives the control plane (`isJobFinishedBeforeStop`).
 */
export class JobFinishedBeforeStop extends Error {
  override name = 'JobFinishedBeforeStop';
}

/**
 * Whether `error` says a stop found its job finished (also after crossing a process boundary).
 *
 * @example
 * client.stopWithSavepoint!().catch((e) => { if (!isJobFinishedBeforeStop(e)) throw e; });
 */
export function isJobFinishedBeforeStop(error: unknown): boolean {
  return error instanceof Error && error.name === 'JobFinishedBeforeStop';
}

/**
 * Whether a job needs checkpoints or restarts, i.e. more than one plain run of its tasks.
 *
 * @example
 * needsFaultTolerance(env.buildJob('orders').graph); // true after env.enableCheckpointing(1000)
 */
export function needsFaultTolerance(graph: StreamGraphSpec): boolean {
  return checkpointsOf(graph) !== undefined || resolveRestartStrategy(graph.restartStrategy, graph.checkpointing).kind !== 'none';
}

/** The job's checkpoint settings when it takes checkpoints (streaming mode, interval > 0). */
export function checkpointsOf(graph: StreamGraphSpec): CheckpointConfigSpec | undefined {
  const config = graph.checkpointing ?? DEFAULT_CHECKPOINT_CONFIG;
  return graph.mode === 'streaming' && config.intervalMs > 0 ? config : undefined;
}

/**
 * Runs one job from CREATED to FINISHED, CANCELED or FAILED through its `JobStateMachine`.
 * Each (re)start deploys an attempt; while it runs, a `CheckpointCoordinator` takes periodic
 * checkpoints. When an attempt fails, the restart strategy decides; a restart deploys again
 * from the newest checkpoint of this run (or the savepoint it started from).
 *
 * Stop-with-savepoint: the savepoint's barrier carries `stop`, so every task suspends right
 * after its part of it; when it is complete and every task has run its notify-complete (sinks
 * committed), the attempt is stopped and the job is FINISHED. If the savepoint fails, the tasks
 * resume and the job is RUNNING again.
 *
 * @example
 * const master = new JobMaster(job.graph, new LocalDeployer(job, { clock, storage }), { storage });
 * const outcome = master.start();
 * const savepoint = await master.stopWithSavepoint();
 * (await outcome).report.status; // 'FINISHED'
 */
export class JobMaster {
  private readonly machine: JobStateMachine;
  private readonly now: () => number;
  private readonly config: CheckpointConfigSpec | undefined;
  /** Every checkpoint of the run, over all its attempts, compactly (checkpoint-history.ts). */
  private readonly history: CheckpointHistory;
  private readonly restartCauses: RestartCause[] = [];
  private readonly resources: WorkerResources[] = [];
  private attempt: DeployedAttempt | undefined;
  private attemptEnded = false;
  private coordinator: CheckpointCoordinator | undefined;
  /** The coordinator of the current attempt failed it (too many failed checkpoints). */
  private coordinatorFailure: Error | undefined;
  /** The newest checkpoint id taken (ids are never reused, across attempts and restores). */
  private lastCheckpointId = 0;
  /** The location of the newest checkpoint this run completed. */
  private latestCheckpoint: string | undefined;
  /** A stop asked for the next savepoint's barrier to carry these flags. */
  private stopRequest: StopOptions | undefined;
  /** The stop's savepoint completed and its notifications ran: the attempt ends as FINISHED. */
  private stopCommitted = false;
  private wakeFromDelay: (() => void) | undefined;
  private running: Promise<JobOutcome> | undefined;

  constructor(
    private readonly graph: StreamGraphSpec,
    private readonly deployer: JobDeployer,
    private readonly options: JobMasterOptions,
  ) {
    this.now = options.now ?? (() => Date.now());
    this.config = checkpointsOf(graph);
    // Every checkpoint kept in storage keeps its location in the history (a rewind needs it).
    this.history = new CheckpointHistory(Math.max(DETAILED_CHECKPOINTS, this.config?.retained ?? 0, options.minRetained ?? 0));
    this.machine = new JobStateMachine(graph.name, options.onStateChange);
  }

  /** Where the job is in its lifecycle. */
  get state(): JobState {
    return this.machine.state;
  }

  /** Whether the job is in `state` now (a call, so that checks after an await are not narrowed away). */
  private isIn(state: JobState): boolean {
    return this.machine.state === state;
  }

  /** Runs the job (once; later calls return the same outcome). Never rejects: a failure is in the outcome. */
  start(): Promise<JobOutcome> {
    this.running ??= this.run();
    return this.running;
  }

  /**
   * The checkpoint history, savepoints included, oldest first, from checkpoint id `fromId` on
   * (all by default); a copy. Per-operator detail is kept for the newest checkpoints only.
   */
  checkpoints(fromId = 0): CheckpointStats[] {
    return this.history.from(fromId);
  }

  /** The restarts so far with their causes, oldest first; a copy. */
  restarts(): RestartCause[] {
    return this.restartCauses.map((r) => ({ ...r }));
  }

  /** Ends the job without a savepoint: CANCELLING, then CANCELED once its tasks have ended. */
  cancel(): void {
    if (!this.machine.can('CANCELLING')) return;
    this.machine.transition('CANCELLING');
    this.attempt?.stop();
    this.wakeFromDelay?.();
  }

  /** Takes a savepoint while the job keeps running; resolves with its location. */
  async triggerSavepoint(): Promise<string> {
    const stats = await this.runningCoordinator().trigger(true);
    return stats.path!;
  }

  /**
   * Stops the job with a final savepoint (see the class comment); resolves with its location
   * once the sinks have committed it. Rejects, and the job goes on, when the savepoint fails.
   */
  async stopWithSavepoint(options: StopOptions = {}): Promise<string> {
    const coordinator = this.runningCoordinator();
    const attempt = this.attempt!;
    this.machine.transition('STOPPING');
    this.stopRequest = { drain: options.drain === true };
    let stats: CheckpointStats;
    try {
      stats = await coordinator.trigger(true);
    } catch (e) {
      this.stopRequest = undefined;
      if (this.attempt === attempt && !this.attemptEnded && this.isIn('STOPPING')) {
        attempt.resume();
        this.machine.transition('RUNNING');
      }
      throw this.stopFailure(e);
    }
    // Notify-complete went to every task with the completion; end only once they have run it.
    await Promise.race([attempt.mailsDelivered(), attempt.done]);
    if (this.attempt === attempt && this.isIn('STOPPING')) {
      this.stopCommitted = true;
      attempt.stop();
    }
    return stats.path!;
  }

  /** Why a stop's savepoint failed, in the words of what happened to the job meanwhile. */
  private stopFailure(e: unknown): Error {
    const message = e instanceof Error ? e.message : String(e);
    if (this.attemptEnded && this.coordinatorFailure === undefined && this.state !== 'RESTARTING') {
      return new JobFinishedBeforeStop(`Job '${this.graph.name}' finished before its final savepoint completed, so there was nothing left to stop (${message})`);
    }
    return e instanceof Error ? e : new Error(message);
  }

  private runningCoordinator(): CheckpointCoordinator {
    if (!this.config) throw new Error(`Job '${this.graph.name}' does not take checkpoints, so it cannot take a savepoint: enable them with env.enableCheckpointing(intervalMs)`);
    if (this.isIn('STOPPING')) throw new Error(`Job '${this.graph.name}' is already stopping with a savepoint`);
    if (this.state !== 'RUNNING' || !this.coordinator) throw new Error(`Job '${this.graph.name}' is not running (it is ${this.state})`);
    return this.coordinator;
  }

  private async run(): Promise<JobOutcome> {
    const started = this.now();
    const graph = this.graph;
    const backoff = new RestartBackoff(resolveRestartStrategy(graph.restartStrategy, graph.checkpointing), { clock: this.now });
    let failure: unknown;
    let outcome: AttemptOutcome = { failure: undefined, metrics: [] };
    try {
      validateGraph(graph);
      const initial = await this.loadInitialRestore();
      let restore = initial;
      for (let n = 0; ; n++) {
        if (this.isIn('CANCELLING')) break;
        let attempt: DeployedAttempt;
        const holder: AttemptHolder = {};
        try {
          attempt = await this.deployer.deploy(n, restore, listenerOf(holder));
        } catch (e) {
          if (this.isIn('CANCELLING')) break;
          if (!(e instanceof RecoverableDeployFailure)) throw e;
          if (!(await this.restartAfter(e, backoff))) {
            failure = e;
            break;
          }
          restore = (await this.latestRestorable()) ?? initial;
          continue;
        }
        this.attempt = attempt;
        this.attemptEnded = false;
        this.coordinatorFailure = undefined;
        if (this.isIn('CANCELLING')) attempt.stop();
        else this.machine.transition('RUNNING');
        holder.coordinator = this.config && this.isIn('RUNNING') ? this.startCoordinator(attempt, this.config, holder) : undefined;
        // The tasks may have reached the end of their input before the coordinator existed.
        if (holder.inputEnded) triggerFinalCheckpoint(holder);
        outcome = await attempt.done;
        this.attemptEnded = true;
        if (outcome.resources) this.resources.push(...outcome.resources);
        failure = outcome.failure ?? this.coordinatorFailure;
        holder.coordinator?.stop(failure !== undefined ? 'the job failed' : this.isIn('CANCELLING') ? 'the job was cancelled' : 'the job finished');
        this.coordinator = undefined;
        // Ending the tasks of a cancel or a committed stop may fail some (a peer went first):
        // that is the end going on, not a failure of the job.
        if (this.isIn('CANCELLING') || this.stopCommitted) failure = undefined;
        if (failure === undefined) break;
        if (!(await this.restartAfter(failure, backoff))) break;
        failure = undefined;
        if (this.isIn('CANCELLING')) break;
        restore = (await this.latestRestorable()) ?? initial;
      }
    } catch (e) {
      failure = e;
    }
    const status = this.end(failure);
    const report: JobReport = {
      name: graph.name,
      status,
      durationMs: Math.max(0, this.now() - started),
      operators: operatorReports(graph, outcome.metrics),
      checkpoints: this.checkpoints(),
      restarts: this.restartCauses.length,
      restartCauses: this.restarts(),
      ...(this.options.taskManagers !== undefined ? { taskManagers: this.options.taskManagers } : {}),
      ...(this.resources.length ? { taskManagerResources: this.resources.map((r) => ({ ...r })) } : {}),
    };
    // Checkpoints belong to the run: gone when it ends, unless retained (savepoints always stay).
    const retainOnCancel = this.config?.retainOnCancel ?? false;
    if (!this.options.retainAfterEnd && (status === 'FINISHED' || (status === 'CANCELED' && !retainOnCancel))) await this.options.storage.cleanup(0).catch(() => {});
    return status === 'FAILED' ? { report, failure } : { report };
  }

  /** Moves to the final state the run's end calls for; returns it. */
  private end(failure: unknown): TerminalJobState {
    const to: TerminalJobState = this.isIn('CANCELLING') ? 'CANCELED' : failure !== undefined ? 'FAILED' : 'FINISHED';
    this.machine.transition(to);
    return to;
  }

  /** The savepoint or checkpoint to start from, checked against the job before any task starts. */
  private async loadInitialRestore(): Promise<RestoreSource | undefined> {
    if (this.options.restoreFrom === undefined) return undefined;
    const storage = this.options.restoreStorage ?? this.options.storage;
    const checkpoint = await storage.load(this.options.restoreFrom);
    // Checked before any task starts; what the check let through is all that is restored.
    const allowNonRestoredState = this.options.allowNonRestoredState ?? false;
    const uids = checkRestorable(checkpoint, this.graph, { allowNonRestoredState, allowJobMismatch: this.options.allowJobMismatch ?? false });
    this.lastCheckpointId = checkpoint.metadata.checkpointId;
    // What the plan cannot show (the states a user function declares in open()) the tasks check as they open.
    return { checkpoint: restorableState(checkpoint, uids), storage, checks: { fromSavepoint: true, allowNonRestoredState } };
  }

  /** Asks the restart strategy; when it allows, RESTARTING after its delay. False: no restart (or cancelled meanwhile). */
  private async restartAfter(failure: unknown, backoff: RestartBackoff): Promise<boolean> {
    // A restart would restore the same state into the same declarations and fail again.
    if (isUnrecoverable(failure)) return false;
    const decision = backoff.onFailure(this.now());
    if (!decision.restart) return false;
    this.machine.transition('RESTARTING');
    this.restartCauses.push({ at: Date.now(), cause: failure instanceof Error ? failure.message : String(failure), ...failurePlace(failure), ...failureStack(failure) });
    await this.delay(decision.delayMs);
    return this.isIn('RESTARTING');
  }

  /** The newest checkpoint this run completed, if it can still be opened. */
  private async latestRestorable(): Promise<RestoreSource | undefined> {
    const storage = this.options.storage;
    if (this.latestCheckpoint === undefined) return undefined;
    try {
      return { checkpoint: await storage.load(this.latestCheckpoint), storage };
    } catch {
      const latest = await storage.latest();
      return latest ? { checkpoint: latest, storage } : undefined;
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = platform.setTimeout(() => done(), ms);
      const done = () => {
        platform.clearTimeout(handle);
        this.wakeFromDelay = undefined;
        resolve();
      };
      this.wakeFromDelay = done;
    });
  }

  private startCoordinator(attempt: DeployedAttempt, config: CheckpointConfigSpec, holder: AttemptHolder): CheckpointCoordinator {
    const storage = this.options.storage;
    const coordinator: CheckpointCoordinator = new CheckpointCoordinator(
      config,
      {
        // After the end of input every checkpoint is a final one: it goes to every task.
        trigger: (barrier) => attempt.triggerCheckpoint(this.withStopFlags(holder.inputEnded ? { ...barrier, endOfInput: true } : barrier)),
        complete: (metadata) => storage.complete(metadata),
        notifyComplete: (id) => {
          this.lastCheckpointId = id;
          const completed = coordinator.history.get(id);
          if (completed && !completed.savepoint && completed.path !== undefined) this.latestCheckpoint = completed.path;
          attempt.notifyCheckpointComplete(id);
        },
        discard: (id, savepoint) => storage.discard(id, savepoint ? 'savepoint' : 'checkpoint'),
        failJob: (reason) => {
          this.coordinatorFailure = new Error(reason);
          attempt.stop();
        },
        retain: () => storage.cleanup(Math.max(config.retained, this.options.minRetained ?? 0)),
      },
      attempt.taskCount,
      { name: this.graph.name, operators: metadataOperators(this.graph) },
      this.now,
      // Never reuse an id: a failed attempt's checkpoint of that id may still be written or discarded.
      Math.max(this.lastCheckpointId, this.history.lastId) + 1,
      this.history,
    );
    this.coordinator = coordinator;
    coordinator.start();
    return coordinator;
  }

  /** The barrier of the savepoint a stop asked for carries `stop` (and `drain`); others go as they are. */
  private withStopFlags(barrier: BarrierEvent): BarrierEvent {
    const stop = barrier.savepoint ? this.stopRequest : undefined;
    if (!stop) return barrier;
    this.stopRequest = undefined;
    return { ...barrier, stop: true, ...(stop.drain ? { drain: true } : {}) };
  }
}

/** One attempt's coordinator (once it has one), and whether all its tasks reached the end of their input. */
interface AttemptHolder {
  coordinator?: CheckpointCoordinator;
  inputEnded?: boolean;
}

/**
 * Routes an attempt's acknowledgements to its coordinator, once it has one. When every task
 * has reached the end of its input, the final checkpoint is triggered at once (FLIP-147): the
 * tasks wait for it to commit their sinks' last transactions and end.
 */
function listenerOf(holder: AttemptHolder): AttemptListener {
  return {
    acknowledge: (ack) => holder.coordinator?.acknowledge(ack),
    decline: (id, reason, counts) => holder.coordinator?.decline(id, reason, counts),
    endOfInput: () => {
      holder.inputEnded = true;
      triggerFinalCheckpoint(holder);
    },
  };
}

/** Delay before a failed final checkpoint is taken again (ms). */
const FINAL_CHECKPOINT_RETRY_MS = 100;

/** Triggers the final checkpoint, and again while it fails: the tasks wait for one to complete. */
function triggerFinalCheckpoint(holder: AttemptHolder): void {
  const coordinator = holder.coordinator;
  coordinator?.trigger(false).catch(() => {
    if (holder.coordinator === coordinator && !coordinator.isStopped) platform.setTimeout(() => triggerFinalCheckpoint(holder), FINAL_CHECKPOINT_RETRY_MS);
  });
}

/**
 * The stack of a failure, for the exceptions history: the original error's (a failure on a
 * taskmanager carries it as `causeStack`; a lost taskmanager has none), else the wrapped cause's.
 */
function failureStack(failure: unknown): Pick<RestartCause, 'stack'> {
  if (failure === null || typeof failure !== 'object') return {};
  const f = failure as { causeStack?: string; cause?: unknown; stack?: string };
  if ('causeStack' in f) return f.causeStack ? { stack: f.causeStack } : {};
  const stack = (f.cause instanceof Error ? f.cause.stack : undefined) ?? f.stack;
  return stack ? { stack } : {};
}

/**
 * Whether a failure is one a restart cannot help (`UNRECOVERABLE_FAILURES`), here or as a
 * taskmanager reported it: the error, its causes, or the described cause a cluster failure carries.
 */
function isUnrecoverable(failure: unknown): boolean {
  for (let e = failure, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const err = e as { name?: unknown; cause?: unknown; info?: { cause?: { name?: unknown } } };
    if (UNRECOVERABLE_FAILURES.has(String(err.name)) || UNRECOVERABLE_FAILURES.has(String(err.info?.cause?.name))) return true;
    e = err.cause;
  }
  return false;
}

/**
 * Where a failure happened, when its error says (a deployer's failure carries the operator's
 * subtask and the taskmanager): a restart's cause then names them.
 */
function failurePlace(failure: unknown): Pick<RestartCause, 'operator' | 'taskManager'> {
  const where = (failure as { place?: Pick<RestartCause, 'operator' | 'taskManager'> } | null)?.place;
  if (!where) {
    // In one process the failure is the operator's own (OperatorFailure): it names the subtask.
    const op = (failure as { name?: unknown; operator?: Partial<NonNullable<RestartCause['operator']>> } | null)?.operator;
    if ((failure as { name?: unknown } | null)?.name !== 'OperatorFailure' || !op || typeof op.uid !== 'string' || typeof op.name !== 'string' || typeof op.subtask !== 'number' || typeof op.parallelism !== 'number') return {};
    return { operator: { uid: op.uid, name: op.name, subtask: op.subtask, parallelism: op.parallelism } };
  }
  return { ...(where.operator ? { operator: where.operator } : {}), ...(where.taskManager !== undefined ? { taskManager: where.taskManager } : {}) };
}
