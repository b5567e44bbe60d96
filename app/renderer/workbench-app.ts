/**
 * The workbench page: a top bar (notebook name, dirty marker, Run all, Interrupt, Plan, Export,
 * Save), the notebook list, the open notebook's cells, and the job panels. Plan and Export
 * work on the saved notebook (they save first) and show their result in a dialog. It connects to the host, routes
 * host events into the store, and turns user actions into host requests. Opening a notebook
 * never runs it.
 */
import type { DiskVersion, JobDescription, NotebookEntry } from '../shared/workbench/protocol.ts';
import type { WorkbenchClient, WorkbenchService } from '../shared/workbench/service.ts';
import type { Remote } from '../shared/rpc/comlink-link.ts';
import { FrameScheduler } from './charts/frame-scheduler.ts';
import { connectToHost } from './connection.ts';
import { h } from './dom.ts';
import { configureTypeScript } from './editor/typescript-setup.ts';
import { exportForm } from './jobs/export-form.ts';
import { restoreJobHistory } from './jobs/job-history-restore.ts';
import { JobPanelView } from './jobs/job-panel.ts';
import { CompletedJobsView } from './jobs/completed-jobs.ts';
import { TaskManagerListView } from './jobs/taskmanager-list.ts';
import { jobControls } from './jobs/job-controls.ts';
import { planView } from './jobs/plan-view.ts';
import { KernelIndicator } from './notebook/kernel-indicator.ts';
import { NotebookView } from './notebook/notebook-view.ts';
import { JobsColumn } from './layout/jobs-column.ts';
import { ExportChoice } from './state/export-choice.ts';
import { NotebookStore } from './state/notebook-store.ts';

/** How long after the last edit an autosave happens, ms. */
export const AUTOSAVE_DELAY_MS = 1500;

/** The running page. */
export class WorkbenchApp {
  readonly store = new NotebookStore();
  readonly frames = new FrameScheduler();
  private service!: Remote<WorkbenchService>;
  private notebookView: NotebookView | undefined;
  private readonly jobPanels = new Map<string, JobPanelView>();
  private autosaveTimer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> | undefined;

  // Elements
  private readonly titleName = h('span', { class: 'doc-name' });
  private readonly dirtyMarker = h('span', { class: 'dirty-marker', title: 'Unsaved changes', 'aria-label': 'Unsaved changes', hidden: true }, '●');
  private readonly saveState = h('span', { class: 'save-state', 'aria-live': 'polite' });
  private readonly banner = h('div', { class: 'banner', role: 'alert', hidden: true });
  private readonly list = h('ul', { class: 'notebook-list' });
  private readonly main = h('main', { class: 'notebook', 'aria-label': 'Notebook' });
  private readonly jobsList = h('div', { class: 'job-list' });
  /** Flink's Completed Jobs and Task Managers, above the job panels. */
  private readonly completedJobs = new CompletedJobsView();
  private taskManagerList: TaskManagerListView | undefined;
  private readonly jobsOverview = h('div', { class: 'jobs-overview' }, this.completedJobs.element);
  private readonly runAllButton = h('button', { type: 'button', disabled: true, onclick: () => this.run('all') }, 'Run all');
  private readonly interruptButton = h('button', { type: 'button', class: 'secondary', disabled: true, title: 'Stop queued cells and the running one', onclick: () => this.interrupt() }, 'Interrupt');
  private readonly saveButton = h('button', { type: 'button', class: 'secondary', disabled: true, title: 'Save (Ctrl+S)', onclick: () => void this.save() }, 'Save');
  private readonly planButton = h('button', { type: 'button', class: 'secondary', disabled: true, title: "Show the saved notebook's jobs as graphs, without running them", onclick: () => void this.showPlan() }, 'Plan');
  private readonly exportButton = h('button', { type: 'button', class: 'secondary', disabled: true, title: 'Export a job of the saved notebook to run it headless with weir run', onclick: () => void this.showExport() }, 'Export…');
  private readonly clearAllButton = h('button', { type: 'button', class: 'secondary', disabled: true, title: "Clear every cell's output", onclick: () => this.clearOutputs('all') }, 'Clear outputs');
  private readonly undoBar = h('div', { class: 'undo-bar', role: 'status', hidden: true });
  private readonly kernel = new KernelIndicator({
    restart: () => this.kernelAction(() => this.service.restartKernel(this.store.path)),
    shutdown: () => this.kernelAction(() => this.service.shutdownKernel(this.store.path)),
  });
  private jobsColumn: JobsColumn | undefined;
  private readonly dialog = h('dialog', { class: 'job-dialog' });
  private readonly folderName = h('span', { class: 'folder-name' });

