/** Port of Flink's `TimeWindowTest` (flink-streaming-java, runtime/operators/windowing). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeWindow } from '../../../engine/runtime/windowing/index.ts';

const C = 'TimeWindowTest#';
const start = (timestamp: number, offset: number, size: number) => TimeWindow.getWindowStartWithOffset(timestamp, offset, size);

test(C + 'testGetWindowStartWithOffset', () => {
  // [-21, -14), [-14, -7), [-7, 0), [0, 7), [7, 14), [14, 21)...
  for (const [ts, expected] of [[-8, -14], [-7, -7], [-6, -7], [-1, -7], [1, 0], [6, 0], [7, 7], [8, 7]]) assert.equal(start(ts!, 0, 7), expected, `offset 0, ${ts}`);
  // [-11, -4), [-4, 3), [3, 10), [10, 17)...
  for (const [ts, expected] of [[-10, -11], [-9, -11], [-3, -4], [-2, -4], [-1, -4], [1, -4], [2, -4], [3, 3], [9, 3], [10, 10]]) assert.equal(start(ts!, 3, 7), expected, `offset 3, ${ts}`);
  // [-16, -9), [-9, -2), [-2, 5), [5, 12), [12, 19)...
  for (const [ts, expected] of [[-12, -16], [-7, -9], [-4, -9], [-3, -9], [2, -2], [-1, -2], [1, -2], [-2, -2], [3, -2], [4, -2], [7, 5], [12, 12]]) {
    assert.equal(start(ts!, -2, 7), expected, `offset -2, ${ts}`);
  }
  // days in GMT+08:00
  assert.equal(start(1470902048450, -8 * 3_600_000, 86_400_000), 1470844800000);
});

/** Flink's intersects helper: the relation is symmetric. */
function intersects(a: TimeWindow, b: TimeWindow): boolean {
  assert.equal(a.intersects(b), b.intersects(a));
  return a.intersects(b);
}

test(C + 'testIntersect', () => {
  const window = new TimeWindow(10, 20);
  assert.ok(window.intersects(window), 'a window intersects itself');
  assert.ok(intersects(window, new TimeWindow(20, 30)), 'windows next to each other');
  assert.ok(!intersects(window, new TimeWindow(21, 30)), 'a gap between the windows');
  assert.ok(intersects(window, new TimeWindow(19, 22)), 'overlapping by one');
});
