/**
 * The `--report` file of `weir run`.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { JobReport } from '../../engine/runtime/host.ts';
import type { CliContext } from './io.ts';

/** The report file's content: every job the run finished, in the order they finished. */
export interface RunReport {
  jobs: JobReport[];
}

/**
 * Writes `report` as JSON to `file`, atomically: a reader sees the old file or the whole new
 * one, never half of it (the file is written beside its target, then renamed over it).
 *
 * @example
 * await writeRunReport('report.json', { jobs });
 */
export async function writeRunReport(file: string, report: RunReport): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(report, null, 2)}\n`);
  await rename(temp, file);
}

/**
 * `--report`: writes the report, or says on stderr why it could not; false then (the command
 * exits 1, its jobs' outcome notwithstanding).
 *
 * @example
 * if (args.report && !(await reportRun(args.report, { jobs }, context))) code = EXIT.failed;
 */
export async function reportRun(file: string, report: RunReport, context: CliContext): Promise<boolean> {
  try {
    await writeRunReport(file, report);
    return true;
  } catch (error) {
    context.stderr(`error: cannot write the report: ${error instanceof Error ? error.message : String(error)}\n`);
    return false;
  }
}
