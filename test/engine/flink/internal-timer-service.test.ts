/**
 * Port of Flink's `InternalTimerServiceImplTest` (flink-streaming-java, api/operators): timers
 * per key and namespace, deduplication, deletion. Flink mocks the `Triggerable` and checks which
 * timers it got; here a recording triggerable does. Snapshot and restore go through a keyed
 * operator holding one timer service, as Weir checkpoints timers with their operator; Flink's
 * per-key-group snapshot becomes the operator's snapshot, restored into subtasks that own part
 * of the key groups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InternalTimerService, type TimerSet } from '../../../engine/runtime/timers.ts';
import { HeapKeyedStateBackend } from '../../../engine/state/heap-keyed-backend.ts';
import { TimerQueue, type ProcessingTimeService } from '../../../engine/runtime/processing-time.ts';
import { StreamOperator } from '../../../engine/runtime/operator.ts';
import { keyGroupOf, keyGroupRangeFor, keyIdOf } from '../../../engine/state/key-groups.ts';
import { OneInputOperatorHarness } from '../../harness/operator-harness.ts';
import { timerLists } from '../../../engine/runtime/timer-snapshot.ts';
import { decodeSnapshot, encodeSnapshot } from '../../../engine/checkpoint/snapshot-format.ts';

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

/** A keyed operator with one timer service that records what fires (Flink's mocked Triggerable). */
class TimerOperator extends StreamOperator<never> {
  readonly fired: string[] = [];
  service!: InternalTimerService<string>;
  override open(): void {
    const backend = this.requireKeyed('timers');
    const record = (domain: string) => (t: { namespace: string; timestamp: number }) => this.fired.push(`${domain} ${String(backend.currentKey)}/${t.namespace}@${t.timestamp}`);
    this.service = this.createTimerService<string>({ onEventTime: record('event'), onProcessingTime: record('processing') }, (ns) => ns);
  }
  processElement(): void {}
}

const MAX_PARALLELISM = 128;

function timerHarness(subtask = 0, parallelism = 1, restore: ReturnType<OneInputOperatorHarness['snapshot']>[] = [], maxParallelism = MAX_PARALLELISM) {
  const op = new TimerOperator();
  const h = new OneInputOperatorHarness(op, { keySelector: (k: number) => k, subtask, parallelism, maxParallelism });
  void h.open(restore);
  const count = (set: TimerSet<string>, namespace?: string) => {
    const view = set.snapshotView();
    let n = 0;
    for (const t of view.timers()) if (namespace === undefined || t.namespace === namespace) n++;
    view.release();
    return n;
  };
  const at = (key: number) => op.keyedBackend!.setCurrentKey(key);
  return { h, op, count, at };
}

/** The first key from 1 up whose key group lies in subtask `subtask` of `parallelism` (Flink's getKeyInKeyGroupRange). */
function keyInSubtask(subtask: number, parallelism: number, not?: number): number {
  const range = keyGroupRangeFor(subtask, MAX_PARALLELISM, parallelism);
  for (let key = 1; ; key++) {
    const kg = keyGroupOf(keyIdOf(key), MAX_PARALLELISM);
    if (kg >= range.start && kg <= range.end && key !== not) return key;
  }
}

/** Registers Flink's four timers (key1: processing ciao, event hello; key2: event ciao, processing hello) and checks the counts. */
function registerFour(t: ReturnType<typeof timerHarness>, key1: number, key2: number) {
  t.at(key1);
  t.op.service.registerProcessingTimeTimer('ciao', 10);
  t.op.service.registerEventTimeTimer('hello', 10);
  t.at(key2);
  t.op.service.registerEventTimeTimer('ciao', 10);
  t.op.service.registerProcessingTimeTimer('hello', 10);
  const { processingTimers: p, eventTimers: e } = t.op.service;
  assert.deepEqual([t.count(p), t.count(p, 'hello'), t.count(p, 'ciao')], [2, 1, 1]);
  assert.deepEqual([t.count(e), t.count(e, 'hello'), t.count(e, 'ciao')], [2, 1, 1]);
}

/** Flink's setCurrentTime(10) then advanceWatermark(10) on a restored service. */
function fireAt10(t: ReturnType<typeof timerHarness>) {
  t.h.setProcessingTime(10);
  t.h.processWatermark(10);
  return t.op.fired.slice().sort();
}

test(C + 'testSnapshotAndRestore', () => {
  const key1 = keyInSubtask(0, 1);
  const key2 = keyInSubtask(0, 1, key1);
  const before = timerHarness();
  registerFour(before, key1, key2);
  const snapshot = before.h.snapshot();
  before.h.close();

  const after = timerHarness(0, 1, [snapshot]);
  assert.deepEqual(fireAt10(after), [`event ${key1}/hello@10`, `event ${key2}/ciao@10`, `processing ${key1}/ciao@10`, `processing ${key2}/hello@10`].sort());
  assert.equal(after.count(after.op.service.eventTimers), 0);
});

test(C + 'testSnapshotAndRebalancingRestore', () => {
  // two keys whose key groups fall in different halves of the range, restored into two subtasks
  const key1 = keyInSubtask(0, 2);
  const key2 = keyInSubtask(1, 2);
  const before = timerHarness();
  registerFour(before, key1, key2);
  // Through the snapshot format, as a checkpoint stores it: the operator's own snapshot is a view
  // read once (the timers as of the barrier), and two subtasks restore from it here.
  const snapshot = decodeSnapshot(encodeSnapshot(before.h.snapshot()));
  before.h.close();

  const first = timerHarness(0, 2, [snapshot]);
  assert.deepEqual(fireAt10(first), [`event ${key1}/hello@10`, `processing ${key1}/ciao@10`]);
  assert.equal(first.count(first.op.service.eventTimers), 0);
  const second = timerHarness(1, 2, [snapshot]);
  assert.deepEqual(fireAt10(second), [`event ${key2}/ciao@10`, `processing ${key2}/hello@10`]);
  assert.equal(second.count(second.op.service.eventTimers), 0);
});

test(C + 'testTimerAssignmentToKeyGroups', () => {
  // 100 key groups, timer i for key i at 10 + i in namespace hello_world_i, in both domains:
  // each timer must sit in its key's key group (read from the snapshot, which stores timers by key group).
  const keyGroups = 100;
  const t = timerHarness(0, 1, [], keyGroups);
  const expected = new Map<number, string[]>();
  for (let i = 0; i < 100; i++) {
    t.at(i);
    t.op.service.registerEventTimeTimer(`hello_world_${i}`, 10 + i);
    t.op.service.registerProcessingTimeTimer(`hello_world_${i}`, 10 + i);
    const kg = keyGroupOf(keyIdOf(i), keyGroups);
    const list = expected.get(kg) ?? [];
    list.push(`e ${i}/hello_world_${i}@${10 + i}`, `p ${i}/hello_world_${i}@${10 + i}`);
    expected.set(kg, list);
  }
  const actual = new Map<number, string[]>();
  for (const [kg, keyId, ns, time, domain] of timerLists(t.h.snapshot().timers!)[0]!) {
    const list = actual.get(kg) ?? [];
    list.push(`${domain} ${String(keyId)}/${String(ns)}@${time}`);
    actual.set(kg, list);
  }
  const sorted = (m: Map<number, string[]>) => [...m].map(([kg, l]) => [kg, l.sort()] as const).sort((a, b) => a[0] - b[0]);
  assert.deepEqual(sorted(actual), sorted(expected));
});
