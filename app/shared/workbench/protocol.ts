/**
 * The data that crosses between the workbench host (Node: Electron utility process or
 * `weir serve`) and the renderer. Plain, JSON-safe data only: the same values travel over a
 * MessagePort (structured clone) in the desktop app and as JSON text over a WebSocket in web
 * mode, so no `undefined` inside arrays, no Maps, no class instances.
 */
import type { CellKind, Notebook, NotebookCell } from '../notebook/model.ts';
import type { CellError } from '../notebook/run.ts';

/** A notebook file under the served folder. */
export interface NotebookEntry {
  /** Path relative to the folder, with `/` separators (`sub/sensors.ts`). */
  path: string;
  /** File name without the folder. */
  name: string;
  /** Last modification, ms since the epoch. */
  mtimeMs: number;
  /** Size in bytes. */
  size: number;
}

/** Identifies one state of a file on disk: a save only overwrites the state it was based on. */
export interface DiskVersion {
  mtimeMs: number;
  size: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
}

/** A cell as the workbench edits it: a notebook cell plus an id that survives moves. */
export interface WorkbenchCell extends NotebookCell {
  /** Stable within one open document (`c1`, `c2`, ...); not stored in the file. */
  id: string;
}

/** A notebook opened for editing. */
export interface NotebookDocument {
  /** Path relative to the folder. */
  path: string;
  cells: WorkbenchCell[];
  eol?: Notebook['eol'];
  preamble?: string;
  /** The file's state when it was read. */
  version: DiskVersion;
  /**
   * The outputs the cells had when the notebook last ran, from `.weir/<file>.outputs.json`
   * beside it (never from the `.ts` file); absent when there are none.
   */
  previousOutputs?: PreviousCellOutputs[];
}

/**
 * A cell's outputs as saved by an earlier run, shown greyed until the cell runs again; or, with
 * status `running`, the outputs so far of a run the notebook's kernel has not finished (a page
 * reloaded while a cell awaits its job), shown as this run's.
 */
export interface PreviousCellOutputs {
  /** The cell of this document they belong to. */
  cellId: string;
  outputs: CellOutput[];
  executionCount?: number;
  /** How that run ended, or `running`. */
  status: CellRunStatus;
  /** When it ended (when it started, for a run still going), ms since the epoch. */
  endedAt: number;
}

/** What to save. */
export interface SaveRequest {
  path: string;
  cells: WorkbenchCell[];
  eol?: Notebook['eol'];
  preamble?: string;
  /** The version the edit was based on; the save is refused when the file changed since. */
  baseVersion?: DiskVersion;
  /** Overwrite even when the file changed on disk (the user chose "Overwrite"). */
  force?: boolean;
}

/** The outcome of a save. */
export type SaveResult =
  | { ok: true; version: DiskVersion }
  | { ok: false; reason: 'changed-on-disk'; disk: DiskVersion };

/** Which cells to run. */
export interface RunRequest {
  path: string;
  /** The document as the user sees it now (unsaved edits included). */
  cells: WorkbenchCell[];
  eol?: Notebook['eol'];
  preamble?: string;
  /** Ids of the cells to run, in any order; `'all'` runs every cell top to bottom. */
  run: string[] | 'all';
  /**
   * Rewind: the job of this name that the run starts from the cell that started job `jobId`
   * starts from checkpoint (or savepoint) `checkpointId` of that job, with its state restored.
   */
  restore?: RestoreRequest;
}

/** A completed checkpoint or savepoint of an earlier job to start a cell's job from. */
export interface RestoreRequest {
  jobId: string;
  checkpointId: number;
}

/**
 * Where a cell is in its run. `idle`: not run, or taken out of the queue; `interrupted`: the
 * user interrupted it before it ended. Entering `running` or `skipped` clears the cell's outputs.
 */
export type CellRunStatus = 'idle' | 'queued' | 'running' | 'done' | 'failed' | 'skipped' | 'interrupted';

