/**
 * The Completed Jobs list of the Jobs column (Flink's Web UI "Completed Jobs"): each ended job of
 * the notebook with its status, end, duration, records read and written, average rate and final
 * watermark. A name links to the job's panel below.
 */
import type { JobModel } from '../state/job-model.ts';
import { formatCount, formatDuration, formatInstant, h } from '../dom.ts';

/** The totals a completed job is listed with. */
export interface CompletedJobFigures {
  /** Records out of the sources, and into the sinks. */
  recordsRead: number;
  recordsWritten: number;
  /** Records read per second, averaged over the run. */
  averageRate: number | undefined;
}

/**
 * A job's totals: records out of its sources and into its sinks (the first and last operators
 * when the plan names no kinds), and the sources' average rate over its run.
 *
 * @example
 * completedFigures(job); // { recordsRead: 1000, recordsWritten: 40, averageRate: 2000 }
 */
export function completedFigures(job: JobModel): CompletedJobFigures {
  const ops = job.description.operators;
  const sources = ops.filter((o) => o.kind === 'source');
  const sinks = ops.filter((o) => o.kind === 'sink');
  const read = (sources.length ? sources : ops.slice(0, 1)).reduce((n, o) => n + (job.operator(o.uid)?.recordsOut ?? 0), 0);
  const written = (sinks.length ? sinks : ops.slice(-1)).reduce((n, o) => n + (job.operator(o.uid)?.recordsIn ?? 0), 0);
  return { recordsRead: read, recordsWritten: written, averageRate: job.elapsedMs > 0 ? read / (job.elapsedMs / 1000) : undefined };
}

/**
 * @example
 * const list = new CompletedJobsView();
 * list.update([...store.jobs.values()]);
 */
export class CompletedJobsView {
  private readonly body = h('tbody');
  private readonly count = h('span', { class: 'completed-count' });
  readonly element = h(
    'details',
    { class: 'completed-jobs', open: true, hidden: true },
    h('summary', {}, 'Completed jobs ', this.count),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'job-table completed-table' },
        h('thead', {}, h('tr', {}, ...[['Job'], ['Status'], ['Ended', 'When it ended (local time)'], ['Duration'], ['Read', 'Records out of the sources'], ['Written', 'Records into the sinks'], ['Avg/s', 'Records read per second, averaged over the run'], ['Watermark', 'Final watermark (UTC)']].map(([c, title]) => h('th', { scope: 'col', title }, c!)))),
        this.body,
      ),
    ),
  );

  /** Shows the ended jobs among `jobs`, newest first. */
  update(jobs: readonly JobModel[]): void {
    const ended = jobs.filter((j) => !j.running).reverse();
    this.element.hidden = ended.length === 0;
    this.count.textContent = `(${ended.length})`;
    this.body.replaceChildren(
      ...ended.map((job) => {
        const f = completedFigures(job);
        const end = job.description.startedAt + job.elapsedMs;
        const link = h('a', { href: `#job-${job.id}`, title: `${job.description.name} (${job.id})`, onclick: (e: Event) => reveal(e, job.id) }, job.description.name);
        return h(
          'tr',
          { dataset: { jobId: job.id, status: job.status } },
          h('th', { scope: 'row' }, link),
          h('td', { class: `status-${job.status.toLowerCase()}` }, job.status),
          h('td', { title: new Date(end).toLocaleString() }, new Date(end).toLocaleTimeString()),
          h('td', { class: 'number' }, formatDuration(job.elapsedMs)),
          h('td', { class: 'number' }, formatCount(f.recordsRead)),
          h('td', { class: 'number' }, formatCount(f.recordsWritten)),
          h('td', { class: 'number' }, f.averageRate === undefined ? '—' : formatCount(f.averageRate)),
          finalWatermarkCell(job),
        );
      }),
    );
  }
}

/** The final watermark: the last one seen, `→ end` when every input ended (Flink's MAX_WATERMARK). */
function finalWatermarkCell(job: JobModel): HTMLElement {
  const atEnd = job.description.operators.some((o) => job.operator(o.uid)?.watermarkAtEnd);
  const time = job.finalWatermark === undefined ? undefined : formatInstant(job.finalWatermark);
  const text = time ? `${time.slice(11)}${atEnd ? ' → end' : ''}` : atEnd ? 'end' : '—';
  const title = `${time ? `${time} UTC` : 'No watermark seen'}${atEnd ? '; every input ended, so event time reached its end' : ''}`;
  return h('td', { class: 'number', title }, text);
}

/** Brings the job's panel into view. */
function reveal(e: Event, jobId: string): void {
  e.preventDefault();
  const panel = document.querySelector<HTMLElement>(`section.job[data-job-id="${CSS.escape(jobId)}"]`);
  panel?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  panel?.querySelector<HTMLElement>('h3')?.focus();
}
