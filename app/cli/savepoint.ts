/**
 * `weir savepoint check <savepoint> <notebook.ts | dir>`: says whether a savepoint can be
 * restored into a notebook's job (found without running it, as `weir export` finds jobs) or an
 * exported job, with the same report `weir run --from-savepoint` refuses with, without running
 * anything. Exits 0 when it can, 1 when it cannot.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkRestore, formatRestoreReport, type RestoreOptions, type RestoreTarget } from '../../engine/checkpoint/restore-check.ts';
import type { StoredCheckpoint } from '../../engine/checkpoint/storage.ts';
import type { HostDefaults } from '../../engine/runtime/host.ts';
import { discoverJobs } from '../kernel/discover-jobs.ts';
import { readJobFile } from '../kernel/job-file.ts';
import { describeCellError } from '../kernel/pick-job.ts';
import type { CliContext } from './io.ts';
import { EXIT, parseCommandLine, parseFlags, UsageError } from './command-line.ts';
import { SAVEPOINT_USAGE } from './usage.ts';

/** The validated arguments of `weir savepoint check`. */
interface SavepointCheckArguments {
  savepoint: string;
  /** Absolute path of the notebook or the exported job's directory. */
  target: string;
  options: RestoreOptions;
}

/** What checking a savepoint against a notebook or job directory found. */
export interface SavepointCheck {
  compatible: boolean;
  /** The report, as `weir savepoint check` prints it. */
  text: string;
  /** The job the savepoint would be restored into, when there is one. */
  job?: string;
}

/**
 * Runs `weir savepoint` with the arguments after `savepoint`; resolves with the exit code.
 *
 * @example
 * await savepointCommand(['check', 'savepoints/savepoint-3', 'notebooks/fraud-alerts.ts'], processContext()); // 0 or 1
 */
export async function savepointCommand(argv: string[], context: CliContext): Promise<number> {
  const args = parseCommandLine(() => parseSavepointArguments(argv, context.cwd), SAVEPOINT_USAGE, context);
  if (typeof args === 'number') return args;
  try {
    const check = await checkSavepoint(args.savepoint, args.target, args.options, context);
    context.stdout(`${check.text}\n`);
    return check.compatible ? EXIT.ok : EXIT.failed;
  } catch (error) {
    context.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

/**
 * Checks a savepoint against the job of a notebook (the first job with the savepoint's job name;
 * with `allowJobMismatch`, the notebook's only job) or of an exported job's directory, without
 * running anything. `weir run --from-savepoint` calls it before it starts.
 *
 * @example
 * const check = await checkSavepoint('/sp/savepoint-3', '/nb/fraud.ts', {}, context);
 * if (!check.compatible) console.error(check.text);
 */
export async function checkSavepoint(location: string, target: string, options: RestoreOptions, context: CliContext, defaults: HostDefaults = {}): Promise<SavepointCheck> {
  const stored = await loadSavepoint(location);
  const savepointJob = stored.metadata.jobName;
  if (statSync(target).isDirectory()) return reportFor(stored, await readJobFile(target), options);
  const discoveryOptions = { defaults, ...(context.weirModule ? { weirModule: context.weirModule } : {}) };
  return discoverJobs(target, discoveryOptions, async (discovery) => {
    const named = discovery.jobs.find((j) => j.name === savepointJob);
    const only = discovery.jobs.length === 1 ? discovery.jobs[0] : undefined;
    const job = named ?? (options.allowJobMismatch ? only : undefined);
    if (job) return reportFor(stored, job.graph, options);
    const names = discovery.jobs.map((j) => `'${j.name}'`).join(', ');
    const runs = names ? `it runs ${names}` : `it runs no job${discovery.error ? ` (${describeCellError(discovery.error)})` : ''}`;
    const remedy = options.allowJobMismatch
      ? `give --allow-job-mismatch a notebook that runs one job, or run the notebook of '${savepointJob}'`
      : `run the notebook that runs '${savepointJob}'${only ? `, or pass --allow-job-mismatch to restore it into '${only.name}'` : ''}`;
    return {
      compatible: false,
      text:
        `The ${stored.metadata.kind} ${stored.location} cannot be restored into ${path.basename(target)}:\n` +
        `  - the ${stored.metadata.kind} is of job '${savepointJob}', but the notebook runs no job of that name (${runs}). To resume: ${remedy}`,
    };
  });
}

function reportFor(stored: StoredCheckpoint, job: RestoreTarget, options: RestoreOptions): SavepointCheck {
  const report = checkRestore(stored.metadata, job, options);
  return { compatible: report.compatible, text: formatRestoreReport(report, `The ${stored.metadata.kind} ${stored.location}`), job: job.name };
}

/**
 * Reads a savepoint's or checkpoint's metadata (its directory or its `_metadata` file).
 *
 * @example
 * (await loadSavepoint('savepoints/savepoint-3')).metadata.jobName; // 'fraud alerts'
 */
export async function loadSavepoint(location: string): Promise<StoredCheckpoint> {
  const { FsCheckpointStorage } = await import('../../engine/process/checkpoint/fs-storage.ts');
  return new FsCheckpointStorage({ checkpointDir: path.dirname(location), jobName: 'weir' }).load(location);
}

/** Parses `weir savepoint`'s arguments; throws `UsageError` naming the bad one. */
function parseSavepointArguments(argv: string[], cwd: string): SavepointCheckArguments | 'help' {
  const { values, positionals } = parseFlags(argv, 'savepoint', {
    'allow-non-restored-state': { type: 'boolean' },
    'allow-job-mismatch': { type: 'boolean' },
  });
  if (values.help) return 'help';
  const [verb, savepoint, target, extra] = positionals;
  if (verb !== 'check') throw new UsageError(verb === undefined ? "missing command: 'weir savepoint check <savepoint> <notebook.ts | dir>'" : `unknown savepoint command '${verb}' (only 'check')`);
  if (savepoint === undefined) throw new UsageError('missing savepoint (usage: weir savepoint check <savepoint> <notebook.ts | dir>)');
  if (target === undefined) throw new UsageError('missing notebook or job directory (usage: weir savepoint check <savepoint> <notebook.ts | dir>)');
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  const savepointPath = path.resolve(cwd, savepoint);
  if (!existsSync(savepointPath)) throw new UsageError(`no savepoint at ${savepoint}`);
  const targetPath = path.resolve(cwd, target);
  if (!existsSync(targetPath)) throw new UsageError(`notebook or job directory not found: ${target}`);
  if (statSync(targetPath).isDirectory() && !existsSync(path.join(targetPath, 'job.json'))) throw new UsageError(`not a job directory (no job.json): ${target}`);
  const options: RestoreOptions = {};
  if (values['allow-non-restored-state']) options.allowNonRestoredState = true;
  if (values['allow-job-mismatch']) options.allowJobMismatch = true;
  return { savepoint: savepointPath, target: targetPath, options };
}
