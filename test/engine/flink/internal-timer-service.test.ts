/**
 * Port of Flink's `InternalTimerServiceImplTest` (flink-streaming-java, api/operators): timers
 * per key and namespace, deduplication, deletion. Flink mocks the `Triggerable` and checks which
 * timers it got; here a recording triggerable does. Snapshot and restore of timers is covered
 * through an operator in keyed-process-operator.test.ts (see README.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InternalTimerService, type TimerSet } from '../../../engine/runtime/timers.ts';
import { HeapKeyedStateBackend } from '../../../engine/state/heap-keyed-backend.ts';
import { TimerQueue, type ProcessingTimeService } from '../../../engine/runtime/processing-time.ts';

const C = 'InternalTimerServiceImplTest#';

function setup(onProcessingTime?: () => void) {
  const fired: string[] = [];
  const active = new Set<object>(); // physical timers scheduled and neither fired nor cancelled
  const backend = new HeapKeyedStateBackend(128, { start: 0, end: 127 }, () => 0, 'test');
  let now = 0;
  const queue = new TimerQueue();
  const pts: ProcessingTimeService = {
    now: () => now,
    schedule: (time, cb) => {
      const t = queue.add(time, (at) => {
        active.delete(t);
        cb(at);
      });
      active.add(t);
      return () => {
        t.cancelled = true;
        active.delete(t);
      };
    },
  };
  const service = new InternalTimerService<string>(
    backend,
    {
      onEventTime: (t) => fired.push(`event ${String(backend.currentKey)}/${t.namespace}@${t.timestamp}`),
      onProcessingTime: (t) => {
        fired.push(`processing ${String(backend.currentKey)}/${t.namespace}@${t.timestamp}`);
        onProcessingTime?.();
      },
    },
    pts,
    (ns) => ns,
  );
  const setCurrentTime = (t: number) => {
    now = t;
    for (let x = queue.pollDue(now); x; x = queue.pollDue(now)) if (!x.cancelled) x.callback(x.time);
  };
  /** Timers in the set, in total or of one namespace (Flink's numEventTimeTimers(namespace)). */
  const count = (set: TimerSet<string>, namespace?: string) => {
    const view = set.snapshotView();
    let n = 0;
    for (const t of view.timers()) if (namespace === undefined || t.namespace === namespace) n++;
    view.release();
    return n;
  };
  const activeTimes = () => [...active].map((t) => (t as { time: number }).time).sort((a, b) => a - b);
  return { fired, backend, service, setCurrentTime, count, activeTimes };
}

const key1 = 17;
const key2 = 42;

for (const domain of ['event', 'processing'] as const) {
  const Domain = domain === 'event' ? 'EventTime' : 'ProcessingTime';
  const register = (s: ReturnType<typeof setup>, ns: string, t: number) =>
    domain === 'event' ? s.service.registerEventTimeTimer(ns, t) : s.service.registerProcessingTimeTimer(ns, t);
  const remove = (s: ReturnType<typeof setup>, ns: string, t: number) =>
    domain === 'event' ? s.service.deleteEventTimeTimer(ns, t) : s.service.deleteProcessingTimeTimer(ns, t);
  const timers = (s: ReturnType<typeof setup>) => (domain === 'event' ? s.service.eventTimers : s.service.processingTimers);
  const advance = (s: ReturnType<typeof setup>, t: number) => (domain === 'event' ? s.service.advanceWatermark(t) : s.setCurrentTime(t));

  test(C + `testSetAndFire${Domain}Timers`, () => {
    const s = setup();
    s.backend.setCurrentKey(key1);
    register(s, 'ciao', 10);
    register(s, 'hello', 10);
    s.backend.setCurrentKey(key2);
    register(s, 'ciao', 10);
    register(s, 'hello', 10);
    assert.equal(s.count(timers(s)), 4);
    assert.equal(s.count(timers(s), 'hello'), 2);
    assert.equal(s.count(timers(s), 'ciao'), 2);
    advance(s, 10);
    assert.deepEqual(s.fired.sort(), [`${domain} 17/ciao@10`, `${domain} 17/hello@10`, `${domain} 42/ciao@10`, `${domain} 42/hello@10`]);
    assert.equal(s.count(timers(s)), 0);
  });

  test(C + `testDelete${Domain}Timers`, () => {
    const s = setup();
    s.backend.setCurrentKey(key1);
    register(s, 'ciao', 10);
    register(s, 'hello', 10);
    s.backend.setCurrentKey(key2);
    register(s, 'ciao', 10);
    register(s, 'hello', 10);
    assert.equal(s.count(timers(s)), 4);
    s.backend.setCurrentKey(key1);
    remove(s, 'hello', 10);
    s.backend.setCurrentKey(key2);
    remove(s, 'ciao', 10);
    assert.equal(s.count(timers(s)), 2);
    assert.equal(s.count(timers(s), 'hello'), 1);
    assert.equal(s.count(timers(s), 'ciao'), 1);
    advance(s, 10);
    assert.deepEqual(s.fired.sort(), [`${domain} 17/ciao@10`, `${domain} 42/hello@10`]);
    assert.equal(s.count(timers(s)), 0);
  });
}

