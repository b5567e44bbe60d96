/**
 * Port of Flink's `StatusWatermarkValveTest` (flink-streaming-java, runtime/watermarkstatus):
 * the same inputs per channel, the same outputs in the same order, nothing more.
 * The valve has no batch mode: a batch job sees only the final watermark (see batch-watermarks.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatermarkValve } from '../../../engine/runtime/watermark-valve.ts';

type Out = number | 'IDLE' | 'ACTIVE';

/** A valve whose outputs are queued; `pop()` takes them one at a time, as Flink's test output does. */
function valve(channels: number) {
  const queue: Out[] = [];
  const v = new WatermarkValve(
    channels,
    (w) => queue.push(w),
    (idle) => queue.push(idle ? 'IDLE' : 'ACTIVE'),
  );
  return { v, pop: (): Out | undefined => queue.shift() };
}

const C = 'StatusWatermarkValveTest#';

test(C + 'testSingleInputIncreasingWatermarks', () => {
  const { v, pop } = valve(1);
  v.inputWatermark(0, 0);
  assert.equal(pop(), 0);
  assert.equal(pop(), undefined);
  v.inputWatermark(0, 25);
  assert.equal(pop(), 25);
  assert.equal(pop(), undefined);
});

test(C + 'testSingleInputDecreasingWatermarksYieldsNoOutput', () => {
  const { v, pop } = valve(1);
  v.inputWatermark(0, 25);
  assert.equal(pop(), 25);
  v.inputWatermark(0, 18);
  assert.equal(pop(), undefined);
  v.inputWatermark(0, 42);
  assert.equal(pop(), 42);
  assert.equal(pop(), undefined);
});

test(C + 'testSingleInputWatermarkStatusToggling', () => {
  const { v, pop } = valve(1);
  v.inputStatus(0, false); // channels start active: no output
  assert.equal(pop(), undefined);
  v.inputStatus(0, true);
  assert.equal(pop(), 'IDLE');
  v.inputStatus(0, true);
  assert.equal(pop(), undefined);
  v.inputStatus(0, false);
  assert.equal(pop(), 'ACTIVE');
  assert.equal(pop(), undefined);
});

test(C + 'testSingleInputWatermarksIntactDuringIdleness', () => {
  const { v, pop } = valve(1);
  v.inputWatermark(0, 25);
  assert.equal(pop(), 25);
  assert.equal(pop(), undefined);
  v.inputStatus(0, true);
  assert.equal(pop(), 'IDLE');
  v.inputWatermark(0, 50);
  assert.equal(pop(), undefined);
  assert.equal(v.channelStatus(0).watermark, 25);
  v.inputStatus(0, false);
  assert.equal(pop(), 'ACTIVE');
  assert.equal(pop(), undefined);
  v.inputWatermark(0, 50);
  assert.equal(pop(), 50);
  assert.equal(pop(), undefined);
});

test(C + 'testMultipleInputYieldsWatermarkOnlyWhenAllChannelsReceivesWatermarks', () => {
  const { v, pop } = valve(3);
  v.inputWatermark(0, 0);
  v.inputWatermark(1, 0);
  assert.equal(pop(), undefined);
  v.inputWatermark(2, 0);
  assert.equal(pop(), 0);
  assert.equal(pop(), undefined);
});

test(C + 'testMultipleInputIncreasingWatermarks', () => {
  const { v, pop } = valve(3);
  v.inputWatermark(0, 0);
  v.inputWatermark(1, 0);
  v.inputWatermark(2, 0);
  assert.equal(pop(), 0);
  v.inputWatermark(0, 12);
  v.inputWatermark(2, 8);
  v.inputWatermark(2, 10);
  assert.equal(pop(), undefined);
  v.inputWatermark(1, 15);
  assert.equal(pop(), 10); // channel 2 is the lowest
  assert.equal(pop(), undefined);
  v.inputWatermark(2, 17);
  assert.equal(pop(), 12); // channel 0
  assert.equal(pop(), undefined);
  v.inputWatermark(0, 20);
  assert.equal(pop(), 15); // channel 1
  assert.equal(pop(), undefined);
});

