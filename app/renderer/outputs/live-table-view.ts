/**
 * The live table of a `[flink-sql]` SELECT: the current state of the query's changelog while
 * its job runs, as Flink's SQL client shows it in table mode. The host sends the table's first
 * rows and its row count (app/host/live-table.ts); snapshots arriving within one animation
 * frame are drawn once, the last one, and only the rows in view are in the DOM, so a job at
 * full speed keeps the page responsive.
 */
import type { ChartSpec, LiveTableSnapshot } from '../../shared/workbench/protocol.ts';
import type { ChartPointsEvent } from '../../shared/workbench/service.ts';
import { h } from '../dom.ts';
import { ROW_HEIGHT, cell, spacer, visibleRange } from './table-view.ts';

/**
 * The footer line of a live table: its rows, those not shown, the changes and the status.
 *
 * @example
 * liveTableSummary({ columns: ['u'], rows: [['a']], rowCount: 1200, changes: 5000, status: 'RUNNING' });
 * // '1,200 rows (1,199 not shown) · 5,000 changes · running'
 */
export function liveTableSummary(table: LiveTableSnapshot): string {
  const rows = `${table.rowCount.toLocaleString('en-US')} row${table.rowCount === 1 ? '' : 's'}`;
  const hidden = table.rowCount - table.rows.length;
  const notShown = hidden > 0 ? ` (${hidden.toLocaleString('en-US')} not shown)` : '';
  return `${rows}${notShown} · ${table.changes.toLocaleString('en-US')} change${table.changes === 1 ? '' : 's'} · ${table.status.toLowerCase()}`;
}

/** A live table output view. */
export class LiveTableView {
  readonly element: HTMLElement;
  private readonly head = h('thead');
  private readonly body = h('tbody');
  private readonly scroller: HTMLElement;
  private readonly footer: HTMLOutputElement;
  private table: LiveTableSnapshot = { columns: [], rows: [], rowCount: 0, changes: 0, status: 'RUNNING' };
  private frame = 0;
  private drawnColumns = '';

  constructor(readonly spec: ChartSpec) {
    this.scroller = h('div', { class: 'output-table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Live table' }, h('table', { class: 'output-table' }, this.head, this.body));
    this.footer = h('output', { class: 'output-table-footer live-table-status', 'aria-live': 'off', dataset: { status: 'RUNNING', rows: '0', changes: '0' } }, 'waiting for rows · running');
    this.element = h('div', { class: 'output output-table-wrap output-live-table', dataset: { chartId: spec.id } }, this.scroller, this.footer);
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
  }

  /** A new state of the table from the host; drawn at the next animation frame. */
  add(event: ChartPointsEvent): void {
    if (!event.table) return;
    this.table = event.table;
    this.schedule();
  }

  dispose(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  private schedule(): void {
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { columns, rows } = this.table;
    const names = columns.join('\u0000');
    if (names !== this.drawnColumns) {
      this.drawnColumns = names;
      this.head.replaceChildren(h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c))));
    }
    const range = visibleRange(this.scroller.scrollTop, this.scroller.clientHeight || 320, rows.length);
    const fragment = document.createDocumentFragment();
    fragment.append(spacer(range.first * ROW_HEIGHT, columns.length));
    for (let i = range.first; i < range.last; i++) fragment.append(h('tr', { 'aria-rowindex': i + 2 }, ...rows[i]!.map((value) => cell(value))));
    fragment.append(spacer((rows.length - range.last) * ROW_HEIGHT, columns.length));
    this.body.replaceChildren(fragment);
    this.footer.textContent = liveTableSummary(this.table);
    this.footer.dataset.status = this.table.status;
    this.footer.dataset.rows = String(this.table.rowCount);
    this.footer.dataset.changes = String(this.table.changes);
  }
}