/**
 * A notebook kernel's state, as its indicator shows it: `none` (no kernel process; the next
 * run starts one), `idle`, `busy` (cells queued or running), `dead` (it ended by itself).
 */
export type KernelState = 'none' | 'idle' | 'busy' | 'dead';

/** Output under a cell. */
export type CellOutput =
  | { kind: 'text'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'error'; error: CellError; /** 1-based line within the cell's source. */ cellLine: number; cellColumn: number }
  | { kind: 'table'; columns: string[]; rows: TableValue[][]; /** Rows left out because the table was too big. */ truncated?: number }
  | { kind: 'chart'; chart: ChartSpec }
  | { kind: 'note'; text: string }
  /** Rows a source could not read and sent to its `rejects` side output: a summary and the rows. */
  | { kind: 'rejects'; report: RejectedRowsReport }
  /**
   * The cell was not run because a cell before it in the same run failed: "not run: cell 2,
   * which defines trades, failed". `names` are what the cell reads (itself or through the cells
   * it reads from) of the failed cell; empty when it does not read from it.
   */
  | { kind: 'blocked'; /** The failed cell's id and 1-based number. */ cellId: string; cell: number; names: string[] };

/**
 * What a source reports of the rows it sent to its `rejects` side output (the engine's
 * `RejectedRowsReport`, engine/connectors/duckdb/rejects.ts, as it travels).
 */
export interface RejectedRowsReport {
  /** The source: `fromDuckDB 'DuckDB'`, `replay 'Replay'`. */
  source: string;
  files: string[];
  /** Rows read well from the same scan. */
  rowsRead: number;
  /** How many rows were rejected (all of them went to the side output). */
  rejected: number;
  /** The first of them (at most 1000). */
  rows: { file: string; line: number | null; column: string | null; errorType: string; message: string; text: string | null }[];
}

/** A table cell's value as it travels: numbers, strings, booleans and null. */
export type TableValue = string | number | boolean | null;

/** A live chart, as declared by `Sinks.chart(...)`. */
export interface ChartSpec {
  /** Unique within the host process. */
  id: string;
  /** 'table': the live table of a `[flink-sql]` SELECT, fed by `LiveTableSnapshot`s instead of points. */
  type: 'line' | 'bar' | 'area' | 'scatter' | 'table';
  x: string;
  y: string[];
  series?: string;
  mode: 'append' | 'upsert';
  title?: string;
  /** The job whose sink feeds it. */
  jobName: string;
}

/**
 * What the live table of a `[flink-sql]` SELECT holds now: its first rows (each event replaces
 * the last), how many rows it has in all, and whether its job's tasks are still running.
 */
export interface LiveTableSnapshot {
  columns: string[];
  /** The first rows of the table (1,000 at most, app/host/live-table.ts), in the order they entered it. */
  rows: TableValue[][];
  /** All rows of the table now, shown or not. */
  rowCount: number;
  /** Changes (+I, -U, +U, -D) applied so far. */
  changes: number;
  /** 'RUNNING' while changes may come, 'FINISHED' once the input has ended, 'ENDED' once the tasks stopped otherwise or elsewhere. */
  status: 'RUNNING' | 'FINISHED' | 'ENDED';
}

/** Points for one series of a chart, as parallel arrays (compact in JSON). */
export interface SeriesPoints {
  /** Series name: the `series` field's value, or the y field when there are several. */
  name: string;
  /** x values: numbers, or strings for a category axis. */
  xs: (number | string)[];
  ys: number[];
  /** Upsert charts: each point's identity; a point replaces the earlier one with the same key. */
  keys?: string[];
}

/** Live state of a job, as the job panel shows it. */
export type JobStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

/** An operator in a job's graph. */
export interface JobOperator {
  uid: string;
  name: string;
  parallelism: number;
  /** 'source', 'map', 'window', 'sink', ... when the plan is known. */
  kind?: string;
  /** The task (chain) it runs in: chained operators share one thread and pass records by call. */
  task?: number;
  /** Its configuration on one line (window, watermarks, source, sink), for a tooltip. */
  config?: string;
}

