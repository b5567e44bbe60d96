/**
 * `weir run <dir>` for a job written by `weir export`: evaluates `bundle.mjs` to rebuild the
 * job, checks the graph against `job.json`, and runs that one job as `weir run <notebook>`
 * would (same cluster, flags, savepoints and report).
 *
 * The bundle is evaluated as a taskmanager evaluates job code (engine/process/taskmanager/
 * rebuild.ts): jobs other than this one "finish" at once without running, and this job's
 * `execute()` never returns to the code, so nothing after it runs. The runner waits for the job
 * itself.
 */
import { CapturedValues } from '../../engine/process/captured-values.ts';
import { installCellBodyHook } from '../../engine/process/cell-body.ts';
import { describeJob, ExecuteCalls, isJob } from '../../engine/process/job-identity.ts';
import path from 'node:path';
import { installExecutionHost, type JobReport } from '../../engine/runtime/host.ts';
import type { JobClient, JobDefinition } from '../../engine/runtime/job.ts';
import type { CodeRef } from '../../engine/process/protocol.ts';
import { ownedTempDir, releaseTempDir } from '../../engine/process/temp-dirs.ts';
import { finishedAtOnce } from '../kernel/discover-jobs.ts';
import { linkExportedBundle } from '../kernel/export-bundle.ts';
import { planMismatch, readJobFile, type JobFile } from '../kernel/job-file.ts';
import { watchProcessFailures } from '../kernel/process-failures.ts';
import { defaultWeirModule } from '../kernel/weir-module.ts';
import { startClusterSession, type ClusterSession } from './cluster-session.ts';
import type { CliContext } from './io.ts';
import { reportRun } from './report.ts';
import type { RunArguments } from './run.ts';
import { checkSavepoint } from './savepoint.ts';
import { EXIT } from './command-line.ts';

/** Console methods silenced while the bundle rebuilds the job: its output belongs to the notebook. */
const SILENCED = ['log', 'info', 'warn', 'error', 'debug', 'table', 'dir'] as const;

/**
 * Runs the exported job in `args.jobDir`; resolves with the exit code.
 *
 * @example
 * await runExportedJob({ ...parseRunArguments(['jobs/fraud'], cwd), jobDir: '/home/me/jobs/fraud' }, context);
 */
