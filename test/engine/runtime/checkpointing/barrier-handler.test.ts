import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BarrierHandler } from '../../../../engine/runtime/checkpointing/barrier-handler.ts';
import type { BarrierEvent } from '../../../../engine/runtime/elements.ts';

const barrier = (id: number, aligned = true): BarrierEvent => ({ kind: 'barrier', checkpointId: id, timestamp: id * 100, savepoint: false, aligned });

function setup(n: number) {
  let now = 0;
  const done: [number, number][] = [];
  const aborted: number[] = [];
  const h = new BarrierHandler(n, { onCheckpoint: (b, ms) => done.push([b.checkpointId, ms]), onAbort: (id) => aborted.push(id) }, () => now);
  return { h, done, aborted, tick: (ms: number) => (now += ms) };
}

test('aligned: a channel that delivered the barrier is blocked until all did; then the snapshot runs once', () => {
  const { h, done, tick } = setup(3);
  h.onBarrier(1, barrier(1));
  assert.ok(h.isBlocked(1) && !h.isBlocked(0) && !h.isBlocked(2));
  tick(7);
  h.onBarrier(0, barrier(1));
  assert.deepEqual(done, []);
  tick(5);
  h.onBarrier(2, barrier(1));
  assert.deepEqual(done, [[1, 12]], 'alignment time from the first to the last barrier');
  assert.ok(![0, 1, 2].some((c) => h.isBlocked(c)));
});

test('at-least-once: nothing is blocked; the snapshot runs at the last barrier', () => {
  const { h, done } = setup(2);
  h.onBarrier(0, barrier(4, false));
  assert.equal(h.isBlocked(0), false);
  h.onBarrier(1, barrier(4, false));
  assert.deepEqual(done.map(([id]) => id), [4]);
});

test('a newer barrier aborts the pending checkpoint; late barriers of completed checkpoints are ignored', () => {
  const { h, done, aborted } = setup(2);
  h.onBarrier(0, barrier(1));
  h.onBarrier(0, barrier(2)); // checkpoint 1 will never align on channel 1 now
  assert.deepEqual(aborted, [1]);
  h.onBarrier(1, barrier(1)); // overtaken: ignored
  h.onBarrier(1, barrier(2));
  assert.deepEqual(done.map(([id]) => id), [2]);
  h.onBarrier(0, barrier(2));
  assert.deepEqual(done.map(([id]) => id), [2]);
});

test('ended channels are not waited for', () => {
  const { h, done } = setup(2);
  h.onBarrier(0, barrier(3));
  h.onEndOfInput(1);
  assert.deepEqual(done.map(([id]) => id), [3]);
});
