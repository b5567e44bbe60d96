/**
 * A table output that stays smooth at 100k rows: only the rows in view (plus a margin) exist in
 * the DOM, between two spacer rows that give the scrollbar its true length. Rows have a fixed
 * height, so which rows are visible follows from the scroll position alone.
 */
import type { CellOutput, TableValue } from '../../shared/workbench/protocol.ts';
import { h } from '../dom.ts';

/** Height of one row in px; must match `.output-table td` in styles.css. */
export const ROW_HEIGHT = 24;
/** Rows rendered beyond the visible ones, above and below. */
const OVERSCAN = 20;

/**
 * Which rows to render for a scroll position.
 *
 * @example
 * visibleRange(4800, 320, 100_000); // { first: 180, last: 233 }
 */
export function visibleRange(scrollTop: number, viewportHeight: number, rowCount: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rowCount, Math.ceil((scrollTop + viewportHeight) / ROW_HEIGHT) + OVERSCAN);
  return { first, last };
}

/** Builds a virtualised table for a table output. */
export function tableView(output: Extract<CellOutput, { kind: 'table' }>): HTMLElement {
  const { columns, rows } = output;
  const widths = columnWidths(columns, rows);
  const colgroup = h('colgroup', {}, ...widths.map((w) => h('col', { style: `width: ${w}ch` })));
  const head = h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c))));
  const body = h('tbody');
  const table = h('table', { class: 'output-table', 'aria-rowcount': rows.length + 1 }, colgroup, head, body);
  const footer = h('div', { class: 'output-table-footer' }, `${rows.length.toLocaleString('en-US')} row${rows.length === 1 ? '' : 's'}${output.truncated ? ` (${output.truncated.toLocaleString('en-US')} more not shown)` : ''}`);
  const scroller = h('div', { class: 'output-table-scroll', tabindex: 0, role: 'region', 'aria-label': `Table, ${rows.length} rows` }, table);

  let rendered = { first: -1, last: -1 };
  const render = (): void => {
    const range = visibleRange(scroller.scrollTop, scroller.clientHeight || 320, rows.length);
    if (range.first === rendered.first && range.last === rendered.last) return;
    rendered = range;
    const fragment = document.createDocumentFragment();
    fragment.append(spacer(range.first * ROW_HEIGHT, columns.length));
    for (let i = range.first; i < range.last; i++) {
      const row = rows[i]!;
      fragment.append(h('tr', { 'aria-rowindex': i + 2 }, ...row.map((value) => cell(value))));
    }
    fragment.append(spacer((rows.length - range.last) * ROW_HEIGHT, columns.length));
    body.replaceChildren(fragment);
  };
  let frame = 0;
  scroller.addEventListener('scroll', () => {
    if (!frame) frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  }, { passive: true });
  // The first render needs the scroller's height, known once it is in the document.
  requestAnimationFrame(render);
  render();
  return h('div', { class: 'output output-table-wrap' }, scroller, footer);
}

/** An empty row `height` px tall standing for the rows not rendered. */
export function spacer(height: number, columns: number): HTMLTableRowElement {
  return h('tr', { class: 'spacer', 'aria-hidden': 'true', style: `height: ${height}px` }, h('td', { colspan: columns }));
}

/** A table cell showing `value` (numbers right-aligned, null greyed). */
export function cell(value: TableValue): HTMLTableCellElement {
  if (value === null) return h('td', { class: 'null' }, 'null');
  return h('td', { class: typeof value === 'number' ? 'number' : undefined }, typeof value === 'number' ? formatNumber(value) : String(value));
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1e6) / 1e6);
}

/** Column widths in `ch` from the header and a sample of rows, clamped to a sensible range. */
function columnWidths(columns: string[], rows: TableValue[][]): number[] {
  const sample = rows.slice(0, 200);
  return columns.map((column, i) => {
    let width = column.length;
    for (const row of sample) width = Math.max(width, String(row[i] ?? 'null').length);
    return Math.min(40, Math.max(6, width + 2));
  });
}
