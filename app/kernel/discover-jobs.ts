/**
 * Finds the jobs a notebook defines without running them, the way Flink's client extracts a
 * plan from `main()`: the code cells are evaluated in order with an execution host that takes
 * each job's graph at `execute()` and lets the job "finish" at once without running it. SQL
 * and markdown cells do nothing here; cell output is silenced (it belongs to a real run).
 *
 * A job is identified as every process identifies it (engine/process/job-identity.ts).
 */
import { readFile } from 'node:fs/promises';
import { ExecuteCalls } from '../../engine/process/job-identity.ts';
import { ownedTempDir, releaseTempDir } from '../../engine/process/temp-dirs.ts';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installExecutionHost, type HostDefaults, type JobReport } from '../../engine/runtime/host.ts';
import type { JobClient } from '../../engine/runtime/job.ts';
import type { StreamGraphSpec } from '../../engine/plan/job-graph.ts';
import { parseNotebook } from '../shared/notebook/format.ts';
import { flinkSqlCellsAsCode, loadFlinkSqlParser } from './flink-sql-cells.ts';
import type { CellError } from '../shared/notebook/run.ts';
import { compileNotebook, type CompiledNotebook } from './compile.ts';
import { locateRuntimeError } from './locate.ts';
import { watchProcessFailures } from './process-failures.ts';
import { defaultWeirModule } from './weir-module.ts';
import { checkNotebookEncoding } from '../shared/notebook/encoding.ts';

/** One `execute()` call of the notebook. */
export interface DiscoveredJob {
  /** The job's name, as given to `execute()`. */
  name: string;
  /** 0-based index of the cell whose code called `execute()`. */
  cell: number;
  /** How many earlier `execute()` calls of that cell had the same name. */
  occurrence: number;
  /** The plan the job would run. */
  graph: StreamGraphSpec;
  /** The compiled module of the cell: bundling it gives the job's code. */
  modulePath: string;
  /** The job parameters the code had read when it started the job, with the values it got. */
  params: Record<string, string>;
}

/** What evaluating a notebook for its jobs found. */
export interface JobDiscovery {
  /** Absolute path of the notebook. */
  notebookPath: string;
  /** The jobs, in the order their `execute()` calls ran. */
  jobs: DiscoveredJob[];
  /** The first cell that failed to compile or threw; the jobs before it are still listed. */
  error?: CellError;
  /** The compiled notebook (its modules exist until `use` returns). */
  compiled: CompiledNotebook;
  /** Absolute path of the engine module the cells import as 'weir'. */
  weirModule: string;
}

/** How to evaluate. */
export interface DiscoverOptions {
  /** The module `import ... from 'weir'` loads (default: `defaultWeirModule()`). */
  weirModule?: string;
  /** Defaults for environments that do not set their own (`--mode`, `--parallelism`). */
  defaults?: HostDefaults;
  /** How long one cell may take before it counts as failed (ms; default 60 s). */
  cellTimeoutMs?: number;
}

/** A cell that waits for a job's real output (which never comes here) must not hang the export. */
const CELL_TIMEOUT_MS = 60_000;

/** Console methods silenced while cells are evaluated for their jobs. */
const SILENCED = ['log', 'info', 'warn', 'error', 'debug', 'table', 'dir'] as const;

/**
 * Evaluates the notebook for its jobs and calls `use` while the compiled modules exist (they
 * are removed when it returns).
 *
 * @example
 * const names = await discoverJobs('notebooks/fraud-alerts.ts', {}, async (d) => d.jobs.map((j) => j.name));
 * // ['fraud alerts']
 */
export async function discoverJobs<T>(notebookPath: string, options: DiscoverOptions, use: (discovery: JobDiscovery) => Promise<T>): Promise<T> {
  const file = path.resolve(notebookPath);
  const bytes = await readFile(file);
  checkNotebookEncoding(bytes, notebookPath);
  const parsed = parseNotebook(bytes.toString('utf8'));
  await loadFlinkSqlParser(parsed);
  const notebook = flinkSqlCellsAsCode(parsed);
  const weirModule = options.weirModule ?? defaultWeirModule();
  process.setSourceMapsEnabled(true);
  const outDir = ownedTempDir('weir-discover');
  try {
    const outcome = await compileNotebook(notebook, { notebookPath: file, weirModule, outDir });
    const discovery: JobDiscovery = { notebookPath: file, jobs: [], compiled: outcome.compiled, weirModule };
    if (!outcome.ok) discovery.error = outcome.error;
    else {
      // Cells run in the notebook's folder, as in `weir run` and the workbench.
      const previousCwd = process.cwd();
      process.chdir(path.dirname(file));
      try {
        await evaluateForJobs(outcome.compiled, options.defaults ?? {}, options.cellTimeoutMs ?? CELL_TIMEOUT_MS, discovery);
      } finally {
        process.chdir(previousCwd);
      }
    }
    return await use(discovery);
  } finally {
    releaseTempDir(outDir);
  }
}

/** Imports the cell modules in order, recording every job into `discovery`. */
async function evaluateForJobs(compiled: CompiledNotebook, defaults: HostDefaults, timeoutMs: number, discovery: JobDiscovery): Promise<void> {
  let current: { index: number; modulePath: string } | undefined;
  const calls = new ExecuteCalls();
  const params = new Map<string, string>();
  const restoreHost = installExecutionHost({
    headless: true,
    defaults,
    onParamRead(name, value) {
      if (value !== undefined) params.set(name, value);
    },
    submitJob(job): JobClient {
      const { jobName: name, occurrence } = calls.next(job.graph.name);
      if (current) discovery.jobs.push({ name, cell: current.index, occurrence, graph: job.graph, modulePath: current.modulePath, params: Object.fromEntries(params) });
      return finishedAtOnce(job.graph);
    },
  });
  const saved = SILENCED.map((m) => console[m]);
  for (const m of SILENCED) console[m] = () => {};
  const watch = watchProcessFailures();
  try {
    for (const cell of compiled.cells) {
      current = { index: cell.index, modulePath: cell.modulePath };
      calls.enterCell(cell.index);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the cell did not finish within ${timeoutMs / 1000} s while its jobs were being found (no job runs then: does it wait for a job's output?)`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([import(pathToFileURL(cell.modulePath).href), watch.failure, timedOut]);
      } catch (error) {
        discovery.error = locateRuntimeError(error, cell.index, compiled);
        break;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    watch.dispose();
    SILENCED.forEach((m, i) => (console[m] = saved[i] as (...args: unknown[]) => void));
    restoreHost();
  }
}

/**
 * The handle of a job that is not run: it "finishes" at once with zero counts for every
 * operator, so that code reading the result (`report.operators.find(...)`) keeps working.
 *
 * @example
 * installExecutionHost({ submitJob: (job) => finishedAtOnce(job.graph) });
 */
export function finishedAtOnce(graph: StreamGraphSpec): JobClient {
  const report: JobReport = {
    name: graph.name,
    status: 'FINISHED',
    durationMs: 0,
    operators: graph.vertices.map((v) => ({ uid: v.uid, name: v.name, parallelism: v.parallelism, recordsIn: 0, recordsOut: 0 })),
    checkpoints: [],
    restarts: 0,
  };
  return { jobName: graph.name, result: Promise.resolve({ report }), cancel() {}, metrics: () => [] };
}
