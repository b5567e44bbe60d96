/**
 * Cell outputs saved next to the notebook, as Jupyter keeps them in the `.ipynb` (Weir's
 * notebook is a plain `.ts` file that stays clean for git): `.weir/<file>.outputs.json` in the
 * notebook's folder. The host records what each cell's last run printed, wrote or failed with,
 * writes the file shortly after a cell ends, and hands the outputs back when the notebook is
 * opened again, matched to its cells by their source (or, for an edited cell, by position and
 * kind).
 *
 * What is kept is bounded: a chart becomes a note (its points are live data of the session), a
 * table keeps its first `MAX_SAVED_ROWS` rows, a text stream its last `MAX_SAVED_TEXT` characters.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CellKind } from '../shared/notebook/model.ts';
import type { CellOutput, CellRunStatus, NotebookDocument, PreviousCellOutputs, WorkbenchCell } from '../shared/workbench/protocol.ts';
import type { CellOutputEvent, CellStateEvent } from '../shared/workbench/service.ts';
import type { NotebookFiles } from './notebook-files.ts';

/** Rows of a table output that are saved. */
export const MAX_SAVED_ROWS = 500;
/** Characters of a text stream that are saved (the end of it). */
export const MAX_SAVED_TEXT = 100_000;
/** The folder, beside the notebook, that holds the outputs files. */
export const OUTPUTS_DIR = '.weir';
/** The format's version, written into each file. */
const FORMAT = 1;

/** One cell as saved. */
interface SavedCell {
  /** 0-based position when it ran. */
  index: number;
  kind: CellKind;
  /** SHA-256 of the source that produced the outputs. */
  source: string;
  status: CellRunStatus;
  executionCount?: number;
  endedAt: number;
  outputs: CellOutput[];
}

/** The file's content. */
interface OutputsFile {
  format: number;
  notebook: string;
  cells: SavedCell[];
}

/** What the host knows of a notebook's cells and their last outputs. */
interface NotebookRecord {
  /** The cells as the user last ran or opened them, in order. */
  cells: { id: string; kind: CellKind; source: string }[];
  /** The last run of each cell, by id. */
  saved: Map<string, SavedCell>;
  timer?: ReturnType<typeof setTimeout>;
  writing?: Promise<void>;
}

/**
 * The path of a notebook's outputs file.
 *
 * @example
 * outputsFileOf('/nb/sub/fraud.ts'); // '/nb/sub/.weir/fraud.ts.outputs.json'
 */
export function outputsFileOf(notebookFile: string): string {
  return path.join(path.dirname(notebookFile), OUTPUTS_DIR, `${path.basename(notebookFile)}.outputs.json`);
}

/**
 * An output as it is saved (bounded), or undefined when nothing of it is kept.
 *
 * @example
 * savedOutput({ kind: 'chart', chart }); // { kind: 'note', text: "Chart 'Rates' (live points are not saved)" }
 */
export function savedOutput(output: CellOutput): CellOutput {
  switch (output.kind) {
    case 'chart':
      return { kind: 'note', text: `Chart '${output.chart.title ?? `${output.chart.y.join(', ')} by ${output.chart.x}`}' of job '${output.chart.jobName}' (its live points are not saved)` };
    case 'table': {
      if (output.rows.length <= MAX_SAVED_ROWS) return output;
      return { ...output, rows: output.rows.slice(0, MAX_SAVED_ROWS), truncated: (output.truncated ?? 0) + output.rows.length - MAX_SAVED_ROWS };
    }
    case 'text':
      return output.text.length <= MAX_SAVED_TEXT ? output : { ...output, text: `… earlier output not saved\n${output.text.slice(-MAX_SAVED_TEXT)}` };
    default:
      return output;
  }
}

/** Saved cells matched to a document's cells by id: same source and kind first, then same position and kind. */
function matchCells(saved: readonly SavedCell[], cells: readonly WorkbenchCell[]): Map<string, SavedCell> {
  const matched = new Map<string, SavedCell>();
  const hashes = cells.map((c) => hash(c.source));
  const unmatched: SavedCell[] = [];
  for (const entry of saved) {
    const index = hashes.findIndex((h, i) => h === entry.source && cells[i]!.kind === entry.kind && !matched.has(cells[i]!.id));
    if (index >= 0) matched.set(cells[index]!.id, entry);
    else unmatched.push(entry);
  }
  for (const entry of unmatched) {
    const cell = cells[entry.index];
    if (cell && cell.kind === entry.kind && !matched.has(cell.id)) matched.set(cell.id, entry);
  }
  return matched;
}

