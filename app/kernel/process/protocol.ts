/**
 * The contract between the workbench host and a notebook's kernel process (docs/ARCHITECTURE.md §1). The
 * kernel compiles and evaluates the notebook's cells; the host keeps everything that outlives a
 * kernel: the cluster the cells' jobs run on, the job panel's tracking, the clients. Two comlink
 * services share the kernel's IPC channel: the kernel serves `KernelApi` on channel
 * `KERNEL_CHANNEL`, the host serves `KernelHostApi` on `KERNEL_HOST_CHANNEL`.
 *
 * Everything crossing is plain JSON data: the IPC channel is Node's JSON IPC or an Electron port.
 */
import type { StreamGraphSpec } from '../../../engine/plan/job-graph.ts';
import type { JobReport, OperatorReport } from '../../../engine/runtime/host.ts';
import type { CheckpointStats } from '../../../engine/runtime/checkpoint-stats.ts';
import type { ReplayAction, ReplayProgress } from '../../../engine/runtime/job.ts';
import type { CellOutputEvent, CellStateEvent } from '../../shared/workbench/service.ts';
import type { RunRequest } from '../../shared/workbench/protocol.ts';

/** The comlink channel of the kernel's service. */
export const KERNEL_CHANNEL = 'kernel';
/** The comlink channel of the host's service to its kernel. */
export const KERNEL_HOST_CHANNEL = 'kernel-host';

/** What the kernel process is started with (JSON in argv[2]). */
export interface KernelConfig {
  /** The notebook, relative to the workbench folder (as events name it). */
  path: string;
  /** Its absolute path. */
  file: string;
  /** Absolute path of the module `import ... from 'weir'` loads. */
  weirModule: string;
  /**
   * Where the kernel puts its compiled modules. The host owns it: the jobs a kernel started load
   * their code from there and may outlive the kernel, so it is removed when the notebook's
   * kernels are disposed, not when one is restarted.
   */
  tempRoot: string;
}

/** What the host asks of a kernel. */
export interface KernelApi {
  /** Resolves once the kernel has loaded the engine and can run cells. */
  ready(): Promise<true>;
  /** Queues a run; settles when it has ended (see `KernelSession.run`). */
  run(request: RunRequest): Promise<void>;
  /** Drops queued cells and stops waiting for the running one. */
  interrupt(): void;
  /** Interrupts and deletes the compiled modules; the host then ends the process. */
  dispose(): Promise<void>;
}

/** A job a cell started, as the kernel hands it to the host to run on the cluster. */
export interface KernelJobRequest {
  /** The cell that started it. */
  path: string;
  cellId: string;
  /** The job's plan (what the jobmanager schedules). */
  graph: StreamGraphSpec;
  /** The cell run's compiled module, from which taskmanagers rebuild the job. */
  modulePath: string;
  /** 0-based cell index. */
  cell: number;
  /** Which of the cell run's `execute()` calls of this job name it is (0 for the first). */
  occurrence: number;
  /** The notebook's folder, where the job's relative paths resolve (on the taskmanagers too). */
  baseDir?: string;
  /** The cells' values the job captured at `execute()` (`CodeRef.captured`). */
  captured?: string;
}

/** How a job handed to the host ended. */
export type KernelJobOutcome =
  | { ok: true; report: JobReport }
  | {
      ok: false;
      /** The error `execute()` rejected with in the host, and its cause, as data. */
      error: SerializedError;
      operator?: { uid: string; name: string; subtask: number; parallelism: number };
      report?: JobReport;
    };

/** An error as plain data. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
}

/** A running job's figures, for `JobClient.metrics()` and friends in the kernel. */
export interface KernelJobFigures {
  operators: OperatorReport[];
  checkpoints: CheckpointStats[];
  restarts: { at: number; cause: string }[];
  replays: ReplayProgress[];
}

/** What a kernel asks of the host. */
export interface KernelHostApi {
  cellState(event: CellStateEvent): void;
  output(event: CellOutputEvent): void;
  /** Cancels the running jobs a cell started (on interrupt). */
  cancelJobsOf(path: string, cellId: string): void;
  /** Starts a job on the cluster; resolves with the host's handle of it. */
  submitJob(request: KernelJobRequest): number;
  /** Resolves when the job has ended. */
  jobOutcome(handle: number): Promise<KernelJobOutcome>;
  jobFigures(handle: number): KernelJobFigures;
  cancelJob(handle: number): void;
  triggerSavepoint(handle: number): Promise<string>;
  stopWithSavepoint(handle: number): Promise<string>;
  controlReplay(handle: number, name: string, action: ReplayAction): Promise<void>;
}