/** An edge between operators, by uid. */
export interface JobEdge {
  source: string;
  target: string;
  /** 'forward', 'hash', 'rebalance', 'broadcast', ... */
  partitioner: string;
  /** Source and target are chained into one task (no exchange between them). */
  chained?: boolean;
}

/** A job as the host first learns of it. */
export interface JobDescription {
  /** Unique within the host process (`job-3`). */
  id: string;
  name: string;
  /** The notebook and cell that started it. */
  path: string;
  cellId: string;
  startedAt: number;
  operators: JobOperator[];
  edges: JobEdge[];
  /** The job takes checkpoints: Stop takes a savepoint, and it can be rewound. */
  checkpointing?: boolean;
  /** The checkpoint or savepoint it was started from (a rewind), as job and checkpoint id. */
  restoredFrom?: RestoreRequest;
}

/** One operator's live figures. */
export interface OperatorMetrics {
  uid: string;
  recordsIn: number;
  recordsOut: number;
  recordsInPerSecond?: number;
  recordsOutPerSecond?: number;
  /** Lowest watermark over subtasks, ms; absent before the first watermark. */
  watermark?: number;
  /** The watermark reached the end of event time (every input ended): Flink's Long.MAX_VALUE. */
  watermarkAtEnd?: boolean;
  /** The figures are the job's final ones, rates averaged over its run. */
  final?: boolean;
  stateBytes?: number;
  /** Highest share of time (0..1) a subtask could not send for lack of credit. */
  backPressure?: number;
  /** Highest share of time (0..1) a subtask was busy. */
  busy?: number;
  /** Per subtask figures (Flink's SubTasks tab). */
  subtasks?: SubtaskMetrics[];
}

/** One parallel instance of an operator, as the SubTasks table lists it. */
export interface SubtaskMetrics {
  /** 0-based index. */
  subtask: number;
  recordsIn: number;
  recordsOut: number;
  recordsInPerSecond?: number;
  recordsOutPerSecond?: number;
  /** Share of time (0..1) the subtask's task was working / could not send for lack of credit. */
  busy?: number;
  backPressure?: number;
  /** Its watermark, ms; absent before the first. */
  watermark?: number;
  watermarkAtEnd?: boolean;
  stateBytes?: number;
  /** The taskmanager it runs on (absent in the host process). */
  taskManager?: number;
}

/** A taskmanager of the workbench's cluster, as the Task Managers list shows it. */
export interface TaskManagerInfo {
  id: number;
  pid: number;
  /** Alive, or lost (killed, exited, timed out) and not yet replaced. */
  alive: boolean;
  /** Slots in use by running jobs, and slots it offers (absent: as many as a job needs). */
  slotsUsed: number;
  slotsTotal?: number;
  /** Resident set size and V8 heap in use, bytes, as it last answered (absent when it did not). */
  rssBytes?: number;
  heapUsedBytes?: number;
  heapTotalBytes?: number;
  /** When it started, ms since the epoch. */
  startedAt: number;
}

/** Where one replay source of a job is, as the job panel's Replay section shows it. */
export interface ReplayStatus {
  /** The source's name (`env.replay({ name })`). */
  name: string;
  state: 'starting' | 'playing' | 'paused' | 'finished';
  /** Event-time ms per wall-clock ms, or 'max' (unpaced). */
  speed: number | 'max';
  /** The replay's current event time (ms since the epoch); absent before the first row. */
  eventTime?: number;
  /** Event time of the query's first and last row (ms since the epoch): the range a seek can go to; absent when it has no rows. */
  startTime?: number;
  endTime?: number;
  /** Share of the event-time range replayed, 0–100. */
  percent: number;
  /** Rows emitted so far, and rows the query has in all. */
  rows: number;
  totalRows: number;
}

/**
 * An action on a running replay: pause, resume, a new speed, or a seek to an event time (ms).
 *
 * @example
 * await service.controlReplay('job-3', 'trips', { speed: 3600 });
 */
