/**
 * `weir run <notebook.ts> [--mode streaming|batch] [--parallelism N] [--report file]`: runs a
 * notebook headless, printing cell output to stdout and one status line per cell to stderr.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { installExecutionHost, type HostDefaults, type JobReport, type RuntimeMode } from '../../engine/runtime/host.ts';
import type { CellError, CellRunResult } from '../shared/notebook/run.ts';
import { runNotebook } from '../kernel/run.ts';
import { bundleJobCode } from '../kernel/job-bundle.ts';
import { CapturedValues } from '../../engine/process/captured-values.ts';
import { installCellBodyHook } from '../../engine/process/cell-body.ts';
import { ExecuteCalls } from '../../engine/process/job-identity.ts';
import type { CodeRef } from '../../engine/process/protocol.ts';
import { availableParallelism } from 'node:os';
import type { CliContext } from './io.ts';
import { reportRun } from './report.ts';
import { startClusterSession } from './cluster-session.ts';
import { RUN_USAGE } from './usage.ts';
import { EXIT, parseCommandLine, parseFlags, UsageError } from './command-line.ts';


/** How many user frames to print under an error. */
const MAX_FRAMES = 5;

/** The validated arguments of `weir run`. */
export interface RunArguments {
  /** Absolute path of the notebook (or of the exported job's directory). */
  notebook: string;
  /** Absolute path of an exported job's directory (`weir export`), when that is what runs. */
  jobDir?: string;
  defaults: HostDefaults;
  /** Taskmanager processes; 0 runs jobs inside the `weir run` process. */
  taskManagers: number;
  /** Slots per taskmanager; undefined: as many as a job needs. */
  slots?: number;
  checkpointDir?: string;
  savepointDir?: string;
  fromSavepoint?: string;
  allowNonRestoredState?: boolean;
  /** `--drain`: a stop by signal fires every window (event time to the end) before the savepoint. */
  drain?: boolean;
  /** Resume a savepoint of a job with another name. */
  allowJobMismatch?: boolean;
  /** Absolute path of the report file, if asked for. */
  report?: string;
  /** No status line on a terminal. */
  quiet?: boolean;
}


/**
 * Runs `weir run` with the arguments after `run`; resolves with the exit code.
 *
 * @example
 * await runCommand(['notebooks/sensor-averages.ts', '--mode', 'batch'], processContext()); // 0
 */
export async function runCommand(argv: string[], context: CliContext): Promise<number> {
  const args = parseCommandLine(() => parseRunArguments(argv, context.cwd), RUN_USAGE, context);
  if (typeof args === 'number') return args;

  if (args.jobDir) {
    const { runExportedJob } = await import('./run-exported.ts');
    return runExportedJob({ ...args, jobDir: args.jobDir }, context, argv);
  }

  // A savepoint that cannot be restored into the notebook's job is refused before anything runs.
  const resume = args.fromSavepoint ? await restorableJob(args, context) : undefined;
  if (args.fromSavepoint && !resume) return EXIT.failed;
  const jobs: JobReport[] = [];
  const session = startClusterSession({ ...args, argv }, context, jobs);
  const cluster = session.cluster;
  // Lines about cells go around the status line, not into it.
  const lines: CliContext = { ...context, stderr: (text) => session.say(text) };
  let resumed = false;
  const cells = new CellJobs((message) => context.stderr(`note: ${message}\n`));
  // Cells tell this process how to read the values their jobs capture (engine/process/cell-body.ts).
  const restoreCellHook = installCellBodyHook((cell, info) => cells.values.enter(cell, info));
  const restoreHost = installExecutionHost({
    defaults: args.defaults,
    headless: true,
    onJobFinished: (report) => jobs.push({ ...report, taskManagers: args.taskManagers } as JobReport),
    note: (message) => context.stderr(`note: ${message}\n`),
    submitJob: (job) => {
      const code = cluster ? cells.codeFor(job.graph.name) : undefined;
      if (cluster && !code) return undefined;
      // --from-savepoint resumes the job the savepoint was taken of (matched by name, or the only job with --allow-job-mismatch).
      const restore = resume && job.graph.name === resume && !resumed ? { fromSavepoint: args.fromSavepoint, allowNonRestoredState: !!args.allowNonRestoredState, allowJobMismatch: !!args.allowJobMismatch } : {};
      if (restore.fromSavepoint) resumed = true;
      // --taskmanagers 0: in this process, with file checkpoints and the same stop on a signal.
      return session.watch(cluster ? cluster.submit(job, code!, restore) : session.inProcess!.start(job, restore));
    },
  });
  let code: number;
  try {
    const runOptions: Parameters<typeof runNotebook>[1] = {
      onCellStart: (start) => cells.enter(start.cell - 1, start.modulePath),
      onCellEnd: (result) => printStatus(result, lines),
    };
    if (context.weirModule) runOptions.weirModule = context.weirModule;
    const result = await runNotebook(args.notebook, runOptions);
    if (result.error) printError(result.error, lines);
    code = result.ok ? EXIT.ok : EXIT.failed;
  } catch (error) {
    // Not a failure of the notebook's code (those are in the result) but of the run itself.
    context.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    code = EXIT.failed;
  } finally {
    restoreHost();
    restoreCellHook();
    await session.close();
  }
  if (resume && !resumed) {
    context.stderr(`error: --from-savepoint: the savepoint is of job '${resume}', but no job of that name ran\n`);
    code = EXIT.failed;
  }
  if (args.report && !(await reportRun(args.report, { jobs }, context))) code = EXIT.failed;
  return code;
}

