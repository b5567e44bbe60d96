/** DeltaTrigger (Flink's DeltaTrigger; Flink has no unit test of its own for it). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWindowOperator, DeltaTrigger, GlobalWindow, GlobalWindows } from '../../../../engine/runtime/windowing/index.ts';
import { InvalidPipelineError } from '../../../../engine/runtime/errors.ts';
import { OneInputOperatorHarness } from '../../../harness/operator-harness.ts';
import { TriggerTestHarness } from '../../../harness/trigger-harness.ts';

const delta = (a: number, b: number) => Math.abs(b - a);

test('the first record is the reference; a record further than the threshold fires and becomes the reference', () => {
  const h = new TriggerTestHarness(DeltaTrigger.of(5, delta));
  const w = GlobalWindow.get();
  assert.deepEqual([10, 12, 15, 16, 21, 22, 27].map((v) => h.processElement(v, w)), ['CONTINUE', 'CONTINUE', 'CONTINUE', 'FIRE', 'CONTINUE', 'FIRE', 'CONTINUE']);
  assert.equal(h.numStateEntries(), 1);
  assert.equal(h.numEventTimeTimers() + h.numProcessingTimeTimers(), 0);
  h.clearTriggerState(w);
  assert.equal(h.numStateEntries(), 0);
});

test('on global windows each firing emits everything since the start, per key', () => {
  const op = createWindowOperator({
    assigner: GlobalWindows.create(),
    trigger: DeltaTrigger.of(5, (a: { v: number }, b: { v: number }) => b.v - a.v),
    contents: { kind: 'list' },
    windowFunction: { kind: 'process', fn: (k: string, _ctx, els: Iterable<{ v: number }>, out) => out.collect(`${k}:${[...els].map((e) => e.v).join(',')}`) },
  });
  const h = new OneInputOperatorHarness(op, { keySelector: (e: { k: string }) => e.k });
  void h.open();
  for (const [k, v] of [['a', 1], ['b', 1], ['a', 4], ['a', 7], ['b', 3], ['a', 9]] as const) h.processElement({ k, v }, 0);
  assert.deepEqual(h.outputValues(), ['a:1,4,7']);
});

test('bad arguments name the trigger', () => {
  assert.throws(() => DeltaTrigger.of(Number.NaN, delta), InvalidPipelineError);
  assert.throws(() => DeltaTrigger.of(1, 'x' as never), /DeltaTrigger.of: expects a delta function/);
});
