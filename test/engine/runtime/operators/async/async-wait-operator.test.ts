/**
 * The async wait operator on the operator harness, with requests the test completes by hand
 * (in the spirit of Flink's `AsyncWaitOperatorTest`): results enter through the mailbox only,
 * ordered and unordered emission around watermarks, capacity, timeouts on processing time, and
 * in-flight records in snapshots.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncWaitOperator, type AsyncWaitOptions } from '../../../../../engine/runtime/operators/async/async-wait.ts';
import type { AsyncFunction } from '../../../../../engine/runtime/operators/async/async-function.ts';
import { OneInputOperatorHarness } from '../../../../harness/operator-harness.ts';

/** An async function whose requests the test resolves or rejects. */
function manualFunction(withTimeout = false) {
  const calls: { input: number; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  const fn: AsyncFunction<number, string> = {
    asyncInvoke: (input) =>
      new Promise((resolve, reject) => {
        calls.push({ input, resolve: resolve as (v: unknown) => void, reject });
      }),
  };
  if (withTimeout) fn.timeout = (input) => `timeout ${input}`;
  const answer = (input: number, result: unknown = `r${input}`) => {
    const i = calls.findLastIndex((c) => c.input === input);
    assert.ok(i >= 0, `no request for ${input}`);
    calls[i]!.resolve(result);
  };
  return { fn, calls, answer };
}

function harness(fn: AsyncFunction<number, string>, options: Partial<AsyncWaitOptions> = {}) {
  const op = new AsyncWaitOperator<number, string>(fn, { mode: 'ordered', timeoutMs: 0, capacity: 10, ...options });
  return new OneInputOperatorHarness<string>(op, { name: 'lookup' });
}

/** Lets settled promises run their callbacks (which post mails). */
const settle = () => new Promise<void>((r) => setImmediate(r));

const emitted = (h: OneInputOperatorHarness<string>) =>
  h.events().map((e) => (e.kind === 'record' ? e.value : e.kind === 'watermark' ? `wm${e.timestamp}` : e.kind));

describe('AsyncWaitOperator', () => {
  it('a result reaches the output only when the task runs its mails', async () => {
    const { fn, answer } = manualFunction();
    const h = harness(fn);
    await h.open();
    h.processElement(1, 10);
    answer(1);
    await settle();
    assert.deepEqual(emitted(h), [], 'nothing ran from the promise callback');
    assert.equal(h.runMails(), true);
    assert.deepEqual(h.output(), [{ value: 'r1', timestamp: 10 }]);
  });

  it('ordered: records and watermarks leave in input order', async () => {
    const { fn, answer } = manualFunction();
    const h = harness(fn, { mode: 'ordered' });
    await h.open();
    h.processElement(1, 1);
    h.processElement(2, 2);
    h.processWatermark(5);
    h.processElement(3, 6);
    answer(3);
    answer(2);
    await settle();
    h.runMails();
    assert.deepEqual(emitted(h), []);
    answer(1);
    await settle();
    h.runMails();
    assert.deepEqual(emitted(h), ['r1', 'r2', 'wm5', 'r3']);
  });

  it('unordered: a record leaves when done, but never across a watermark', async () => {
    const { fn, answer } = manualFunction();
    const h = harness(fn, { mode: 'unordered' });
    await h.open();
    h.processElement(1, 1);
    h.processElement(2, 2);
    h.processWatermark(5);
    h.processElement(3, 6);
    h.processElement(4, 7);
    answer(2);
    await settle();
    h.runMails();
    assert.deepEqual(emitted(h), ['r2']);
    answer(4);
    await settle();
    h.runMails();
    assert.deepEqual(emitted(h), ['r2'], 'record 4 waits behind watermark 5');
    answer(1);
    await settle();
    h.runMails();
    assert.deepEqual(emitted(h), ['r2', 'r1', 'wm5', 'r4']);
    answer(3);
    await settle();
    h.runMails();
    assert.deepEqual(emitted(h), ['r2', 'r1', 'wm5', 'r4', 'r3']);
    assert.equal(h.operator.hasPendingWork, false);
  });

  it('a full queue blocks input; requests past capacity start when a slot frees', async () => {
    const { fn, calls, answer } = manualFunction();
    const h = harness(fn, { capacity: 2 });
    await h.open();
    h.processElement(1, 1);
    assert.equal(h.operator.blocksInput, false);
    h.processElement(2, 2);
    assert.equal(h.operator.blocksInput, true);
    h.processElement(3, 3); // the rest of an input batch waits in the operator
    assert.deepEqual(calls.map((c) => c.input), [1, 2]);
    answer(1);
    await settle();
    h.runMails();
    assert.deepEqual(calls.map((c) => c.input), [1, 2, 3]);
    assert.equal(h.operator.blocksInput, true, 'two in flight again');
    answer(2);
    answer(3);
    await settle();
    h.runMails();
    assert.equal(h.operator.blocksInput, false);
    assert.deepEqual(emitted(h), ['r1', 'r2', 'r3']);
  });

  it('a timeout on processing time emits timeout() and ignores the late answer', async () => {
    const { fn, answer } = manualFunction(true);
    const h = harness(fn, { timeoutMs: 100 });
    await h.open();
    h.processElement(1, 1);
    h.setProcessingTime(50);
    h.processElement(2, 2);
    h.setProcessingTime(100);
    assert.deepEqual(emitted(h), ['timeout 1']);
    answer(1);
    answer(2);
    await settle();
    h.runMails();
    assert.deepEqual(emitted(h), ['timeout 1', 'r2']);
    h.setProcessingTime(500); // record 2's timeout was cancelled with its answer
    assert.deepEqual(emitted(h), ['timeout 1', 'r2']);
  });

  it('a snapshot holds every record not emitted; a restored operator requests them again', async () => {
    const first = manualFunction();
    const h = harness(first.fn, { capacity: 2 });
    await h.open();
    h.processElement(1, 10);
    h.processElement(2, 20);
    h.processElement(3, 30); // waits for room
    first.answer(1);
    await settle();
    h.runMails(); // 1 is emitted; 3 starts
    first.answer(3); // done but behind 2, not emitted
    await settle();
    h.runMails();
    assert.deepEqual(emitted(h), ['r1']);
    const snapshot = h.snapshot(1);
    h.close();

    const second = manualFunction();
    const h2 = harness(second.fn, { capacity: 2 });
    await h2.open([snapshot]);
    assert.deepEqual(second.calls.map((c) => c.input).sort(), [2, 3]);
    second.answer(2);
    second.answer(3);
    await settle();
    h2.runMails();
    assert.deepEqual(h2.output(), [
      { value: 'r2', timestamp: 20 },
      { value: 'r3', timestamp: 30 },
    ]);
  });

  it('an array result is several records, null none', async () => {
    const { fn, answer } = manualFunction();
    const h = harness(fn);
    await h.open();
    h.processElement(1, 1);
    h.processElement(2, 2);
    answer(1, ['a', 'b']);
    answer(2, null);
    await settle();
    h.runMails();
    assert.deepEqual(emitted(h), ['a', 'b']);
  });
});
