/**
 * A live chart under a cell. The canvas is handed to the chart worker (see chart-worker.ts),
 * which keeps the points and draws; this view forwards points, sizes, pause and zoom, and
 * shows the point count the worker reports. Pause freezes the picture while points keep
 * arriving; dragging across the chart zooms into that x range, and "Reset zoom" (or a double
 * click) zooms back out. The pointer's position goes to the worker, which shows the values
 * under it (at most once per frame).
 */
import type { ChartSpec } from '../../shared/workbench/protocol.ts';
import type { ChartPointsEvent } from '../../shared/workbench/service.ts';
import { recordChartDraw } from '../state/perf.ts';
import { h } from '../dom.ts';
import { onChartReport, postToCharts } from './chart-client.ts';

/** A chart output view. */
export class LiveChartView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly count: HTMLOutputElement;
  private readonly pauseButton: HTMLButtonElement;
  private readonly resetButton: HTMLButtonElement;
  private readonly selection: HTMLElement;
  private readonly area: HTMLElement;
  private readonly stopReports: () => void;
  private resizeObserver: ResizeObserver | undefined;
  private created = false;
  private paused = false;
  private points = 0;
  /** Points that arrived before the canvas had a size. */
  private pending: ChartPointsEvent[] = [];

  constructor(readonly spec: ChartSpec) {
    const label = spec.title ?? `${spec.y.join(', ')} by ${spec.x}`;
    this.canvas = h('canvas', { role: 'img', 'aria-label': `Chart: ${label}` });
    this.count = h('output', { class: 'chart-count', 'aria-live': 'off', dataset: { points: '0' } }, '0 points');
    this.pauseButton = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false', onclick: () => this.togglePause() }, 'Pause');
    this.resetButton = h('button', { type: 'button', class: 'small', hidden: true, onclick: () => postToCharts({ type: 'zoom', id: spec.id }) }, 'Reset zoom');
    this.selection = h('div', { class: 'chart-selection', hidden: true });
    this.area = h('div', { class: 'chart-area' }, this.canvas, this.selection);
    this.element = h(
      'figure',
      { class: 'output output-chart', dataset: { chartId: spec.id } },
      h('figcaption', {}, h('span', { class: 'chart-title' }, label), h('span', { class: 'chart-job' }, spec.jobName), this.count, this.resetButton, this.pauseButton),
      this.area,
    );
    this.stopReports = onChartReport(spec.id, (report) => {
      if (report.type === 'count') {
        this.points = report.points;
        this.showCount();
      } else if (report.type === 'drawn') recordChartDraw(report.ms, report.points);
      else if (report.type === 'zoomed') this.resetButton.hidden = !report.zoomed;
    });
    this.installZoom();
    // The canvas goes to the worker once it is in the document and has a size.
    this.resizeObserver = new ResizeObserver(() => this.sized());
    this.resizeObserver.observe(this.area);
  }

  /** New points from the host. */
  add(event: ChartPointsEvent): void {
    if (!this.created) {
      this.pending.push(event);
      return;
    }
    postToCharts({ type: 'points', id: this.spec.id, series: event.series, ...(event.upsert ? { upsert: true } : {}) });
  }

  dispose(): void {
    this.resizeObserver?.disconnect();
    this.stopReports();
    if (this.created) postToCharts({ type: 'dispose', id: this.spec.id });
  }

  private sized(): void {
    const width = this.area.clientWidth;
    const height = this.area.clientHeight;
    if (width === 0 || height === 0) return;
    if (!this.created) {
      this.created = true;
      const canvas = this.canvas.transferControlToOffscreen();
      postToCharts({ type: 'create', id: this.spec.id, spec: this.spec, canvas, width, height, pixelRatio: window.devicePixelRatio || 1 });
      for (const event of this.pending) this.add(event);
      this.pending = [];
    } else {
      postToCharts({ type: 'resize', id: this.spec.id, width, height });
    }
  }

  private showCount(): void {
    this.count.value = `${this.points.toLocaleString('en-US')} points${this.paused ? ' (paused)' : ''}`;
    this.count.dataset.points = String(this.points);
  }

  private togglePause(): void {
    this.paused = !this.paused;
    this.pauseButton.textContent = this.paused ? 'Resume' : 'Pause';
    this.pauseButton.setAttribute('aria-pressed', String(this.paused));
    postToCharts({ type: 'pause', id: this.spec.id, paused: this.paused });
    this.showCount();
  }

  /** Drag across the plot to zoom into that x range; double-click to zoom out. */
  private installZoom(): void {
    const area = this.area;
    let start: number | undefined;
    let hover: { x?: number; y?: number } | undefined;
    const sendHover = (): void => {
      if (hover && this.created) postToCharts({ type: 'hover', id: this.spec.id, ...hover });
      hover = undefined;
    };
    const hoverAt = (position: { x?: number; y?: number }): void => {
      if (!hover) requestAnimationFrame(sendHover);
      hover = position;
    };
    area.addEventListener('pointermove', (e) => {
      if (start !== undefined) return;
      const rect = area.getBoundingClientRect();
      hoverAt({ x: e.clientX - rect.left, y: e.clientY - rect.top });
    });
    area.addEventListener('pointerleave', () => hoverAt({}));
    area.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      start = e.clientX;
      area.setPointerCapture(e.pointerId);
    });
    area.addEventListener('pointermove', (e) => {
      if (start === undefined) return;
      const rect = area.getBoundingClientRect();
      this.selection.hidden = Math.abs(e.clientX - start) < 4;
      this.selection.style.left = `${Math.min(start, e.clientX) - rect.left}px`;
      this.selection.style.width = `${Math.abs(e.clientX - start)}px`;
    });
    area.addEventListener('pointerup', (e) => {
      const from = start;
      start = undefined;
      this.selection.hidden = true;
      if (from === undefined || Math.abs(e.clientX - from) < 4) return;
      const left = area.getBoundingClientRect().left;
      postToCharts({ type: 'zoom', id: this.spec.id, fromPx: from - left, toPx: e.clientX - left });
    });
    area.addEventListener('dblclick', () => postToCharts({ type: 'zoom', id: this.spec.id }));
  }
}
