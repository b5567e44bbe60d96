import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChartData, insertSorted, type ChartPoint } from '../../../app/renderer/state/chart-data.ts';
import type { ChartSpec } from '../../../app/shared/workbench/protocol.ts';

const spec: ChartSpec = { id: 'c', type: 'line', x: 't', y: ['v'], series: 's', mode: 'append', jobName: 'j' };

describe('ChartData', () => {
  it('appends points per series, sorted by x', () => {
    const data = new ChartData(spec);
    const created = data.add({ series: [{ name: 'a', xs: [1, 3], ys: [10, 30] }, { name: 'b', xs: [1], ys: [5] }] });
    assert.deepEqual(created.map((s) => s.name), ['a', 'b']);
    data.add({ series: [{ name: 'a', xs: [2], ys: [20] }] });
    assert.deepEqual(data.series[0]!.points, [{ x: 1, y: 10 }, { x: 2, y: 20 }, { x: 3, y: 30 }]);
    assert.equal(data.pointCount, 4);
    assert.equal(data.revision, 2);
  });

  it('upserts by key: a point replaces the one with the same key, even when its x moved', () => {
    const data = new ChartData({ ...spec, mode: 'upsert' });
    data.add({ upsert: true, series: [{ name: 'a', xs: [1, 2], ys: [10, 20], keys: ['k1', 'k2'] }] });
    data.add({ upsert: true, series: [{ name: 'a', xs: [1, 5], ys: [11, 50], keys: ['k1', 'k2'] }] });
    assert.deepEqual(data.series[0]!.points, [{ x: 1, y: 11 }, { x: 5, y: 50 }]);
    assert.equal(data.pointCount, 2);
  });

  it('maps string x values to categories in order of appearance', () => {
    const data = new ChartData({ ...spec, type: 'bar' });
    data.add({ series: [{ name: 'a', xs: ['north', 'south', 'north'], ys: [1, 2, 3] }] });
    assert.equal(data.categorical, true);
    assert.deepEqual(data.categories, ['north', 'south']);
    assert.deepEqual(data.series[0]!.points.map((p) => p.x), [0, 0, 1]);
  });

  it('insertSorted keeps any arrival order sorted and stable', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), (xs) => {
        const points: ChartPoint[] = [];
        xs.forEach((x, i) => insertSorted(points, { x, y: i }));
        const expected = xs.map((x, i) => ({ x, y: i })).sort((a, b) => a.x - b.x || a.y - b.y);
        assert.deepEqual(points, expected);
      }),
    );
  });
});

describe('ChartData: gaps', () => {
  it('puts a null marker where a series jumps far past its usual step, and none on a steady series', () => {
    const data = new ChartData(spec);
    const xs = Array.from({ length: 20 }, (_, i) => 1000 * i);
    data.add({ series: [{ name: 'a', xs, ys: xs.map(() => 1) }] });
    assert.equal(data.series[0]!.points.some((p) => p.y === null), false);
    // A seek ahead: the next point is an hour later.
    data.add({ series: [{ name: 'a', xs: [3_600_000, 3_601_000], ys: [2, 3] }] });
    const points = data.series[0]!.points;
    const marker = points.findIndex((p) => p.y === null);
    assert.deepEqual(points.slice(marker - 1, marker + 2), [{ x: 19_000, y: 1 }, { x: 1_809_500, y: null }, { x: 3_600_000, y: 2 }]);
    assert.equal(data.pointCount, 22, 'a marker is not a point');
  });
});

describe('seriesColour', () => {
  it('gives a series the same colour whatever order series arrive in', async () => {
    const { seriesColour } = await import('../../../app/renderer/charts/chart-format.ts');
    const names = ['sensor-1', 'sensor-2', 'sensor-3'];
    const inOrder = (order: string[]): Map<string, string> => {
      const taken = new Set<string>();
      const colours = new Map<string, string>();
      for (const name of order) {
        const colour = seriesColour(name, taken);
        taken.add(colour);
        colours.set(name, colour);
      }
      return colours;
    };
    const forward = inOrder(names);
    const backward = inOrder([...names].reverse());
    for (const name of names) assert.equal(forward.get(name), backward.get(name), name);
    assert.equal(new Set(forward.values()).size, 3);
  });
});
