/**
 * The Task Managers list of the Jobs column (Flink's Web UI "Task Managers"): each worker process
 * of the workbench's cluster with its pid, slots in use of those it offers, memory (resident set
 * and V8 heap) and uptime, and whether it was lost. Read from the host every few seconds while
 * the page is visible.
 */
import type { TaskManagerInfo } from '../../shared/workbench/protocol.ts';
import { formatBytes, formatDuration, h } from '../dom.ts';

/** How often the list is read, ms. */
export const TASKMANAGER_POLL_MS = 2000;

/**
 * @example
 * const list = new TaskManagerListView(() => service.taskManagers());
 * aside.append(list.element);
 * list.dispose(); // stops reading
 */
export class TaskManagerListView {
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly summary = h('span', { class: 'tm-summary' });
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly read: () => Promise<TaskManagerInfo[]>) {
    const head = h('thead', {}, h('tr', {}, ...[['TM', 'Taskmanager id'], ['PID', 'Process id'], ['Slots', 'Slots in use / offered (∞: as many as a job needs)'], ['RSS', 'Resident set size'], ['Heap', 'V8 heap in use / allocated'], ['Uptime', 'Time since it started']].map(([c, title]) => h('th', { scope: 'col', title }, c!))));
    this.element = h(
      'details',
      { class: 'taskmanagers', open: true },
      h('summary', {}, 'Task managers ', this.summary),
      h('div', { class: 'table-scroll' }, h('table', { class: 'job-table taskmanager-table' }, head, this.body)),
    );
    this.show([]);
    void this.poll();
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  private readonly onVisibility = (): void => {
    if (document.visibilityState === 'visible' && this.timer === undefined) void this.poll();
  };

  /** Reads the list now (and then every few seconds while visible). */
  async poll(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      this.show(await this.read());
    } catch {
      // Disconnected: the page says so elsewhere; the last list stays.
    }
    if (!this.disposed && document.visibilityState === 'visible') this.timer = setTimeout(() => void this.poll(), TASKMANAGER_POLL_MS);
  }

  private show(list: TaskManagerInfo[]): void {
    this.summary.textContent = list.length === 0 ? '(none: jobs run in the host until a cell starts one)' : `(${list.filter((t) => t.alive).length} of ${list.length} alive)`;
    if (list.length === 0) {
      this.body.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: 6 }, 'No taskmanagers yet')));
      return;
    }
    const now = Date.now();
    this.body.replaceChildren(
      ...list.map((tm) =>
        h(
          'tr',
          { class: tm.alive ? '' : 'lost', dataset: { taskManager: String(tm.id), pid: String(tm.pid) } },
          h('th', { scope: 'row', class: 'number' }, String(tm.id)),
          h('td', { class: 'number' }, String(tm.pid)),
          h('td', { class: 'number' }, `${tm.slotsUsed} / ${tm.slotsTotal ?? '∞'}`),
          h('td', { class: 'number' }, tm.alive ? (tm.rssBytes === undefined ? '—' : formatBytes(tm.rssBytes)) : 'lost'),
          h('td', { class: 'number' }, tm.heapUsedBytes === undefined || !tm.alive ? '—' : `${formatBytes(tm.heapUsedBytes)} / ${formatBytes(tm.heapTotalBytes ?? tm.heapUsedBytes)}`),
          h('td', { class: 'number' }, formatDuration(Math.max(0, now - tm.startedAt))),
        ),
      ),
    );
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    document.removeEventListener('visibilitychange', this.onVisibility);
  }
}
