/**
 * The job panel's operator graph layout (dagre): every box and edge label inside the drawing, no
 * two of them overlapping, whatever the graph's fan-in and fan-out (two chained edges side by
 * side used to print `FORWARD · CHAINEDFORWARD · CHAINED`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutGraph } from '../../../app/renderer/jobs/operator-graph.ts';
import type { JobEdge, JobOperator } from '../../../app/shared/workbench/protocol.ts';

interface Box {
  what: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function boxes(operators: JobOperator[], edges: JobEdge[]): { all: Box[]; width: number; height: number } {
  const layout = layoutGraph(operators, edges);
  const all: Box[] = operators.map((o) => {
    const n = layout.nodes.get(o.uid)!;
    return { what: o.uid, x: n.x, y: n.y, w: n.width, h: 40 };
  });
  // Labels as drawn: centred on their point, 9 px capitals about 6 px wide, 12 px tall.
  for (const e of layout.edges) {
    const text = e.edge.chained ? 'CHAINED' : e.edge.partitioner.toUpperCase();
    all.push({ what: `${e.edge.source}->${e.edge.target}`, x: e.label.x - (text.length * 6) / 2, y: e.label.y - 6, w: text.length * 6, h: 12 });
  }
  return { all, width: layout.width, height: layout.height };
}

describe('operator graph layout', () => {
  const op = (uid: string, name = uid): JobOperator => ({ uid, name, parallelism: 2 });

  it('places boxes and labels of a fan-out and fan-in graph without overlaps, inside the drawing', () => {
    const operators = [op('src', 'Source: Generator'), op('a', 'Map (parse every reading into a typed record)'), op('b', 'Filter'), op('c', 'Window(TumblingEventTimeWindows(1000), aggregate)'), op('sink', 'Sink: chart')];
    const edges: JobEdge[] = [
      { source: 'src', target: 'a', partitioner: 'forward', chained: true },
      { source: 'src', target: 'b', partitioner: 'forward', chained: true },
      { source: 'a', target: 'c', partitioner: 'hash' },
      { source: 'b', target: 'c', partitioner: 'hash' },
      { source: 'c', target: 'sink', partitioner: 'forward', chained: true },
    ];
    const { all, width, height } = boxes(operators, edges);
    for (let i = 0; i < all.length; i++) {
      const a = all[i]!;
      assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.w <= width + 0.5 && a.y + a.h <= height + 0.5, `${a.what} lies inside ${width}x${height}: ${JSON.stringify(a)}`);
      for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(a, all[j]!), `${a.what} and ${all[j]!.what} overlap`);
    }
    // Sources above their consumers: top to bottom.
    const y = (uid: string) => all.find((b) => b.what === uid)!.y;
    assert.ok(y('src') < y('a') && y('a') < y('c') && y('c') < y('sink'));
  });
});
