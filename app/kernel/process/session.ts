/**
 * The kernel of one open notebook in the workbench: runs cells on request, one request after
 * the other, keeping what earlier runs defined.
 *
 * Each run of a cell compiles it to a new module version (`c3.v7.mjs`) that imports the
 * current versions of the cells it reads from, so re-running a cell sees its inputs' latest
 * values and never re-runs them by accident; the cells it reads from that have not run yet run
 * first. Output and failures are attributed through `cellContext` (see cell-context.ts).
 */
import { ExecuteCalls } from '../../../engine/process/job-identity.ts';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { ownedTempDir, releaseTempDir } from '../../../engine/process/temp-dirs.ts';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SqlCellError } from '../../../engine/connectors/duckdb/sql-cell-errors.ts';
import type { Notebook } from '../../shared/notebook/model.ts';
import type { CellError } from '../../shared/notebook/run.ts';
import type { CellOutputEvent, CellStateEvent } from '../../shared/workbench/service.ts';
import type { CellOutput, RunRequest, TableValue } from '../../shared/workbench/protocol.ts';
import { analyzeNotebook, cellModulePath, CompileSession, type AnalyzedCell, type CompiledNotebook } from '../compile.ts';
import { flinkSqlCellsAsCode, flinkSqlParserReady, loadFlinkSqlParser } from '../flink-sql-cells.ts';
import { locateRuntimeError } from '../locate.ts';
import { cellContext, type CellCode, type CellContext } from '../../host/cell-context.ts';
import { reparse } from '../../host/documents.ts';
import { OutputThrottle } from '../../host/output-throttle.ts';

/** Where a session reports what happens. */
export interface SessionEvents {
  cellState(event: CellStateEvent): void;
  output(event: CellOutputEvent): void;
}

/** What a session needs from its surroundings. */
export interface KernelSessionOptions {
  /** The notebook, relative to the folder (as events name it). */
  path: string;
  /** Its absolute path: relative imports and `import.meta.url` of cells resolve against it. */
  file: string;
  /** Absolute path of the module `import ... from 'weir'` loads. */
  weirModule: string;
  events: SessionEvents;
  /** Cancels the running jobs a cell started (on interrupt). */
  cancelJobsOf(path: string, cellId: string): void;
  /** The directory under which the compiled modules' directory is made (default: the OS temp dir). */
  tempRoot?: string;
}

/** A run request turned into a plan when it is queued. */
interface RunPlan {
  notebook: Notebook;
  analyzed: AnalyzedCell[];
  /** Cell ids by 0-based cell index. */
  ids: string[];
  /** Indexes to run, ascending. */
  order: number[];
  /** Indexes the user asked for (the others are inputs that had not run). */
  requested: Set<number>;
}

/** Rows of a SQL result shown in its table (the table view stays smooth at this size). */
const MAX_SQL_ROWS = 100_000;

/** A DuckDB JSON value as a table cell. */
function tableValue(value: unknown): TableValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value) ?? null;
}

/**
 * The names of cell `failed` that cell `cell` reads, itself or through the cells it reads from
 * (transitively); empty when it does not depend on `failed`.
 */
export function namesReadFrom(analyzed: readonly AnalyzedCell[], cell: number, failed: number): string[] {
  const names = new Set<string>();
  const seen = new Set<number>([cell]);
  const pending = [cell];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const input of analyzed.find((a) => a.index === current)?.scope.inputs ?? []) {
      if (input.cell === failed) names.add(input.name);
      else if (!seen.has(input.cell)) {
        seen.add(input.cell);
        pending.push(input.cell);
      }
    }
  }
  return [...names];
}

/** The cell line, column and message of a SQL cell's failure (a `SqlCellError`), if it is one. */
export function sqlLocation(error: Error): { line: number; column: number; detail: string } | undefined {
  const e = error as Partial<SqlCellError>;
  return error.name === 'SqlCellError' && typeof e.line === 'number' && typeof e.column === 'number' && typeof e.detail === 'string' ? { line: e.line, column: e.column, detail: e.detail } : undefined;
}

