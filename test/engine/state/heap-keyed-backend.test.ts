import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapKeyedStateBackend } from '../../../engine/state/heap-keyed-backend.ts';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../engine/state/descriptors.ts';
import { StateTtlConfig } from '../../../engine/state/ttl.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../../../engine/state/state.ts';
import { keyGroupRangeFor } from '../../../engine/state/key-groups.ts';

function backend(clock = { t: 0 }, subtask = 0, parallelism = 1, maxP = 128) {
  return new HeapKeyedStateBackend(maxP, keyGroupRangeFor(subtask, maxP, parallelism), () => clock.t, 'test');
}

test('value state is scoped to the current key and has a default', () => {
  const b = backend();
  const s = b.getState<ValueState<number> & any>(new ValueStateDescriptor<number>('count', 0));
  b.setCurrentKey('a');
  assert.equal(s.value(), 0);
  s.update(5);
  b.setCurrentKey('b');
  assert.equal(s.value(), 0);
  s.update(7);
  b.setCurrentKey('a');
  assert.equal(s.value(), 5);
  s.clear();
  assert.equal(s.value(), 0);
  b.setCurrentKey('b');
  assert.equal(s.value(), 7);
});

test('composite keys with equal content share state', () => {
  const b = backend();
  const s = b.getState<ValueState<string> & any>(new ValueStateDescriptor<string>('v'));
  b.setCurrentKey(['u1', 'page']);
  s.update('x');
  b.setCurrentKey(['u1', 'page']);
  assert.equal(s.value(), 'x');
  b.setCurrentKey({ b: 2, a: 1 });
  s.update('obj');
  b.setCurrentKey({ a: 1, b: 2 });
  assert.equal(s.value(), 'obj');
});

test('list, map, reducing and aggregating state', () => {
  const b = backend();
  const list = b.getState<ListState<number> & any>(new ListStateDescriptor<number>('l'));
  const map = b.getState<MapState<string, number> & any>(new MapStateDescriptor<string, number>('m'));
  const red = b.getState<ReducingState<number> & any>(new ReducingStateDescriptor<number>('r', (x, y) => x + y));
  const agg = b.getState<AggregatingState<number, number> & any>(
    new AggregatingStateDescriptor<number, { s: number; n: number }, number>('a', {
      createAccumulator: () => ({ s: 0, n: 0 }),
      add: (v, acc) => ({ s: acc.s + v, n: acc.n + 1 }),
      getResult: (acc) => acc.s / acc.n,
      merge: (x, y) => ({ s: x.s + y.s, n: x.n + y.n }),
    }),
  );
  b.setCurrentKey(1);
  assert.deepEqual(list.get(), []);
  list.add(1);
  list.addAll([2, 3]);
  assert.deepEqual(list.get(), [1, 2, 3]);
  list.update([9]);
  assert.deepEqual(list.get(), [9]);
  map.put('x', 1);
  map.put('y', 2);
  assert.equal(map.get('x'), 1);
  assert.ok(map.contains('y'));
  map.remove('x');
  assert.deepEqual(map.entries(), [['y', 2]]);
  assert.equal(map.isEmpty(), false);
  assert.equal(red.get(), undefined);
  red.add(3);
  red.add(4);
  assert.equal(red.get(), 7);
  agg.add(10);
  agg.add(20);
  assert.equal(agg.get(), 15);
  b.setCurrentKey(2);
  assert.deepEqual(list.get(), []);
  assert.equal(map.isEmpty(), true);
  assert.equal(red.get(), undefined);
  assert.equal(agg.get(), undefined);
});

test('the same state name with another kind is an error naming the state', () => {
  const b = backend();
  b.getState(new ValueStateDescriptor<number>('s'));
  assert.throws(() => b.getState(new ListStateDescriptor<number>('s')), /state 's' is already registered as value state/);
});

test('TTL: OnCreateAndWrite expires after the ttl since the last write; reads do not extend it', () => {
  const clock = { t: 1000 };
  const b = backend(clock);
  const d = new ValueStateDescriptor<string>('v').enableTimeToLive(StateTtlConfig.newBuilder(100).build());
  const s = b.getState<ValueState<string> & any>(d);
  b.setCurrentKey('k');
  s.update('hello');
  clock.t = 1050;
  assert.equal(s.value(), 'hello');
  clock.t = 1099;
  assert.equal(s.value(), 'hello');
  clock.t = 1100;
  assert.equal(s.value(), undefined);
  assert.equal(b.entryCount(), 0, 'an expired entry is removed when read');
});

test('TTL: OnReadAndWrite extends on read; ReturnExpiredIfNotCleanedUp returns the stale value once', () => {
  const clock = { t: 0 };
  const b = backend(clock);
  const s = b.getState<ValueState<number> & any>(
    new ValueStateDescriptor<number>('v').enableTimeToLive(StateTtlConfig.newBuilder(100).updateTtlOnReadAndWrite().build()),
  );
  b.setCurrentKey('k');
  s.update(1);
  clock.t = 90;
  assert.equal(s.value(), 1);
  clock.t = 180;
  assert.equal(s.value(), 1, 'the read at 90 extended the ttl to 190');
  const stale = b.getState<ValueState<number> & any>(
    new ValueStateDescriptor<number>('stale').enableTimeToLive(StateTtlConfig.newBuilder(10).returnExpiredIfNotCleanedUp().build()),
  );
  stale.update(5);
  clock.t = 500;
  assert.equal(stale.value(), 5, 'expired but not cleaned up yet');
  assert.equal(stale.value(), undefined, 'the first read cleaned it up');
});

test('TTL on list and map state applies per element', () => {
  const clock = { t: 0 };
  const b = backend(clock);
  const ttl = StateTtlConfig.newBuilder(100).build();
  const list = b.getState<ListState<string> & any>(new ListStateDescriptor<string>('l').enableTimeToLive(ttl));
  const map = b.getState<MapState<string, number> & any>(new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl));
  b.setCurrentKey('k');
  list.add('old');
  map.put('old', 1);
  clock.t = 60;
  list.add('new');
  map.put('new', 2);
  clock.t = 120;
  assert.deepEqual(list.get(), ['new']);
  assert.deepEqual(map.entries(), [['new', 2]]);
  clock.t = 200;
  assert.deepEqual(list.get(), []);
  assert.equal(map.isEmpty(), true);
});

test('snapshots restore by key group into any parallelism', () => {
  const maxP = 16;
  const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
  const src = backend({ t: 0 }, 0, 1, maxP);
  const s = src.getState<ValueState<number> & any>(new ValueStateDescriptor<number>('v'));
  keys.forEach((k, i) => {
    src.setCurrentKey(k);
    s.update(i);
  });
  const snap = src.snapshot();
  for (const parallelism of [1, 3, 5]) {
    const seen = new Map<string, number>();
    for (let sub = 0; sub < parallelism; sub++) {
      const b = backend({ t: 0 }, sub, parallelism, maxP);
      b.restore([snap]);
      const st = b.getState<ValueState<number> & any>(new ValueStateDescriptor<number>('v'));
      for (const k of b.keysOf('v') as string[]) {
        assert.ok(!seen.has(k), `key ${k} restored twice`);
        b.setCurrentKey(k);
        seen.set(k, st.value());
      }
    }
    assert.equal(seen.size, keys.length, `parallelism ${parallelism} restores every key once`);
    keys.forEach((k, i) => assert.equal(seen.get(k), i));
  }
});
