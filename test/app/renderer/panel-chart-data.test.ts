import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byteStep, checkpointSeries, finishedCheckpoints, samePanelData, samplePoints } from '../../../app/renderer/charts/panel-chart-data.ts';
import type { CheckpointSummary } from '../../../app/shared/workbench/protocol.ts';

function checkpoint(id: number, status: string, extra: Partial<CheckpointSummary> = {}): CheckpointSummary {
  return { id, status, durationMs: id * 10, sizeBytes: id * 1000, ...extra };
}

describe('samplePoints', () => {
  it('keeps the samples that carry the figure, as x = seconds, y = value', () => {
    const samples = [{ t: 0, stateBytes: 10 }, { t: 0.5 }, { t: 1, stateBytes: 30, sourceRate: 4 }, { t: 1.5, stateBytes: Number.NaN }];
    assert.deepEqual(
      samplePoints(samples, (s) => s.stateBytes),
      [
        { x: 0, y: 10 },
        { x: 1, y: 30 },
      ],
    );
    assert.deepEqual(samplePoints(samples, (s) => s.sourceRate), [{ x: 1, y: 4 }]);
  });

  it('gives no points for no samples', () => {
    assert.deepEqual(samplePoints([], () => 1), []);
  });
});

describe('checkpointSeries', () => {
  it('bars every finished checkpoint by id and kind, and lines the sizes of the completed ones', () => {
    const series = checkpointSeries([
      checkpoint(1, 'COMPLETED'),
      checkpoint(2, 'FAILED', { sizeBytes: undefined, failureReason: 'timeout' }),
      checkpoint(3, 'COMPLETED', { savepoint: true }),
      checkpoint(4, 'COMPLETED', { sizeBytes: undefined }),
      checkpoint(5, 'IN_PROGRESS'),
    ]);
    assert.deepEqual(series.bars, [
      { x: 1, y: 10, bar: 'completed' },
      { x: 2, y: 20, bar: 'failed' },
      { x: 3, y: 30, bar: 'savepoint' },
      { x: 4, y: 40, bar: 'completed' },
    ]);
    assert.deepEqual(series.sizes, [
      { x: 1, y: 1000 },
      { x: 3, y: 3000 },
    ]);
  });

  it('shows only the newest finished checkpoints, a failure without a duration as a zero bar', () => {
    const many = Array.from({ length: 60 }, (_, i) => checkpoint(i + 1, i === 59 ? 'FAILED' : 'COMPLETED', i === 59 ? { durationMs: undefined } : {}));
    const series = checkpointSeries(many, 50);
    assert.equal(series.bars.length, 50);
    assert.equal(series.bars[0]!.x, 11);
    assert.deepEqual(series.bars.at(-1), { x: 60, y: 0, bar: 'failed' });
    assert.equal(series.sizes.at(-1)!.x, 59);
    assert.deepEqual(
      finishedCheckpoints([checkpoint(1, 'IN_PROGRESS'), checkpoint(2, 'COMPLETED')]).map((c) => c.id),
      [2],
    );
  });
});

describe('byteStep', () => {
  it('steps a byte axis by round binary sizes, about two steps to the maximum', () => {
    assert.equal(byteStep(2100), 2048);
    assert.equal(byteStep(900), 500);
    assert.equal(byteStep(3 * 1024 ** 2), 2 * 1024 ** 2);
    assert.equal(byteStep(600 * 1024), 500 * 1024);
    assert.ok(byteStep(0) >= 1, 'an empty axis still gets a positive step');
  });
});

describe('samePanelData', () => {
  const samples = (points: { x: number; y: number }[]) => ({ kind: 'samples' as const, points, format: 'bytes' as const, colour: '#000000' });

  it('spots a new sample, a changed latest value, a dropped oldest sample, and a new colour', () => {
    const before = samples([{ x: 0, y: 1 }, { x: 1, y: 2 }]);
    assert.equal(samePanelData(undefined, before), false);
    assert.equal(samePanelData(before, samples([{ x: 0, y: 1 }, { x: 1, y: 2 }])), true);
    assert.equal(samePanelData(before, samples([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: 2 }])), false);
    assert.equal(samePanelData(before, samples([{ x: 0, y: 1 }, { x: 1, y: 3 }])), false);
    assert.equal(samePanelData(before, samples([{ x: 1, y: 2 }, { x: 2, y: 2 }])), false);
    assert.equal(samePanelData(before, { ...before, colour: '#ffffff' }), false);
  });

  it('spots a checkpoint that finished, and one that failed in place of a completed one', () => {
    const before = checkpointSeries([checkpoint(1, 'COMPLETED'), checkpoint(2, 'IN_PROGRESS')]);
    assert.equal(samePanelData(before, checkpointSeries([checkpoint(1, 'COMPLETED'), checkpoint(2, 'IN_PROGRESS')])), true);
    assert.equal(samePanelData(before, checkpointSeries([checkpoint(1, 'COMPLETED'), checkpoint(2, 'COMPLETED')])), false);
    assert.equal(samePanelData(checkpointSeries([checkpoint(1, 'COMPLETED', { sizeBytes: undefined })]), checkpointSeries([checkpoint(1, 'FAILED', { sizeBytes: undefined })])), false);
    assert.equal(samePanelData(before, samples([])), false);
  });
});
