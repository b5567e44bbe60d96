/**
 * The seam between the engine and whatever process hosts it (the `weir run` CLI, the notebook
 * kernel, a test). The host installs itself once; `env.execute()` reads defaults from it and
 * reports every finished job to it.
 *
 * A process that builds several jobs at once from their code (a taskmanager rebuilding them)
 * gives each build a host of its own through a scope (engine/process/job-build-scope.ts), as
 * Flink gives a program its context environment through a thread-local factory
 * (`StreamExecutionEnvironment.initializeContextEnvironment`). The engine is one module
 * instance per process (the build splits it into shared chunks; cells import it by URL), so
 * module state is the process's state.
 */
import type { JobClient, JobDefinition } from './job.ts';
import type { CheckpointStats } from './checkpoint-stats.ts';

export type RuntimeMode = 'streaming' | 'batch';

/** Defaults that apply to environments which do not set the value themselves. */
export interface HostDefaults {
  /** Execution mode for environments created without `mode`. */
  mode?: RuntimeMode;
  /** Parallelism for environments created without `parallelism`. */
  parallelism?: number;
  /**
   * Absolute directory that relative paths of sources and sinks resolve against: the
   * notebook's folder (or, for an exported job, the directory `weir run` is started in). It is
   * captured when a source or sink is defined and travels with the job to the taskmanagers.
   */
  baseDir?: string;
  /** Job parameters (`weir run --param name=value`), read in cells through `params`. */
  params?: Readonly<Record<string, string>>;
}

/** Per-operator figures of a finished job, as written to `weir run --report`. */
export interface OperatorReport {
  uid: string;
  name: string;
  parallelism: number;
  recordsIn: number;
  recordsOut: number;
  /** Records per second over the last metrics interval (live metrics). */
  recordsInPerSecond?: number;
  recordsOutPerSecond?: number;
  /** The minimum watermark over subtasks (-Infinity before the first; null in JSON). */
  watermark?: number;
  /** Estimated heap bytes of the operator's state, summed over subtasks. */
  stateBytes?: number;
  /** Per subtask figures. */
  subtasks?: SubtaskReport[];
}

/** One parallel instance of an operator. */
export interface SubtaskReport {
  subtask: number;
  recordsIn: number;
  recordsOut: number;
  recordsInPerSecond: number;
  recordsOutPerSecond: number;
  /** Share of time (0..1) the subtask's task was working, over the last interval (or the whole run). */
  busyRatio: number;
  /** Share of time (0..1) it could not send because a consumer gave no credit. */
  backPressuredRatio: number;
  watermark: number;
  stateEntries: number;
  stateBytes: number;
  /** The taskmanager that runs it (absent when the job runs in one process). */
  taskManager?: number;
}

/**
 * One restart of a job: when (epoch ms), the failure that caused it, and where it happened when
 * that is known (the operator's subtask, the taskmanager).
 *
 * @example
 * const cause: RestartCause = { at: Date.now(), cause: "Map (2/2) failed: boom", taskManager: 1 };
 */
export interface RestartCause {
  at: number;
  cause: string;
  operator?: { uid: string; name: string; subtask: number; parallelism: number };
  taskManager?: number;
  /** The failure's stack, where it came from a user function or the engine (none for a lost process). */
  stack?: string;
}

/**
 * A worker process's use of the machine while it ran a job's subtasks.
 *
 * @example
 * const r: WorkerResources = { taskManager: 0, pid: 4242, peakRssBytes: 80e6 };
 */
export interface WorkerResources {
  taskManager: number;
  pid: number;
  /** Peak resident set size of the process so far, in bytes. */
  peakRssBytes: number;
}

/**
 * One job's summary, as written to `weir run --report` and handed to `onJobFinished`.
 *
 * @example
 * const { report } = await client.result;
 * report.checkpoints.filter((c) => c.status === 'COMPLETED').length;
 */
export interface JobReport {
  name: string;
  status: 'FINISHED' | 'FAILED' | 'CANCELED';
  durationMs: number;
  operators: OperatorReport[];
  /** Every checkpoint and savepoint the job triggered, oldest first. */
  checkpoints: CheckpointStats[];
  restarts: number;
  /** The restarts with their causes, oldest first (absent when there were none to report). */
  restartCauses?: RestartCause[];
  /** Taskmanager processes of the cluster the job ran on (absent for a job run in-process). */
  taskManagers?: number;
  /** Each taskmanager's use of the machine, as it reported when it finished its subtasks. */
  taskManagerResources?: WorkerResources[];
  /** The failure message, when status is FAILED. */
  error?: string;
  /**
   * Records of `Sinks.collect()` sinks gathered on taskmanagers, by operator uid; `execute()`
   * moves them into the sinks' `values` and removes them from the report.
   */
  collected?: Record<string, unknown[]>;
}

/** What a host provides. Every member is optional. */
export interface ExecutionHost {
  defaults?: HostDefaults;
  /** Called once per job when it finishes, fails or is cancelled. */
  onJobFinished?(report: JobReport): void;
  /** Informational one-liners from the engine (e.g. "chart sink ignored in headless mode"). */
  note?(message: string): void;
  /** True when no UI can show charts (headless `weir run`). */
  headless?: boolean;
  /**
   * Runs a job somewhere other than in this process (worker processes). Returns undefined to
   * let the job run in this process.
   */
  submitJob?(job: JobDefinition): JobClient | undefined;
  /** Called when a job has started, with its handle (live metrics, cancel). */
  onJobStarted?(client: JobClient): void;
  /**
   * Called when code reads a job parameter, with the value it got (given or its default;
   * undefined: neither). `weir export` records them in job.json.
   */
  onParamRead?(name: string, value: string | undefined): void;
}

/** The host of this process (`installExecutionHost`). */
let installed: ExecutionHost | undefined;
/** The host of the job build the calling code belongs to, when the process scopes builds. */
let scoped: (() => ExecutionHost | undefined) | undefined;

/**
 * Installs `host` for this process; returns a function that restores the previous host.
 *
 * @example
 * const restore = installExecutionHost({ headless: true, defaults: { mode: 'batch' } });
 */
export function installExecutionHost(host: ExecutionHost): () => void {
  const previous = installed;
  installed = host;
  return () => {
    installed = previous;
  };
}

/**
 * Lets a process give the code of each job build its own host: `executionHost()` asks
 * `current` first, and uses the process's host when it answers undefined.
 *
 * @example
 * const builds = new AsyncLocalStorage<ExecutionHost>();
 * scopeExecutionHosts(() => builds.getStore());
 */
export function scopeExecutionHosts(current: () => ExecutionHost | undefined): void {
  scoped = current;
}

/**
 * The host of the calling code: its job build's, else the process's, else an empty one.
 *
 * @example
 * const parallelism = executionHost().defaults?.parallelism ?? 1;
 */
export function executionHost(): ExecutionHost {
  return scoped?.() ?? installed ?? {};
}
