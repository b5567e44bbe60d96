/**
 * One cell: a gutter with its run button, execution count (`[3]`, as Jupyter) and status, a
 * toolbar (kind, move, clear outputs, collapse, delete), the editor (or, for markdown, the
 * rendered text until double-clicked), and its outputs. Input and output can each be collapsed
 * to a one-line bar that expands again on click, as in JupyterLab; that is the view's state,
 * not the notebook's.
 */
import type { CellKind } from '../../shared/notebook/model.ts';
import type { CellModel } from '../state/notebook-store.ts';
import { formatDuration, h } from '../dom.ts';
import { CellEditor } from '../editor/cell-editor.ts';
import { OutputsView, type OutputsContext } from '../outputs/outputs-view.ts';
import { renderMarkdown } from './markdown.ts';

/** What a cell view asks of the notebook around it. */
export interface CellViewContext extends Omit<OutputsContext, 'revealLine'> {
  edit(cellId: string, source: string): void;
  run(cellId: string, advance: boolean): void;
  save(): void;
  move(cellId: string, delta: number): void;
  remove(cellId: string): void;
  changeKind(cellId: string, kind: CellKind): void;
  insert(afterCellId: string, kind: CellKind): void;
  clearOutputs(cellId: string): void;
}

const KIND_LABELS: Record<CellKind, string> = { code: 'TypeScript', markdown: 'Markdown', sql: 'SQL', 'flink-sql': 'Flink SQL' };

/** The view of one cell. */
export class CellView {
  readonly element: HTMLElement;
  readonly editor: CellEditor;
  readonly outputs: OutputsView;
  readonly kind: CellKind;
  private readonly status: HTMLElement;
  private readonly count: HTMLElement;
  private readonly previousRun: HTMLElement;
  private readonly inputBar: HTMLButtonElement;
  private readonly outputBar: HTMLButtonElement;
  private readonly collapseInputButton: HTMLButtonElement;
  private readonly collapseOutputButton: HTMLButtonElement;
  private readonly rendered: HTMLElement | undefined;
  private inputCollapsed = false;
  private outputCollapsed = false;
  private startedAt: number | undefined;

