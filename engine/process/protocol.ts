/**
 * The control plane between the client (`weir run`, the notebook kernel), the jobmanager and
 * the taskmanagers: typed service interfaces called with comlink over IPC, and the plain-data
 * messages they exchange. Every value here is structured-cloneable.
 */
import type { JobIdentity } from './job-identity.ts';
import type { StreamGraphSpec } from '../plan/job-graph.ts';
import type { HostDefaults, JobReport, OperatorReport, RestartCause, WorkerResources } from '../runtime/host.ts';
import type { JobState } from '../checkpoint/job-master/job-state.ts';
import type { SubtaskMetrics } from '../runtime/metrics.ts';
import type { BarrierEvent } from '../runtime/elements.ts';
import type { CheckpointAck } from '../checkpoint/coordinator.ts';
import type { CheckpointStats } from '../checkpoint/types.ts';
import type { StoredCheckpoint } from '../checkpoint/storage.ts';
import type { ReplayAction } from '../runtime/job-replays.ts';
import type { ReplayProgress } from '../runtime/replay-control.ts';
import type { RestoreChecks } from '../state/state-migration.ts';

/** Where the code that builds a job lives: a module that, when imported, calls `execute()`. */
export interface CodeRef extends JobIdentity {
  /** File URL of the module (a job bundle of notebook cells, or an exported bundle). */
  moduleUrl: string;
  /** The job's base directory (`HostDefaults.baseDir`) when the submitter's defaults do not carry it (one cluster serves several notebooks). */
  baseDir?: string;
  /**
   * The cells' captured values the job reads, as the client had them at `execute()`
   * (app/kernel/captured-values.ts, base64 of a v8-serialised record keyed `cell:name`). With
   * them the code runs only its slice: the cells' other statements are skipped.
   */
  captured?: string;
}

/** A job as the client submits it. */
export interface JobSubmission {
  plan: StreamGraphSpec;
  code: CodeRef;
  /** Resume from this savepoint or checkpoint (a directory or its `_metadata`). */
  fromSavepoint?: string;
  /** Skip state of operators that are not in the job (or changed) instead of refusing the savepoint. */
  allowNonRestoredState?: boolean;
  /** Where this job's savepoints go, instead of the cluster's `savepointDir` (the workbench: next to the notebook). */
  savepointDir?: string;
  /** Restore a savepoint of a job with another name. */
  allowJobMismatch?: boolean;
  /** The client's defaults for environments (`--mode`, `--parallelism`): the code must see the same. */
  defaults: HostDefaults;
}

/** Options of the cluster the jobmanager runs. */
export interface ClusterOptions {
  /** Number of taskmanager processes. */
  taskManagers: number;
  /** Slots per taskmanager; undefined: as many as the job needs. */
  slots?: number;
  /** How often the jobmanager checks its taskmanagers' heartbeats (ms; Flink's `heartbeat.interval`). Default 500. */
  heartbeatIntervalMs?: number;
  /**
   * How long a taskmanager may go without answering before it is lost (ms; Flink's
   * `heartbeat.timeout`), counted on the jobmanager's own on-time checks. Default 50,000.
   */
  heartbeatTimeoutMs?: number;
  /**
   * CPU time (ms) a taskmanager's main thread may spend in one turn of a task without answering
   * before its job fails as stuck in an endless loop (Linux). Default 3,000; when only
   * `heartbeatTimeoutMs` is given, that.
   */
  runawayCpuMs?: number;
  /** Where checkpoints are written (default: a `weir-checkpoints` directory in the OS temp dir). */
  checkpointDir?: string;
  /** Where savepoints are written (default: `<checkpointDir>/savepoints`). */
  savepointDir?: string;
  /**
   * How the jobmanager starts taskmanagers: 'fork' (itself, `child_process.fork`; the default)
   * or 'parent' (asks the client's launcher through relayed-launcher.ts: in the desktop app only
   * Electron's main process can start utility processes).
   */
  launchTaskManagers?: 'fork' | 'parent';
  /**
   * Completed checkpoints kept per job at least (the job's own `retained` if larger), so that a
   * client such as the workbench can restore an earlier one. Default: the job's `retained`.
   */
  minRetained?: number;
  /** Keep the retained checkpoints when a job ends, whatever its status (the workbench rewinds to them). */
  retainAfterEnd?: boolean;
}

/** Where a job's checkpoints and savepoints go, as taskmanagers need to know it. */
export interface CheckpointLocation {
  checkpointDir: string;
  savepointDir: string;
  jobName: string;
}

/** Where a failure happened and why, for the client to print. */
export interface FailureInfo {
  message: string;
  /** The original error's name, message and stack (user frames map to the notebook). */
  cause?: { name: string; message: string; stack?: string };
  operator?: { uid: string; name: string; subtask: number; parallelism: number };
  taskManager?: number;
}

/** A job's state as the client polls it. */
export interface JobStatus {
  /** Where the job is in its lifecycle (docs/ARCHITECTURE.md §7). */
  state: JobState;
  /** Live figures per operator (rates over the last interval). */
  operators: OperatorReport[];
  /** Set once the job has ended. */
  report?: JobReport;
  /** Checkpoint history from the id the client asked for (see `JobManagerApi.status`), newest last. */
  checkpoints: CheckpointStats[];
  /** Restarts after failures so far, with their causes. */
  restarts: RestartCause[];
  failure?: FailureInfo;
  taskManagers: number;
  /** Progress of the job's running replay sources, as of the last metrics poll or control action. */
  replays?: ReplayProgress[];
}