function hash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/**
 * @example
 * const saved = new SavedOutputs(files);
 * saved.ran('a.ts', request.cells);             // before the cells run
 * saved.cellState(event); saved.output(event);  // as they run; the file is written after each cell
 * document.previousOutputs = await saved.load(document);
 */
export class SavedOutputs {
  private readonly notebooks = new Map<string, NotebookRecord>();

  constructor(
    private readonly files: NotebookFiles,
    /** How long after a cell ends the file is written, ms (cells that end together write once). */
    private readonly delayMs = 300,
  ) {}

  /**
   * The outputs saved for `document`'s cells, by cell id; the host remembers them, so that a
   * run of one cell keeps the others' saved outputs. A missing or unreadable file gives none.
   */
  async load(document: NotebookDocument): Promise<PreviousCellOutputs[]> {
    const record = await this.record(document.path, document.cells, true);
    const previous: PreviousCellOutputs[] = [];
    for (const cell of document.cells) {
      const saved = record.saved.get(cell.id);
      // A cell this host's kernel still runs (a reloaded page) is shown as running, with what it
      // has output so far; its live charts come back with their points from the job history.
      const running = saved?.status === 'running';
      if (!saved || (saved.outputs.length === 0 && !running)) continue;
      const outputs = running ? saved.outputs.filter((o) => o.kind !== 'chart') : saved.outputs.map(savedOutput);
      const entry: PreviousCellOutputs = { cellId: cell.id, outputs, status: saved.status, endedAt: saved.endedAt };
      if (saved.executionCount !== undefined) entry.executionCount = saved.executionCount;
      previous.push(entry);
    }
    return previous;
  }

  /** Cells of `notebook` are about to run, as the user sees them now. */
  async ran(notebook: string, cells: readonly WorkbenchCell[]): Promise<void> {
    const record = await this.record(notebook, cells);
    record.cells = cells.map((c) => ({ id: c.id, kind: c.kind, source: c.source }));
  }

  cellState(event: CellStateEvent): void {
    const record = this.notebooks.get(event.path);
    if (!record) return;
    const index = record.cells.findIndex((c) => c.id === event.cellId);
    const cell = record.cells[index];
    if (!cell) return;
    if (event.status === 'running' || event.status === 'skipped') {
      const saved: SavedCell = { index, kind: cell.kind, source: hash(cell.source), status: event.status, endedAt: Date.now(), outputs: [] };
      if (event.executionCount !== undefined) saved.executionCount = event.executionCount;
      record.saved.set(cell.id, saved);
    }
    const saved = record.saved.get(cell.id);
    if (!saved || event.status === 'queued' || event.status === 'idle') return;
    saved.status = event.status;
    saved.endedAt = Date.now();
    if (event.status !== 'running') this.schedule(event.path, record);
  }

  output(event: CellOutputEvent): void {
    const saved = this.notebooks.get(event.path)?.saved.get(event.cellId);
    if (!saved) return;
    const last = saved.outputs.at(-1);
    const output = event.output;
    if (output.kind === 'text' && last?.kind === 'text' && last.stream === output.stream) {
      // Cut back to the limit only at twice the limit: a cell printing fast costs the host
      // amortised constant work per character, not a copy of the kept text per line.
      const text = last.text + output.text;
      saved.outputs[saved.outputs.length - 1] = text.length > 2 * MAX_SAVED_TEXT ? savedOutput({ ...last, text }) : { ...last, text };
    } else {
      // A chart stays whole while its cell runs (a reloaded page shows it live); the file gets a note.
      saved.outputs.push(output.kind === 'text' || output.kind === 'chart' ? output : savedOutput(output));
    }
  }

  /** Forgets the saved outputs of cells `ids` (or all) and rewrites the file. */
  async clear(notebook: string, ids: string[] | 'all'): Promise<void> {
    const record = this.notebooks.get(notebook);
    if (!record) return;
    for (const id of [...record.saved.keys()]) if (ids === 'all' || ids.includes(id)) record.saved.delete(id);
    this.schedule(notebook, record, 0);
    await this.flush(notebook);
  }