  constructor(
    cell: CellModel,
    private readonly position: () => number,
    private readonly context: CellViewContext,
  ) {
    this.kind = cell.kind;
    const id = cell.id;
    this.editor = new CellEditor(id, cell.kind, cell.source, `Cell ${position()} ${KIND_LABELS[cell.kind]}`, {
      onChange: (source) => {
        context.edit(id, source);
        if (this.rendered) this.renderMarkdownText(source);
      },
      onRun: (advance) => context.run(id, advance),
      onSave: () => context.save(),
      onBlur: () => {
        if (this.rendered) this.showRendered(true);
      },
    });
    this.outputs = new OutputsView({ ...context, revealLine: (line, column) => this.revealLine(line, column) });
    this.status = h('span', { class: 'cell-status', 'aria-live': 'polite' });
    this.count = h('span', { class: 'execution-count', title: 'Execution count: the order in which this kernel ran the cells' });
    this.previousRun = h('div', { class: 'previous-run', hidden: true });
    this.inputBar = h('button', { type: 'button', class: 'collapsed-bar', hidden: true, onclick: () => this.collapseInput(false) });
    this.outputBar = h('button', { type: 'button', class: 'collapsed-bar', hidden: true, onclick: () => this.collapseOutput(false) });
    this.collapseInputButton = h('button', { type: 'button', class: 'icon', 'aria-label': 'Collapse input', 'aria-pressed': 'false', title: 'Collapse input', onclick: () => this.collapseInput(!this.inputCollapsed) }, '⌃');
    this.collapseOutputButton = h('button', { type: 'button', class: 'icon', 'aria-label': 'Collapse output', 'aria-pressed': 'false', title: 'Collapse output', onclick: () => this.collapseOutput(!this.outputCollapsed) }, '⌄');

    const runButton = cell.kind === 'markdown' ? null : h('button', { type: 'button', class: 'icon run', 'aria-label': 'Run cell', title: 'Run cell (Shift+Enter)', onclick: () => context.run(id, false) }, '▶');
    const kindSelect = h(
      'select',
      { class: 'cell-kind', 'aria-label': 'Cell kind', onchange: (e: Event) => context.changeKind(id, (e.target as HTMLSelectElement).value as CellKind) },
      ...(['code', 'markdown', 'sql', 'flink-sql'] as const).map((k) => h('option', { value: k, selected: k === cell.kind }, KIND_LABELS[k])),
    );
    const toolbar = h(
      'div',
      { class: 'cell-toolbar', role: 'toolbar', 'aria-label': 'Cell actions' },
      kindSelect,
      h('button', { type: 'button', class: 'icon', 'aria-label': 'Move cell up', title: 'Move up', onclick: () => context.move(id, -1) }, '↑'),
      h('button', { type: 'button', class: 'icon', 'aria-label': 'Move cell down', title: 'Move down', onclick: () => context.move(id, 1) }, '↓'),
      cell.kind === 'markdown' ? null : h('button', { type: 'button', class: 'icon', 'aria-label': 'Clear output', title: 'Clear output', onclick: () => context.clearOutputs(id) }, '⌫'),
      this.collapseInputButton,
      cell.kind === 'markdown' ? null : this.collapseOutputButton,
      h('button', { type: 'button', class: 'icon', 'aria-label': 'Delete cell', title: 'Delete cell (Ctrl+Z outside an editor brings it back)', onclick: () => context.remove(id) }, '✕'),
    );
    if (cell.kind === 'markdown') {
      this.rendered = h('div', { class: 'markdown-body', tabindex: 0, title: 'Double-click to edit' });
      this.rendered.addEventListener('dblclick', () => this.showRendered(false));
      this.rendered.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          this.showRendered(false);
        }
      });
      this.renderMarkdownText(cell.source);
    }
    const insertBar = h(
      'div',
      { class: 'cell-insert' },
      ...(['code', 'markdown', 'sql', 'flink-sql'] as const).map((k) => h('button', { type: 'button', class: 'small ghost', onclick: () => context.insert(id, k) }, `+ ${k === 'code' ? 'Code' : KIND_LABELS[k]}`)),
    );
    this.element = h(
      'section',
      { class: `cell cell-${cell.kind}`, dataset: { cellId: id }, 'aria-label': `Cell ${position()}` },
      h('div', { class: 'cell-gutter' }, runButton, cell.kind === 'markdown' ? null : this.count, this.status),
      h('div', { class: 'cell-main' }, toolbar, cell.title ? h('div', { class: 'cell-header' }, cell.title) : null, this.inputBar, this.rendered ?? null, this.editor.element, this.previousRun, this.outputBar, this.outputs.element),
      insertBar,
    );
    if (this.rendered) this.showRendered(cell.source.trim() !== '');
    this.updateStatus(cell);
    this.renderOutputs(cell, 0);
  }

  /** Re-renders outputs from index `from` on, and the "from previous run" label. */
  renderOutputs(cell: CellModel, from: number): void {
    this.outputs.render(cell.outputs, from);
    this.showPreviousRun(cell);
    this.showOutputBar(cell.outputs.length);
  }

  /** Hides the input behind a one-line bar (or shows it again). */
  collapseInput(collapsed: boolean): void {
    this.inputCollapsed = collapsed;
    this.element.classList.toggle('input-collapsed', collapsed);
    this.collapseInputButton.setAttribute('aria-pressed', String(collapsed));
    this.collapseInputButton.title = collapsed ? 'Expand input' : 'Collapse input';
    const lines = this.editor.model.getLineCount();
    const first = this.editor.model.getLineContent(1).trim();
    this.inputBar.textContent = `⋯ input hidden (${lines} line${lines === 1 ? '' : 's'}${first ? `: ${first.slice(0, 60)}` : ''})`;
    this.inputBar.hidden = !collapsed;
    if (!collapsed) this.editor.layout();
  }

  /** Hides the outputs behind a one-line bar (or shows them again). */
  collapseOutput(collapsed: boolean): void {
    this.outputCollapsed = collapsed;
    this.element.classList.toggle('output-collapsed', collapsed);
    this.collapseOutputButton.setAttribute('aria-pressed', String(collapsed));
    this.collapseOutputButton.title = collapsed ? 'Expand output' : 'Collapse output';
    this.showOutputBar(this.outputs.element.childElementCount);
  }

  private showOutputBar(count: number): void {
    this.outputBar.textContent = `⋯ output hidden (${count} item${count === 1 ? '' : 's'})`;
    this.outputBar.hidden = !this.outputCollapsed || count === 0;
  }

  private showPreviousRun(cell: CellModel): void {
    const previous = cell.previousRun;
    this.element.classList.toggle('from-previous-run', previous !== undefined && cell.outputs.length > 0);
    this.previousRun.hidden = previous === undefined || cell.outputs.length === 0;
    if (previous) this.previousRun.textContent = `from previous run at ${new Date(previous.endedAt).toLocaleString()}`;
  }

  /** Shows the cell's run state. */
  updateStatus(cell: CellModel): void {
    this.element.dataset.status = cell.status;
    const busy = cell.status === 'running' || cell.status === 'queued';
    this.count.textContent = `[${busy ? '*' : cell.executionCount ?? ' '}]`;
    if (cell.executionCount === undefined) delete this.count.dataset.count;
    else this.count.dataset.count = String(cell.executionCount);
    this.startedAt = cell.status === 'running' ? (cell.startedAt ?? Date.now()) : undefined;
    this.status.dataset.status = cell.status;
    this.status.title = cell.reason ?? '';
    if (cell.durationMs === undefined) delete this.status.dataset.duration;
    else this.status.dataset.duration = formatDuration(cell.durationMs);
    this.tick();
  }

  /** Refreshes a running cell's live duration. */
  tick(): void {
    const status = this.element.dataset.status;
    const duration = this.startedAt !== undefined ? Date.now() - this.startedAt : undefined;
    const last = this.status.dataset.duration;
    let text = '';
    if (status === 'running') text = `running ${formatDuration(duration ?? 0)}`;
    else if (status === 'queued') text = 'queued';
    else if (status === 'done' || status === 'failed' || status === 'interrupted') text = `${status}${last ? ` ${last}` : ''}`;
    else if (status === 'skipped') text = 'skipped';
    this.status.textContent = text;
  }

  /** Renumbers the cell's accessible name after a move. */
  renumber(): void {
    this.element.setAttribute('aria-label', `Cell ${this.position()}`);
  }

  /** Shows a line of the cell with the cursor on it, expanding a collapsed input first. */
  revealLine(line: number, column: number): void {
    if (this.inputCollapsed) this.collapseInput(false);
    if (this.rendered) this.showRendered(false);
    this.editor.revealLine(line, column);
  }

  focus(): void {
    if (this.rendered) this.showRendered(false);
    this.editor.focus();
  }

  dispose(): void {
    this.editor.dispose();
    this.outputs.dispose();
  }

  private renderMarkdownText(source: string): void {
    this.rendered?.replaceChildren(source.trim() ? renderMarkdown(source) : h('p', { class: 'placeholder' }, 'Empty markdown cell: double-click to edit'));
  }

  /** Markdown cells show their rendered text, or their editor while being edited. */
  private showRendered(rendered: boolean): void {
    if (!this.rendered) return;
    this.rendered.hidden = !rendered;
    this.editor.element.hidden = rendered;
    this.element.classList.toggle('editing', !rendered);
    if (!rendered) {
      this.editor.mount();
      this.editor.layout();
      this.editor.focus();
    }
  }
}
