/**
 * The tab strip of a job panel (Overview, SubTasks, Exceptions), as WAI-ARIA tabs: arrow keys
 * move between tabs, only the selected panel is shown, and a tab's `onShow` refreshes its panel
 * when it becomes visible (hidden panels are not kept up to date on every update).
 */
import { h } from '../dom.ts';

/** One tab and its panel. */
export interface JobTab {
  id: string;
  label: string;
  panel: HTMLElement;
  onShow?: () => void;
}

/**
 * @example
 * const tabs = new JobTabs('job-3', [{ id: 'overview', label: 'Overview', panel }]);
 * tabs.select('overview');
 */
export class JobTabs {
  readonly element: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private current: string;

  constructor(
    jobId: string,
    private readonly tabs: JobTab[],
  ) {
    const list = h('div', { class: 'job-tabs', role: 'tablist', 'aria-label': 'Job views' });
    for (const tab of tabs) {
      const button = h('button', { type: 'button', role: 'tab', id: `${jobId}-tab-${tab.id}`, 'aria-controls': `${jobId}-panel-${tab.id}`, dataset: { tab: tab.id }, onclick: () => this.select(tab.id) }, tab.label);
      button.addEventListener('keydown', (e) => this.onKey(e, tab.id));
      this.buttons.set(tab.id, button);
      list.append(button);
      tab.panel.setAttribute('role', 'tabpanel');
      tab.panel.id = `${jobId}-panel-${tab.id}`;
      tab.panel.setAttribute('aria-labelledby', button.id);
    }
    this.element = h('div', { class: 'job-tabbed' }, list, ...tabs.map((t) => t.panel));
    this.current = tabs[0]!.id;
    this.select(this.current);
  }

  /** The selected tab's id. */
  get selected(): string {
    return this.current;
  }

  select(id: string): void {
    this.current = id;
    for (const tab of this.tabs) {
      const on = tab.id === id;
      const button = this.buttons.get(tab.id)!;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      tab.panel.hidden = !on;
      if (on) tab.onShow?.();
    }
  }

  /** Changes a tab's label (the Exceptions tab counts them). */
  setLabel(id: string, label: string): void {
    const button = this.buttons.get(id);
    if (button && button.textContent !== label) button.textContent = label;
  }

  private onKey(e: KeyboardEvent, id: string): void {
    const i = this.tabs.findIndex((t) => t.id === id);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : undefined;
    if (next === undefined) return;
    e.preventDefault();
    const tab = this.tabs[(next + this.tabs.length) % this.tabs.length]!;
    this.select(tab.id);
    this.buttons.get(tab.id)!.focus();
  }
}