/** The jobmanager's API, called by the client. */
export interface JobManagerApi {
  submit(job: JobSubmission): Promise<string>;
  /**
   * The job's state; its `checkpoints` are those with ids ≥ `checkpointsFrom` (all by default),
   * so that a client polling every few ms gets each settled checkpoint once, not the whole
   * history every time.
   */
  status(jobId: string, checkpointsFrom?: number): Promise<JobStatus>;
  cancel(jobId: string): Promise<void>;
  /** The taskmanagers with their slots in use and memory (Flink's Task Managers view). */
  listTaskManagers(): Promise<TaskManagerInfo[]>;
  /** Takes a savepoint of a running job; resolves with its path. */
  triggerSavepoint(jobId: string): Promise<string>;
  /**
   * Stops the job with a final savepoint (docs/ARCHITECTURE.md §7): tasks suspend after its
   * barrier, sinks commit it, then the tasks end (status FINISHED); resolves with the path.
   * `drain` first advances event time to the end so that every window fires.
   */
  stopWithSavepoint(jobId: string, options?: { drain?: boolean }): Promise<string>;
  /**
   * Pauses, resumes, re-paces or seeks the job's replay `name` on the taskmanager that runs it;
   * rejects naming the replay when the job runs none of that name.
   */
  controlReplay(jobId: string, name: string, action: ReplayAction): Promise<void>;
  /** Stops every taskmanager and then the jobmanager itself. */
  shutdown(): Promise<void>;
}

/** What a taskmanager runs of one job. */
export interface TaskDeployment {
  jobId: string;
  submission: JobSubmission;
  /** chain id → subtask index → taskmanager id. */
  assignment: number[][];
  /** taskmanager id → data-plane address. */
  peers: string[];
  /** Where checkpoint state is written. */
  storage: CheckpointLocation;
  /** State to start from (a restart after a failure, or a savepoint). */
  restore?: StoredCheckpoint;
  /** How restored state must match what the operators declare (a start from the user's savepoint). */
  restoreChecks?: RestoreChecks;
}

/** A taskmanager's API, called by the jobmanager. */
export interface TaskManagerApi {
  /** Its id, slots and data-plane address. */
  hello(id: number): Promise<{ pid: number; dataAddress: string }>;
  /** Rebuilds the job from its code, checks the plan, creates its subtasks and channels. */
  deploy(deployment: TaskDeployment): Promise<void>;
  /** Starts the deployed subtasks. */
  start(jobId: string): Promise<void>;
  cancel(jobId: string): Promise<void>;
  /**
   * Resolves once every task of the job here has run the mails queued before this call (the
   * notify-complete of a stop's savepoint, sent just before), or the job has ended here.
   */
  mailsDelivered(jobId: string): Promise<void>;
  /** Resumes the job's tasks that a stop's savepoint suspended (that savepoint failed; the job goes on). */
  resume(jobId: string): Promise<void>;
  /** Figures of the job's subtasks here, with the progress of its replays that run here. */
  metrics(jobId: string): Promise<TaskManagerMetrics>;
  /**
   * Applies `action` to the job's replay `name` if it runs here; resolves with its progress
   * afterwards, or undefined when it does not run here. Rejects on an invalid action.
   */
  controlReplay(jobId: string, name: string, action: ReplayAction): Promise<ReplayProgress | undefined>;
  /** Injects the barrier at the job's source tasks on this taskmanager. */
  triggerCheckpoint(jobId: string, barrier: BarrierEvent): Promise<void>;
  notifyCheckpointComplete(jobId: string, checkpointId: number): Promise<void>;
  /** Answers while the taskmanager's event loop runs. */
  heartbeat(): Promise<number>;
  /** Its memory now. */
  usage(): Promise<TaskManagerUsage>;
}

/** A taskmanager's memory, as it answers `usage()`. */
export interface TaskManagerUsage {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
}

/**
 * A taskmanager as the jobmanager lists it: process, slots in use (absent total: as many as a
 * job needs), memory as it last answered, start time (epoch ms).
 *
 * @example
 * const tm: TaskManagerInfo = { id: 0, pid: 4242, alive: true, startedAt: Date.now(), slotsUsed: 1, rssBytes: 90e6 };
 */
export interface TaskManagerInfo extends Partial<TaskManagerUsage> {
  id: number;
  pid: number;
  alive: boolean;
  startedAt: number;
  slotsUsed: number;
  slotsTotal?: number;
}

/** What a taskmanager reports of one job when the jobmanager polls it. */
export interface TaskManagerMetrics {
  subtasks: SubtaskMetrics[];
  /** Progress of the job's replay sources running on this taskmanager. */
  replays: ReplayProgress[];
}

/** A taskmanager's use of the machine, reported with its results. */
export type TaskManagerResources = WorkerResources;

/** What taskmanagers tell the jobmanager. */
export interface TaskManagerEvents {
  /** Every subtask of the job on this taskmanager has finished. */
  finished(taskManager: number, jobId: string, metrics: SubtaskMetrics[], resources: TaskManagerResources, collected?: Record<string, unknown[]>): void;
  failed(taskManager: number, jobId: string, failure: FailureInfo): void;
  acknowledgeCheckpoint(taskManager: number, jobId: string, ack: CheckpointAck): void;
  /** A task could not take part; `counts` is false when that is expected (a source finished). */
  declineCheckpoint(taskManager: number, jobId: string, checkpointId: number, reason: string, counts: boolean): void;
  /** Every subtask of the job on this taskmanager reached the end of its input and waits for the final checkpoint. */
  inputEnded(taskManager: number, jobId: string): void;
}

/** Serialises an error for the control plane (comlink would lose `cause` and the operator). */
export function describeError(e: unknown): { name: string; message: string; stack?: string } {
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { name: 'Error', message: String(e) };
}
