/** Reading what a job's JSONL sink committed, for the multi-process tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every line of the committed `.jsonl` files in `dir` (pending and in-progress parts left out),
 * sorted; none when the directory does not exist yet.
 *
 * @example
 * assert.deepEqual(committedLines(path.join(out, 'windows')), baseline);
 */
export function committedLines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .sort();
}

/**
 * The committed lines of `dir` in the order they were written per subtask: part files by
 * (subtask, sequence), each file's lines in order (for changelogs, where order matters).
 *
 * @example
 * for (const line of committedLinesInOrder(path.join(out, 'counts'))) apply(JSON.parse(line));
 */
export function committedLinesInOrder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const order = (f: string) => (/^part-(\d+)(?:-(\d+))?\.jsonl$/.exec(f) ?? []).slice(1).map((n) => Number(n ?? 0));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort((a, b) => order(a)[0]! - order(b)[0]! || order(a)[1]! - order(b)[1]!)
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
}

/**
 * The part files of `dir` that a two-phase-commit JSONL sink has not committed (`.pending`) or
 * a rolling one not finished (`.inprogress`), sorted; none when the directory does not exist.
 *
 * @example
 * assert.deepEqual(uncommittedParts(path.join(out, 'windows')), [], 'every transaction was committed');
 */
export function uncommittedParts(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pending') || f.endsWith('.inprogress'))
    .sort();
}
