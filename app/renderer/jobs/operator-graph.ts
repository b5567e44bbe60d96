/**
 * The operator graph of a job as an SVG: operators in rows by their distance from the sources
 * (top to bottom, which suits the narrow job panel), edges labelled with how records are
 * partitioned. A running job's boxes show parallelism and records/s, tinted by back-pressure
 * (white when free, red when the operator waits for credit most of the time); a plan's boxes
 * (no figures) show parallelism, kind and task, with a stripe coloured by task so that the
 * operators chained into one task can be told apart, and chained edges are dashed.
 */
import type { JobEdge, JobOperator, OperatorMetrics } from '../../shared/workbench/protocol.ts';
import { PALETTE } from '../charts/chart-format.ts';
import { formatCount, svg } from '../dom.ts';

/** What the view draws: a running job's description, or a plan. */
export interface OperatorGraph {
  /** Unique on the page (SVG marker ids derive from it). */
  id: string;
  name: string;
  operators: JobOperator[];
  edges: JobEdge[];
}

/** A running job's latest figures of one operator. */
export type OperatorFigures = (uid: string) => OperatorMetrics | undefined;

const BOX_W = 176;
const BOX_H = 40;
const GAP_X = 12;
const GAP_Y = 30;
/** Width of one character of an edge label (9 px sans-serif capitals), for the graph's width. */
const LABEL_CHAR_W = 6;

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

/**
 * The graph view of a job or a plan; `update()` refreshes a running job's figures in place.
 *
 * @example
 * new OperatorGraphView({ id: job.id, ...job.description }, (uid) => job.operator(uid)); // a running job
 * new OperatorGraphView({ id: 'plan-0', name: plan.name, operators: plan.operators, edges: plan.edges }); // a plan
 */
export class OperatorGraphView {
  readonly element: SVGSVGElement;
  private readonly figures = new Map<string, { rate: SVGTextElement; box: SVGRectElement }>();

  constructor(
    private readonly graph: OperatorGraph,
    private readonly metrics?: OperatorFigures,
  ) {
    const { operators, edges } = graph;
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
    const marker = `arrow-${graph.id}`;
    const drawn: SVGElement[] = [];
    for (const e of edges) {
      const a = position.get(e.source);
      const b = position.get(e.target);
      if (!a || !b) continue;
      const x1 = a.x + BOX_W / 2;
      const y1 = a.y + BOX_H;
      const x2 = b.x + BOX_W / 2;
      const y2 = b.y;
      const mid = (y1 + y2) / 2;
      const label = e.chained ? `${e.partitioner.toUpperCase()} · CHAINED` : e.partitioner.toUpperCase();
      const labelX = (x1 + x2) / 2 + 4;
      // A label right of the last box in a row widens the graph rather than being cut off.
      width = Math.max(width, labelX + label.length * LABEL_CHAR_W + 4);
      drawn.push(
        svg('path', { d: `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`, class: e.chained ? 'edge chained' : 'edge', 'marker-end': `url(#${marker})` }),
        svg('text', { x: labelX, y: mid + 3, class: 'edge-label' }, label),
      );
    }
    width = Math.ceil(width);
    this.element = svg('svg', { class: 'operator-graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `Operator graph of ${graph.name}` });
    this.element.append(svg('defs', {}, svg('marker', { id: marker, viewBox: '0 0 8 8', refX: 8, refY: 4, markerWidth: 6, markerHeight: 6, orient: 'auto' }, svg('path', { d: 'M0,0 L8,4 L0,8 z', fill: '#8a919e' }))), ...drawn);
    for (const o of operators) {
      const p = position.get(o.uid)!;
      const box = svg('rect', { x: p.x, y: p.y, width: BOX_W, height: BOX_H, rx: 5, class: 'operator' });
      const name = svg('text', { x: p.x + 8, y: p.y + 16, class: 'operator-name' }, truncate(o.name, 24));
      const rate = svg('text', { x: p.x + 8, y: p.y + 31, class: 'operator-rate' }, describeStatic(o));
      const task = o.task === undefined ? '' : `, task ${o.task}`;
      const title = svg('title', {}, `${o.name} (uid ${o.uid}, parallelism ${o.parallelism}${task})${o.config ? `\n${o.config}` : ''}`);
      const stripe = o.task === undefined ? '' : svg('rect', { x: p.x, y: p.y, width: 4, height: BOX_H, class: 'operator-task', fill: PALETTE[o.task % PALETTE.length]! });
      const group = svg('g', { class: 'operator-box', 'data-uid': o.uid, ...(o.task === undefined ? {} : { 'data-task': o.task }) }, title, box, name, rate);
      if (stripe) group.append(stripe);
      this.element.append(group);
      this.figures.set(o.uid, { rate, box });
    }
    this.update();
  }

  /** Shows the latest figures (a plan has none: nothing changes). */
  update(): void {
    if (!this.metrics) return;
    for (const o of this.graph.operators) {
      const view = this.figures.get(o.uid);
      const m = this.metrics(o.uid);
      if (!view) continue;
      const perSecond = m ? (o.kind === 'sink' ? m.recordsInPerSecond : m.recordsOutPerSecond ?? m.recordsInPerSecond) : undefined;
      const pressure = m?.backPressure ?? 0;
      view.rate.textContent = `×${o.parallelism} · ${perSecond === undefined ? '—' : `${formatCount(perSecond)}/s`}${pressure > 0.1 ? ` · back-pressured ${Math.round(pressure * 100)}%` : ''}`;
      view.box.style.fill = `rgb(255, ${Math.round(255 - 120 * pressure)}, ${Math.round(255 - 120 * pressure)})`;
    }
  }
}

/** The second line of a box before any figures: `×2 · window · task 1`. */
function describeStatic(o: JobOperator): string {
  return [`×${o.parallelism}`, o.kind, o.task === undefined ? undefined : `task ${o.task}`].filter(Boolean).join(' · ');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
