/**
 * The renderer's state of one open notebook: its cells (source and run state), their outputs,
 * the jobs they started and the charts those feed, whether there are unsaved edits, and
 * whether the file changed on disk meanwhile. Plain data and logic, no DOM: views subscribe to
 * `onDidChange` and render; host events and user edits come in through the methods.
 */
import type { CellKind } from '../../shared/notebook/model.ts';
import type { CellOutput, CellRunStatus, ChartSpec, DiskVersion, JobDescription, NotebookDocument, RunRequest, SaveRequest, WorkbenchCell } from '../../shared/workbench/protocol.ts';
import type { CellOutputEvent, CellStateEvent, ChartPointsEvent, JobUpdateEvent, NotebookChangedEvent } from '../../shared/workbench/service.ts';
import { Emitter } from './emitter.ts';
import { JobModel } from './job-model.ts';

/** A cell with its run state and outputs. */
export interface CellModel extends WorkbenchCell {
  status: CellRunStatus;
  /** Of the last run that ended. */
  durationMs?: number;
  /** `performance.now()`-style ms when the running cell started, for a live duration. */
  startedAt?: number;
  /** Why it was skipped. */
  reason?: string;
  outputs: CellOutput[];
  /** The kernel's count of the cell's last run (Jupyter's `[n]`); absent when it has not run. */
  executionCount?: number;
  /** Set when the outputs were saved by an earlier run (a previous session), not this kernel's. */
  previousRun?: { endedAt: number };
}

/** A deleted cell and where it was, for undo. */
interface DeletedCell {
  cell: CellModel;
  index: number;
}

/** How many deletions "Undo delete" can take back. */
export const UNDO_DELETES = 20;

/** What changed; views re-render what they show of it. */
export type StoreChange =
  /** A document was loaded, or cells were added, removed, moved or changed kind. */
  | { kind: 'structure' }
  /** A cell's status or duration changed. */
  | { kind: 'status'; cellId: string }
  /** A cell's outputs from index `from` on changed (0 after a clear). */
  | { kind: 'outputs'; cellId: string; from: number }
  /** A cell's source changed (by an edit in another view, or a reload). */
  | { kind: 'source'; cellId: string }
  /** Dirty state or disk conflict changed. */
  | { kind: 'file' }
  | { kind: 'job'; jobId: string }
  /** New points for a chart (the chart view forwards them to where the points are kept). */
  | { kind: 'chart'; chartId: string; points: ChartPointsEvent }
  /** A cell was deleted (`undoable` tells whether an undo can bring one back). */
  | { kind: 'deleted'; cellId: string; undoable: boolean };

/** Longest text output kept per cell stream; older text is dropped from the front. */
export const MAX_TEXT_CHARS = 200_000;

/** What the store decides when the file changed on disk. */
export type DiskChangeDecision = 'reload' | 'conflict' | 'ignored';

/**
 * @example
 * const store = new NotebookStore();
 * store.onDidChange((change) => render(change));
 * store.load(await service.openNotebook('sensors.ts'));
 * store.updateSource('c2', 'console.log(1)');
 * store.dirty; // true
 */
export class NotebookStore {
  path = '';
  cells: CellModel[] = [];
  eol: NotebookDocument['eol'];
  preamble: string | undefined;
  /** The disk version the edits are based on. */
  baseVersion: DiskVersion | undefined;
  /** The file changed on disk while there were unsaved edits. */
  conflict: { version: DiskVersion; deleted: boolean } | undefined;
  readonly jobs = new Map<string, JobModel>();
  /** The live charts under the cells, by id. Their points live where they are drawn. */
  readonly charts = new Map<string, ChartSpec>();
  private editRevision = 0;
  private lastId = 0;
  private savedRevision = 0;
  private readonly deleted: DeletedCell[] = [];
  private readonly changed = new Emitter<StoreChange>();
  readonly onDidChange = this.changed.event;

  /** Unsaved edits exist. */
  get dirty(): boolean {
    return this.editRevision !== this.savedRevision;
  }

  /** The edit count; a save of revision r clears `dirty` only if nothing changed since r. */
  get revision(): number {
    return this.editRevision;
  }

  cell(id: string): CellModel | undefined {
    return this.cells.find((c) => c.id === id);
  }

