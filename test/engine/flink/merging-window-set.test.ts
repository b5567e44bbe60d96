/**
 * Port of Flink's `MergingWindowSetTest` (flink-streaming-java, runtime/operators/windowing).
 * Flink persists the set into a mocked ListState of (window, state window) pairs; Weir's set
 * loads from and saves to a flat array (`toStored()`), so "persist" is checked on that array.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventTimeSessionWindows, EventTimeTrigger, MergingWindowAssigner, MergingWindowSet, TimeWindow, type Trigger } from '../../../engine/runtime/windowing/index.ts';

const C = 'MergingWindowSetTest#';
const w = (start: number, end: number) => new TimeWindow(start, end);
const key = (x: TimeWindow | undefined) => (x ? `${x.start}-${x.end}` : 'none');
const keys = (xs: TimeWindow[] | undefined) => (xs ?? []).map(key).sort();

/** Records the merge it is called for; more than one merge per added window is an error, as in Flink. */
class TestingMergeFunction {
  target: TimeWindow | undefined;
  sources: TimeWindow[] | undefined;
  stateWindow: TimeWindow | undefined;
  mergedStateWindows: TimeWindow[] | undefined;
  reset(): this {
    this.target = this.sources = this.stateWindow = this.mergedStateWindows = undefined;
    return this;
  }
  get hasMerged(): boolean {
    return this.target !== undefined;
  }
  readonly fn = (result: TimeWindow, merged: TimeWindow[], stateResult: TimeWindow, mergedState: TimeWindow[]) => {
    assert.equal(this.target, undefined, 'More than one merge for adding a Window should not occur.');
    this.target = result;
    this.sources = merged;
    this.stateWindow = stateResult;
    this.mergedStateWindows = mergedState;
  };
}

const sessions = () => new MergingWindowSet(EventTimeSessionWindows.withGap(3), undefined);

