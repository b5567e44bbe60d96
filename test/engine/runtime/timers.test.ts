import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InternalTimerService, TimerSet } from '../../../engine/runtime/timers.ts';
import { HeapKeyedStateBackend } from '../../../engine/state/heap-keyed-backend.ts';
import { TimerQueue, type ProcessingTimeService } from '../../../engine/runtime/processing-time.ts';

function setup() {
  const fired: string[] = [];
  const backend = new HeapKeyedStateBackend(128, { start: 0, end: 127 }, () => 0, 'test');
  let now = 0;
  const queue = new TimerQueue();
  const pts: ProcessingTimeService = {
    now: () => now,
    schedule: (time, cb) => {
      const t = queue.add(time, cb);
      return () => void (t.cancelled = true);
    },
  };
  const service = new InternalTimerService<number>(
    backend,
    {
      onEventTime: (t) => fired.push(`e:${String(backend.currentKey)}@${t.timestamp}`),
      onProcessingTime: (t) => fired.push(`p:${String(backend.currentKey)}@${t.timestamp}`),
    },
    pts,
    (ns) => ns,
  );
  const advanceProcessingTime = (t: number) => {
    now = t;
    for (let x = queue.pollDue(now); x; x = queue.pollDue(now)) if (!x.cancelled) x.callback(x.time);
  };
  return { fired, backend, service, advanceProcessingTime };
}

test('event-time timers fire once per key and timestamp, in time order, with the key set', () => {
  const { fired, backend, service } = setup();
  backend.setCurrentKey('a');
  service.registerEventTimeTimer(0, 20);
  service.registerEventTimeTimer(0, 20); // duplicate
  service.registerEventTimeTimer(0, 10);
  backend.setCurrentKey('b');
  service.registerEventTimeTimer(0, 20);
  service.advanceWatermark(15);
  assert.deepEqual(fired, ['e:a@10']);
  service.advanceWatermark(25);
  assert.deepEqual(fired, ['e:a@10', 'e:a@20', 'e:b@20']);
  service.advanceWatermark(100);
  assert.equal(fired.length, 3);
});

test('deleted timers do not fire; timers registered while firing at an earlier time fire in the same advance', () => {
  const { fired, backend, service } = setup();
  backend.setCurrentKey('a');
  service.registerEventTimeTimer(0, 5);
  service.deleteEventTimeTimer(0, 5);
  service.advanceWatermark(10);
  assert.deepEqual(fired, []);
  const s2 = setup();
  s2.backend.setCurrentKey('k');
  const chained = new InternalTimerService<number>(
    s2.backend,
    {
      onEventTime: (t) => {
        s2.fired.push(`e@${t.timestamp}`);
        if (t.timestamp === 10) chained.registerEventTimeTimer(0, 12);
      },
      onProcessingTime: () => {},
    },
    { now: () => 0, schedule: () => () => {} },
    (ns) => ns,
  );
  chained.registerEventTimeTimer(0, 10);
  chained.advanceWatermark(20);
  assert.deepEqual(s2.fired, ['e@10', 'e@12']);
});

test('processing-time timers fire when processing time reaches them, deduplicated', () => {
  const { fired, backend, service, advanceProcessingTime } = setup();
  backend.setCurrentKey('x');
  service.registerProcessingTimeTimer(0, 100);
  service.registerProcessingTimeTimer(0, 100);
  service.registerProcessingTimeTimer(0, 50);
  advanceProcessingTime(60);
  assert.deepEqual(fired, ['p:x@50']);
  advanceProcessingTime(100);
  assert.deepEqual(fired, ['p:x@50', 'p:x@100']);
});

test('TimerSet reports size and earliest time', () => {
  const s = new TimerSet<number>();
  s.add({ timestamp: 5, key: 'a', keyId: 'a', keyGroup: 1, namespace: 0, nsKey: 0 });
  s.add({ timestamp: 3, key: 'b', keyId: 'b', keyGroup: 2, namespace: 0, nsKey: 0 });
  assert.equal(s.size, 2);
  assert.equal(s.peekTime(), 3);
  s.delete(3, 2, 'b', 0);
  assert.equal(s.peekTime(), 5);
});