  /** Builds the page in `root` and connects. */
  async start(root: HTMLElement): Promise<void> {
    root.classList.remove('booting');
    root.replaceChildren(this.layout());
    this.store.onDidChange((change) => {
      if (change.kind === 'file') this.showFileState();
      if (change.kind === 'job') this.showJob(change.jobId);
      if (change.kind === 'status') this.showRunState();
      if (change.kind === 'deleted') this.showUndo(change.undoable);
    });
    window.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void this.save();
      }
      // Ctrl+Z outside an editor or a field brings back the last deleted cell (in an editor it
      // undoes the editor's own edits).
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && !isTextField(e.target) && this.store.canUndoDelete) {
        e.preventDefault();
        this.undoDelete();
      }
    }, { capture: true });
    window.addEventListener('beforeunload', (e) => {
      if (this.store.dirty) e.preventDefault();
    });

    const connection = await connectToHost(this.clientHandlers());
    this.service = connection.service;
    this.taskManagerList = new TaskManagerListView(() => this.service.taskManagers());
    this.jobsOverview.append(this.taskManagerList.element);
    connection.onDidClose((reason) => this.showBanner(`Disconnected: ${reason}. Reload the page to reconnect.`, []));
    const info = await this.service.describe();
    this.folderName.textContent = info.folderName;
    // The declarations can take the host a few seconds (it may emit them first): the editors
    // work meanwhile and learn the API when they arrive.
    configureTypeScript([]);
    this.service.typeLibraries().then(configureTypeScript, () => {});
    await this.refreshList();
    const requested = new URLSearchParams(location.search).get('notebook');
    if (requested) await this.open(requested);
    else this.main.replaceChildren(h('div', { class: 'empty-state' }, h('h2', {}, 'Open a notebook'), h('p', {}, 'Pick one on the left, or create a new one.')));
    document.body.dataset.ready = 'true';
  }

  private layout(): HTMLElement {
    const newButton = h('button', { type: 'button', class: 'small', onclick: () => this.createNotebook() }, 'New notebook');
    const renameButton = h('button', { type: 'button', class: 'small secondary', onclick: () => this.renameNotebook() }, 'Rename');
    const layout = h(
      'div',
      { class: 'workbench' },
      h(
        'header',
        { class: 'topbar' },
        h('span', { class: 'brand' }, 'Weir'),
        h('span', { class: 'crumbs' }, this.folderName, h('span', { class: 'sep' }, '/'), this.titleName, this.dirtyMarker),
        h('span', { class: 'spacer' }),
        this.saveState,
        this.kernel.element,
        this.runAllButton,
        this.interruptButton,
        this.clearAllButton,
        this.planButton,
        this.exportButton,
        this.saveButton,
      ),
      this.dialog,
      this.banner,
      h('nav', { class: 'sidebar', 'aria-label': 'Notebooks' }, h('h2', {}, 'Notebooks'), this.list, h('div', { class: 'sidebar-actions' }, newButton, renameButton)),
      this.main,
      h('aside', { class: 'jobs', 'aria-label': 'Jobs' }, h('h2', {}, 'Jobs'), this.jobsOverview, this.jobsList),
      this.undoBar,
    );
    this.jobsColumn = new JobsColumn(layout, safeLocalStorage());
    layout.querySelector('.topbar')!.append(this.jobsColumn.toggle);
    layout.querySelector('aside.jobs')!.before(this.jobsColumn.handle);
    return layout;
  }

  /** The page's side of the protocol: host events into the store. */
  private clientHandlers(): WorkbenchClient {
    const store = this.store;
    return {
      onDidChangeCellState: (e) => store.applyCellState(e),
      onDidWriteOutput: (e) => store.applyOutput(e),
      onDidStartJob: (job: JobDescription) => store.applyJobStarted(job),
      onDidUpdateJob: (e) => store.applyJobUpdate(e),
      onDidAppendChartPoints: (e) => store.applyChartPoints(e),
      onDidChangeKernelState: (e) => {
        if (e.path === store.path) this.kernel.show(e.state);
      },
      onDidChangeNotebookOnDisk: (e) => {
        const decision = store.applyDiskChange(e);
        if (decision === 'reload') void this.reload();
      },
    };
  }

  // ---- notebooks ---------------------------------------------------------------------------

  private async refreshList(): Promise<void> {
    const entries = await this.service.listNotebooks();
    this.list.replaceChildren(...entries.map((entry) => this.listItem(entry)));
    if (entries.length === 0) this.list.append(h('li', { class: 'empty' }, 'No notebooks here yet'));
  }

  private listItem(entry: NotebookEntry): HTMLElement {
    const link = h('a', { href: this.urlFor(entry.path), 'aria-current': entry.path === this.store.path ? 'page' : undefined, title: entry.path }, entry.path);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      void this.open(entry.path);
    });
    return h('li', {}, link);
  }

  private urlFor(notebook: string): string {
    const params = new URLSearchParams(location.search);
    params.set('notebook', notebook);
    return `?${params.toString()}`;
  }

  /** Opens a notebook (never runs it). */
  async open(notebook: string): Promise<void> {
    if (this.store.path && this.store.dirty) await this.save();
    if (this.store.path && this.store.path !== notebook) await this.service.closeNotebook(this.store.path).catch(() => {});
    let document;
    // Performance marks: the host's answer and the page's own rendering are measured apart
    // (the e2e test holds the page to its budget; the host's share depends on the machine).
    performance.mark('weir-open-request');
    try {
      document = await this.service.openNotebook(notebook);
    } catch (error) {
      this.main.replaceChildren(h('div', { class: 'empty-state' }, h('h2', {}, 'Cannot open the notebook'), h('p', {}, errorMessage(error))));
      return;
    }
    const started = performance.now();
    performance.mark('weir-open-answered');
    history.replaceState(null, '', this.urlFor(document.path));
    this.notebookView?.dispose();
    for (const panel of this.jobPanels.values()) panel.dispose();
    this.jobPanels.clear();
    this.jobsList.replaceChildren(h('p', { class: 'jobs-empty' }, 'Jobs that cells start appear here.'));
    this.store.jobs.clear();
    this.store.charts.clear();
    this.completedJobs.update([]);
    this.undoBar.hidden = true;
    this.notebookView = new NotebookView(this.store, { run: (ids) => this.run(ids), save: () => void this.save(), clearOutputs: (ids) => this.clearOutputs(ids) });
    this.main.replaceChildren(this.notebookView.element);
    this.store.load(document);
    // Jobs and charts of this notebook's kernel that ran before the page (re)loaded.
    this.service.jobHistory(document.path).then(
      (history) => {
        if (this.store.path === document.path) restoreJobHistory(this.store, history);
      },
      () => {},
    );
    window.document.title = `${document.path} — Weir`;
    this.titleName.textContent = document.path;
    this.runAllButton.disabled = false;
    this.clearAllButton.disabled = false;
    this.service.kernelState(document.path).then((state) => {
      if (this.store.path === document.path) this.kernel.show(state);
    }, () => {});
    this.planButton.disabled = false;
    this.exportButton.disabled = false;
    this.saveButton.disabled = false;
    for (const item of this.list.querySelectorAll('a')) item.setAttribute('aria-current', item.title === document.path ? 'page' : 'false');
    // Time to a rendered notebook, for the e2e measurement (the editors mount lazily after).
    requestAnimationFrame(() => {
      performance.mark('weir-open-rendered');
      performance.measure('weir-open-host', 'weir-open-request', 'weir-open-answered');
      performance.measure('weir-open-render', 'weir-open-answered', 'weir-open-rendered');
      this.main.dataset.openMs = String(Math.round(performance.now() - started));
    });
  }

  private async reload(): Promise<void> {
    const document = await this.service.openNotebook(this.store.path);
    this.store.load(document);
    this.setSaveState('Reloaded: the file changed on disk');
  }

  private async createNotebook(): Promise<void> {
    const name = await this.ask('New notebook name', 'untitled.ts');
    if (!name) return;
    try {
      const document = await this.service.createNotebook(name.endsWith('.ts') ? name : `${name}.ts`);
      await this.refreshList();
      await this.open(document.path);
    } catch (error) {
      this.showBanner(`Cannot create the notebook: ${errorMessage(error)}`, []);
    }
  }

  private async renameNotebook(): Promise<void> {
    if (!this.store.path) return;
    const name = await this.ask('Rename notebook to', this.store.path);
    if (!name || name === this.store.path) return;
    try {
      if (this.store.dirty) await this.save();
      const entry = await this.service.renameNotebook(this.store.path, name.endsWith('.ts') ? name : `${name}.ts`);
      await this.refreshList();
      await this.open(entry.path);
    } catch (error) {
      this.showBanner(`Cannot rename the notebook: ${errorMessage(error)}`, []);
    }
  }

  /** An inline prompt in the sidebar (Electron has no `window.prompt`). */
  private ask(label: string, initial: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      const input = h('input', { type: 'text', value: initial, 'aria-label': label });
      const form = h('form', { class: 'inline-prompt' }, h('label', {}, label, input), h('div', {}, h('button', { type: 'submit', class: 'small' }, 'OK'), h('button', { type: 'button', class: 'small secondary', onclick: () => done(undefined) }, 'Cancel')));
      const done = (value: string | undefined): void => {
        form.remove();
        resolve(value?.trim() || undefined);
      };
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        done(input.value);
      });
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') done(undefined);
      });
      this.list.before(form);
      input.focus();
      input.select();
    });
  }

  // ---- running -----------------------------------------------------------------------------

  private run(cells: string[] | 'all'): void {
    if (!this.store.path) return;
    this.service.runCells(this.store.runRequest(cells)).catch((error: unknown) => this.showBanner(`Cannot run: ${errorMessage(error)}`, []));
  }

  private interrupt(): void {
    if (this.store.path) void this.service.interrupt(this.store.path);
  }

  /** Restart or Shut down; a failure shows in the banner. */
  private async kernelAction(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.showBanner(`Kernel: ${errorMessage(error)}`, []);
    }
  }

  /** Clears outputs on the page and in the notebook's saved outputs. */
  private clearOutputs(cellIds: string[] | 'all'): void {
    this.store.clearOutputs(cellIds);
    if (this.store.path) this.service.clearOutputs(this.store.path, cellIds).catch(() => {});
  }

  /** "Cell deleted. Undo" after a deletion, for as long as there is one to undo. */
  private showUndo(undoable: boolean): void {
    if (!undoable) {
      this.undoBar.hidden = true;
      return;
    }
    const undo = h('button', { type: 'button', class: 'small', onclick: () => this.undoDelete() }, 'Undo');
    const dismiss = h('button', { type: 'button', class: 'small ghost', 'aria-label': 'Dismiss', onclick: () => (this.undoBar.hidden = true) }, '✕');
    this.undoBar.replaceChildren(h('span', {}, 'Cell deleted.'), undo, h('span', { class: 'undo-hint' }, 'Ctrl+Z'), dismiss);
    this.undoBar.hidden = false;
  }

  private undoDelete(): void {
    const id = this.store.undoDelete();
    if (id) this.notebookView?.focusCell(id);
  }

  private showRunState(): void {
    const busy = this.store.cells.some((c) => c.status === 'running' || c.status === 'queued');
    this.interruptButton.disabled = !busy;
  }

  private showJob(jobId: string): void {
    const job = this.store.jobs.get(jobId);
    if (!job) return;
    let panel = this.jobPanels.get(jobId);
    if (!panel) {
      panel = new JobPanelView(job, jobControls(this.service, this.store, (name) => void this.showExport(name)), this.frames);
      this.jobPanels.set(jobId, panel);
      this.jobsList.querySelector('.jobs-empty')?.remove();
      this.jobsList.prepend(panel.element);
    } else {
      panel.update();
    }
    this.completedJobs.update([...this.store.jobs.values()]);
  }

  // ---- plan and export ---------------------------------------------------------------------

  /** Shows the saved notebook's jobs as graphs. */
  private async showPlan(): Promise<void> {
    const body = this.openDialog(`Plan of ${this.store.path}`);
    const plan = await this.findJobs(body);
    if (!plan) return;
    body.replaceChildren(planView(plan, { exportJob: (job) => void this.showExport(job) }));
  }

  /** The Export form for a job of the saved notebook (the first, or `job`). */
  private async showExport(job?: string): Promise<void> {
    const body = this.openDialog(`Export a job of ${this.store.path}`);
    const plan = await this.findJobs(body);
    if (!plan) return;
    const choice = new ExportChoice(plan.path, plan.jobs.map((j) => j.name), job);
    body.replaceChildren(
      plan.error ? h('p', { class: 'plan-error', role: 'alert' }, `A cell failed while the jobs were being found: ${plan.error}`) : '',
      exportForm(choice, (request) => this.service.exportJob(request)),
    );
    body.querySelector<HTMLElement>('select, input')?.focus();
  }

  /** Saves, then asks the host for the notebook's jobs; shows progress and errors in `body`. */
  private async findJobs(body: HTMLElement) {
    body.replaceChildren(h('p', { class: 'plan-progress', role: 'status' }, "Finding the notebook's jobs (its cells run; its jobs do not)…"));
    if (this.store.dirty) await this.save();
    try {
      return await this.service.planJobs(this.store.path);
    } catch (error) {
      body.replaceChildren(h('p', { class: 'plan-error', role: 'alert' }, errorMessage(error)));
      return undefined;
    }
  }

  /** Opens the dialog with a title; resolves with its (empty) body. */
  private openDialog(title: string): HTMLElement {
    const body = h('div', { class: 'job-dialog-body' });
    const close = h('button', { type: 'button', class: 'small ghost', 'aria-label': 'Close', onclick: () => this.dialog.close() }, '✕');
    this.dialog.replaceChildren(h('header', {}, h('h2', {}, title), close), body);
    this.dialog.setAttribute('aria-label', title);
    if (!this.dialog.open) this.dialog.showModal();
    return body;
  }

  // ---- saving ------------------------------------------------------------------------------

  /** Saves now (waits for a save in progress first). */
  async save(force = false): Promise<void> {
    if (!this.store.path) return;
    if (this.autosaveTimer) clearTimeout(this.autosaveTimer);
    this.autosaveTimer = undefined;
    while (this.saving) await this.saving;
    if (this.store.conflict && !force) {
      this.showConflict();
      return;
    }
    if (!this.store.dirty && !force) return;
    const request = this.store.saveRequest(force);
    this.setSaveState('Saving…');
    this.saving = (async () => {
      try {
        const { revision, ...body } = request;
        const result = await this.service.saveNotebook(body);
        if (result.ok) {
          this.store.markSaved(result.version, revision);
          this.setSaveState(`Saved ${new Date().toLocaleTimeString()}`);
        } else {
          this.store.applyDiskChange({ path: this.store.path, version: result.disk });
          this.showConflict();
        }
      } catch (error) {
        this.setSaveState(`Not saved: ${errorMessage(error)}`);
      }
    })();
    try {
      await this.saving;
    } finally {
      this.saving = undefined;
    }
  }

  private showFileState(): void {
    const { dirty, conflict } = this.store;
    this.dirtyMarker.hidden = !dirty;
    document.title = `${dirty ? '● ' : ''}${this.store.path} — Weir`;
    if (conflict) this.showConflict();
    else this.banner.hidden = true;
    if (dirty && !conflict) this.scheduleAutosave();
  }

  private scheduleAutosave(): void {
    if (this.autosaveTimer) clearTimeout(this.autosaveTimer);
    this.autosaveTimer = setTimeout(() => {
      this.autosaveTimer = undefined;
      void this.save();
    }, AUTOSAVE_DELAY_MS);
  }

  private showConflict(): void {
    const conflict = this.store.conflict;
    if (!conflict) return;
    const message = conflict.deleted ? 'The notebook was deleted or renamed on disk.' : 'The notebook changed on disk, and you have unsaved changes.';
    this.showBanner(message, [
      { label: 'Reload from disk', action: () => void this.reload(), hidden: conflict.deleted },
      { label: conflict.deleted ? 'Save again' : 'Overwrite with mine', action: () => { this.store.keepMine(); void this.save(true); } },
    ]);
  }

  private showBanner(message: string, actions: { label: string; action: () => void; hidden?: boolean }[]): void {
    this.banner.replaceChildren(
      h('span', {}, message),
      ...actions.filter((a) => !a.hidden).map((a) => h('button', { type: 'button', class: 'small', onclick: a.action }, a.label)),
      h('button', { type: 'button', class: 'small ghost', 'aria-label': 'Dismiss', onclick: () => (this.banner.hidden = true) }, '✕'),
    );
    this.banner.hidden = false;
  }

  private setSaveState(text: string): void {
    this.saveState.textContent = text;
  }
}

/** Whether a key event's target edits text of its own (an editor, an input), so Ctrl+Z is its. */
function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.closest('.monaco-editor, input, textarea, select, [contenteditable="true"]') !== null;
}

/** The page's local storage, or undefined where it is denied. */
function safeLocalStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Kept for callers that compare versions (the type is part of the store's API). */
export type { DiskVersion };
