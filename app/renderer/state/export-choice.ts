/**
 * What the Export form holds: the notebook's jobs, the one chosen, and the output directory.
 * The directory follows the chosen job (`export/<job-slug>`) until the user edits it; from then
 * on it is theirs.
 */
import { defaultExportDir } from '../../shared/workbench/export-path.ts';
import type { ExportRequest } from '../../shared/workbench/protocol.ts';

/**
 * @example
 * const choice = new ExportChoice('fraud.ts', ['fraud alerts', 'audit']);
 * choice.out;                 // 'export/fraud-alerts'
 * choice.choose('audit');     // choice.out === 'export/audit'
 * choice.request();           // { path: 'fraud.ts', job: 'audit', out: 'export/audit' }
 */
export class ExportChoice {
  private chosen: string | undefined;
  private edited: string | undefined;

  constructor(
    readonly path: string,
    readonly jobs: readonly string[],
    job?: string,
  ) {
    this.chosen = job !== undefined && jobs.includes(job) ? job : jobs[0];
  }

  /** The chosen job, undefined when the notebook has none. */
  get job(): string | undefined {
    return this.chosen;
  }

  /** The notebook has several jobs: the form shows a choice. */
  get needsChoice(): boolean {
    return this.jobs.length > 1;
  }

  /** The directory to write, relative to the served folder. */
  get out(): string {
    return this.edited ?? (this.chosen === undefined ? '' : defaultExportDir(this.chosen));
  }

  /** Chooses a job; throws when the notebook has no job of that name. */
  choose(job: string): void {
    if (!this.jobs.includes(job)) throw new Error(`the notebook has no job named '${job}'`);
    this.chosen = job;
  }

  /** The user typed a directory; an empty field goes back to the suggestion. */
  editOut(out: string): void {
    this.edited = out.trim() === '' ? undefined : out;
  }

  /** The request to send, or why there is none to send. */
  request(): ExportRequest | { error: string } {
    if (this.chosen === undefined) return { error: 'The notebook starts no job: a cell must call env.execute() to define one.' };
    return { path: this.path, job: this.chosen, out: this.out.trim() };
  }
}
