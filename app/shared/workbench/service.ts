/**
 * The workbench protocol: what the renderer asks of the host (`WorkbenchService`) and what the
 * host tells the renderer as things happen (`WorkbenchClient`, events named `onDidX`). Both are
 * plain interfaces; comlink proxies them over a MessagePort (desktop) or a WebSocket (web
 * mode), so the same renderer talks to the same host code either way.
 */
import type {
  CellOutput,
  CellRunStatus,
  CheckpointSummary,
  DiskVersion,
  ExportRequest,
  KernelState,
  ExportResult,
  ChartSpec,
  LiveTableSnapshot,
  JobDescription,
  JobFailure,
  JobSample,
  JobStatus,
  NotebookDocument,
  NotebookEntry,
  NotebookPlan,
  OperatorMetrics,
  RunRequest,
  SaveRequest,
  SaveResult,
  RestartCause,
  ReplayAction,
  ReplayStatus,
  SeriesPoints,
  StopResult,
  TaskManagerInfo,
} from './protocol.ts';

/** What the host says about itself. */
export interface WorkbenchInfo {
  /** Display name of the served folder. */
  folderName: string;
  /** Weir's version. */
  version: string;
  /** `desktop` behind Electron, `web` behind `weir serve`. */
  shell: 'desktop' | 'web';
}

/** A declaration file for the editor's TypeScript service. */
export interface TypeLibrary {
  /** Virtual path, e.g. `file:///node_modules/weir/index.d.ts`. */
  path: string;
  content: string;
}

/** Requests from the renderer to the host. Every method may reject with an `Error`. */
export interface WorkbenchService {
  describe(): Promise<WorkbenchInfo>;
  /** Notebooks (`.ts` files with `// %%` cells) under the folder, sorted by path. */
  listNotebooks(): Promise<NotebookEntry[]>;
  /**
   * Reads a notebook; never runs it. Changes on disk are reported while it is open. The outputs
   * of its last run come with it (`previousOutputs`).
   */
  openNotebook(path: string): Promise<NotebookDocument>;
  /** Stops watching a notebook; its jobs keep running. */
  closeNotebook(path: string): Promise<void>;
  /** Writes a notebook atomically (temporary file, then rename). */
  saveNotebook(request: SaveRequest): Promise<SaveResult>;
  /** Creates a notebook with one empty code cell; fails when the file exists. */
  createNotebook(path: string): Promise<NotebookDocument>;
  /** Renames a notebook; fails when the target exists. */
  renameNotebook(from: string, to: string): Promise<NotebookEntry>;
  /**
   * Queues cells to run in the notebook's kernel. Cells the requested ones read from and that
   * have not run yet run first. Resolves when the request has finished, failed or been interrupted.
   * With `restore` (rewind), the job named in it is cancelled if it still runs, and the job of
   * the same name that the run starts begins from the requested checkpoint; rejects when that
   * checkpoint is not kept any more.
   */
  runCells(request: RunRequest): Promise<void>;
  /**
   * Forgets the outputs of cells `cellIds` (or all) in the notebook's saved outputs
   * (`.weir/<file>.outputs.json`), so a re-opened notebook does not show them again.
   */
  clearOutputs(path: string, cellIds: string[] | 'all'): Promise<void>;
  /** Drops queued cells, cancels the jobs of the running cell and stops waiting for it. */
  interrupt(path: string): Promise<void>;
  /** The state of the notebook's kernel now (later changes come as `onDidChangeKernelState`). */
  kernelState(path: string): Promise<KernelState>;
  /**
   * Ends the notebook's kernel and starts a fresh one: what its cells defined is gone, and
   * execution counts start again at 1. The notebook's running jobs go on.
   */
  restartKernel(path: string): Promise<void>;
  /** Ends the notebook's kernel; the next run starts a new one. Its running jobs go on. */
  shutdownKernel(path: string): Promise<void>;
  /**
   * Stops a job: with a final savepoint when it takes checkpoints (it then ends FINISHED),
   * otherwise (or when the savepoint fails) by cancelling it.
   */
  stopJob(jobId: string): Promise<StopResult>;
  /** Cancels a job without a savepoint. */
  cancelJob(jobId: string): Promise<void>;
  /** Takes a savepoint of a running job that checkpoints; resolves with its location. */
  triggerSavepoint(jobId: string): Promise<string>;
  /**
   * Pauses, resumes, re-paces or seeks the running replay `name` of a job; rejects, naming the
   * replay, when the job runs none of that name.
   */
  controlReplay(jobId: string, name: string, action: ReplayAction): Promise<void>;
  /**
   * The plans of the saved notebook's jobs, found by evaluating its cells in a separate process
   * without running any job (as `weir plan` does).
   */
  planJobs(path: string): Promise<NotebookPlan>;
  /**
   * Exports a job of the saved notebook to a directory under the folder (as `weir export`
   * does). Rejects when `out` leaves the folder; resolves with `ok: false` and the job names
   * when the notebook has several jobs and none was chosen.
   */
  exportJob(request: ExportRequest): Promise<ExportResult>;
  /** Declarations for the editor: the `weir` API and Node's builtins. */
  typeLibraries(): Promise<TypeLibrary[]>;
  /**
   * What the host remembers of a notebook's jobs (running ones and the newest completed ones,
   * with their figures, checkpoints and exceptions) and of the live charts under its cells, so
   * that a reloaded page shows the job panels, charts and Rewind buttons again.
   */
  jobHistory(path: string): Promise<JobHistorySnapshot>;
  /** The cluster's taskmanagers (empty when jobs run in the host process or none started yet). */
  taskManagers(): Promise<TaskManagerInfo[]>;
}