  /** The notebook was renamed: its outputs file follows it. */
  async renamed(from: string, to: string): Promise<void> {
    const record = this.notebooks.get(from);
    this.notebooks.delete(from);
    if (record) {
      clearTimeout(record.timer);
      await record.writing;
      this.notebooks.set(to, record);
    }
    const source = outputsFileOf(this.files.resolve(from));
    const target = outputsFileOf(this.files.resolve(to));
    try {
      this.files.assertInsideOnDisk(target, 'the outputs file');
      await mkdir(path.dirname(target), { recursive: true });
      await rename(source, target);
    } catch {
      // No outputs saved yet, or the target is not writable: the outputs are written anew on the next run.
    }
  }

  /** Writes what is pending now (on dispose). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.notebooks.keys()].map((notebook) => this.flush(notebook)));
  }

  private async flush(notebook: string): Promise<void> {
    const record = this.notebooks.get(notebook);
    if (!record) return;
    if (record.timer) {
      clearTimeout(record.timer);
      record.timer = undefined;
      record.writing = this.write(notebook, record);
    }
    await record.writing;
  }

  private async record(notebook: string, cells: readonly WorkbenchCell[], rematch = false): Promise<NotebookRecord> {
    let record = this.notebooks.get(notebook);
    if (record && rematch) {
      // A document read anew numbers its cells anew: match what is kept to its cells again.
      await this.flush(notebook);
      record.saved = matchCells([...record.saved.values()], cells);
      record.cells = cells.map((c) => ({ id: c.id, kind: c.kind, source: c.source }));
    }
    if (record) return record;
    record = { cells: cells.map((c) => ({ id: c.id, kind: c.kind, source: c.source })), saved: await this.read(notebook, cells) };
    // Another call may have made it meanwhile; the first one wins.
    const existing = this.notebooks.get(notebook);
    if (existing) return existing;
    this.notebooks.set(notebook, record);
    return record;
  }

  /** Reads the file and matches its cells to `cells`. */
  private async read(notebook: string, cells: readonly WorkbenchCell[]): Promise<Map<string, SavedCell>> {
    let file: OutputsFile;
    try {
      const full = outputsFileOf(this.files.resolve(notebook));
      this.files.assertInsideOnDisk(full, 'the outputs file');
      file = JSON.parse(await readFile(full, 'utf8')) as OutputsFile;
      if (file.format !== FORMAT || !Array.isArray(file.cells)) return new Map();
    } catch {
      return new Map();
    }
    // A cell that was running when that file was written ran in a host that is gone.
    return matchCells(file.cells.map((c) => (c.status === 'running' || c.status === 'queued' ? { ...c, status: 'interrupted' as const } : c)), cells);
  }

  private schedule(notebook: string, record: NotebookRecord, delayMs = this.delayMs): void {
    clearTimeout(record.timer);
    record.timer = setTimeout(() => {
      record.timer = undefined;
      const previous = record.writing ?? Promise.resolve();
      record.writing = previous.then(() => this.write(notebook, record));
    }, delayMs);
    record.timer.unref?.();
  }

  private async write(notebook: string, record: NotebookRecord): Promise<void> {
    const cells: SavedCell[] = [];
    for (const [index, cell] of record.cells.entries()) {
      const saved = record.saved.get(cell.id);
      if (saved && saved.outputs.length > 0) cells.push({ ...saved, index, outputs: saved.outputs.map(savedOutput) });
    }
    try {
      const full = outputsFileOf(this.files.resolve(notebook));
      this.files.assertInsideOnDisk(full, 'the outputs file');
      if (cells.length === 0) {
        await rm(full, { force: true });
        return;
      }
      await mkdir(path.dirname(full), { recursive: true });
      const content: OutputsFile = { format: FORMAT, notebook: path.basename(notebook), cells };
      // A fresh name, made only if nothing stands there: a link planted at it is not followed.
      const temporary = `${full}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, JSON.stringify(content) + '\n', { flag: 'wx' });
        await rename(temporary, full);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    } catch {
      // Saving outputs is a convenience: a read-only folder must not fail the cell.
    }
  }
}