  /**
   * Shows a document just read from disk. Run state is reset; outputs are those of the
   * document's previous run (marked as such), if any, or of the cells its kernel still runs.
   */
  load(document: NotebookDocument): void {
    this.path = document.path;
    this.cells = document.cells.map((cell) => ({ ...cell, status: 'idle', outputs: [] }));
    for (const previous of document.previousOutputs ?? []) {
      const cell = this.cell(previous.cellId);
      if (!cell) continue;
      cell.outputs = previous.outputs;
      if (previous.executionCount !== undefined) cell.executionCount = previous.executionCount;
      // Still running in the kernel (the page was reloaded): this run's outputs, not a previous run's.
      if (previous.status === 'running') {
        cell.status = 'running';
        cell.startedAt = previous.endedAt;
      } else cell.previousRun = { endedAt: previous.endedAt };
    }
    this.eol = document.eol;
    this.preamble = document.preamble;
    this.baseVersion = document.version;
    this.conflict = undefined;
    this.deleted.length = 0;
    this.savedRevision = ++this.editRevision;
    this.changed.fire({ kind: 'structure' });
    this.changed.fire({ kind: 'file' });
  }

  // ---- edits -------------------------------------------------------------------------------

  updateSource(cellId: string, source: string): void {
    const cell = this.cell(cellId);
    if (!cell || cell.source === source) return;
    cell.source = source;
    this.edited();
  }

  /** Inserts a new cell at `index` (clamped); returns its id. */
  insertCell(index: number, kind: CellKind, source = ''): string {
    const id = this.newId();
    const at = Math.max(0, Math.min(index, this.cells.length));
    this.cells.splice(at, 0, { id, kind, source, markerLine: 0, startLine: 0, status: 'idle', outputs: [] });
    this.edited();
    this.changed.fire({ kind: 'structure' });
    return id;
  }

  /** Deletes a cell; `undoDelete()` brings it back (source, outputs and all) where it was. */
  deleteCell(cellId: string): void {
    const index = this.cells.findIndex((c) => c.id === cellId);
    if (index < 0) return;
    const [cell] = this.cells.splice(index, 1);
    this.deleted.push({ cell: cell!, index });
    if (this.deleted.length > UNDO_DELETES) this.deleted.shift();
    this.edited();
    this.changed.fire({ kind: 'structure' });
    this.changed.fire({ kind: 'deleted', cellId, undoable: true });
  }

  /** Whether a deleted cell can be brought back. */
  get canUndoDelete(): boolean {
    return this.deleted.length > 0;
  }

  /** Brings back the last deleted cell at its place; returns its id, or undefined when none. */
  undoDelete(): string | undefined {
    const last = this.deleted.pop();
    if (!last) return undefined;
    // Its id stays its own: ids are never reused, so no other cell has it.
    this.cells.splice(Math.min(last.index, this.cells.length), 0, last.cell);
    this.edited();
    this.changed.fire({ kind: 'structure' });
    this.changed.fire({ kind: 'deleted', cellId: last.cell.id, undoable: this.deleted.length > 0 });
    return last.cell.id;
  }

  /** Clears the outputs (and execution count) of the cells `ids`, or of every cell. */
  clearOutputs(ids: string[] | 'all'): void {
    for (const cell of this.cells) {
      if (ids !== 'all' && !ids.includes(cell.id)) continue;
      if (cell.outputs.length === 0 && cell.executionCount === undefined && !cell.previousRun) continue;
      for (const output of cell.outputs) if (output.kind === 'chart') this.charts.delete(output.chart.id);
      cell.outputs = [];
      delete cell.executionCount;
      delete cell.previousRun;
      this.changed.fire({ kind: 'outputs', cellId: cell.id, from: 0 });
      this.changed.fire({ kind: 'status', cellId: cell.id });
    }
  }

  /** Moves a cell by `delta` places (-1 up, +1 down); no-op at the ends. */
  moveCell(cellId: string, delta: number): void {
    const index = this.cells.findIndex((c) => c.id === cellId);
    const target = index + delta;
    if (index < 0 || target < 0 || target >= this.cells.length || delta === 0) return;
    const [cell] = this.cells.splice(index, 1);
    this.cells.splice(target, 0, cell!);
    this.edited();
    this.changed.fire({ kind: 'structure' });
  }

  changeKind(cellId: string, kind: CellKind): void {
    const cell = this.cell(cellId);
    if (!cell || cell.kind === kind) return;
    cell.kind = kind;
    this.edited();
    this.changed.fire({ kind: 'structure' });
  }

  // ---- requests to the host ---------------------------------------------------------------

  /** The request that saves what the user sees now. */
  saveRequest(force = false): SaveRequest & { revision: number } {
    const request: SaveRequest & { revision: number } = { path: this.path, cells: this.plainCells(), revision: this.editRevision };
    if (this.eol) request.eol = this.eol;
    if (this.preamble !== undefined) request.preamble = this.preamble;
    if (this.baseVersion) request.baseVersion = this.baseVersion;
    if (force) request.force = true;
    return request;
  }

  /** A save of `revision` landed as `version`. */
  markSaved(version: DiskVersion, revision: number): void {
    this.baseVersion = version;
    this.conflict = undefined;
    this.savedRevision = revision;
    this.changed.fire({ kind: 'file' });
  }

