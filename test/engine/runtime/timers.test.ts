import { test } from 'node:test';
import assert from 'node:assert/strict';
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
  s.add({ timestamp: 5, key: 'a', keyId: 'a', namespace: 0, nsKey: 0 });
  s.add({ timestamp: 3, key: 'b', keyId: 'b', namespace: 0, nsKey: 0 });
  assert.equal(s.size, 2);
  assert.equal(s.peekTime(), 3);
  s.delete(3, 'b', 0);
  assert.equal(s.peekTime(), 5);
});