test(C + 'testMultipleInputDecreasingWatermarksYieldsNoOutput', () => {
  const { v, pop } = valve(3);
  v.inputWatermark(0, 25);
  v.inputWatermark(1, 10);
  v.inputWatermark(2, 17);
  assert.equal(pop(), 10);
  v.inputWatermark(0, 12);
  v.inputWatermark(1, 8);
  v.inputWatermark(2, 15);
  assert.equal(pop(), undefined);
});

test(C + 'testMultipleInputWatermarkStatusToggling', () => {
  const { v, pop } = valve(2);
  v.inputStatus(0, false);
  v.inputStatus(1, false);
  assert.equal(pop(), undefined);
  v.inputStatus(1, true);
  assert.equal(pop(), undefined);
  v.inputStatus(0, true); // now all idle
  assert.equal(pop(), 'IDLE');
  v.inputStatus(0, true);
  v.inputStatus(1, true);
  assert.equal(pop(), undefined);
  v.inputStatus(1, false); // one active input makes the output active
  assert.equal(pop(), 'ACTIVE');
  v.inputStatus(0, false);
  assert.equal(pop(), undefined);
});

test(C + 'testMultipleInputWatermarkAdvancingWithPartiallyIdleChannels', () => {
  const { v, pop } = valve(3);
  v.inputWatermark(0, 15);
  v.inputWatermark(1, 10);
  assert.equal(pop(), undefined);
  v.inputStatus(2, true);
  assert.equal(pop(), 10);
  assert.equal(pop(), undefined);
  v.inputWatermark(1, 18);
  assert.equal(pop(), 15);
  assert.equal(pop(), undefined);
  v.inputWatermark(0, 20);
  assert.equal(pop(), 18);
  assert.equal(pop(), undefined);
});

test(C + 'testMultipleInputWatermarkAdvancingAsChannelsIndividuallyBecomeIdle', () => {
  const { v, pop } = valve(3);
  v.inputWatermark(0, 25);
  v.inputWatermark(1, 10);
  v.inputWatermark(2, 17);
  assert.equal(pop(), 10);
  v.inputStatus(1, true);
  assert.equal(pop(), 17);
  v.inputStatus(2, true);
  assert.equal(pop(), 25);
  assert.equal(pop(), undefined);
});

test(C + 'testMultipleInputFlushMaxWatermarkAndWatermarkStatusOnceAllInputsBecomeIdle', () => {
  const { v, pop } = valve(3);
  v.inputWatermark(0, 10);
  v.inputWatermark(1, 5);
  v.inputWatermark(2, 3);
  assert.equal(pop(), 3);
  v.inputStatus(0, true);
  v.inputStatus(1, true);
  assert.equal(pop(), undefined);
  v.inputStatus(2, true); // the last one: flush the maximum, then turn idle
  assert.equal(pop(), 10);
  assert.equal(pop(), 'IDLE');
  assert.equal(pop(), undefined);
});

test(C + 'testMultipleInputWatermarkRealignmentAfterResumeActive', () => {
  const { v, pop } = valve(3);
  v.inputWatermark(0, 10);
  v.inputWatermark(1, 7);
  v.inputWatermark(2, 3);
  assert.equal(pop(), 3);
  assert.equal(pop(), undefined);
  v.inputStatus(2, true);
  assert.equal(pop(), 7);
  assert.equal(pop(), undefined);
  v.inputStatus(2, false); // behind the output now: unaligned
  assert.equal(v.channelStatus(2).aligned, false);
  v.inputWatermark(2, 5); // accepted, but yields nothing
  assert.equal(v.channelStatus(2).watermark, 5);
  assert.equal(pop(), undefined);
  v.inputWatermark(2, 9); // caught up
  assert.equal(v.channelStatus(2).aligned, true);
  assert.equal(pop(), undefined);
  v.inputWatermark(1, 12);
  assert.equal(pop(), 9);
  assert.equal(pop(), undefined);
});

test(C + 'testNoOutputWhenAllActiveChannelsAreUnaligned', () => {
  const { v, pop } = valve(3);
  v.inputWatermark(0, 10);
  v.inputWatermark(1, 7);
  v.inputStatus(2, true);
  assert.equal(pop(), 7);
  assert.equal(pop(), undefined);
  v.inputStatus(2, false); // active, still unaligned
  assert.equal(pop(), undefined);
  v.inputStatus(0, true);
  v.inputStatus(1, true); // the only active channel is unaligned
  assert.equal(pop(), undefined);
});
