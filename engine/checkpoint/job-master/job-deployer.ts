/**
 * The one seam between a job's lifecycle (`JobMaster`) and where its tasks run (Flink's
 * `ExecutionGraph` deployment through a `TaskManagerGateway`). Two adapters implement it: tasks
 * in this process (`LocalDeployer`) and tasks in taskmanager slots (the jobmanager's
 * `TaskManagerDeployer`). Everything else — restore, coordinator, restarts, stop, cancel, the
 * report — is the JobMaster's and the same for both.
 */
import type { BarrierEvent } from '../../runtime/elements.ts';
import type { WorkerResources } from '../../runtime/host.ts';
import type { SubtaskMetrics } from '../../runtime/metrics.ts';
import type { CheckpointAck } from '../coordinator.ts';
import type { CheckpointStorage, StoredCheckpoint } from '../storage.ts';
import type { RestoreChecks } from '../../state/state-migration.ts';

/** State to start an attempt from: a checkpoint or savepoint, and the storage it is in. */
export interface RestoreSource {
  checkpoint: StoredCheckpoint;
  storage: CheckpointStorage;
  /** How restored state must match the operators' declarations (a start from the user's savepoint); absent on restarts. */
  checks?: RestoreChecks;
}

/** What the tasks of an attempt report back to the JobMaster. */
export interface AttemptListener {
  /** A task took and wrote its part of a checkpoint. */
  acknowledge(ack: CheckpointAck): void;
  /** A task could not take part; `counts` is false when that is expected (a source finished). */
  decline(checkpointId: number, reason: string, counts: boolean): void;
  /**
   * Every task reached the end of its input and waits for the final checkpoint (FLIP-147): the
   * next checkpoint goes to every task (`BarrierEvent.endOfInput`), and its notification ends them.
   */
  endOfInput(): void;
}

/** How one attempt ended. */
export interface AttemptOutcome {
  /** The first failure, or undefined for a clean end (every task finished) or a stop. */
  failure: unknown;
  /** Final figures of the attempt's subtasks. */
  metrics: SubtaskMetrics[];
  /** The worker processes' use of the machine, where the tasks ran in workers. */
  resources?: WorkerResources[];
}

/**
 * One deployment of the job's tasks, running.
 *
 * @example
 * const attempt = await deployer.deploy(0, undefined, listener);
 * attempt.triggerCheckpoint(barrier);
 * const { failure } = await attempt.done;
 */
export interface DeployedAttempt {
  /** Tasks that must acknowledge each checkpoint. */
  readonly taskCount: number;
  /** Settles when every task has ended (finished, failed, or stopped); never rejects. */
  readonly done: Promise<AttemptOutcome>;
  /**
   * Injects the barrier at the source tasks; declines it (through the listener) when some task
   * has finished or reached the end of its input. A barrier with `endOfInput` goes to every task.
   */
  triggerCheckpoint(barrier: BarrierEvent): void;
  /** Tells every task that the checkpoint completed (two-phase-commit sinks commit). */
  notifyCheckpointComplete(checkpointId: number): void;
  /** Resolves once every task has run what it was told before this call (or the attempt ended). */
  mailsDelivered(): Promise<void>;
  /** Resumes the tasks a stop's barrier suspended: that savepoint failed, the job goes on. */
  resume(): void;
  /** Ends every task after its current step; `done` then settles. */
  stop(): void;
}

/**
 * Deploys attempts of one job.
 *
 * @example
 * const master = new JobMaster(job.graph, new LocalDeployer(job, options), { storage });
 */
export interface JobDeployer {
  /**
   * Deploys and starts attempt `attempt` (0 first, +1 per restart) with the state of `restore`.
   * Rejects when it cannot: with a `RecoverableDeployFailure` when a restart may succeed (a
   * worker died meanwhile), with anything else when it never will (the plan cannot be built).
   */
  deploy(attempt: number, restore: RestoreSource | undefined, listener: AttemptListener): Promise<DeployedAttempt>;
}

/**
 * A deployment that failed for a reason a restart may not meet again (a worker process died
 * while the tasks were being deployed): the restart strategy decides, as for a task failure.
 */
export class RecoverableDeployFailure extends Error {
  override name = 'RecoverableDeployFailure';
}