/** Flink's misbehaving assigner: merges windows starting within the earliest one into a window one longer. */
class NonEagerlyMergingWindowAssigner extends MergingWindowAssigner {
  constructor(private readonly sessionTimeout: number) {
    super();
  }
  assignWindows(_e: unknown, timestamp: number): TimeWindow[] {
    return [w(timestamp, timestamp + this.sessionTimeout)];
  }
  getDefaultTrigger(): Trigger {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  override mergeWindows(windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    let earliest: TimeWindow | undefined;
    for (const win of windows) if (!earliest || win.start < earliest.start) earliest = win;
    const associated = windows.filter((win) => win.start < earliest!.end && win.start >= earliest!.start);
    if (associated.length > 1) callback(associated, w(earliest!.start, earliest!.end + 1));
  }
}

test(C + 'testNonEagerMerging', () => {
  const set = new MergingWindowSet(new NonEagerlyMergingWindowAssigner(3000), undefined);
  const m = new TestingMergeFunction();
  for (const win of [w(0, 2), w(2, 5), w(1, 2), w(10, 12)]) {
    const result = set.addWindow(win, m.reset().fn);
    assert.notEqual(set.getStateWindow(result), undefined, `state window of ${key(result)}`);
  }
});

test(C + 'testIncrementalMerging', () => {
  const set = sessions();
  const m = new TestingMergeFunction();
  const add = (win: TimeWindow, expected: TimeWindow, merged?: { target: TimeWindow; state: TimeWindow; sources: TimeWindow[] }) => {
    assert.equal(key(set.addWindow(win, m.reset().fn)), key(expected));
    assert.equal(m.hasMerged, merged !== undefined);
    if (merged) {
      assert.equal(key(m.target), key(merged.target));
      assert.equal(key(m.stateWindow), key(merged.state));
      assert.deepEqual(keys(m.sources), keys(merged.sources));
      assert.deepEqual(m.mergedStateWindows, []);
    }
  };
  add(w(0, 4), w(0, 4));
  assert.equal(key(set.getStateWindow(w(0, 4))), '0-4');
  add(w(0, 4), w(0, 4));
  add(w(3, 5), w(0, 5), { target: w(0, 5), state: w(0, 4), sources: [w(0, 4)] });
  add(w(4, 6), w(0, 6), { target: w(0, 6), state: w(0, 4), sources: [w(0, 5)] });
  assert.equal(key(set.getStateWindow(w(0, 6))), '0-4');
  for (const inside of [w(1, 4), w(0, 4), w(3, 5), w(4, 6)]) add(inside, w(0, 6));
  assert.equal(key(set.getStateWindow(w(0, 6))), '0-4');
  add(w(11, 14), w(11, 14));
  assert.equal(key(set.getStateWindow(w(0, 6))), '0-4');
  assert.equal(key(set.getStateWindow(w(11, 14))), '11-14');
  add(w(10, 13), w(10, 14), { target: w(10, 14), state: w(11, 14), sources: [w(11, 14)] });
  add(w(12, 15), w(10, 15), { target: w(10, 15), state: w(11, 14), sources: [w(10, 14)] });
  add(w(11, 14), w(10, 15));
  assert.equal(key(set.getStateWindow(w(0, 6))), '0-4');
  assert.equal(key(set.getStateWindow(w(10, 15))), '11-14');
  set.retireWindow(w(0, 6));
  assert.equal(set.getStateWindow(w(0, 6)), undefined);
  assert.equal(key(set.getStateWindow(w(10, 15))), '11-14');
});

test(C + 'testLateMerging', () => {
  const set = sessions();
  const m = new TestingMergeFunction();
  for (const win of [w(0, 3), w(5, 8), w(10, 13)]) {
    assert.equal(key(set.addWindow(win, m.reset().fn)), key(win));
    assert.equal(m.hasMerged, false);
    assert.equal(key(set.getStateWindow(win)), key(win));
  }
  // merges the later two
  assert.equal(key(set.addWindow(w(8, 10), m.reset().fn)), '5-13');
  assert.equal(m.hasMerged, true);
  assert.equal(key(m.target), '5-13');
  assert.ok(['5-8', '10-13'].includes(key(m.stateWindow)));
  assert.deepEqual(keys(m.sources), ['10-13', '5-8']);
  assert.equal(m.mergedStateWindows!.length, 1);
  assert.ok(['5-8', '10-13'].includes(key(m.mergedStateWindows![0])));
  assert.ok(!keys(m.mergedStateWindows).includes(key(m.target)));
  assert.equal(key(set.getStateWindow(w(0, 3))), '0-3');
  for (const inside of [w(5, 8), w(8, 10), w(10, 13)]) {
    assert.equal(key(set.addWindow(inside, m.reset().fn)), '5-13');
    assert.equal(m.hasMerged, false);
  }
  assert.ok(['5-8', '10-13'].includes(key(set.getStateWindow(w(5, 13)))));
  // merges everything
  assert.equal(key(set.addWindow(w(3, 5), m.reset().fn)), '0-13');
  assert.equal(m.hasMerged, true);
  assert.equal(key(m.target), '0-13');
  assert.ok(['0-3', '5-8', '10-13'].includes(key(m.stateWindow)));
  assert.deepEqual(keys(m.sources), ['0-3', '5-13']);
  assert.equal(m.mergedStateWindows!.length, 1);
  assert.ok(['0-3', '5-8', '10-13'].includes(key(m.mergedStateWindows![0])));
  assert.ok(!keys(m.mergedStateWindows).includes(key(m.target)));
  assert.ok(['0-3', '5-8', '10-13'].includes(key(set.getStateWindow(w(0, 13)))));
});

test(C + 'testMergeLargeWindowCoveringSingleWindow', () => {
  const set = sessions();
  const m = new TestingMergeFunction();
  assert.equal(key(set.addWindow(w(1, 2), m.reset().fn)), '1-2');
  assert.equal(m.hasMerged, false);
  assert.equal(key(set.getStateWindow(w(1, 2))), '1-2');
  assert.equal(key(set.addWindow(w(0, 3), m.reset().fn)), '0-3');
  assert.equal(m.hasMerged, true);
  assert.equal(key(set.getStateWindow(w(0, 3))), '1-2');
});

test(C + 'testAddingIdenticalWindows', () => {
  const set = sessions();
  const m = new TestingMergeFunction();
  for (let i = 0; i < 2; i++) {
    assert.equal(key(set.addWindow(w(1, 2), m.reset().fn)), '1-2');
    assert.equal(m.hasMerged, false);
    assert.equal(key(set.getStateWindow(w(1, 2))), '1-2');
  }
});

test(C + 'testMergeLargeWindowCoveringMultipleWindows', () => {
  const set = sessions();
  const m = new TestingMergeFunction();
  for (const win of [w(1, 3), w(5, 8), w(10, 13)]) {
    assert.equal(key(set.addWindow(win, m.reset().fn)), key(win));
    assert.equal(m.hasMerged, false);
    assert.equal(key(set.getStateWindow(win)), key(win));
  }
  assert.equal(key(set.addWindow(w(0, 13), m.reset().fn)), '0-13');
  assert.equal(m.hasMerged, true);
  assert.equal(m.mergedStateWindows!.length, 2);
  assert.ok(keys(m.mergedStateWindows).every((k) => ['1-3', '5-8', '10-13'].includes(k)));
  assert.ok(['1-3', '5-8', '10-13'].includes(key(set.getStateWindow(w(0, 13)))));
});

test(C + 'testRestoreFromState', () => {
  const set = new MergingWindowSet(EventTimeSessionWindows.withGap(3), [17, 42, 42, 17, 1, 2, 3, 4]);
  assert.equal(key(set.getStateWindow(w(17, 42))), '42-17');
  assert.equal(key(set.getStateWindow(w(1, 2))), '3-4');
});

test(C + 'testPersist', () => {
  const set = sessions();
  const m = new TestingMergeFunction();
  set.addWindow(w(1, 2), m.fn);
  set.addWindow(w(17, 42), m.fn);
  assert.equal(key(set.getStateWindow(w(1, 2))), '1-2');
  assert.equal(key(set.getStateWindow(w(17, 42))), '17-42');
  assert.equal(set.isChanged, true);
  assert.deepEqual(set.toStored(), [1, 2, 1, 2, 17, 42, 17, 42]);
});

test(C + 'testPersistOnlyIfHaveUpdates', () => {
  const set = new MergingWindowSet(EventTimeSessionWindows.withGap(3), [17, 42, 42, 17, 1, 2, 3, 4]);
  assert.equal(key(set.getStateWindow(w(17, 42))), '42-17');
  assert.equal(key(set.getStateWindow(w(1, 2))), '3-4');
  assert.equal(set.isChanged, false, 'nothing to write back');
});
