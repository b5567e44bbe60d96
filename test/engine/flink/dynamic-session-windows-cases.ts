/**
 * The cases Flink's `DynamicEventTimeSessionWindowsTest` and `DynamicProcessingTimeSessionWindowsTest`
 * share (the two classes differ only in the time domain): Flink's mocked gap extractor is a
 * function of the record. Each test file runs them for its assigner; the merge cases are
 * session-merge-cases.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeWindow, type Trigger, type WindowAssignerContext } from '../../../engine/runtime/windowing/index.ts';
import type { SessionWindowTimeGapExtractor } from '../../../engine/runtime/windowing/index.ts';
import { sessionMergeCases } from './session-merge-cases.ts';

/** The Weir assigner under test, made from a gap extractor. */
export interface DynamicSessionAssigner {
  assignWindows(element: unknown, timestamp: number, ctx: WindowAssignerContext): readonly TimeWindow[];
  mergeWindows(windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void;
  isEventTime(): boolean;
  getDefaultTrigger(): Trigger<any, any>;
}

/**
 * Registers the seven cases under `className#…`. `eventTime` picks how a record's time reaches the
 * assigner: its timestamp (event time) or the context's processing time.
 */
export function dynamicSessionWindowCases(
  className: string,
  create: (extractor: SessionWindowTimeGapExtractor<any>) => DynamicSessionAssigner,
  eventTime: boolean,
  defaultTrigger: new (...args: never[]) => Trigger<any, any>,
) {
  const C = `${className}#`;
  const windows = (ws: readonly TimeWindow[]) => ws.map((x) => [x.start, x.end]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  /** Flink passes the time as the timestamp (event time) or as the mocked processing time (timestamp Long.MIN_VALUE). */
  const assignAt = (a: DynamicSessionAssigner, element: unknown, time: number) =>
    windows(eventTime ? a.assignWindows(element, time, { currentProcessingTime: () => 0 }) : a.assignWindows(element, Number.MIN_SAFE_INTEGER, { currentProcessingTime: () => time }));

  test(C + 'testWindowAssignment', () => {
    const gaps: Record<string, number> = { gap5000: 5000, gap4000: 4000, gap9000: 9000 };
    const a = create((e: string) => gaps[e]!);
    assert.deepEqual(assignAt(a, 'gap5000', 0), [[0, 5000]]);
    assert.deepEqual(assignAt(a, 'gap4000', 4999), [[4999, 8999]]);
    assert.deepEqual(assignAt(a, 'gap9000', 5000), [[5000, 14000]]);
  });
  sessionMergeCases(className, (ws, cb) => create(() => 5000).mergeWindows(ws, cb));
  test(C + 'testInvalidParameters', () => {
    // Flink: IllegalArgumentException "0 < gap" when a record is assigned
    const a = create(() => -1);
    assert.throws(() => a.assignWindows([{}], 1, { currentProcessingTime: () => 1 }), /session gap must be a positive number/);
  });
  test(C + 'testProperties', () => {
    const a = create(() => 5000);
    assert.equal(a.isEventTime(), eventTime);
    assert.ok(a.getDefaultTrigger() instanceof defaultTrigger);
  });
}
