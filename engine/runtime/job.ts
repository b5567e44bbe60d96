import type { StreamGraphSpec } from '../plan/job-graph.ts';
import type { KeySelector, OperatorFactory } from './operator.ts';
import type { CustomPartitioner } from './network/partitioners.ts';
import type { JobReport, OperatorReport, RestartCause } from './host.ts';
import type { CheckpointStats } from './checkpoint-stats.ts';
import type { ReplayProgress } from './replay-control.ts';
import type { ReplayAction } from './job-replays.ts';

export type { ReplayAction } from './job-replays.ts';
export type { ReplayProgress } from './replay-control.ts';

/** The user code behind one vertex of the plan. */
export interface VertexCode {
  createOperator: OperatorFactory;
  /** For keyed operators: the key selector of each input (index 0, and 1 for two inputs). */
  keySelectors?: (KeySelector | undefined)[];
  /** For a `Sinks.collect()` sink: the array its records go to in this process. */
  collected?: unknown[];
}

/** The user code behind one edge (hash and custom partitioning). */
export interface EdgeCode {
  keySelector?: KeySelector;
  customPartitioner?: CustomPartitioner;
}

/**
 * A runnable job: the plain-data plan plus the code it needs, matched by vertex id and edge
 * index. The plan alone can be printed or exported; the code is rebuilt in every process by
 * evaluating the same program.
 */
export interface JobDefinition {
  graph: StreamGraphSpec;
  vertices: Map<number, VertexCode>;
  /** Parallel to `graph.edges`. */
  edges: EdgeCode[];
}

/** A job's final outcome. */
export interface JobResult {
  report: JobReport;
}

/**
 * How `stopWithSavepoint` stops a job.
 *
 * @example
 * await client.stopWithSavepoint?.({ drain: true });
 */
export interface StopOptions {
  /** Advance event time to the end before the savepoint, so that every window fires (Flink's `--drain`). */
  drain?: boolean;
}

/**
 * One restart after a failure: when (epoch ms), the failure's message, and where it happened
 * when that is known (the operator's subtask, the taskmanager). The same record as a report's
 * `restartCauses`.
 *
 * @example
 * const r: RestartInfo = { at: Date.now(), cause: 'boom', operator: { uid: 'm', name: 'Map', subtask: 1, parallelism: 2 }, taskManager: 0 };
 */
export type RestartInfo = RestartCause;

/**
 * Where a job is in its life (Flink's JobStatus, as the JobMaster's state machine has it):
 * CREATED until its tasks run, RUNNING, RESTARTING after a failure, STOPPING (with a savepoint)
 * or CANCELLING, then one of the three final states. docs/ARCHITECTURE.md has the transitions.
 *
 * @example
 * if (client.state?.() === 'RESTARTING') console.log('recovering from the latest checkpoint');
 */
export type JobState = 'CREATED' | 'RUNNING' | 'RESTARTING' | 'STOPPING' | 'CANCELLING' | 'FINISHED' | 'CANCELED' | 'FAILED';

/** Handle of a running job, wherever it runs. */
export interface JobClient {
  readonly jobName: string;
  /** Resolves when the job finishes; rejects with JobExecutionError when it fails. */
  readonly result: Promise<JobResult>;
  /** Stops the job without a savepoint; `result` then resolves with status CANCELED. */
  cancel(): void;
  /** Current figures per operator, with rates since the previous call. */
  metrics(): OperatorReport[];
  /**
   * The checkpoint history so far (savepoints included), newest last; a copy. Every checkpoint
   * since the job started is listed, the older ones without per-operator sizes; `fromId` lists
   * only those with ids ≥ it (a job checkpointing every 100 ms has 36,000 an hour, so a poller
   * asks for the newest). Absent where the executor does not report it; empty while the job does
   * not checkpoint.
   *
   * @example
   * const completed = client.checkpoints?.().filter((c) => c.status === 'COMPLETED') ?? [];
   * const lastHundred = client.checkpoints?.(latestId - 99);
   */
  checkpoints?(fromId?: number): CheckpointStats[];
  /**
   * Takes a savepoint and keeps the job running; resolves with the savepoint's location.
   * Rejects when the job does not checkpoint or has ended.
   *
   * @example
   * const location = await client.triggerSavepoint?.();
   */
  triggerSavepoint?(): Promise<string>;
  /**
   * Stops the job with a final savepoint (Flink's stop-with-savepoint): every task suspends
   * right after its part of the savepoint (nothing is emitted after it), the savepoint
   * completes, every two-phase-commit sink commits it, then the tasks end and `result` resolves
   * with status FINISHED. With `drain`, event time first advances to the end so that every
   * window fires into the savepoint. Resolves with the savepoint's location; rejects (and the
   * job keeps running) when it cannot be taken, e.g. because the job does not checkpoint.
   *
   * @example
   * const location = await client.stopWithSavepoint?.();
   * // later: resume with { restoreFrom: location }
   * await other.stopWithSavepoint?.({ drain: true }); // fire every window first
   */
  stopWithSavepoint?(options?: StopOptions): Promise<string>;
  /**
   * The restarts so far, oldest first: when (epoch ms) and the failure that caused each.
   *
   * @example
   * client.restarts?.().at(-1)?.cause; // 'Map (2/2) failed: boom'
   */
  restarts?(): RestartCause[];
  /**
   * The job's state as of the last status the client has; absent where the executor does not
   * report it.
   *
   * @example
   * if (client.state?.() === 'RUNNING') console.log('running');
   */
  state?(): JobState;
  /**
   * Progress of the job's replay sources that are running (an ended replay drops out).
   *
   * @example
   * for (const r of client.replays?.() ?? []) console.log(r.name, r.percent.toFixed(1) + '%');
   */
  replays?(): ReplayProgress[];
  /**
   * Pauses, resumes, changes the speed of or seeks the job's running replay `name`. Rejects,
   * naming the replay, when the job runs no such replay (or the action is invalid).
   *
   * @example
   * await client.controlReplay?.('trips', { speed: 600 });
   * await client.controlReplay?.('trips', { pause: true });
   */
  controlReplay?(name: string, action: ReplayAction): Promise<void>;
}
