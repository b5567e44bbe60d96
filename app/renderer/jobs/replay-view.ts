/**
 * The Replay section of a job panel: per running replay source, a progress bar, the replay's
 * current event time, Pause/Resume and a speed choice. Rows are kept per replay and updated in
 * place, so that a speed select stays open and focused while updates arrive.
 */
import type { ReplayAction, ReplayStatus } from '../../shared/workbench/protocol.ts';
import { formatCount, formatInstant, h } from '../dom.ts';

/** The speeds offered (event time per wall time), and their labels. */
export const REPLAY_SPEEDS: { value: number | 'max'; label: string }[] = [
  { value: 1, label: '1×' },
  { value: 60, label: '60×' },
  { value: 600, label: '600×' },
  { value: 3600, label: '3600×' },
  { value: 7200, label: '7200×' },
  { value: 'max', label: 'max' },
];

/**
 * A speed as the select shows it.
 *
 * @example
 * speedLabel(3600); // '3600×'
 */
export function speedLabel(speed: number | 'max'): string {
  return speed === 'max' ? 'max' : `${speed}×`;
}

interface ReplayRow {
  element: HTMLElement;
  bar: HTMLElement;
  fill: HTMLElement;
  time: HTMLElement;
  rows: HTMLElement;
  toggle: HTMLButtonElement;
  speed: HTMLSelectElement;
}

/**
 * The section; `control` sends an action for the replay of that name (failures are the caller's to show).
 *
 * @example
 * const view = new ReplaySectionView((name, action) => controls.controlReplay(job.id, name, action));
 * view.update(job.replays);
 */
export class ReplaySectionView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly rows = new Map<string, ReplayRow>();

  constructor(private readonly control: (name: string, action: ReplayAction) => void) {
    this.list = h('div', { class: 'job-replay-list' });
    this.element = h('section', { class: 'job-replays', hidden: true, 'aria-label': 'Replay' }, h('h4', {}, 'Replay'), this.list);
  }

  update(replays: readonly ReplayStatus[]): void {
    this.element.hidden = replays.length === 0;
    const names = new Set(replays.map((r) => r.name));
    for (const [name, row] of this.rows) {
      if (names.has(name)) continue;
      row.element.remove();
      this.rows.delete(name);
    }
    for (const r of replays) fillRow(this.rows.get(r.name) ?? this.row(r.name), r);
  }

  private row(name: string): ReplayRow {
    const fill = h('div', { class: 'job-replay-fill' });
    const bar = h('div', { class: 'job-replay-bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0, 'aria-label': `Replay ${name} progress` }, fill);
    const toggle = h('button', { type: 'button', class: 'small secondary', onclick: () => this.control(name, toggle.dataset.action === 'resume' ? { resume: true } : { pause: true }) }, 'Pause');
    const speed = h('select', { 'aria-label': `Replay ${name} speed`, title: 'Event time replayed per second of wall time' }, ...REPLAY_SPEEDS.map((s) => h('option', { value: String(s.value) }, s.label)));
    speed.addEventListener('change', () => this.control(name, { speed: speed.value === 'max' ? 'max' : Number(speed.value) }));
    const time = h('span', { class: 'job-replay-time' });
    const rows = h('span', { class: 'job-replay-rows' });
    const element = h(
      'div',
      { class: 'job-replay', dataset: { replay: name } },
      h('div', { class: 'job-replay-head' }, h('span', { class: 'job-replay-name' }, name), time, rows),
      bar,
      h('div', { class: 'job-replay-controls' }, toggle, h('label', {}, 'Speed ', speed)),
    );
    this.list.append(element);
    const row = { element, bar, fill, time, rows, toggle, speed };
    this.rows.set(name, row);
    return row;
  }
}

function fillRow(row: ReplayRow, r: ReplayStatus): void {
  const percent = Math.max(0, Math.min(100, r.percent));
  row.element.dataset.state = r.state;
  row.bar.setAttribute('aria-valuenow', percent.toFixed(1));
  row.bar.setAttribute('aria-valuetext', `${percent.toFixed(1)}%, ${r.state}`);
  row.fill.style.width = `${percent}%`;
  row.time.textContent = r.eventTime === undefined ? 'no rows yet' : `${formatInstant(r.eventTime)} UTC`;
  row.rows.textContent = `${percent.toFixed(1)}% · ${formatCount(r.rows)} / ${formatCount(r.totalRows)} rows · ${r.state}`;
  const paused = r.state === 'paused';
  row.toggle.textContent = paused ? 'Resume' : 'Pause';
  row.toggle.dataset.action = paused ? 'resume' : 'pause';
  row.toggle.setAttribute('aria-label', `${paused ? 'Resume' : 'Pause'} replay ${r.name}`);
  row.toggle.disabled = r.state === 'finished';
  const value = String(r.speed);
  if (![...row.speed.options].some((o) => o.value === value)) row.speed.append(h('option', { value }, speedLabel(r.speed)));
  // Not while the user is choosing: the list would jump under the pointer.
  if (document.activeElement !== row.speed) row.speed.value = value;
}
