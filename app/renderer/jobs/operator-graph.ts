/**
 * The operator graph of a job as an SVG, laid out by dagre: operators in ranks by their distance
 * from the sources (top to bottom, which suits the narrow job panel), edges labelled with how
 * records are partitioned, no two labels on top of each other, full names on hover. A running job's boxes show parallelism and records/s, tinted by back-pressure
 * (white when free, red when the operator waits for credit most of the time); a plan's boxes
 * (no figures) show parallelism, kind and task, with a stripe coloured by task so that the
 * operators chained into one task can be told apart, and chained edges are dashed.
 */
import type { JobEdge, JobOperator, OperatorMetrics } from '../../shared/workbench/protocol.ts';
import { PALETTE } from '../charts/chart-format.ts';
import { formatCount, svg } from '../dom.ts';
import dagre from '@dagrejs/dagre';

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

/** Box height; the width fits the name, between these bounds (longer names are cut, whole on hover). */
const BOX_H = 40;
const BOX_MIN_W = 150;
const BOX_MAX_W = 260;
/** Width of one character of an operator name (12 px sans-serif), and of an edge label (9 px capitals). */
const NAME_CHAR_W = 6.8;
const LABEL_CHAR_W = 6;
const MARGIN = 4;

/** Where dagre placed things: boxes by their top-left corner, edges as polylines with a label point. */
export interface GraphLayout {
  width: number;
  height: number;
  nodes: Map<string, { x: number; y: number; width: number }>;
  edges: { edge: JobEdge; points: { x: number; y: number }[]; label: { x: number; y: number } }[];
}

/**
 * Lays the graph out top to bottom with dagre (as Flink's Web UI does with dagre-d3): ranks by
 * distance from the sources, fewer crossings, and edge labels placed as nodes of their own so
 * that no two labels, and no label and box, overlap.
 *
 * @example
 * const { width, height, nodes } = layoutGraph(job.operators, job.edges);
 */
export function layoutGraph(operators: JobOperator[], edges: JobEdge[]): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 14, ranksep: 30, edgesep: 10, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const o of operators) g.setNode(o.uid, { width: boxWidth(o.name), height: BOX_H });
  const known = new Set(operators.map((o) => o.uid));
  const laid = edges.filter((e) => known.has(e.source) && known.has(e.target));
  laid.forEach((e, i) => g.setEdge(e.source, e.target, { width: edgeLabel(e).length * LABEL_CHAR_W + 6, height: 12, labelpos: 'c' }, `e${i}`));
  dagre.layout(g);
  const nodes = new Map<string, { x: number; y: number; width: number }>();
  let width = 0;
  let height = 0;
  for (const o of operators) {
    const n = g.node(o.uid);
    nodes.set(o.uid, { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width });
    width = Math.max(width, n.x + n.width / 2);
    height = Math.max(height, n.y + n.height / 2);
  }
  const placed = laid.map((edge, i) => {
    const e = g.edge({ v: edge.source, w: edge.target, name: `e${i}` });
    const points = ((e.points ?? []) as { x: number; y: number }[]).map((p) => ({ x: p.x, y: p.y }));
    const label = { x: e.x ?? points[0]?.x ?? 0, y: e.y ?? points[0]?.y ?? 0 };
    for (const p of points) {
      width = Math.max(width, p.x);
      height = Math.max(height, p.y);
    }
    width = Math.max(width, label.x + (e.width ?? 0) / 2);
    return { edge, points, label };
  });
  return { width: Math.ceil(width + MARGIN), height: Math.ceil(height + MARGIN), nodes, edges: placed };
}

/** The font of operator names (as styles.css sets it), for measuring them. */
const NAME_FONT = '600 11px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif';
let measure: CanvasRenderingContext2D | null | undefined;

/** A name's width in pixels: measured in the page's font, estimated where there is no canvas. */
function nameWidth(name: string): number {
  if (measure === undefined) measure = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  if (!measure) return name.length * NAME_CHAR_W;
  measure.font = NAME_FONT;
  return measure.measureText(name).width;
}

function boxWidth(name: string): number {
  return Math.min(BOX_MAX_W, Math.max(BOX_MIN_W, Math.ceil(nameWidth(name) + 20)));
}

/** The name cut with an ellipsis to fit `width` pixels (the whole name is the box's tooltip). */
function fitName(name: string, width: number): string {
  if (nameWidth(name) <= width) return name;
  let n = name.length;
  while (n > 1 && nameWidth(`${name.slice(0, n)}…`) > width) n--;
  return `${name.slice(0, n)}…`;
}

/** An edge's label: how records are partitioned; a chained edge (dashed) passes them by call. */
function edgeLabel(e: JobEdge): string {
  return e.chained ? 'CHAINED' : e.partitioner.toUpperCase();
}

function edgeTitle(e: JobEdge): string {
  return e.chained ? `${e.partitioner}, chained: one task, records passed by call` : `${e.partitioner}: records go through a network exchange`;
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
    const layout = layoutGraph(operators, edges);
    const { width, height } = layout;
    const marker = `arrow-${graph.id}`;
    const drawn: SVGElement[] = [];
    for (const e of layout.edges) {
      const [first, ...rest] = e.points;
      if (!first) continue;
      drawn.push(svg('path', { d: `M${first.x},${first.y} ${rest.map((p) => `L${p.x},${p.y}`).join(' ')}`, class: e.edge.chained ? 'edge chained' : 'edge', 'marker-end': `url(#${marker})` }));
      drawn.push(svg('text', { x: e.label.x, y: e.label.y + 3, class: 'edge-label', 'text-anchor': 'middle' }, svg('title', {}, edgeTitle(e.edge)), edgeLabel(e.edge)));
    }
    this.element = svg('svg', { class: 'operator-graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `Operator graph of ${graph.name}` });
    this.element.append(svg('defs', {}, svg('marker', { id: marker, viewBox: '0 0 8 8', refX: 8, refY: 4, markerWidth: 6, markerHeight: 6, orient: 'auto' }, svg('path', { d: 'M0,0 L8,4 L0,8 z', fill: '#8a919e' }))), ...drawn);
    for (const o of operators) {
      const p = layout.nodes.get(o.uid)!;
      const box = svg('rect', { x: p.x, y: p.y, width: p.width, height: BOX_H, rx: 5, class: 'operator' });
      const name = svg('text', { x: p.x + 8, y: p.y + 16, class: 'operator-name' }, fitName(o.name, p.width - 16));
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
