import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameScheduler } from '../../../app/renderer/charts/frame-scheduler.ts';

/** A fake display: `tick(ms)` advances the clock and runs the frame callbacks due. */
function fakeDisplay() {
  let now = 0;
  let callbacks: (() => void)[] = [];
  return {
    clock: { requestFrame: (cb: () => void) => void callbacks.push(cb), now: () => now },
    frame(advanceMs = 1000 / 60) {
      now += advanceMs;
      const due = callbacks;
      callbacks = [];
      due.forEach((cb) => cb());
    },
    pending: () => callbacks.length,
  };
}

describe('FrameScheduler', () => {
  it('draws each requested target once per frame however often it is asked', () => {
    const display = fakeDisplay();
    const frames = new FrameScheduler(0, display.clock);
    let draws = 0;
    const target = { draw: () => draws++ };
    for (let i = 0; i < 100; i++) frames.request(target);
    display.frame();
    assert.equal(draws, 1);
    display.frame();
    assert.equal(draws, 1, 'nothing more was asked');
  });

  it('caps the rate: at 60 Hz with constant requests it draws 30 times a second', () => {
    const display = fakeDisplay();
    const frames = new FrameScheduler(1000 / 30, display.clock);
    let draws = 0;
    const target = { draw: () => draws++ };
    for (let i = 0; i < 60; i++) {
      frames.request(target);
      display.frame();
    }
    assert.equal(draws, 30);
  });

  it('forgets cancelled targets', () => {
    const display = fakeDisplay();
    const frames = new FrameScheduler(0, display.clock);
    let draws = 0;
    const target = { draw: () => draws++ };
    frames.request(target);
    frames.cancel(target);
    display.frame();
    assert.equal(draws, 0);
  });
});
