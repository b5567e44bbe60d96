/**
 * The operator graph of a job as an SVG: operators in rows by their distance from the sources
 * (top to bottom, which suits the narrow job panel), edges labelled with how records are
 * partitioned, each box showing parallelism and records/s and tinted by back-pressure (white
 * when free, red when the operator waits for credit most of the time).
 */
import type { JobEdge, JobOperator } from '../../shared/workbench/protocol.ts';
import type { JobModel } from '../state/job-model.ts';
import { formatCount, svg } from '../dom.ts';

const BOX_W = 176;
const BOX_H = 40;
const GAP_X = 12;
const GAP_Y = 30;

/** Row (layer) of each operator: the longest path from a source to it. */
export function layers(operators: JobOperator[], edges: JobEdge[]): Map<string, number> {
  const layer = new Map(operators.map((o) => [o.uid, 0]));
  // Longest path by relaxation; graphs are small and acyclic.
  for (let round = 0; round < operators.length; round++) {
    let changed = false;
    for (const e of edges) {
      const next = (layer.get(e.source) ?? 0) + 1;
      if (next > (layer.get(e.target) ?? 0)) {
        layer.set(e.target, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

/** The graph view of a job; `update()` refreshes the figures in place. */
export class OperatorGraphView {
  readonly element: SVGSVGElement;
  private readonly figures = new Map<string, { rate: SVGTextElement; box: SVGRectElement }>();

  constructor(private readonly job: JobModel) {
    const { operators, edges } = job.description;
    const layerOf = layers(operators, edges);
    const rows = new Map<number, JobOperator[]>();
    for (const o of operators) {
      const l = layerOf.get(o.uid) ?? 0;
      rows.set(l, [...(rows.get(l) ?? []), o]);
    }
    const position = new Map<string, { x: number; y: number }>();
    let width = 0;
    for (const [l, ops] of rows) {
      ops.forEach((o, i) => position.set(o.uid, { x: 4 + i * (BOX_W + GAP_X), y: 4 + l * (BOX_H + GAP_Y) }));
      width = Math.max(width, ops.length * (BOX_W + GAP_X) - GAP_X);
    }
    const height = 8 + rows.size * (BOX_H + GAP_Y) - GAP_Y;
    width += 8;
    this.element = svg('svg', { class: 'operator-graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `Operator graph of ${job.description.name}` });
    const marker = `arrow-${job.id}`;
    this.element.append(svg('defs', {}, svg('marker', { id: marker, viewBox: '0 0 8 8', refX: 8, refY: 4, markerWidth: 6, markerHeight: 6, orient: 'auto' }, svg('path', { d: 'M0,0 L8,4 L0,8 z', fill: '#8a919e' }))));
    for (const e of edges) {
      const a = position.get(e.source);
      const b = position.get(e.target);
      if (!a || !b) continue;
      const x1 = a.x + BOX_W / 2;
      const y1 = a.y + BOX_H;
      const x2 = b.x + BOX_W / 2;
      const y2 = b.y;
      const mid = (y1 + y2) / 2;
      this.element.append(
        svg('path', { d: `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`, class: 'edge', 'marker-end': `url(#${marker})` }),
        svg('text', { x: (x1 + x2) / 2 + 4, y: mid + 3, class: 'edge-label' }, e.partitioner.toUpperCase()),
      );
    }
    for (const o of operators) {
      const p = position.get(o.uid)!;
      const box = svg('rect', { x: p.x, y: p.y, width: BOX_W, height: BOX_H, rx: 5, class: 'operator' });
      const name = svg('text', { x: p.x + 8, y: p.y + 16, class: 'operator-name' }, truncate(o.name, 24));
      const rate = svg('text', { x: p.x + 8, y: p.y + 31, class: 'operator-rate' }, `×${o.parallelism}`);
      const title = svg('title', {}, `${o.name} (uid ${o.uid}, parallelism ${o.parallelism})`);
      this.element.append(svg('g', {}, title, box, name, rate));
      this.figures.set(o.uid, { rate, box });
    }
    this.update();
  }

  update(): void {
    for (const o of this.job.description.operators) {
      const view = this.figures.get(o.uid);
      const m = this.job.operator(o.uid);
      if (!view) continue;
      const perSecond = m ? (o.kind === 'sink' ? m.recordsInPerSecond : m.recordsOutPerSecond ?? m.recordsInPerSecond) : undefined;
      const pressure = m?.backPressure ?? 0;
      view.rate.textContent = `×${o.parallelism} · ${perSecond === undefined ? '—' : `${formatCount(perSecond)}/s`}${pressure > 0.1 ? ` · back-pressured ${Math.round(pressure * 100)}%` : ''}`;
      view.box.style.fill = `rgb(255, ${Math.round(255 - 120 * pressure)}, ${Math.round(255 - 120 * pressure)})`;
    }
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
