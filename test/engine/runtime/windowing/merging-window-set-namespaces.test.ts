/**
 * The namespaces a `MergingWindowSet` keeps: a new window takes a new one, a merge result keeps
 * its state window's contents namespace and the namespace of a merged window with its bounds,
 * the stored form round-trips them, and a set stored before namespaces were kept takes the
 * assigner's `'start:end'` ones (what its snapshot's state and timers are under).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventTimeSessionWindows, MergingWindowSet, TimeWindow, type MergeNamespaces } from '../../../../engine/runtime/windowing/index.ts';

const assigner = EventTimeSessionWindows.withGap(10);
const counter = () => {
  let n = 100;
  return () => n++;
};

test('a session growing record by record keeps its contents namespace; each grown window takes a new one', () => {
  const set = new MergingWindowSet(assigner, undefined, undefined, counter());
  const merges: MergeNamespaces[] = [];
  const onMerge = (_r: TimeWindow, _m: TimeWindow[], _s: TimeWindow, _ms: TimeWindow[], ns: MergeNamespaces) => void merges.push(ns);
  const a = set.addWindow(new TimeWindow(0, 10), onMerge);
  const i = set.indexOf(a);
  assert.deepEqual([set.namespaceAt(i), set.stateNamespaceAt(i)], [100, 100]);
  const b = set.addWindow(new TimeWindow(5, 15), onMerge);
  assert.deepEqual([b.start, b.end], [0, 15]);
  const j = set.indexOf(b);
  assert.deepEqual([set.namespaceAt(j), set.stateNamespaceAt(j)], [101, 100]);
  assert.deepEqual(merges, [{ result: 101, merged: [100], stateResult: 100, mergedState: [] }]);
  // A window inside the session changes nothing.
  assert.equal(set.addWindow(new TimeWindow(2, 12), onMerge), b);
  assert.equal(merges.length, 1);
  assert.equal(set.size, 1);
});

test('a window bridging two sessions merges both: one keeps its contents, the other moves', () => {
  const set = new MergingWindowSet(assigner, undefined, undefined, counter());
  const merges: MergeNamespaces[] = [];
  set.addWindow(new TimeWindow(0, 10), () => {});
  set.addWindow(new TimeWindow(20, 30), () => {});
  const r = set.addWindow(new TimeWindow(9, 21), (_r, _m, _s, _ms, ns) => void merges.push(ns));
  assert.deepEqual([r.start, r.end], [0, 30]);
  assert.equal(merges.length, 1);
  const m = merges[0]!;
  assert.equal(m.result, 102);
  assert.deepEqual([...m.merged].sort(), [100, 101]);
  assert.equal(m.mergedState.length, 1);
  assert.deepEqual([m.stateResult, m.mergedState[0]].sort(), [100, 101]);
  const i = set.indexOf(r);
  assert.deepEqual([set.namespaceAt(i), set.stateNamespaceAt(i)], [102, m.stateResult]);
});

test('the stored form keeps namespaces; a set stored without them takes the assigner\'s', () => {
  const set = new MergingWindowSet(assigner, undefined, undefined, counter());
  set.addWindow(new TimeWindow(0, 10), () => {});
  set.addWindow(new TimeWindow(5, 15), () => {});
  const again = new MergingWindowSet(assigner, set.toStored(), set.storedNamespaces(), counter());
  const i = again.indexOf(new TimeWindow(0, 15));
  assert.deepEqual([again.namespaceAt(i), again.stateNamespaceAt(i)], [101, 100]);
  assert.equal(again.indexOfNamespace(101), i);
  const legacy = new MergingWindowSet(assigner, [0, 15, 0, 10], undefined, counter());
  assert.deepEqual([legacy.namespaceAt(0), legacy.stateNamespaceAt(0)], ['0:15', '0:10']);
  // A legacy window that grows takes a counter namespace; its contents stay where they are.
  const grown = legacy.addWindow(new TimeWindow(14, 24), () => {});
  const g = legacy.indexOf(grown);
  assert.deepEqual([legacy.namespaceAt(g), legacy.stateNamespaceAt(g)], [100, '0:10']);
});
