/**
 * Port of Flink's `GlobalWindowsTest` (flink-streaming-java, runtime/operators/windowing): every
 * record goes to the one global window, which is not an event-time window and whose default
 * trigger never fires (Flink's `GlobalWindows.NeverTrigger`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GlobalWindow } from '../../../engine/runtime/windowing/windows.ts';
import { GlobalWindows, NeverTrigger, type WindowAssignerContext } from '../../../engine/runtime/windowing/index.ts';

const C = 'GlobalWindowsTest#';
const ctx: WindowAssignerContext = { currentProcessingTime: () => 0 };

test(C + 'testWindowAssignment', () => {
  const a = GlobalWindows.create();
  for (const ts of [0, 4999, 5000]) assert.deepEqual([...a.assignWindows('String', ts, ctx)], [GlobalWindow.get()], `timestamp ${ts}`);
});

test(C + 'testProperties', () => {
  const a = GlobalWindows.create();
  assert.equal(a.isEventTime(), false);
  assert.ok(a.getDefaultTrigger() instanceof NeverTrigger);
});
