/**
 * Full-snapshot cleanup of TTL state (engine/state/ttl-snapshot.ts): a snapshot leaves out what
 * has expired at its barrier, per entry for value state and per element for list and map state,
 * keeps the live state as it is, and its entry counts match its entries through the snapshot
 * format, also while the task changes state during an asynchronous encode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapKeyedStateBackend } from '../../../engine/state/heap-keyed-backend.ts';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../engine/state/descriptors.ts';
import { StateTtlConfig } from '../../../engine/state/ttl.ts';
import type { ListState, MapState, ValueState } from '../../../engine/state/state.ts';
import { decodeSnapshot, encodeSnapshot, encodeSnapshotAsync } from '../../../engine/checkpoint/snapshot-format.ts';

const TTL = 100;

function backendAt(clock: { time: number }, cleanup: boolean) {
  const backend = new HeapKeyedStateBackend(8, { start: 0, end: 7 }, () => clock.time, 'ttl-snapshot-test');
  const b = StateTtlConfig.newBuilder(TTL);
  const ttl = (cleanup ? b.cleanupFullSnapshot() : b).build();
  const value = backend.getState(new ValueStateDescriptor<string>('value').enableTimeToLive(ttl)) as unknown as ValueState<string>;
  const list = backend.getState(new ListStateDescriptor<number>('list').enableTimeToLive(ttl)) as unknown as ListState<number>;
  const map = backend.getState(new MapStateDescriptor<string, number>('map').enableTimeToLive(ttl)) as unknown as MapState<string, number>;
  return { backend, value, list, map };
}

/** Keys 0..9: written at time 0 (odd keys) or 60 (even keys); list and map get one of each. */
function fill(clock: { time: number }, s: ReturnType<typeof backendAt>) {
  for (const time of [0, 60]) {
    clock.time = time;
    for (let k = 0; k < 10; k++) {
      s.backend.setCurrentKey(k);
      if ((k % 2 === 1) === (time === 0)) s.value.update(`v${k}`);
      s.list.add(time);
      s.map.put(`at${time}`, k);
    }
  }
}

/** What a backend restored from `bytes` shows at `time` (expired or not, nothing is touched before). */
function restoredAt(bytes: Uint8Array, time: number, keys = 10) {
  const clock = { time };
  const s = backendAt(clock, false);
  s.backend.restore([decodeSnapshot(bytes).keyed!]);
  const out: Record<number, unknown> = {};
  const entries = s.backend.entryCount();
  for (let k = 0; k < keys; k++) {
    s.backend.setCurrentKey(k);
    out[k] = { value: s.value.value() ?? null, list: s.list.get(), map: Object.fromEntries(s.map.entries()) };
  }
  return { out, entries };
}

test('a cleanup snapshot leaves out expired values, list elements and map entries, and keeps the live state', () => {
  const clock = { time: 0 };
  const s = backendAt(clock, true);
  fill(clock, s);
  clock.time = 120; // expired: what was written at 0; alive: what was written at 60
  const liveBefore = s.backend.entryCount();
  const bytes = encodeSnapshot({ keyed: s.backend.snapshotView() });
  assert.equal(s.backend.entryCount(), liveBefore, 'the live state keeps its expired entries');
  // Restored with the clock set back, nothing expired at the barrier comes back.
  const { out, entries } = restoredAt(bytes, 61);
  for (let k = 0; k < 10; k++) {
    assert.deepStrictEqual(out[k], { value: k % 2 === 0 ? `v${k}` : null, list: [60], map: { at60: k } }, `key ${k}`);
  }
  assert.equal(entries, 5 + 10 + 10);
});

test('without cleanupFullSnapshot a snapshot keeps expired entries', () => {
  const clock = { time: 0 };
  const s = backendAt(clock, false);
  fill(clock, s);
  clock.time = 120;
  const { out } = restoredAt(encodeSnapshot({ keyed: s.backend.snapshotView() }), 61);
  assert.deepStrictEqual(out[1], { value: 'v1', list: [0, 60], map: { at0: 1, at60: 1 } });
});

test('a list or map whose elements all expired is left out whole', () => {
  const clock = { time: 0 };
  const s = backendAt(clock, true);
  s.backend.setCurrentKey('a');
  s.list.add(1);
  s.map.put('x', 1);
  clock.time = 100; // exactly the TTL: expired, as in Flink (expiry time <= now)
  const { keyed } = decodeSnapshot(encodeSnapshot({ keyed: s.backend.snapshotView() }));
  const states = (keyed as { states: Record<string, { entries: unknown[] }> }).states;
  assert.deepStrictEqual(Object.fromEntries(Object.entries(states).map(([n, st]) => [n, st.entries.length])), { value: 0, list: 0, map: 0 });
});

test('changes after the barrier, while the snapshot is encoded in slices, do not change what it keeps', async () => {
  const clock = { time: 0 };
  const s = backendAt(clock, true);
  const keys = 3000;
  for (const time of [0, 60]) {
    clock.time = time;
    for (let k = 0; k < keys; k++) {
      s.backend.setCurrentKey(k);
      if ((k % 2 === 1) === (time === 0)) s.value.update(`v${k}`);
      s.list.add(time);
    }
  }
  clock.time = 120;
  const encoding = encodeSnapshotAsync({ keyed: s.backend.snapshotView() }, { sliceMs: 0 });
  // The task rewrites expired values, clears unexpired ones and moves time on while the snapshot is written.
  let done = false;
  let rounds = 0;
  const task = (async () => {
    for (let round = 0; !done; round = ++rounds) {
      await new Promise((r) => setImmediate(r));
      clock.time = 500 + round;
      for (let j = 0; j < 100; j++) {
        const k = (round * 100 + j) % keys;
        s.backend.setCurrentKey(k);
        if (k % 2) s.value.update('rewritten');
        else s.value.clear();
        s.list.add(-1);
      }
    }
  })();
  const bytes = await encoding;
  done = true;
  await task;
  assert.ok(rounds > 2, `the task changed state between slices (${rounds} rounds)`);
  const { out, entries } = restoredAt(bytes, 61, keys);
  assert.equal(entries, keys / 2 + keys);
  for (let k = 0; k < keys; k++) {
    const o = out[k] as { value: unknown; list: unknown };
    assert.deepStrictEqual([o.value, o.list], [k % 2 === 0 ? `v${k}` : null, [60]], `key ${k}`);
  }
});