  /** The request that runs `cells` (ids) or all cells, as the user sees them now. */
  runRequest(run: string[] | 'all'): RunRequest {
    const request: RunRequest = { path: this.path, cells: this.plainCells(), run };
    if (this.eol) request.eol = this.eol;
    if (this.preamble !== undefined) request.preamble = this.preamble;
    return request;
  }

  // ---- host events ------------------------------------------------------------------------

  applyCellState(event: CellStateEvent): void {
    const cell = this.cell(event.cellId);
    if (!cell || event.path !== this.path) return;
    cell.status = event.status;
    if (event.executionCount !== undefined) cell.executionCount = event.executionCount;
    if (event.status === 'running' || event.status === 'skipped') delete cell.previousRun;
    if (event.status === 'running') {
      cell.startedAt = Date.now();
      delete cell.durationMs;
    }
    if (event.durationMs !== undefined) cell.durationMs = event.durationMs;
    if (event.reason !== undefined) cell.reason = event.reason;
    else delete cell.reason;
    if (event.status === 'running' || event.status === 'skipped') {
      for (const output of cell.outputs) if (output.kind === 'chart') this.charts.delete(output.chart.id);
      cell.outputs = [];
      this.changed.fire({ kind: 'outputs', cellId: cell.id, from: 0 });
    }
    this.changed.fire({ kind: 'status', cellId: cell.id });
  }

  applyOutput(event: CellOutputEvent): void {
    const cell = this.cell(event.cellId);
    if (!cell || event.path !== this.path) return;
    const output = event.output;
    const last = cell.outputs[cell.outputs.length - 1];
    if (output.kind === 'text' && last?.kind === 'text' && last.stream === output.stream) {
      let text = last.text + output.text;
      if (text.length > MAX_TEXT_CHARS) {
        const cut = text.indexOf('\n', text.length - MAX_TEXT_CHARS);
        text = '… earlier output trimmed\n' + text.slice(cut < 0 ? text.length - MAX_TEXT_CHARS : cut + 1);
      }
      cell.outputs[cell.outputs.length - 1] = { ...last, text };
      this.changed.fire({ kind: 'outputs', cellId: cell.id, from: cell.outputs.length - 1 });
      return;
    }
    if (output.kind === 'chart') this.charts.set(output.chart.id, output.chart);
    cell.outputs.push(output);
    this.changed.fire({ kind: 'outputs', cellId: cell.id, from: cell.outputs.length - 1 });
  }

  applyChartPoints(event: ChartPointsEvent): void {
    if (!this.charts.has(event.chartId) || event.path !== this.path) return;
    this.changed.fire({ kind: 'chart', chartId: event.chartId, points: event });
  }

  applyJobStarted(job: JobDescription): void {
    if (job.path !== this.path) return;
    this.jobs.set(job.id, new JobModel(job));
    this.changed.fire({ kind: 'job', jobId: job.id });
  }

  applyJobUpdate(event: JobUpdateEvent): void {
    const job = this.jobs.get(event.jobId);
    if (!job) return;
    job.update(event);
    this.changed.fire({ kind: 'job', jobId: job.id });
  }

  /**
   * The file changed on disk. Without unsaved edits the caller should reload it; with edits
   * the user must choose, so the conflict is recorded and shown.
   */
  applyDiskChange(event: NotebookChangedEvent): DiskChangeDecision {
    if (event.path !== this.path) return 'ignored';
    if (!event.deleted && event.version.sha256 === this.baseVersion?.sha256) return 'ignored';
    if (!this.dirty && !event.deleted) return 'reload';
    this.conflict = { version: event.version, deleted: !!event.deleted };
    this.changed.fire({ kind: 'file' });
    return 'conflict';
  }

  /** The user keeps their version: the next save overwrites the file. */
  keepMine(): void {
    if (this.conflict && !this.conflict.deleted) this.baseVersion = this.conflict.version;
    this.conflict = undefined;
    this.changed.fire({ kind: 'file' });
  }

  /** Running jobs, newest first. */
  runningJobs(): JobModel[] {
    return [...this.jobs.values()].filter((j) => j.running).reverse();
  }

  private plainCells(): WorkbenchCell[] {
    return this.cells.map(({ status: _s, durationMs: _d, startedAt: _t, reason: _r, outputs: _o, executionCount: _n, previousRun: _p, ...cell }) => cell);
  }

  /** Ids are never reused within a document: the kernel remembers which cell ids have run. */
  private newId(): string {
    for (const cell of this.cells) {
      const n = /^c(\d+)$/.exec(cell.id);
      if (n) this.lastId = Math.max(this.lastId, Number(n[1]));
    }
    return `c${++this.lastId}`;
  }

  private edited(): void {
    const wasDirty = this.dirty;
    this.editRevision++;
    if (!wasDirty) this.changed.fire({ kind: 'file' });
  }
}
