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
}

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
  | { kind: 'chart'; chartId: string; points: ChartPointsEvent };

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

  /** Shows a document just read from disk. Run state and outputs of cells are reset. */
  load(document: NotebookDocument): void {
    this.path = document.path;
    this.cells = document.cells.map((cell) => ({ ...cell, status: 'idle', outputs: [] }));
    this.eol = document.eol;
    this.preamble = document.preamble;
    this.baseVersion = document.version;
    this.conflict = undefined;
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

  deleteCell(cellId: string): void {
    const index = this.cells.findIndex((c) => c.id === cellId);
    if (index < 0) return;
    this.cells.splice(index, 1);
    this.edited();
    this.changed.fire({ kind: 'structure' });
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
    return this.cells.map(({ status: _s, durationMs: _d, startedAt: _t, reason: _r, outputs: _o, ...cell }) => cell);
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