/**
 * Parses and validates `weir run`'s arguments; throws `UsageError` naming the bad one.
 *
 * @example
 * parseRunArguments(['nb.ts', '--parallelism', '4'], '/home/me');
 * // { notebook: '/home/me/nb.ts', defaults: { parallelism: 4 } }
 */
export function parseRunArguments(argv: string[], cwd: string): RunArguments | 'help' {
  const { values, positionals } = parseFlags(argv, 'run', {
    mode: { type: 'string' },
    parallelism: { type: 'string' },
    report: { type: 'string' },
    taskmanagers: { type: 'string' },
    slots: { type: 'string' },
    'checkpoint-dir': { type: 'string' },
    'savepoint-dir': { type: 'string' },
    'from-savepoint': { type: 'string' },
    'allow-non-restored-state': { type: 'boolean' },
    drain: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    'allow-job-mismatch': { type: 'boolean' },
    param: { type: 'string', multiple: true },
  });
  if (values.help) return 'help';

  if (positionals.length === 0) throw new UsageError("missing notebook file (usage: weir run <notebook.ts | job dir> [options]; see 'weir run --help')");
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' (weir run takes one notebook or job directory)`);
  const notebook = path.resolve(cwd, positionals[0]!);
  if (!existsSync(notebook)) throw new UsageError(`notebook not found: ${positionals[0]}`);
  const isDir = statSync(notebook).isDirectory();
  if (isDir && !existsSync(path.join(notebook, 'job.json'))) throw new UsageError(`not a notebook file, nor a job directory (no job.json): ${positionals[0]}`);
  if (!isDir && !statSync(notebook).isFile()) throw new UsageError(`not a notebook file: ${positionals[0]}`);

  // Relative paths of a notebook's sources and sinks are relative to its folder; an exported
  // job's, to the directory `weir run` is started in (as for any command-line program).
  const defaults: HostDefaults = { baseDir: isDir ? cwd : path.dirname(notebook) };
  if (values.mode !== undefined) {
    if (values.mode !== 'streaming' && values.mode !== 'batch') {
      throw new UsageError(`--mode must be 'streaming' or 'batch', got '${values.mode}'`);
    }
    defaults.mode = values.mode satisfies RuntimeMode;
  }
  if (values.parallelism !== undefined) {
    const parallelism = Number(values.parallelism);
    if (!/^\s*\d+\s*$/.test(values.parallelism) || !Number.isSafeInteger(parallelism) || parallelism < 1) {
      throw new UsageError(`--parallelism must be an integer of at least 1, got '${values.parallelism}'`);
    }
    defaults.parallelism = parallelism;
  }
  if (values.param !== undefined) defaults.params = parseParams(values.param);
  const taskManagers = values.taskmanagers === undefined ? availableParallelism() : count('--taskmanagers', values.taskmanagers, 0);
  const args: RunArguments = { notebook, defaults, taskManagers };
  if (isDir) args.jobDir = notebook;
  if (values.slots !== undefined) args.slots = count('--slots', values.slots, 1);
  if (values['checkpoint-dir'] !== undefined) args.checkpointDir = path.resolve(cwd, values['checkpoint-dir']);
  if (values['savepoint-dir'] !== undefined) args.savepointDir = path.resolve(cwd, values['savepoint-dir']);
  if (values['from-savepoint'] !== undefined) {
    args.fromSavepoint = path.resolve(cwd, values['from-savepoint']);
    if (!existsSync(args.fromSavepoint)) throw new UsageError(`--from-savepoint: no savepoint at ${values['from-savepoint']}`);
  }
  if (values['allow-non-restored-state']) args.allowNonRestoredState = true;
  if (values.drain) {
    if (!args.savepointDir) throw new UsageError('--drain applies to the stop with a savepoint that --savepoint-dir enables: add --savepoint-dir <dir>');
    args.drain = true;
  }
  if (values['allow-job-mismatch']) args.allowJobMismatch = true;
  if (values.quiet) args.quiet = true;
  if (values.report !== undefined) {
    if (values.report === '') throw new UsageError('--report needs a file name');
    args.report = path.resolve(cwd, values.report);
  }
  return args;
}

