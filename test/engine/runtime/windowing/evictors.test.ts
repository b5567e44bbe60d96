import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CountEvictor,
  CountTrigger,
  createWindowOperator,
  DeltaEvictor,
  GlobalWindow,
  GlobalWindows,
  removeWhere,
  TimeEvictor,
  TumblingEventTimeWindows,
  type Evictor,
  type TimestampedValue,
  type WindowOperator,
} from '../../../../engine/runtime/windowing/index.ts';
import { InvalidPipelineError } from '../../../../engine/runtime/errors.ts';
import { OneInputOperatorHarness } from '../../../harness/operator-harness.ts';

const ctx = { currentProcessingTime: () => 0, currentWatermark: () => 0 };
const tv = (pairs: [number, number][]): TimestampedValue<number>[] => pairs.map(([value, timestamp]) => ({ value, timestamp }));
const values = (xs: TimestampedValue<number>[]) => xs.map((x) => x.value);

function evict(evictor: Evictor<number>, when: 'before' | 'after', xs: TimestampedValue<number>[]): number[] {
  if (when === 'before') evictor.evictBefore(xs, xs.length, GlobalWindow.get(), ctx);
  else evictor.evictAfter(xs, xs.length, GlobalWindow.get(), ctx);
  return values(xs);
}

describe('evictors on their own', () => {
  test('CountEvictor keeps the last maxCount, before or after', () => {
    const xs = () => tv([[1, 0], [2, 0], [3, 0], [4, 0]]);
    assert.deepEqual(evict(CountEvictor.of(2), 'before', xs()), [3, 4]);
    assert.deepEqual(evict(CountEvictor.of(2), 'after', xs()), [1, 2, 3, 4], 'a before-evictor does nothing after');
    assert.deepEqual(evict(CountEvictor.of(2, true), 'before', xs()), [1, 2, 3, 4]);
    assert.deepEqual(evict(CountEvictor.of(2, true), 'after', xs()), [3, 4]);
    assert.deepEqual(evict(CountEvictor.of(10), 'before', xs()), [1, 2, 3, 4]);
  });

  test('TimeEvictor keeps records newer than max timestamp - window', () => {
    const xs = () => tv([[1, 0], [2, 12], [3, 5], [4, 20], [5, 10]]);
    assert.deepEqual(evict(TimeEvictor.of(10), 'before', xs()), [2, 4]);
    assert.deepEqual(evict(TimeEvictor.of(10, true), 'after', xs()), [2, 4]);
    assert.deepEqual(evict(TimeEvictor.of(10, true), 'before', xs()), [1, 2, 3, 4, 5]);
    assert.deepEqual(evict(TimeEvictor.of(10), 'before', tv([[1, -Infinity], [2, -Infinity]])), [1, 2], 'records without timestamps are kept');
  });

  test('DeltaEvictor removes records whose delta to the last one reaches the threshold', () => {
    const xs = () => tv([[1, 0], [8, 0], [10, 0], [12, 0]]);
    const delta = (a: number, b: number) => Math.abs(a - b);
    assert.deepEqual(evict(DeltaEvictor.of(5, delta), 'before', xs()), [8, 10, 12]);
    assert.deepEqual(evict(DeltaEvictor.of(4, delta), 'before', xs()), [10, 12]);
    assert.deepEqual(evict(DeltaEvictor.of(4, delta, true), 'after', xs()), [10, 12]);
    assert.deepEqual(evict(DeltaEvictor.of(4, delta, true), 'before', xs()), [1, 8, 10, 12]);
  });

  test('removeWhere filters in place and keeps order', () => {
    const xs = [5, 1, 6, 2, 7];
    removeWhere(xs, (x) => x < 5);
    assert.deepEqual(xs, [5, 6, 7]);
  });

  test('invalid parameters are rejected with the value', () => {
    const isInvalid = (re: RegExp) => (e: unknown) => e instanceof InvalidPipelineError && re.test(e.message);
    assert.throws(() => CountEvictor.of(0), isInvalid(/CountEvictor\.of: maxCount must be a positive integer, got 0/));
    assert.throws(() => TimeEvictor.of(-1), isInvalid(/TimeEvictor\.of: windowMs must be a non-negative number of milliseconds, got -1/));
    assert.throws(() => DeltaEvictor.of(1, 'x' as never), isInvalid(/DeltaEvictor\.of: expects a delta function/));
  });
});

describe('evictors in the window operator', () => {
  /** Global window, fire every `every` records; the process function records what it saw. */
  function run(evictor: Evictor<number>, every: number, input: [number, number][]) {
    const seen: number[][] = [];
    const op = createWindowOperator({
      assigner: GlobalWindows.create(),
      trigger: CountTrigger.of(every),
      evictor,
      contents: { kind: 'list' },
      windowFunction: {
        kind: 'process',
        fn: (_key, _ctx, elements: Iterable<number>, out) => {
          seen.push([...elements]);
          out.collect(seen.length);
        },
      },
    }) as WindowOperator;
    const h = new OneInputOperatorHarness(op, { keySelector: () => 'k' });
    h.open();
    for (const [v, ts] of input) h.processElement(v, ts);
    return seen;
  }

  test('evict before: the function sees what is left', () => {
    assert.deepEqual(run(CountEvictor.of(2), 3, [[1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 0]]), [
      [2, 3],
      [5, 6],
    ]);
  });

  test('evict after: the function sees everything, and only the survivors stay in the window', () => {
    assert.deepEqual(run(CountEvictor.of(2, true), 3, [[1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 0]]), [
      [1, 2, 3],
      [2, 3, 4, 5, 6],
    ]);
  });

  test('time evictor keeps the recent records of the window', () => {
    assert.deepEqual(run(TimeEvictor.of(10), 2, [[1, 0], [2, 5], [3, 12], [4, 25]]), [
      [1, 2],
      [4],
    ]);
  });

  test('reduce and aggregate run over what is left at firing time', () => {
    const opFor = (contents: { kind: 'reduce'; reduce: (a: number, b: number) => number } | { kind: 'aggregate'; aggregate: any }) => {
      const op = createWindowOperator({
        assigner: TumblingEventTimeWindows.of(100),
        evictor: CountEvictor.of(2),
        contents,
        windowFunction: { kind: 'pass' },
      });
      const h = new OneInputOperatorHarness(op, { keySelector: () => 'k' });
      h.open();
      for (const [v, ts] of [[1, 1], [2, 2], [3, 3], [4, 4]] as const) h.processElement(v, ts);
      h.processWatermark(Infinity);
      return h.outputValues();
    };
    assert.deepEqual(opFor({ kind: 'reduce', reduce: (a, b) => a + b }), [3 + 4]);
    const count = { createAccumulator: () => [] as number[], add: (v: number, acc: number[]) => [...acc, v], getResult: (acc: number[]) => acc, merge: (a: number[], b: number[]) => [...a, ...b] };
    assert.deepEqual(opFor({ kind: 'aggregate', aggregate: count }), [[3, 4]]);
  });
});
