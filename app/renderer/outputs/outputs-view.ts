/**
 * The outputs under a cell: console text, errors (whose location jumps to the line), notes,
 * tables, rejected rows, live charts and the live tables of `[flink-sql]` SELECTs. Updates are
 * incremental: outputs before the changed index keep their
 * nodes, so a chart keeps drawing while text appears below it.
 */
import type { CellOutput } from '../../shared/workbench/protocol.ts';
import type { ChartPointsEvent } from '../../shared/workbench/service.ts';
import { h } from '../dom.ts';
import { LiveChartView } from '../charts/live-chart-view.ts';
import { rejectsView } from './rejects-view.ts';
import { tableView } from './table-view.ts';
import { LiveTableView } from './live-table-view.ts';

/** What an outputs view needs from around it. */
export interface OutputsContext {
  /** Shows a line (1-based, within the cell) in the cell's editor. */
  revealLine(line: number, column: number): void;
  /** Scrolls to another cell of the notebook and focuses it. */
  showCell(cellId: string): void;
}

/** The outputs of one cell. */
export class OutputsView {
  readonly element = h('div', { class: 'cell-outputs', 'aria-live': 'polite' });
  private nodes: HTMLElement[] = [];
  private readonly charts = new Map<string, LiveChartView | LiveTableView>();

  constructor(private readonly context: OutputsContext) {}

  /** Re-renders outputs from index `from` on. */
  render(outputs: readonly CellOutput[], from: number): void {
    for (const node of this.nodes.splice(from)) {
      node.remove();
      const id = node.dataset.chartId;
      if (id && !outputs.some((o, i) => i >= from && o.kind === 'chart' && o.chart.id === id)) {
        this.charts.get(id)?.dispose();
        this.charts.delete(id);
      }
    }
    for (let i = from; i < outputs.length; i++) {
      const node = this.renderOne(outputs[i]!);
      this.nodes.push(node);
      this.element.append(node);
    }
    this.element.hidden = this.nodes.length === 0;
  }

  /** New points for a chart, if it is under this cell. */
  chartPoints(event: ChartPointsEvent): void {
    this.charts.get(event.chartId)?.add(event);
  }

  dispose(): void {
    for (const chart of this.charts.values()) chart.dispose();
    this.charts.clear();
  }

  private renderOne(output: CellOutput): HTMLElement {
    switch (output.kind) {
      case 'text':
        return h('pre', { class: `output output-text stream-${output.stream}` }, output.text.replace(/\n$/, ''));
      case 'note':
        return h('div', { class: 'output output-note' }, output.text);
      case 'table':
        return tableView(output);
      case 'rejects':
        return rejectsView(output);
      case 'chart': {
        let view = this.charts.get(output.chart.id);
        if (!view) {
          view = output.chart.type === 'table' ? new LiveTableView(output.chart) : new LiveChartView(output.chart);
          this.charts.set(output.chart.id, view);
        }
        return view.element;
      }
      case 'error':
        return this.renderError(output);
      case 'blocked':
        return this.renderBlocked(output);
    }
  }

  /** "not run: cell 2, which defines trades, failed", the cell being a link to it. */
  private renderBlocked(output: Extract<CellOutput, { kind: 'blocked' }>): HTMLElement {
    const link = h('button', { type: 'button', class: 'link blocked-by', title: `Show cell ${output.cell}`, onclick: () => this.context.showCell(output.cellId) }, `cell ${output.cell}`);
    const why = output.names.length > 0 ? `, which defines ${output.names.join(', ')}, failed` : ', which ran before it, failed';
    return h('div', { class: 'output output-note output-blocked', role: 'status' }, 'not run: ', link, why);
  }

  private renderError(output: Extract<CellOutput, { kind: 'error' }>): HTMLElement {
    const { error, cellLine, cellColumn } = output;
    const title = error.phase === 'compile' || error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
    const file = error.file.split(/[\\/]/).pop();
    const where = h(
      'button',
      { type: 'button', class: 'error-location link', title: `${error.file}:${error.line}:${error.column}`, onclick: () => this.context.revealLine(cellLine, cellColumn) },
      `Line ${cellLine}, column ${cellColumn}`,
    );
    const frames = error.frames.slice(0, 8).map((f) => `at ${f.functionName && !f.functionName.includes('<anonymous>') ? `${f.functionName} ` : ''}${f.file.split(/[\\/]/).pop()}:${f.line}:${f.column}`);
    return h(
      'div',
      { class: 'output output-error', role: 'alert' },
      h('div', { class: 'error-head' }, h('span', { class: 'error-kind' }, error.phase === 'compile' ? 'Compile error' : 'Error'), where, h('span', { class: 'error-file' }, `${file}:${error.line}`)),
      h('pre', { class: 'error-message' }, title),
      frames.length > 0 ? h('pre', { class: 'error-frames' }, frames.join('\n')) : null,
      h('details', {}, h('summary', {}, 'Full stack'), h('pre', { class: 'error-stack' }, error.stack)),
    );
  }
}