/** Thrown into a waiting cell when the user interrupts it. */
class Interrupted extends Error {
  override name = 'Interrupted';
}

/**
 * A `CompileSession` whose cells import the current module version of each earlier cell rather
 * than a fixed file per cell position.
 */
class VersionedCompileSession extends CompileSession {
  /** Module URL of each cell by 0-based index, for the plan being run. */
  urls: (string | undefined)[] = [];

  override moduleUrl(index: number): string {
    return this.urls[index] ?? super.moduleUrl(index);
  }
}

/**
 * Runs the cells of one notebook.
 *
 * @example
 * const session = new KernelSession({ path: 'a.ts', file: '/nb/a.ts', weirModule, events, cancelJobsOf });
 * await session.run({ path: 'a.ts', cells, run: 'all' });
 */
export class KernelSession {
  private queue: Promise<void> = Promise.resolve();
  /** Bumped by `interrupt()`: plans queued under an older generation are dropped. */
  private generation = 0;
  private readonly queued = new Set<string>();
  private running: { cellId: string; interrupt(): void } | undefined;
  private compile: VersionedCompileSession | undefined;
  private outDir: string | undefined;
  /** The module URL of each cell's last successful run, by cell id. */
  private readonly evaluated = new Map<string, string>();
  private version = 0;
  /** Cells run by this kernel so far: the next run's execution count is one more. */
  private executions = 0;
  private disposed = false;

  constructor(private readonly options: KernelSessionOptions) {}

  /** The cell running now, if any. */
  get runningCell(): string | undefined {
    return this.running?.cellId;
  }

  /**
   * Queues a run. The cells show as queued at once; the promise settles when the run has
   * ended (failed cells and interruptions included). Rejects only for a malformed request.
   */
  run(request: RunRequest): Promise<void> {
    // A notebook's first [flink-sql] cell waits for the SQL grammar to load, once per kernel.
    const { notebook } = reparse(request);
    if (!flinkSqlParserReady(notebook)) return loadFlinkSqlParser(notebook).then(() => this.run(request));
    const plan = this.plan(request);
    const generation = this.generation;
    for (const index of plan.order) {
      const cellId = plan.ids[index]!;
      this.queued.add(cellId);
      this.state({ cellId, status: 'queued' });
    }
    const task = this.queue.then(() => this.execute(plan, generation));
    this.queue = task.catch(() => {});
    return task;
  }

  /** Drops queued cells and stops waiting for the running one, cancelling the jobs it started. */
  interrupt(): void {
    this.generation++;
    for (const cellId of this.queued) this.state({ cellId, status: 'idle' });
    this.queued.clear();
    if (this.running) {
      this.options.cancelJobsOf(this.options.path, this.running.cellId);
      this.running.interrupt();
    }
  }

