/**
 * The Replay section of a job panel: per running replay source, a progress bar, the replay's
 * current event time, Pause/Resume, a speed choice and a seek slider over the replay's event-time
 * range. Rows are kept per replay and updated in place, so that a speed select stays open and a
 * slider being dragged stays under the pointer while updates arrive.
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

/** Round steps of event time (ms) for the seek slider, finest first. */
const SEEK_STEPS = [1, 10, 100, 1000, 10_000, 60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000];

/**
 * The seek slider's step for an event-time range of `span` ms: the finest round unit that gives
 * at most 1000 positions (an arrow key moves one step).
 *
 * @example
 * seekStep(3_600_000); // 10_000: an hour in 10-second steps
 */
export function seekStep(span: number): number {
  return SEEK_STEPS.find((unit) => span / unit <= 1000) ?? Math.ceil(span / 1000);
}

interface ReplayRow {
  element: HTMLElement;
  bar: HTMLElement;
  fill: HTMLElement;
  time: HTMLElement;
  rows: HTMLElement;
  toggle: HTMLButtonElement;
  speed: HTMLSelectElement;
  seek: HTMLInputElement;
  /** The time the slider points at while it is dragged (empty otherwise). */
  target: HTMLElement;
  /** The slider is being dragged: updates leave its value alone until it is released. */
  seeking: boolean;
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
    const seek = h('input', { type: 'range', class: 'job-replay-seek', 'aria-label': `Replay ${name} seek`, title: 'Event time to continue the replay from', disabled: true });
    const target = h('output', { class: 'job-replay-target', 'aria-live': 'polite' });
    const element = h(
      'div',
      { class: 'job-replay', dataset: { replay: name } },
      h('div', { class: 'job-replay-head' }, h('span', { class: 'job-replay-name' }, name), time, rows),
      bar,
      h('div', { class: 'job-replay-controls' }, toggle, h('label', {}, 'Speed ', speed), h('label', { class: 'job-replay-seek-label' }, 'Seek ', seek), target),
    );
    this.list.append(element);
    const row: ReplayRow = { element, bar, fill, time, rows, toggle, speed, seek, target, seeking: false };
    // While dragging (or stepping with keys) show where the replay would continue; seek on release.
    seek.addEventListener('input', () => {
      row.seeking = true;
      const at = `${formatInstant(Number(seek.value))} UTC`;
      seek.setAttribute('aria-valuetext', at);
      target.textContent = `→ ${at}`;
    });
    const endDrag = () => {
      row.seeking = false;
      target.textContent = '';
    };
    seek.addEventListener('change', () => {
      endDrag();
      this.control(name, { seekTo: Number(seek.value) });
    });
    // Released where it started: no 'change' comes (it would have by the next task).
    seek.addEventListener('pointerup', () => setTimeout(endDrag, 0));
    seek.addEventListener('blur', endDrag);
    this.rows.set(name, row);
    return row;
  }
}

function fillRow(row: ReplayRow, r: ReplayStatus): void {
  const percent = Math.max(0, Math.min(100, r.percent));
  row.element.dataset.state = r.state;
  // How many reports the row has shown: lets a reader (or a test) wait for the next one rather
  // than guess when it comes.
  row.element.dataset.reports = String(Number(row.element.dataset.reports ?? 0) + 1);
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
  fillSeek(row, r);
}

/** The slider spans the replay's event-time range and follows its event time, unless dragged. */
function fillSeek(row: ReplayRow, r: ReplayStatus): void {
  const seek = row.seek;
  const range = r.startTime !== undefined && r.endTime !== undefined && r.endTime > r.startTime ? { start: r.startTime, end: r.endTime } : undefined;
  seek.disabled = !range || r.state === 'finished' || r.totalRows === 0;
  if (!range || row.seeking) return;
  seek.min = String(range.start);
  seek.max = String(range.end);
  seek.step = String(seekStep(range.end - range.start));
  const at = Math.max(range.start, Math.min(range.end, r.eventTime ?? range.start));
  seek.value = String(at);
  seek.setAttribute('aria-valuetext', `${formatInstant(at)} UTC`);
}
