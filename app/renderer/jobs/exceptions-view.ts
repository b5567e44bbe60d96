/**
 * The Exceptions tab of a job panel (Flink's Web UI "Exceptions": the root exception and the
 * exception history): the failure that ended the job, then every failure that made it restart,
 * newest first, each with its time, the failing task or the taskmanager that was lost, and its
 * stack behind a disclosure.
 */
import type { JobModel } from '../state/job-model.ts';
import { formatInstant, h } from '../dom.ts';

/** One row of the history, whatever its origin. */
interface ExceptionRow {
  at: number;
  message: string;
  where?: string;
  stack?: string;
  kind: 'root' | 'restart';
}

/**
 * @example
 * const tab = new ExceptionsView(job);
 * tab.update(); // after each job update
 */
export class ExceptionsView {
  readonly element = h('div', { class: 'job-exceptions' });
  private shown = '';

  constructor(private readonly job: JobModel) {}

  /** How many exceptions there are (the tab's label shows it). */
  get count(): number {
    return this.rows().length;
  }

  update(): void {
    const rows = this.rows();
    // Rebuilt only when the history changed, so that an open stack stays open between updates.
    const key = rows.map((r) => `${r.kind}${r.at}${r.message.length}`).join('|');
    if (key === this.shown) return;
    this.shown = key;
    if (rows.length === 0) {
      this.element.replaceChildren(h('p', { class: 'empty' }, 'No exceptions: the job has not failed or restarted.'));
      return;
    }
    this.element.replaceChildren(
      h(
        'ol',
        { class: 'exception-list', reversed: true },
        ...rows.map((r) =>
          h(
            'li',
            { class: `exception ${r.kind}`, dataset: { kind: r.kind } },
            h('div', { class: 'exception-head' }, h('time', { datetime: new Date(r.at).toISOString(), title: `${formatInstant(r.at)} UTC` }, formatInstant(r.at).slice(11)), h('span', { class: 'exception-kind' }, r.kind === 'root' ? 'Job failed' : 'Restarted'), r.where ? h('span', { class: 'exception-where' }, r.where) : ''),
            h('p', { class: 'exception-message' }, r.message),
            r.stack ? h('details', {}, h('summary', {}, 'Stack'), h('pre', { class: 'exception-stack' }, r.stack)) : '',
          ),
        ),
      ),
    );
  }

  private rows(): ExceptionRow[] {
    const job = this.job;
    const rows: ExceptionRow[] = job.restartCauses.map((c) => {
      const where = [c.task, c.taskManager === undefined ? undefined : `taskmanager ${c.taskManager}`].filter(Boolean).join(' on ');
      return { at: c.at, message: c.cause, ...(where ? { where } : {}), ...(c.stack ? { stack: c.stack } : {}), kind: 'restart' as const };
    });
    if (job.status === 'FAILED' && (job.failure || job.error)) {
      rows.push({ at: job.failure?.at ?? job.description.startedAt + job.elapsedMs, message: job.failure?.message ?? job.error!, ...(job.failure?.stack ? { stack: job.failure.stack } : {}), kind: 'root' });
    }
    return rows.reverse();
  }
}
