/**
 * `weir export <notebook.ts> [--job <name>] --out <dir>`: writes a job of the notebook as a
 * directory that runs without the notebook (docs/ARCHITECTURE.md §6): `job.json` (the plan),
 * `bundle.mjs` (the code that builds it, importing only 'weir' and Node) and `README.md`.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { discoverJobs } from '../kernel/discover-jobs.ts';
import { writeExportedJob } from '../kernel/export-job.ts';
import { describeCellError, pickJob } from '../kernel/pick-job.ts';
import type { CliContext } from './io.ts';
import { EXIT, parseCommandLine, parseFlags, UsageError } from './command-line.ts';
import { parseParams } from './run.ts';
import { EXPORT_USAGE } from './usage.ts';
import { weirVersion } from './version.ts';

/** The validated arguments of `weir export`. */
export interface ExportArguments {
  /** Absolute path of the notebook. */
  notebook: string;
  /** The job to export; undefined: the notebook's only job. */
  job?: string;
  /** Absolute path of the directory to write. */
  out: string;
  /** `--param name=value`: the parameters the cells read while the job is found (recorded in job.json). */
  params?: Record<string, string>;
}

/**
 * Runs `weir export` with the arguments after `export`; resolves with the exit code.
 *
 * @example
 * await exportCommand(['notebooks/fraud-alerts.ts', '--out', 'jobs/fraud'], processContext()); // 0
 */
export async function exportCommand(argv: string[], context: CliContext): Promise<number> {
  if (argv.includes('--flink-sql')) return (await import('./export-flink-sql.ts')).exportFlinkSqlCommand(argv, context);
  const args = parseCommandLine(() => parseExportArguments(argv, context.cwd), EXPORT_USAGE, context);
  if (typeof args === 'number') return args;
  const { notebook, out } = args;
  try {
    const options = { ...(context.weirModule ? { weirModule: context.weirModule } : {}), ...(args.params ? { defaults: { params: args.params } } : {}) };
    return await discoverJobs(notebook, options, async (discovery) => {
      const choice = pickJob(discovery, args.job);
      if (!choice.ok) {
        context.stderr(`error: ${choice.message}\n`);
        return EXIT.failed;
      }
      if (choice.note) context.stderr(`note: ${choice.note}\n`);
      if (discovery.error) context.stderr(`note: ${describeCellError(discovery.error)}; the job is defined before that\n`);
      const { job } = choice;
      await writeExportedJob(discovery, job, out, weirVersion());
      const shown = displayPath(out, context.cwd);
      context.stdout(`exported job '${job.name}' (${job.graph.vertices.length} operators) to ${shown}\nrun it with: weir run ${shown}\n`);
      return EXIT.ok;
    });
  } catch (error) {
    context.stderr(`error: cannot export: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

/**
 * Parses `weir export`'s arguments; throws `UsageError` naming the bad one.
 *
 * @example
 * parseExportArguments(['nb.ts', '--out', 'job'], '/home/me'); // { notebook: '/home/me/nb.ts', out: '/home/me/job' }
 */
export function parseExportArguments(argv: string[], cwd: string): ExportArguments | 'help' {
  const { values, positionals } = parseFlags(argv, 'export', { job: { type: 'string' }, out: { type: 'string' }, param: { type: 'string', multiple: true } });
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError("missing notebook file (usage: weir export <notebook.ts> [--job <name>] --out <dir>)");
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' (weir export takes one notebook)`);
  const notebook = path.resolve(cwd, positionals[0]!);
  if (!existsSync(notebook)) throw new UsageError(`notebook not found: ${positionals[0]}`);
  if (!statSync(notebook).isFile()) throw new UsageError(`not a notebook file: ${positionals[0]}`);
  if (values.out === undefined || values.out === '') throw new UsageError('--out <dir> is required: the directory to write the job to');
  const out = path.resolve(cwd, values.out);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out: ${values.out} exists and is not a directory`);
  const args: ExportArguments = { notebook, out };
  if (values.job !== undefined) args.job = values.job;
  if (values.param !== undefined) args.params = parseParams(values.param);
  return args;
}

/** `file` relative to `cwd` when it is inside it, else absolute. @example displayPath('/home/me/job', '/home/me') // 'job' */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