  /** Interrupts and deletes the compiled modules. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.interrupt();
    if (this.outDir && !this.options.tempRoot) releaseTempDir(this.outDir);
    else if (this.outDir) await rm(this.outDir, { recursive: true, force: true });
  }

  private plan(request: RunRequest): RunPlan {
    const notebook = flinkSqlCellsAsCode(reparse(request).notebook);
    const ids = request.cells.map((cell) => cell.id);
    const analyzed = analyzeNotebook(notebook);
    const runnable = (index: number): boolean => notebook.cells[index]?.kind !== 'markdown';
    let requested: number[];
    if (request.run === 'all') {
      requested = notebook.cells.map((_, index) => index).filter(runnable);
    } else {
      const wanted = new Set(request.run);
      requested = ids.flatMap((id, index) => (wanted.has(id) && runnable(index) ? [index] : []));
    }
    const order = new Set(requested);
    // The cells a requested cell reads from and that have not run yet, transitively.
    const pending = [...requested];
    while (pending.length > 0) {
      const index = pending.pop()!;
      for (const input of analyzed.find((cell) => cell.index === index)?.scope.inputs ?? []) {
        if (!order.has(input.cell) && !this.evaluated.has(ids[input.cell]!)) {
          order.add(input.cell);
          pending.push(input.cell);
        }
      }
    }
    return { notebook, analyzed, ids, order: [...order].sort((a, b) => a - b), requested: new Set(requested) };
  }

  private async execute(plan: RunPlan, generation: number): Promise<void> {
    for (const [position, index] of plan.order.entries()) {
      const cellId = plan.ids[index]!;
      if (generation !== this.generation || this.disposed) return;
      this.queued.delete(cellId);
      // An input that another request has run meanwhile need not run again.
      if (!plan.requested.has(index) && this.evaluated.has(cellId)) {
        this.state({ cellId, status: 'idle' });
        continue;
      }
      const ok = await this.runCell(plan, index);
      if (!ok) {
        for (const later of plan.order.slice(position + 1)) {
          const laterId = plan.ids[later]!;
          if (!this.queued.delete(laterId)) continue;
          // Every cell after a failure in the run says why it did not run, and which cell to look at.
          const names = namesReadFrom(plan.analyzed, later, index);
          const reason = `not run: cell ${index + 1}${names.length > 0 ? `, which defines ${names.join(', ')},` : ''} failed`;
          this.state({ cellId: laterId, status: 'skipped', reason });
          this.options.events.output({ path: this.options.path, cellId: laterId, output: { kind: 'blocked', cellId, cell: index + 1, names } });
        }
        return;
      }
    }
  }

  /** Runs one cell; resolves false when it failed or was interrupted. */
  private async runCell(plan: RunPlan, index: number): Promise<boolean> {
    const cell = plan.notebook.cells[index]!;
    const cellId = plan.ids[index]!;
    const started = performance.now();
    const generation = this.generation;
    const executionCount = ++this.executions;
    this.state({ cellId, executionCount, status: 'running' });
    if (cell.kind === 'sql') return this.runSql(cellId, index, cell.source, cell.startLine, started, executionCount);
    const analyzed = plan.analyzed.find((a) => a.index === index)!;
    const compile = await this.compileSession();
    compile.urls = plan.ids.map((id) => this.evaluated.get(id));
    const outcome = await compile.compileCell(cell, analyzed);
    if (!outcome.ok) {
      this.reportError(cellId, cell.startLine, outcome.error);
      this.state({ cellId, executionCount, status: 'failed', durationMs: performance.now() - started });
      return false;
    }
    const url = await this.publish(cellId, outcome.compiled.modulePath);
    // An interrupt while the cell compiled stops it before it starts.
    if (generation !== this.generation) {
      this.state({ cellId, executionCount, status: 'interrupted', durationMs: performance.now() - started });
      return false;
    }

    const context = this.contextFor(cellId, { modulePath: fileURLToPath(url), cell: index, calls: new ExecuteCalls(index), baseDir: path.dirname(this.options.file) });
    let interrupt!: () => void;
    const interrupted = new Promise<never>((_, reject) => {
      interrupt = () => reject(new Interrupted('interrupted'));
    });
    interrupted.catch(() => {});
    this.running = { cellId, interrupt };
    try {
      await cellContext.run(context, () => Promise.race([import(url), interrupted, context.failure]));
      this.evaluated.set(cellId, url);
      context.flush();
      this.state({ cellId, executionCount, status: 'done', durationMs: performance.now() - started });
      return true;
    } catch (error) {
      context.flush();
      if (error instanceof Interrupted) {
        this.state({ cellId, executionCount, status: 'interrupted', durationMs: performance.now() - started });
        return false;
      }
      const compiled: CompiledNotebook = {
        notebookPath: this.options.file,
        cells: plan.analyzed.map((a) => ({ ...a, modulePath: cellModulePath(this.outDir!, a.index) })),
        userFiles: compile.userModules.sources(),
      };
      this.reportError(cellId, cell.startLine, locateRuntimeError(error, index, compiled));
      this.state({ cellId, executionCount, status: 'failed', durationMs: performance.now() - started });
      return false;
    } finally {
      this.running = undefined;
      context.settled = true;
    }
  }

