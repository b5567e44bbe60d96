/**
 * The four merge cases every session assigner test class of Flink has (`EventTimeSessionWindowsTest`,
 * `ProcessingTimeSessionWindowsTest` and the two dynamic-gap classes): `testMergeSinglePointWindow`,
 * `testMergeSingleWindow`, `testMergeConsecutiveWindows` and `testMergeCoveringWindow`, with the
 * same windows and expectations. Flink's mocked merge callback is a recording one here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeWindow } from '../../../engine/runtime/windowing/index.ts';

/** A session assigner's `mergeWindows`. */
type MergeWindows = (windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void) => void;

const w = (s: number, e: number) => new TimeWindow(s, e);
const windows = (ws: readonly TimeWindow[]) => ws.map((x) => [x.start, x.end]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);

/** Every merge callback call: the merged windows (any order) and the result, by result start. */
function merges(mergeWindows: MergeWindows, input: TimeWindow[]) {
  const calls: { merged: number[][]; result: number[] }[] = [];
  mergeWindows(input, (toBeMerged, result) => calls.push({ merged: windows(toBeMerged), result: [result.start, result.end] }));
  return calls.sort((a, b) => a.result[0]! - b.result[0]!);
}

/**
 * Registers the four merge cases under `className#…` for an assigner's `mergeWindows`.
 *
 * @example
 * sessionMergeCases('EventTimeSessionWindowsTest', (ws, cb) => EventTimeSessionWindows.withGap(5000).mergeWindows(ws, cb));
 */
export function sessionMergeCases(className: string, mergeWindows: MergeWindows) {
  const C = `${className}#`;
  test(C + 'testMergeSinglePointWindow', () => assert.deepEqual(merges(mergeWindows, [w(0, 0)]), []));
  test(C + 'testMergeSingleWindow', () => assert.deepEqual(merges(mergeWindows, [w(0, 1)]), []));
  test(C + 'testMergeConsecutiveWindows', () => {
    assert.deepEqual(merges(mergeWindows, [w(0, 1), w(1, 2), w(2, 3), w(4, 5), w(5, 6)]), [
      { merged: [[0, 1], [1, 2], [2, 3]], result: [0, 3] },
      { merged: [[4, 5], [5, 6]], result: [4, 6] },
    ]);
  });
  test(C + 'testMergeCoveringWindow', () => {
    assert.deepEqual(merges(mergeWindows, [w(1, 1), w(0, 2), w(4, 7), w(5, 6)]), [
      { merged: [[0, 2], [1, 1]], result: [0, 2] },
      { merged: [[4, 7], [5, 6]], result: [4, 7] },
    ]);
  });
}