/** A timer set's content as sorted text, for comparisons. */
function contentOf(timers: Iterable<{ timestamp: number; keyGroup: number; keyId: unknown; nsKey: unknown }>): string[] {
  return [...timers].map((t) => `${t.timestamp}/${t.keyGroup}/${String(t.keyId)}/${String(t.nsKey)}`).sort();
}

test('a snapshot view keeps the timers of its barrier while the set changes (property)', () => {
  // Operations: add, delete, fire up to a time, take a view, read a view to the end, release one.
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), time: fc.integer({ min: 0, max: 6 }), key: fc.integer({ min: 0, max: 9 }), ns: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant('delete' as const), time: fc.integer({ min: 0, max: 6 }), key: fc.integer({ min: 0, max: 9 }), ns: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant('fire' as const), time: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ kind: fc.constant('view' as const) }),
    fc.record({ kind: fc.constant('read' as const), which: fc.nat() }),
    fc.record({ kind: fc.constant('release' as const), which: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const set = new TimerSet<number>();
      const model = new Map<string, { timestamp: number; keyGroup: number; keyId: number; nsKey: number }>();
      const views: { view: ReturnType<TimerSet<number>['snapshotView']>; expected: string[] }[] = [];
      for (const o of ops) {
        if (o.kind === 'add' || o.kind === 'delete') {
          const keyGroup = o.key % 3; // several keys share a key group, as real keys do
          const id = `${o.time}/${keyGroup}/${o.key}/${o.ns}`;
          if (o.kind === 'add') {
            const added = set.add({ timestamp: o.time, key: o.key, keyId: o.key, keyGroup, namespace: o.ns, nsKey: o.ns });
            assert.equal(added, !model.has(id), 'a timer is added once');
            model.set(id, { timestamp: o.time, keyGroup, keyId: o.key, nsKey: o.ns });
          } else {
            set.delete(o.time, keyGroup, o.key, o.ns);
            model.delete(id);
          }
        } else if (o.kind === 'fire') {
          for (let b = set.pollBucket(o.time); b; b = set.pollBucket(o.time)) for (const t of b) model.delete(`${t.timestamp}/${t.keyGroup}/${t.keyId}/${t.nsKey}`);
        } else if (o.kind === 'view') {
          const view = set.snapshotView();
          const expected = contentOf(model.values());
          assert.equal(view.count, expected.length);
          views.push({ view, expected });
        } else if (views.length > 0) {
          const [v] = views.splice(o.which % views.length, 1);
          if (o.kind === 'read') assert.deepEqual(contentOf(v!.view.timers()), v!.expected, 'the view reads the timers of its barrier');
          else v!.view.release();
        }
        assert.deepEqual(contentOf(set.all()), contentOf(model.values()), 'the live set is unaffected by views');
        assert.equal(set.size, model.size);
      }
      for (const v of views) assert.deepEqual(contentOf(v.view.timers()), v.expected);
    }),
    { numRuns: 300 },
  );
});

test('TimerSet fires one timer at a time: a timer deleted by another firing at the same time does not fire (as in Flink)', () => {
  const s = new TimerSet<number>();
  s.add({ timestamp: 7, key: 'a', keyId: 'a', keyGroup: 4, namespace: 0, nsKey: 0 });
  s.add({ timestamp: 7, key: 'b', keyId: 'b', keyGroup: 1, namespace: 0, nsKey: 0 });
  s.add({ timestamp: 7, key: 'a', keyId: 'a', keyGroup: 4, namespace: 1, nsKey: 1 });
  const fired: string[] = [];
  for (let t = s.poll(7); t; t = s.poll(7)) {
    fired.push(`${String(t.keyId)}/${String(t.nsKey)}`);
    if (t.keyId === 'a' && t.nsKey === 0) s.delete(7, 1, 'b', 0);
  }
  // Timers of one time fire in the order they were registered.
  assert.deepEqual(fired, ['a/0', 'a/1']);
  assert.equal(s.size, 0);
  assert.equal(s.peekTime(), Infinity);
});
