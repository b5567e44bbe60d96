/**
 * The SubTasks tab of a job panel (Flink's Web UI "SubTasks" of a vertex): per operator, one row
 * per parallel instance with its records in and out, rates, busy and back-pressured time,
 * watermark, state size and the taskmanager that runs it. A skewed key or a slow taskmanager
 * shows here, where the operator's totals hide it.
 */
import type { JobOperator, SubtaskMetrics } from '../../shared/workbench/protocol.ts';
import type { JobModel } from '../state/job-model.ts';
import { formatBytes, formatCount, formatInstant, h } from '../dom.ts';

const COLUMNS: [label: string, title: string][] = [
  ['#', 'Subtask (1-based, as Flink numbers them)'],
  ['TM', 'The taskmanager it runs on'],
  ['In', 'Records in'],
  ['Out', 'Records out'],
  ['In/s', 'Records in per second (a finished job: average over its run)'],
  ['Out/s', 'Records out per second (a finished job: average over its run)'],
  ['Busy', 'Share of time the task worked'],
  ['BP', 'Back-pressured: share of time it could not send for lack of credit'],
  ['Watermark', 'The subtask’s event-time watermark (UTC)'],
  ['State', 'State size'],
];

/**
 * @example
 * const tab = new SubtaskTableView(job);
 * panel.append(tab.element);
 * tab.update(); // after each job update
 */
export class SubtaskTableView {
  readonly element: HTMLElement;
  private readonly bodies = new Map<string, HTMLTableSectionElement>();

  constructor(private readonly job: JobModel) {
    const tables = job.description.operators.map((o) => this.table(o));
    this.element = h('div', { class: 'job-subtasks' }, ...tables);
  }

  private table(o: JobOperator): HTMLElement {
    const body = h('tbody');
    this.bodies.set(o.uid, body);
    return h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'job-table subtasks', dataset: { uid: o.uid } },
        h('caption', { title: `${o.name} (uid ${o.uid})` }, `${o.name} ×${o.parallelism}`),
        h('thead', {}, h('tr', {}, ...COLUMNS.map(([label, title]) => h('th', { scope: 'col', title }, label)))),
        body,
      ),
    );
  }

  /** Shows the latest figures; rows are replaced only when the number of subtasks changes. */
  update(): void {
    for (const o of this.job.description.operators) {
      const body = this.bodies.get(o.uid)!;
      const subtasks = [...(this.job.operator(o.uid)?.subtasks ?? [])].sort((a, b) => a.subtask - b.subtask);
      if (subtasks.length === 0) {
        if (body.dataset.empty !== 'true') body.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: COLUMNS.length }, 'No subtask figures yet')));
        body.dataset.empty = 'true';
        continue;
      }
      if (body.dataset.empty !== 'false' || body.rows.length !== subtasks.length) {
        body.replaceChildren(...subtasks.map(() => h('tr', {}, h('th', { scope: 'row', class: 'number' }), ...COLUMNS.slice(1).map(() => h('td', { class: 'number' })))));
        body.dataset.empty = 'false';
      }
      subtasks.forEach((s, i) => fillRow(body.rows[i]!, s));
    }
  }
}

function fillRow(row: HTMLTableRowElement, s: SubtaskMetrics): void {
  const cells = [...row.cells];
  const texts = [
    String(s.subtask + 1),
    s.taskManager === undefined ? 'host' : String(s.taskManager),
    formatCount(s.recordsIn),
    formatCount(s.recordsOut),
    s.recordsInPerSecond === undefined ? '—' : formatCount(s.recordsInPerSecond),
    s.recordsOutPerSecond === undefined ? '—' : formatCount(s.recordsOutPerSecond),
    percent(s.busy),
    percent(s.backPressure),
    s.watermark !== undefined ? formatInstant(s.watermark).slice(11) : s.watermarkAtEnd ? 'end' : '—',
    s.stateBytes === undefined ? '—' : formatBytes(s.stateBytes),
  ];
  texts.forEach((t, i) => {
    if (cells[i]!.textContent !== t) cells[i]!.textContent = t;
  });
  row.dataset.subtask = String(s.subtask);
  cells[8]!.title = s.watermark !== undefined ? `${formatInstant(s.watermark)} UTC` : s.watermarkAtEnd ? 'Every input ended: the watermark is at the end of time' : 'No watermark yet';
  cells[1]!.title = s.taskManager === undefined ? 'Runs in the workbench host process' : `Taskmanager ${s.taskManager}`;
  row.classList.toggle('back-pressured', (s.backPressure ?? 0) > 0.5);
}

function percent(ratio: number | undefined): string {
  return ratio === undefined ? '—' : `${Math.round(ratio * 100)}%`;
}