export type ReplayAction = { pause: true } | { resume: true } | { speed: number | 'max' } | { seekTo: number };

/** A checkpoint as the history table lists it. */
export interface CheckpointSummary {
  id: number;
  /** 'IN_PROGRESS', 'COMPLETED' or 'FAILED'. */
  status: string;
  /** A savepoint rather than a periodic checkpoint. */
  savepoint?: boolean;
  /** Trigger time, ms since the epoch. */
  triggerTime?: number;
  durationMs?: number;
  sizeBytes?: number;
  alignmentMs?: number;
  /** Why it failed. */
  failureReason?: string;
  /** Where it is stored, once completed. */
  location?: string;
  /** Still kept, so the job can be rewound to it. */
  restorable?: boolean;
}

/** One restart of a job: when (ms since the epoch) and the failure that caused it. */
export interface RestartCause {
  at: number;
  cause: string;
  /** The failing task, as Flink names it: `Map (2/4)`. */
  task?: string;
  /** The taskmanager where it failed (or that was lost). */
  taskManager?: number;
  /** The failure's stack (user frames point into the notebook), when there is one. */
  stack?: string;
}

/** The failure that ended a FAILED job, as the Exceptions tab shows it (Flink's root exception). */
export interface JobFailure {
  /** When the job failed, ms since the epoch. */
  at: number;
  message: string;
  stack?: string;
}

/** One sample of a job's totals, for the job panel's charts over time. */
export interface JobSample {
  /** Seconds since the job started. */
  t: number;
  /** State bytes summed over operators (absent when the engine does not report it). */
  stateBytes?: number;
  /** Records per second out of the sources. */
  sourceRate?: number;
  /** The figures when the job ended (the last sample). */
  final?: boolean;
}

/** What stopping a job did. */
export interface StopResult {
  /** Where the final savepoint is, when the job was stopped with one. */
  savepoint?: string;
  /** Why it was cancelled without a savepoint although it checkpoints. */
  savepointError?: string;
}

/**
 * A job of a notebook as its plan describes it, found by evaluating the saved notebook's cells
 * without running any job (as `weir plan` does).
 */
export interface JobPlan {
  /** The job's name, as given to `execute()`. */
  name: string;
  /** 0-based index of the cell whose code starts the job. */
  cellIndex: number;
  mode: 'streaming' | 'batch';
  /** `every 2000 ms (exactly-once)`, or `off`. */
  checkpointing: string;
  /** The restart strategy in words (`none`, `fixed delay, 3 attempts, 1000 ms apart`). */
  restarts: string;
  /** Operators with their task (chain) and configuration. */
  operators: JobOperator[];
  edges: JobEdge[];
  /** How many tasks (chains) the operators form. */
  tasks: number;
}

/** The jobs of a saved notebook. */
export interface NotebookPlan {
  path: string;
  /** In the order their `execute()` calls run. */
  jobs: JobPlan[];
  /** The first cell that failed while the jobs were being found (the jobs before it are listed). */
  error?: string;
}

/** Export one job of a saved notebook to a directory, as `weir export` does. */
export interface ExportRequest {
  /** The notebook, relative to the folder. */
  path: string;
  /** The job's name; may be left out when the notebook has one job. */
  job?: string;
  /** The directory to write, relative to the folder (it must stay inside it). */
  out: string;
}

/** What an export did: the files written and how to run them, or why nothing was written. */
export type ExportResult =
  | {
      ok: true;
      job: string;
      /** The directory written, relative to the folder. */
      dir: string;
      /** The files written, relative to the folder. */
      files: string[];
      /** The command that runs the exported job (`npx weir run notebooks/export/fraud-alerts`). */
      command: string;
    }
  | {
      ok: false;
      message: string;
      /** The notebook's job names, when it has several and none was chosen. */
      jobs?: string[];
    };

/** Re-exported so that renderer code names cell kinds from one place. */
export type { CellKind, CellError };