test(C + 'testOnlySetsOnePhysicalProcessingTimeTimer', () => {
  const s = setup();
  const timers = s.service.processingTimers;
  s.backend.setCurrentKey(key1);
  s.service.registerProcessingTimeTimer('ciao', 10);
  s.service.registerProcessingTimeTimer('ciao', 20);
  s.service.registerProcessingTimeTimer('ciao', 30);
  s.service.registerProcessingTimeTimer('hello', 10);
  s.service.registerProcessingTimeTimer('hello', 20);
  assert.deepEqual([s.count(timers), s.count(timers, 'hello'), s.count(timers, 'ciao')], [5, 2, 3]);
  assert.deepEqual(s.activeTimes(), [10]);
  s.setCurrentTime(10);
  assert.deepEqual([s.count(timers), s.count(timers, 'hello'), s.count(timers, 'ciao')], [3, 1, 2]);
  assert.deepEqual(s.activeTimes(), [20]);
  s.setCurrentTime(20);
  assert.deepEqual([s.count(timers), s.count(timers, 'hello'), s.count(timers, 'ciao')], [1, 0, 1]);
  assert.deepEqual(s.activeTimes(), [30]);
  s.setCurrentTime(30);
  assert.equal(s.count(timers), 0);
  assert.deepEqual(s.activeTimes(), []);
  s.service.registerProcessingTimeTimer('ciao', 40);
  assert.deepEqual(s.activeTimes(), [40]);
});

test(C + 'testRegisterEarlierProcessingTimerMovesPhysicalProcessingTimer', () => {
  const s = setup();
  s.backend.setCurrentKey(key1);
  s.service.registerProcessingTimeTimer('ciao', 20);
  assert.equal(s.count(s.service.processingTimers), 1);
  assert.deepEqual(s.activeTimes(), [20]);
  s.service.registerProcessingTimeTimer('ciao', 10);
  assert.equal(s.count(s.service.processingTimers), 2);
  assert.deepEqual(s.activeTimes(), [10]);
});

test(C + 'testRegisteringProcessingTimeTimerInOnProcessingTimeDoesNotLeakPhysicalTimers', () => {
  let next = 20;
  const s = setup(() => s.service.registerProcessingTimeTimer('ciao', next));
  s.backend.setCurrentKey(key1);
  s.service.registerProcessingTimeTimer('ciao', 10);
  assert.equal(s.count(s.service.processingTimers), 1);
  assert.deepEqual(s.activeTimes(), [10]);
  s.setCurrentTime(10);
  assert.deepEqual(s.activeTimes(), [20]);
  next = 30;
  s.setCurrentTime(20);
  assert.equal(s.count(s.service.processingTimers), 1);
  assert.deepEqual(s.activeTimes(), [30]);
});

test(C + 'testCurrentEventTime', () => {
  const s = setup();
  s.service.advanceWatermark(17);
  assert.equal(s.service.currentWatermarkTime(), 17);
  s.service.advanceWatermark(42);
  assert.equal(s.service.currentWatermarkTime(), 42);
});

test(C + 'testCurrentProcessingTime', () => {
  const s = setup();
  s.setCurrentTime(17);
  assert.equal(s.service.currentProcessingTime(), 17);
  s.setCurrentTime(42);
  assert.equal(s.service.currentProcessingTime(), 42);
});
