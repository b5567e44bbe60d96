import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StepBudget } from '../../../engine/runtime/step-budget.ts';

describe('StepBudget', () => {
  test('starts with one record and grows at most fourfold per step while records are cheap', () => {
    const b = new StepBudget(512, 5);
    const sizes = [b.size];
    for (let i = 0; i < 6; i++) {
      b.measure(b.size, b.size * 0.001);
      sizes.push(b.size);
    }
    assert.deepEqual(sizes, [1, 4, 16, 64, 256, 512, 512]);
  });

  test('a step fits the target time: 300 µs records give 16 per 5 ms step, 200 ms records one', () => {
    const b = new StepBudget(512, 5, 512);
    b.measure(512, 512 * 0.3);
    assert.equal(b.size, 16);
    b.measure(16, 16 * 200);
    assert.equal(b.size, 1);
    assert.equal(b.costMs, 200);
  });

  test('follows dearer records at once and cheaper ones gradually', () => {
    const b = new StepBudget(1000, 10, 10);
    b.measure(10, 10);
    assert.equal(b.size, 10);
    b.measure(10, 1); // ten times cheaper: the estimate halves the gap
    assert.equal(b.costMs, 0.55);
    assert.equal(b.size, 18);
  });

  test('ignores steps that took no records, and refuses a senseless setup', () => {
    const b = new StepBudget(512, 5);
    b.measure(0, 100);
    assert.equal(b.costMs, undefined);
    assert.equal(b.size, 1);
    assert.throws(() => new StepBudget(0, 5), /max >= 1 and targetMs > 0, got 0 and 5/);
  });
});
