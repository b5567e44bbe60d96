/**
 * The Jobs column's size: dragged wider or narrower by the handle on its left edge (arrow keys
 * on the focused handle too), collapsed and expanded by a toggle, remembered across reloads in
 * the page's local storage. The notebook takes whatever width the column leaves.
 */
import { h } from '../dom.ts';

/** What is remembered of the column. */
export interface JobsColumnState {
  /** Width in CSS px while expanded. */
  width: number;
  collapsed: boolean;
}

/** The width a first visit gets, px. */
export const DEFAULT_JOBS_WIDTH = 400;
/** Narrower than this the job graphs do not fit, px. */
export const MIN_JOBS_WIDTH = 260;
/** The notebook keeps at least this share of the window. */
const MAX_WINDOW_SHARE = 0.7;
const STORAGE_KEY = 'weir.jobsColumn';
/** Px per arrow key press on the handle. */
const KEY_STEP = 24;

/**
 * Clamps a width to what the window allows.
 *
 * @example
 * clampJobsWidth(100, 1440); // 260
 */
export function clampJobsWidth(width: number, windowWidth: number): number {
  const max = Math.max(MIN_JOBS_WIDTH, Math.round(windowWidth * MAX_WINDOW_SHARE));
  return Math.round(Math.min(max, Math.max(MIN_JOBS_WIDTH, width)));
}

/** Reads the remembered state; anything unreadable gives the defaults. */
export function readJobsColumnState(storage: Pick<Storage, 'getItem'> | undefined): JobsColumnState {
  try {
    const value = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null') as Partial<JobsColumnState> | null;
    const width = typeof value?.width === 'number' && Number.isFinite(value.width) ? value.width : DEFAULT_JOBS_WIDTH;
    return { width, collapsed: value?.collapsed === true };
  } catch {
    return { width: DEFAULT_JOBS_WIDTH, collapsed: false };
  }
}

/**
 * Sizes the Jobs column of `layout` (a grid whose last column is `var(--jobs-width)`).
 *
 * @example
 * const column = new JobsColumn(workbenchElement, localStorage);
 * header.append(column.toggle);
 * workbenchElement.append(column.handle);
 */
export class JobsColumn {
  /** The drag handle, a separator between the notebook and the column. */
  readonly handle: HTMLElement;
  /** The button that collapses and expands the column. */
  readonly toggle: HTMLButtonElement;
  private state: JobsColumnState;

  constructor(
    private readonly layout: HTMLElement,
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined,
  ) {
    this.state = readJobsColumnState(storage);
    this.handle = h('div', { class: 'jobs-resize', role: 'separator', tabindex: 0, 'aria-orientation': 'vertical', 'aria-label': 'Resize the Jobs column', title: 'Drag to resize; double-click to collapse' });
    this.toggle = h('button', { type: 'button', class: 'secondary jobs-toggle', onclick: () => this.setCollapsed(!this.state.collapsed) });
    this.installDrag();
    this.apply();
  }

  get collapsed(): boolean {
    return this.state.collapsed;
  }

  get width(): number {
    return this.state.width;
  }

  setCollapsed(collapsed: boolean): void {
    this.state = { ...this.state, collapsed };
    this.apply();
    this.remember();
  }

  setWidth(width: number): void {
    this.state = { width: clampJobsWidth(width, window.innerWidth), collapsed: false };
    this.apply();
  }

  private apply(): void {
    const { collapsed } = this.state;
    const width = clampJobsWidth(this.state.width, window.innerWidth);
    this.layout.style.setProperty('--jobs-width', collapsed ? '0px' : `${width}px`);
    this.layout.classList.toggle('jobs-collapsed', collapsed);
    this.toggle.textContent = collapsed ? 'Show jobs' : 'Hide jobs';
    this.toggle.setAttribute('aria-expanded', String(!collapsed));
    this.toggle.title = collapsed ? 'Show the Jobs column' : 'Collapse the Jobs column';
    this.handle.setAttribute('aria-valuenow', String(collapsed ? 0 : width));
    this.handle.setAttribute('aria-valuemin', String(MIN_JOBS_WIDTH));
    this.handle.setAttribute('aria-valuemax', String(clampJobsWidth(Infinity, window.innerWidth)));
    this.handle.hidden = collapsed;
  }

  private remember(): void {
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.state));
    } catch {
      // Storage may be full or denied; the column then forgets on reload.
    }
  }

  private installDrag(): void {
    const handle = this.handle;
    let start: { x: number; width: number } | undefined;
    handle.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      start = { x: e.clientX, width: clampJobsWidth(this.state.width, window.innerWidth) };
      handle.setPointerCapture(e.pointerId);
      this.layout.classList.add('resizing');
    });
    handle.addEventListener('pointermove', (e) => {
      // The column is on the right: dragging left widens it.
      if (start) this.setWidth(start.width + (start.x - e.clientX));
    });
    const end = (): void => {
      if (!start) return;
      start = undefined;
      this.layout.classList.remove('resizing');
      this.remember();
    };
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
    handle.addEventListener('dblclick', () => this.setCollapsed(true));
    handle.addEventListener('keydown', (e) => {
      const delta = e.key === 'ArrowLeft' ? KEY_STEP : e.key === 'ArrowRight' ? -KEY_STEP : 0;
      if (delta === 0) return;
      e.preventDefault();
      this.setWidth(this.state.width + delta);
      this.remember();
    });
    window.addEventListener('resize', () => this.apply());
  }
}