/**
 * `--param name=value` flags as parameters; a later flag for a name wins.
 *
 * @example
 * parseParams(['input=data/x.csv', 'rate=500']); // { input: 'data/x.csv', rate: '500' }
 */
export function parseParams(flags: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) throw new UsageError(`--param must be name=value, got '${flag}'`);
    params[flag.slice(0, at).trim()] = flag.slice(at + 1);
  }
  return params;
}

/**
 * The name of the notebook's job that `--from-savepoint` resumes, once `weir savepoint check`'s
 * check passed; undefined after printing why it cannot be restored (nothing has run then).
 *
 * @example
 * await restorableJob({ notebook: '/nb/fraud.ts', fromSavepoint: '/sp/savepoint-3', ... }, context); // 'fraud alerts'
 */
async function restorableJob(args: RunArguments, context: CliContext): Promise<string | undefined> {
  try {
    const { checkSavepoint } = await import('./savepoint.ts');
    const options = { allowNonRestoredState: !!args.allowNonRestoredState, allowJobMismatch: !!args.allowJobMismatch };
    const check = await checkSavepoint(args.fromSavepoint!, args.notebook, options, context, args.defaults);
    if (check.compatible && check.job !== undefined) return check.job;
    context.stderr(`error: --from-savepoint: ${check.text}\n`);
  } catch (error) {
    context.stderr(`error: --from-savepoint: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return undefined;
}

/** A whole number of at least `min` from a flag's text, or a UsageError naming the flag. */
function count(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be an integer of at least ${min}, got '${text}'`);
  return n;
}

/**
 * Which code rebuilds a job in a taskmanager: the module of the cell that is running, bundled
 * with what it imports, and which of that cell's execute() calls the job is.
 */
class CellJobs {
  private cell = -1;
  private modulePath: string | undefined;
  private readonly calls = new ExecuteCalls();
  private bundles = 0;
  /** The values the cells' jobs capture. */
  readonly values = new CapturedValues();

  /** @param note says a line to the user (on stderr, as the engine's notes). */
  constructor(private readonly note: (message: string) => void) {}

  enter(cell: number, modulePath: string | undefined): void {
    this.cell = cell;
    this.modulePath = modulePath;
    this.calls.enterCell(cell);
  }

  /** The code of a job the current cell starts; undefined outside a cell (the job runs here). */
  codeFor(jobName: string): Promise<CodeRef> | undefined {
    if (!this.modulePath) return undefined;
    const identity = this.calls.next(jobName);
    const dir = path.dirname(this.modulePath);
    // Now, at execute(): the values as the cell has them when it submits the job.
    const captured = this.values.capture(this.cell, jobName);
    // Statements that build the graph and also have effects run again on the taskmanagers: say so.
    for (const note of this.values.keptEffects(this.cell, jobName)) this.note(note);
    return bundleJobCode(this.modulePath, dir, path.join(dir, `job-${++this.bundles}.mjs`)).then((moduleUrl) => ({ moduleUrl, ...identity, captured }));
  }
}


/** One short line per finished cell: `cell 2 ✓ 12 ms`. Markdown cells print nothing. */
function printStatus(result: CellRunResult, context: CliContext): void {
  const ms = `${Math.round(result.durationMs)} ms`;
  if (result.status === 'done' && result.kind !== 'markdown') context.stderr(`cell ${result.cell}${result.kind === 'sql' ? ' [sql]' : ''} ✓ ${ms}\n`);
  else if (result.status === 'failed') context.stderr(`cell ${result.cell} ✗ ${ms}\n`);
  else if (result.status === 'skipped') context.stderr(`cell ${result.cell} [${result.kind}]: skipped (${result.reason ?? 'not supported'})\n`);
}

/** `error: cell 3, nb.ts:12:9: TypeError: ...`, then the user frames. */
function printError(error: CellError, context: CliContext): void {
  const where = `${displayPath(error.file, context.cwd)}:${error.line}:${error.column}`;
  const message = error.name === 'Error' || error.phase === 'compile' ? error.message : `${error.name}: ${error.message}`;
  context.stderr(`error: cell ${error.cell}, ${where}: ${message}\n`);
  for (const frame of error.frames.slice(0, MAX_FRAMES)) {
    const at = `${displayPath(frame.file, context.cwd)}:${frame.line}:${frame.column}`;
    // V8 names a callback after its receiver (`MapOperator.<anonymous>`): engine detail, not user code.
    const name = frame.functionName && !frame.functionName.includes('<anonymous>') ? frame.functionName : undefined;
    context.stderr(`    at ${name ? `${name} (${at})` : at}\n`);
  }
}

/** Paths under the working directory are shown relative to it, others in full. */
function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