export async function runExportedJob(args: RunArguments & { jobDir: string }, context: CliContext, argv: string[] = []): Promise<number> {
  let jobFile: JobFile;
  try {
    jobFile = await readJobFile(args.jobDir);
  } catch (error) {
    context.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
  if (args.fromSavepoint) {
    // Refused before anything runs, with the report of `weir savepoint check`.
    try {
      const options = { allowNonRestoredState: !!args.allowNonRestoredState, allowJobMismatch: !!args.allowJobMismatch };
      const check = await checkSavepoint(args.fromSavepoint, args.jobDir, options, context);
      if (!check.compatible) {
        context.stderr(`error: --from-savepoint: ${check.text}\n`);
        return EXIT.failed;
      }
    } catch (error) {
      context.stderr(`error: --from-savepoint: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT.failed;
    }
  }

  // The parameters recorded at export, overridden by this run's --param.
  if (jobFile.params) args = { ...args, defaults: { ...args.defaults, params: { ...jobFile.params, ...args.defaults.params } } };
  process.setSourceMapsEnabled(true);
  // A stop with a savepoint ends the process from its signal handler, past the finally below;
  // the folder then goes when the process exits.
  const linkDir = ownedTempDir('weir-job');
  const jobs: JobReport[] = [];
  const session = startClusterSession({ ...args, argv }, context, jobs);
  // Lines about the job go around the status line, not into it.
  const say = (text: string) => session.say(text);
  let code: number = EXIT.ok;
  let stopEvaluation = () => {};
  try {
    const moduleUrl = await linkExportedBundle(path.join(args.jobDir, jobFile.entry.file), context.weirModule ?? defaultWeirModule(), path.join(linkDir, 'job.mjs'));
    const started = performance.now();
    const { client, done } = await startJob(jobFile, moduleUrl, args, session, context);
    stopEvaluation = done;
    say(`job '${jobFile.name}' started (${jobFile.vertices.length} operators, ${args.taskManagers > 0 ? `${args.taskManagers} taskmanager${args.taskManagers === 1 ? '' : 's'}` : 'in this process'})`);
    try {
      const { report } = await client.result;
      jobs.push({ ...report, taskManagers: args.taskManagers } as JobReport);
      say(`job '${jobFile.name}' ✓ ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      const report = (error as { report?: JobReport }).report;
      if (report) jobs.push({ ...report, taskManagers: args.taskManagers } as JobReport);
      context.stderr(`error: job '${jobFile.name}' failed: ${error instanceof Error ? error.message : String(error)}\n`);
      code = EXIT.failed;
    }
  } catch (error) {
    context.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    code = EXIT.failed;
  } finally {
    stopEvaluation();
    await session.close();
    releaseTempDir(linkDir);
  }
  if (args.report && !(await reportRun(args.report, { jobs }, context))) code = EXIT.failed;
  return code;
}

/**
 * Evaluates the bundle until it starts the exported job, checks its graph and starts it on
 * the cluster (or in this process); rejects when the bundle fails or builds another graph.
 * The execution host stays installed while the job runs (a job in this process asks it
 * whether it is headless); `done` removes it.
 */
async function startJob(
  jobFile: JobFile,
  moduleUrl: string,
  args: RunArguments,
  session: ClusterSession,
  context: CliContext,
): Promise<{ client: JobClient; done: () => void }> {
  const { entry } = jobFile;
  const codeRef: CodeRef = { moduleUrl, cell: entry.cell, jobName: jobFile.name, occurrence: entry.occurrence };
  // Count execute() calls as a taskmanager does.
  const calls = new ExecuteCalls();
  // The bundle's cells tell this process how to read the values the job captures.
  const values = new CapturedValues();
  const restoreCellHook = installCellBodyHook((cell, info) => {
    calls.enterCell(cell);
    return values.enter(cell, info);
  });
  let started!: (client: JobClient) => void;
  let refused!: (error: Error) => void;
  const captured = new Promise<JobClient>((resolve, reject) => {
    started = resolve;
    refused = reject;
  });
  const restore = args.fromSavepoint ? { fromSavepoint: args.fromSavepoint, allowNonRestoredState: !!args.allowNonRestoredState, allowJobMismatch: !!args.allowJobMismatch } : {};
  const overrides = {
    parallelism: args.defaults.parallelism !== undefined,
    mode: args.defaults.mode !== undefined,
    params: Object.entries(args.defaults.params ?? {}).some(([name, value]) => jobFile.params?.[name] !== value),
  };

  const submit = (job: JobDefinition): JobClient => {
    const mismatch = planMismatch(jobFile, job.graph, overrides);
    if (mismatch) throw new Error(`the bundle does not build the plan in job.json: ${mismatch}`);
    if (!session.cluster) return session.watch(session.inProcess!.start(job, restore));
    // The values as the cells have them at execute(): the taskmanagers run only the cells' slices.
    const captured = values.capture(entry.cell, jobFile.name);
    for (const note of values.keptEffects(entry.cell, jobFile.name)) context.stderr(`note: ${note}\n`);
    return session.watch(session.cluster.submit(job, { ...codeRef, captured }, restore));
  };

  const saved = SILENCED.map((m) => console[m]);
  for (const m of SILENCED) console[m] = () => {};
  const restoreHost = installExecutionHost({
    headless: true,
    defaults: args.defaults,
    note: (message) => context.stderr(`note: ${message}\n`),
    submitJob(job): JobClient {
      const name = job.graph.name;
      if (!isJob(calls.next(name), codeRef)) return finishedAtOnce(job.graph);
      try {
        started(submit(job));
      } catch (error) {
        refused(error instanceof Error ? error : new Error(String(error)));
      }
      // The code that called execute() waits here for good: the runner awaits the job.
      return { jobName: name, result: new Promise(() => {}), cancel() {}, metrics: () => [] };
    },
  });
  const done = () => {
    restoreCellHook();
    restoreHost();
  };
  const watch = watchProcessFailures();
  try {
    const evaluated = import(moduleUrl).then(() => {
      throw new Error(`bundle.mjs ran to its end without starting ${describeJob(codeRef)}`);
    });
    return { client: await Promise.race([captured, evaluated, watch.failure]), done };
  } catch (error) {
    done();
    throw new Error(`cannot rebuild job '${jobFile.name}' from bundle.mjs: ${describe(error)}`);
  } finally {
    watch.dispose();
    SILENCED.forEach((m, i) => (console[m] = saved[i] as (...args: unknown[]) => void));
  }
}

/** The message, and where in the notebook code it was thrown when the stack says so. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  const at = error.stack?.split('\n').find((line) => /^\s+at .*\.(?:ts|tsx|js|mjs):\d+:\d+\)?$/.test(line) && !line.includes('node:'));
  return at && !message.startsWith('the bundle does not build') ? `${message}\n   ${at.trim()}` : message;
}
