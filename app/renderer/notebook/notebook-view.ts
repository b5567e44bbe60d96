/**
 * The cells of the open notebook, kept in step with the store: views are reused by cell id
 * across moves and re-created when a cell changes kind; status, outputs and chart changes go
 * to the one cell they concern.
 */
import type { CellKind } from '../../shared/notebook/model.ts';
import type { NotebookStore, StoreChange } from '../state/notebook-store.ts';
import { h } from '../dom.ts';
import { NotebookTypeScript } from '../editor/notebook-typescript.ts';
import { CellView } from './cell-view.ts';

/** What the notebook view asks of the app. */
export interface NotebookActions {
  run(cellIds: string[]): void;
  save(): void;
  /** Clears outputs here and in what the host saved of them. */
  clearOutputs(cellIds: string[] | 'all'): void;
}

/** The notebook's cells. */
export class NotebookView {
  readonly element = h('div', { class: 'cells' });
  private readonly views = new Map<string, CellView>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly resizes: ResizeObserver;
  /** Ends this view's subscription to the store, which outlives it (the next notebook uses it). */
  private readonly unsubscribe: () => void;
  private typescript: NotebookTypeScript | undefined;

  constructor(
    private readonly store: NotebookStore,
    private readonly actions: NotebookActions,
  ) {
    this.unsubscribe = store.onDidChange((change) => this.changed(change));
    // Running cells show a live duration.
    this.timer = setInterval(() => {
      for (const view of this.views.values()) if (view.element.dataset.status === 'running') view.tick();
    }, 500);
    this.resizes = new ResizeObserver(() => {
      for (const view of this.views.values()) view.editor.layout();
    });
    this.resizes.observe(this.element);
  }

  /** The view of a cell. */
  view(cellId: string): CellView | undefined {
    return this.views.get(cellId);
  }

  focusCell(cellId: string): void {
    this.views.get(cellId)?.focus();
  }

  /**
   * Lets go of the store before disposing the cells: a disposed view that still heard the next
   * notebook's changes built cells of its own for it, whose models took the live cells' URIs,
   * and disposed TypeScript documents that threw "Model is disposed!".
   */
  dispose(): void {
    this.unsubscribe();
    this.resizes.disconnect();
    clearInterval(this.timer);
    this.typescript?.dispose();
    this.typescript = undefined;
    for (const view of this.views.values()) view.dispose();
    this.views.clear();
  }

  private changed(change: StoreChange): void {
    switch (change.kind) {
      case 'structure':
        this.reconcile();
        break;
      case 'status': {
        const cell = this.store.cell(change.cellId);
        if (cell) this.views.get(change.cellId)?.updateStatus(cell);
        break;
      }
      case 'outputs': {
        const cell = this.store.cell(change.cellId);
        if (cell) this.views.get(change.cellId)?.renderOutputs(cell, change.from);
        break;
      }
      case 'source': {
        const cell = this.store.cell(change.cellId);
        if (cell) this.views.get(change.cellId)?.editor.setValue(cell.source);
        this.typescript?.invalidate();
        break;
      }
      case 'chart':
        for (const view of this.views.values()) view.outputs.chartPoints(change.points);
        break;
    }
  }

  /** Brings the cell views in line with the store's cells. */
  private reconcile(): void {
    const cells = this.store.cells;
    const keep = new Set(cells.map((c) => c.id));
    for (const [id, view] of this.views) {
      const cell = this.store.cell(id);
      if (!keep.has(id) || cell?.kind !== view.kind) {
        view.element.remove();
        view.dispose();
        this.views.delete(id);
      }
    }
    let previous: Element | null = null;
    for (const cell of cells) {
      let view = this.views.get(cell.id);
      if (!view) {
        view = new CellView(cell, () => this.store.cells.findIndex((c) => c.id === cell.id) + 1, this.cellContext());
        this.views.set(cell.id, view);
      }
      const node = view.element;
      const expected: Element | null = previous ? previous.nextElementSibling : this.element.firstElementChild;
      if (expected !== node) {
        if (previous) previous.after(node);
        else this.element.prepend(node);
      }
      view.renumber();
      previous = node;
    }
    this.typescript ??= new NotebookTypeScript(this.store.path || 'notebook');
    this.typescript.setCells(cells.filter((c) => c.kind === 'code').map((c) => ({ id: c.id, model: this.views.get(c.id)!.editor.model })));
    if (cells.length === 0) {
      this.element.replaceChildren(h('div', { class: 'empty-notebook' }, h('p', {}, 'This notebook has no cells.'), h('button', { type: 'button', onclick: () => this.store.insertCell(0, 'code') }, 'Add a code cell')));
    } else {
      this.element.querySelector(':scope > .empty-notebook')?.remove();
    }
  }

  private cellContext() {
    const store = this.store;
    return {
      showCell: (cellId: string) => {
        const view = this.views.get(cellId);
        if (!view) return;
        view.element.scrollIntoView({ block: 'center' });
        view.focus();
      },
      edit: (cellId: string, source: string) => {
        store.updateSource(cellId, source);
        this.typescript?.invalidate();
      },
      run: (cellId: string, advance: boolean) => {
        this.actions.run([cellId]);
        if (advance) {
          const index = store.cells.findIndex((c) => c.id === cellId);
          const next = store.cells[index + 1];
          if (next) this.focusCell(next.id);
          else this.focusCell(store.insertCell(index + 1, 'code'));
        }
      },
      save: () => this.actions.save(),
      move: (cellId: string, delta: number) => store.moveCell(cellId, delta),
      remove: (cellId: string) => store.deleteCell(cellId),
      clearOutputs: (cellId: string) => this.actions.clearOutputs([cellId]),
      changeKind: (cellId: string, kind: CellKind) => store.changeKind(cellId, kind),
      insert: (afterCellId: string, kind: CellKind) => {
        const index = store.cells.findIndex((c) => c.id === afterCellId);
        this.focusCell(store.insertCell(index + 1, kind));
      },
    };
  }
}