/** A job as the host remembers it, to restore the job panel after a page reload. */
export interface JobSnapshot {
  description: JobDescription;
  /** Its latest figures (absent before the first poll). */
  update?: JobUpdateEvent;
  /** Its samples over time, oldest first (the newest ones when it ran long). */
  samples: JobSample[];
}

/** A live chart as the host remembers it: under which cell, its spec and its (newest) points. */
export interface ChartSnapshot {
  path: string;
  cellId: string;
  chart: ChartSpec;
  series: SeriesPoints[];
  upsert?: boolean;
}

/** What the host remembers of one notebook's jobs and charts. */
export interface JobHistorySnapshot {
  /** Oldest first. */
  jobs: JobSnapshot[];
  charts: ChartSnapshot[];
}

/** A cell moved to another state. */
export interface CellStateEvent {
  path: string;
  cellId: string;
  status: CellRunStatus;
  /** Set when the cell has ended. */
  durationMs?: number;
  /** Why a cell was skipped. */
  reason?: string;
  /**
   * The kernel's count of this run of the cell, as Jupyter's `[n]`: set from `running` on,
   * counted from 1 by each kernel (a restarted kernel counts again from 1).
   */
  executionCount?: number;
}

/** New output under a cell. A chart output is followed by `onDidAppendChartPoints` events. */
export interface CellOutputEvent {
  path: string;
  cellId: string;
  output: CellOutput;
}

/** A job's figures at one moment. */
export interface JobUpdateEvent {
  jobId: string;
  status: JobStatus;
  /** ms since the job started. */
  elapsedMs: number;
  operators: OperatorMetrics[];
  checkpoints: CheckpointSummary[];
  restarts: number;
  /** The failures that caused the restarts, oldest first (when the executor reports them). */
  restartCauses?: RestartCause[];
  /** The failure message of a FAILED job. */
  error?: string;
  /** Progress of the job's running replay sources (absent when it has none running). */
  replays?: ReplayStatus[];
  /** Where the savepoint is that the job was stopped with. */
  savepoint?: string;
  /** The failure that ended a FAILED job, with its stack (Flink's root exception). */
  failure?: JobFailure;
  /** The job's final watermark, ms, once it ended (the lowest over its operators that had one). */
  finalWatermark?: number;
}

/** New points for a chart. */
export interface ChartPointsEvent {
  path: string;
  cellId: string;
  chartId: string;
  series: SeriesPoints[];
  /** Upsert charts: the points replace those with the same x in their series. */
  upsert?: boolean;
  /** A live table's state now (its `series` is empty). */
  table?: LiveTableSnapshot;
}

/** A notebook's kernel changed state. */
export interface KernelStateEvent {
  path: string;
  state: KernelState;
}

/** The file of an open notebook changed, not through this workbench. */
export interface NotebookChangedEvent {
  path: string;
  version: DiskVersion;
  /** The file was deleted or renamed away. */
  deleted?: boolean;
}

/** Events from the host to the renderer. Each is delivered once, in order per notebook. */
export interface WorkbenchClient {
  onDidChangeCellState(event: CellStateEvent): void;
  onDidWriteOutput(event: CellOutputEvent): void;
  onDidStartJob(event: JobDescription): void;
  onDidUpdateJob(event: JobUpdateEvent): void;
  onDidAppendChartPoints(event: ChartPointsEvent): void;
  onDidChangeNotebookOnDisk(event: NotebookChangedEvent): void;
  onDidChangeKernelState(event: KernelStateEvent): void;
}

/** The names of the client's events, for code that forwards or records them generically. */
export const WORKBENCH_CLIENT_EVENTS = [
  'onDidChangeCellState',
  'onDidWriteOutput',
  'onDidStartJob',
  'onDidUpdateJob',
  'onDidAppendChartPoints',
  'onDidChangeNotebookOnDisk',
  'onDidChangeKernelState',
] as const satisfies readonly (keyof WorkbenchClient)[];
