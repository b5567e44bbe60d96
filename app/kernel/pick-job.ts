/**
 * Which of a notebook's jobs `weir export` and `weir plan --job` mean.
 */
import type { DiscoveredJob, JobDiscovery } from './discover-jobs.ts';
import type { CellError } from '../shared/notebook/run.ts';

/** The job asked for, or why there is none (the message says what to do). */
export type JobChoice = { ok: true; job: DiscoveredJob; note?: string } | { ok: false; message: string };

/**
 * Picks the job named `name`, or the only job when no name is given.
 *
 * @example
 * const choice = pickJob(discovery, 'fraud alerts');
 * if (!choice.ok) console.error(`error: ${choice.message}`);
 */
export function pickJob(discovery: JobDiscovery, name: string | undefined): JobChoice {
  const names = [...new Set(discovery.jobs.map((j) => j.name))];
  const listed = names.map((n) => `'${n}'`).join(', ');
  const failure = discovery.error ? ` (${describeCellError(discovery.error)})` : '';
  if (name === undefined) {
    if (names.length === 0) return { ok: false, message: `the notebook starts no job: no env.execute() ran${failure}` };
    if (names.length > 1) return { ok: false, message: `the notebook runs ${names.length} jobs: ${listed}; pick one with --job <name>` };
    name = names[0]!;
  }
  const matching = discovery.jobs.filter((j) => j.name === name);
  if (matching.length === 0) {
    const known = names.length > 0 ? `its jobs are ${listed}` : 'it starts no job';
    return { ok: false, message: `the notebook has no job named '${name}': ${known}${failure}` };
  }
  const choice: JobChoice = { ok: true, job: matching[0]! };
  if (matching.length > 1) choice.note = `job '${name}' runs ${matching.length} times in the notebook; the first is taken`;
  return choice;
}

/** `cell 3, nb.ts:12:9: TypeError: boom`. */
export function describeCellError(error: CellError): string {
  const message = error.name === 'Error' || error.phase === 'compile' ? error.message : `${error.name}: ${error.message}`;
  return `cell ${error.cell} failed at ${error.file}:${error.line}:${error.column}: ${message}`;
}
