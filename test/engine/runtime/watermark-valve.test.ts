import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatermarkValve } from '../../../engine/runtime/watermark-valve.ts';

function valve(n: number) {
  const out: (number | string)[] = [];
  const v = new WatermarkValve(n, (w) => out.push(w), (idle) => out.push(idle ? 'idle' : 'active'));
  return { v, out };
}

test('emits the minimum over channels, only when it advances', () => {
  const { v, out } = valve(3);
  v.inputWatermark(0, 10);
  v.inputWatermark(1, 5);
  assert.deepEqual(out, []);
  v.inputWatermark(2, 7);
  assert.deepEqual(out, [5]);
  v.inputWatermark(1, 20);
  assert.deepEqual(out, [5, 7]);
  v.inputWatermark(2, 6); // going back on one channel is ignored
  assert.deepEqual(out, [5, 7]);
  v.inputWatermark(2, 30);
  assert.deepEqual(out, [5, 7, 10]);
});

test('an idle channel does not hold the watermark back; all idle makes the output idle', () => {
  const { v, out } = valve(2);
  v.inputWatermark(0, 100);
  assert.deepEqual(out, []);
  v.inputStatus(1, true);
  assert.deepEqual(out, [100]);
  v.inputStatus(0, true);
  assert.deepEqual(out, [100, 'idle']);
  v.inputStatus(0, false);
  assert.deepEqual(out, [100, 'idle', 'active']);
});

test('a channel that becomes active again rejoins only after catching up', () => {
  const { v, out } = valve(2);
  v.inputWatermark(0, 10);
  v.inputWatermark(1, 10);
  v.inputStatus(1, true);
  v.inputWatermark(0, 50);
  assert.deepEqual(out, [10, 50]);
  v.inputStatus(1, false);
  v.inputWatermark(1, 20); // behind the output: must not pull it back or hold it
  v.inputWatermark(0, 60);
  assert.deepEqual(out, [10, 50, 60]);
  v.inputWatermark(1, 70);
  v.inputWatermark(0, 80);
  assert.deepEqual(out, [10, 50, 60, 70]);
});