  /**
   * Runs a SQL cell on the process's DuckDB (loaded on first use), in the notebook's folder
   * like `weir run`, and shows the last statement's rows as a table.
   */
  private async runSql(cellId: string, index: number, sql: string, startLine: number, started: number, executionCount: number): Promise<boolean> {
    const emit = (output: CellOutput): void => this.options.events.output({ path: this.options.path, cellId, output });
    try {
      const { runSqlCell } = await import('../../../engine/connectors/duckdb/sql-cell.ts');
      const result = await runSqlCell(sql, { cwd: path.dirname(this.options.file), maxRows: MAX_SQL_ROWS });
      const output: CellOutput = { kind: 'table', columns: result.columns, rows: result.rows.map((row) => row.map(tableValue)) };
      if (result.rowCount > result.rows.length) output.truncated = result.rowCount - result.rows.length;
      emit(output);
      this.state({ cellId, executionCount, status: 'done', durationMs: performance.now() - started });
      return true;
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      // DuckDB's message once, at the line and column of the cell it points to.
      const located = sqlLocation(error);
      this.reportError(cellId, startLine, {
        cell: index + 1,
        phase: 'runtime',
        file: this.options.file,
        line: startLine + (located?.line ?? 1) - 1,
        column: located?.column ?? 1,
        name: located ? 'Error' : error.name,
        message: located?.detail ?? error.message,
        frames: [],
        stack: error.stack ?? error.message,
      });
      this.state({ cellId, executionCount, status: 'failed', durationMs: performance.now() - started });
      return false;
    }
  }

  private async compileSession(): Promise<VersionedCompileSession> {
    if (!this.compile) {
      // Source maps make stack frames of cell code point into the notebook.
      process.setSourceMapsEnabled(true);
      // Under a kernel process the host owns `tempRoot` and removes it: a job this kernel
      // started must find its code after the kernel is gone. In the host's own process the
      // folder is this process's.
      this.outDir = this.options.tempRoot ? await mkdtemp(path.join(this.options.tempRoot, 'weir-workbench-')) : ownedTempDir('weir-workbench');
      this.compile = new VersionedCompileSession({ notebookPath: this.options.file, weirModule: this.options.weirModule, outDir: this.outDir });
    }
    return this.compile;
  }

  /** Moves a freshly compiled module to a name of its own, so importing it evaluates it anew. */
  private async publish(cellId: string, modulePath: string): Promise<string> {
    const versioned = path.join(path.dirname(modulePath), `${cellId}.v${++this.version}.mjs`);
    await rename(modulePath, versioned);
    return pathToFileURL(versioned).href;
  }

  /** The context code of a cell runs in: output goes to the cell, failures fail it or are shown under it. */
  private contextFor(cellId: string, code: CellCode): CellContext & { failure: Promise<never>; flush(): void; settled: boolean } {
    const { path: notebookPath, events } = this.options;
    const emit = (output: CellOutput): void => events.output({ path: notebookPath, cellId, output });
    const throttle = new OutputThrottle(emit);
    let fail!: (error: unknown) => void;
    const failure = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failure.catch(() => {});
    const context = {
      path: notebookPath,
      cellId,
      code,
      settled: false,
      failure,
      write: (stream: 'stdout' | 'stderr', text: string) => throttle.write(stream, text),
      output: (output: CellOutput) => {
        throttle.flush();
        emit(output);
      },
      fail: (error: unknown) => {
        if (!context.settled) {
          fail(error);
          return;
        }
        // The cell has ended; something it started failed later. Show it under the cell.
        throttle.flush();
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        emit({ kind: 'text', stream: 'stderr', text: `Uncaught ${message}\n` });
      },
      flush: () => throttle.flush(),
    };
    return context;
  }

  private reportError(cellId: string, startLine: number, error: CellError): void {
    const inCell = error.file === this.options.file;
    const cellLine = inCell ? Math.max(1, error.line - startLine + 1) : 1;
    this.options.events.output({
      path: this.options.path,
      cellId,
      output: { kind: 'error', error, cellLine, cellColumn: inCell ? error.column : 1 },
    });
  }

  private state(event: Omit<CellStateEvent, 'path'>): void {
    this.options.events.cellState({ path: this.options.path, ...event });
  }
}
