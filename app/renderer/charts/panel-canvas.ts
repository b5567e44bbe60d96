/**
 * The page's side of a job panel chart: hands its canvas to the chart worker once the canvas is
 * in the document and has a size, forwards size changes, and posts the chart's data (keeping
 * only the newest until the worker has the canvas). Chart.js itself never loads on the page.
 */
import { postToCharts } from './chart-client.ts';
import { samePanelData, type PanelChartData } from './panel-chart-data.ts';

let nextId = 0;

/**
 * A canvas drawn by the chart worker as a panel chart of one kind.
 *
 * @example
 * const drawn = new PanelCanvas(canvas, 'samples');
 * drawn.show({ kind: 'samples', points, format: 'bytes', colour: '#0072B2' });
 * drawn.dispose(); // when the panel closes
 */
export class PanelCanvas {
  private readonly id = `panel-chart-${++nextId}`;
  private readonly observer: ResizeObserver;
  private created = false;
  private pending: PanelChartData | undefined;
  private shown: PanelChartData | undefined;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly kind: PanelChartData['kind'],
  ) {
    this.observer = new ResizeObserver(() => this.sized());
    this.observer.observe(canvas);
  }

  /** Replaces what the chart shows (nothing is posted when it would look the same). */
  show(data: PanelChartData): void {
    if (data.kind !== this.kind) throw new Error(`PanelCanvas: a '${this.kind}' chart was given '${data.kind}' data`);
    if (samePanelData(this.shown, data)) return;
    this.shown = data;
    if (!this.created) this.pending = data;
    else postToCharts({ type: 'panel-data', id: this.id, data });
  }

  dispose(): void {
    this.observer.disconnect();
    if (this.created) postToCharts({ type: 'dispose', id: this.id });
  }

  private sized(): void {
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (width === 0 || height === 0) return;
    if (this.created) {
      postToCharts({ type: 'resize', id: this.id, width, height });
      return;
    }
    this.created = true;
    const canvas = this.canvas.transferControlToOffscreen();
    postToCharts({ type: 'create-panel', id: this.id, kind: this.kind, canvas, width, height, pixelRatio: window.devicePixelRatio || 1 });
    if (this.pending) postToCharts({ type: 'panel-data', id: this.id, data: this.pending });
    this.pending = undefined;
  }
}
