/**
 * `weir plan <notebook.ts | dir> [--job <name>] [--json]`: prints the plan of a notebook's
 * jobs (found without running them) or of an exported job, as text or as job.json data.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { discoverJobs } from '../kernel/discover-jobs.ts';
import { planOfJob } from '../kernel/export-job.ts';
import { readJobFile, type JobFile } from '../kernel/job-file.ts';
import { describeCellError, pickJob } from '../kernel/pick-job.ts';
import { formatPlan } from '../kernel/plan-text.ts';
import type { CliContext } from './io.ts';
import { EXIT, parseCommandLine, parseFlags, UsageError } from './command-line.ts';
import { PLAN_USAGE } from './usage.ts';
import { weirVersion } from './version.ts';

/** The validated arguments of `weir plan`. */
export interface PlanArguments {
  /** Absolute path of the notebook or the exported job's directory. */
  target: string;
  isJobDir: boolean;
  job?: string;
  json: boolean;
}

/**
 * Runs `weir plan` with the arguments after `plan`; resolves with the exit code.
 *
 * @example
 * await planCommand(['notebooks/fraud-alerts.ts'], processContext()); // prints one line per operator
 */
export async function planCommand(argv: string[], context: CliContext): Promise<number> {
  const args = parseCommandLine(() => parsePlanArguments(argv, context.cwd), PLAN_USAGE, context);
  if (typeof args === 'number') return args;
  try {
    const plans = args.isJobDir ? [await readJobFile(args.target)] : await notebookPlans(args, context);
    if (!plans) return EXIT.failed;
    if (args.json) context.stdout(`${JSON.stringify(plans.length === 1 ? plans[0] : plans, null, 2)}\n`);
    else context.stdout(plans.map((p) => formatPlan(p)).join('\n'));
    return EXIT.ok;
  } catch (error) {
    context.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

/** The plans of the notebook's jobs (the one asked for with --job), or undefined after an error. */
async function notebookPlans(args: PlanArguments, context: CliContext): Promise<JobFile[] | undefined> {
  return discoverJobs(args.target, context.weirModule ? { weirModule: context.weirModule } : {}, async (discovery) => {
    let jobs = discovery.jobs;
    if (args.job !== undefined || jobs.length === 0) {
      const choice = pickJob(discovery, args.job);
      if (!choice.ok) {
        context.stderr(`error: ${choice.message}\n`);
        return undefined;
      }
      jobs = [choice.job];
    }
    if (discovery.error) context.stderr(`note: ${describeCellError(discovery.error)}; the jobs defined before it are shown\n`);
    return jobs.map((j) => planOfJob(discovery, j, weirVersion()));
  });
}

/**
 * Parses `weir plan`'s arguments; throws `UsageError` naming the bad one.
 *
 * @example
 * parsePlanArguments(['nb.ts', '--json'], '/home/me'); // { target: '/home/me/nb.ts', isJobDir: false, json: true }
 */
export function parsePlanArguments(argv: string[], cwd: string): PlanArguments | 'help' {
  const { values, positionals } = parseFlags(argv, 'plan', { job: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('missing notebook file or job directory (usage: weir plan <notebook.ts | dir> [--json])');
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' (weir plan takes one notebook or job directory)`);
  const target = path.resolve(cwd, positionals[0]!);
  if (!existsSync(target)) throw new UsageError(`not found: ${positionals[0]}`);
  const isJobDir = statSync(target).isDirectory();
  if (isJobDir && !existsSync(path.join(target, 'job.json'))) throw new UsageError(`not a notebook file, nor a job directory (no job.json): ${positionals[0]}`);
  if (isJobDir && values.job !== undefined) throw new UsageError('--job picks a job of a notebook; a job directory holds one job');
  const args: PlanArguments = { target, isJobDir, json: !!values.json };
  if (values.job !== undefined) args.job = values.job;
  return args;
}
