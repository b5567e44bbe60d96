import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32, crc32Update, decodeSnapshot, encodeSnapshot, SnapshotFormatError, SNAPSHOT_FORMAT_VERSION } from '../../../engine/checkpoint/snapshot-format.ts';
import type { OperatorSnapshot, TimerSnapshot } from '../../../engine/runtime/operator.ts';
import { timerLists } from '../../../engine/runtime/timer-snapshot.ts';
import { HeapKeyedStateBackend } from '../../../engine/state/heap-keyed-backend.ts';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../engine/state/descriptors.ts';
import { keyGroupOf, keyGroupRangeFor, keyIdOf, type KeyId } from '../../../engine/state/key-groups.ts';
import { OperatorStateStore } from '../../../engine/state/operator-state.ts';
import type { ListState, MapState, ValueState } from '../../../engine/state/state.ts';

const text = (s: string) => new TextEncoder().encode(s);

// ----- arbitraries: values as they appear in state ---------------------------------------------

const scalar = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER),
  fc.bigInt(),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  // Invalid dates are checked on their own below: assert.deepStrictEqual never finds two equal.
  fc.date({ noInvalidDate: true }),
);

const { value: stateValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object'), tie('map'), tie('set'), tie('typed')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5, noNullPrototype: true }),
  map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((pairs) => new Map(pairs)),
  set: fc.array(scalar, { maxLength: 4 }).map((xs) => new Set(xs)),
  typed: fc.oneof(
    fc.float64Array({ maxLength: 6 }),
    fc.int32Array({ maxLength: 6 }),
    fc.uint8Array({ maxLength: 6 }),
    fc.bigInt64Array({ maxLength: 4 }),
  ),
}));

const keyId: fc.Arbitrary<KeyId> = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.bigInt(),
  fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 3 }).map((parts) => keyIdOf(parts)),
);
const namespace = fc.oneof(fc.constant(0), fc.integer(), fc.string({ maxLength: 12 }));

const keyedSnapshot = fc.dictionary(
  fc.string({ maxLength: 10 }),
  fc.record({
    kind: fc.constantFrom('value', 'list', 'map', 'reducing', 'aggregating'),
    entries: fc.array(fc.tuple(fc.integer({ min: 0, max: 32767 }), keyId, namespace, stateValue), { maxLength: 12 }),
  }, { noNullPrototype: true }),
  { maxKeys: 3, noNullPrototype: true },
);

const operatorSnapshot = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }).map((s) => '\u0001' + s)),
  fc.record({ mode: fc.constantFrom('list' as const, 'union' as const, 'broadcast' as const), items: fc.array(stateValue, { maxLength: 6 }) }, { noNullPrototype: true }),
  { maxKeys: 3, noNullPrototype: true },
);

const timers = fc.array(
  fc.array(fc.tuple(fc.integer({ min: 0, max: 32767 }), keyId, namespace, fc.double({ noNaN: true }), fc.constantFrom('e' as const, 'p' as const)), { maxLength: 6 }),
  { maxLength: 3 },
);

const snapshot: fc.Arbitrary<OperatorSnapshot> = fc.record(
  { keyed: keyedSnapshot.map((states) => ({ states })), operator: operatorSnapshot.map((lists) => ({ lists })), timers },
  { requiredKeys: [], noNullPrototype: true },
);

// ----- round trips ---------------------------------------------------------------------------

test('state-like values round-trip: Maps, Sets, bigints, Dates, typed arrays, nested objects (property)', () => {
  fc.assert(
    fc.property(snapshot, (snap) => {
      assert.deepStrictEqual(decodeSnapshot(encodeSnapshot(snap)), snap);
    }),
    { numRuns: 300 },
  );
});

test('an invalid date round-trips as an invalid date', () => {
  const snap: OperatorSnapshot = { operator: { lists: { dates: { mode: 'list', items: [new Date(NaN), new Date(0)] } } } };
  const items = decodeSnapshot(encodeSnapshot(snap)).operator!.lists.dates!.items as Date[];
  assert.ok(items[0] instanceof Date && Number.isNaN(items[0].getTime()), String(items[0]));
  assert.equal(items[1]!.getTime(), 0);
});

test('a key-group range keeps exactly the entries and timers of those groups (property)', () => {
  fc.assert(
    fc.property(snapshot, fc.integer({ min: 0, max: 32767 }), fc.integer({ min: 0, max: 4000 }), (snap, start, width) => {
      const range = { start, end: start + width };
      const inRange = ([kg]: [number, ...unknown[]]) => kg >= range.start && kg <= range.end;
      const expected: OperatorSnapshot = { ...snap };
      if (snap.keyed) {
        expected.keyed = {
          states: Object.fromEntries(Object.entries(snap.keyed.states).map(([name, s]) => [name, { kind: s.kind, entries: s.entries.filter(inRange) }])),
        };
      }
      if (snap.timers) expected.timers = timerLists(snap.timers).map((list) => list.filter(inRange));
      assert.deepStrictEqual(decodeSnapshot(encodeSnapshot(snap), { keyGroupRange: range }), expected);
    }),
    { numRuns: 200 },
  );
});

test('a snapshot of a real heap backend and operator state restores the same state', () => {
  const maxP = 128;
  const backend = new HeapKeyedStateBackend(maxP, keyGroupRangeFor(0, maxP, 1), () => 0, 'test');
  const count = backend.getState<ValueState<number> & any>(new ValueStateDescriptor<number>('count', 0));
  const seen = backend.getState<MapState<string, Date> & any>(new MapStateDescriptor<string, Date>('seen'));
  const events = backend.getState<ListState<{ id: bigint; tags: Set<string> }> & any>(new ListStateDescriptor('events'));
  for (let i = 0; i < 500; i++) {
    backend.setCurrentKey(i % 3 === 0 ? ['user', i] : `user-${i}`);
    count.update(i);
    seen.put(`page-${i % 7}`, new Date(1_700_000_000_000 + i));
    events.add({ id: BigInt(i) * 10n ** 12n, tags: new Set(['a', String(i)]) });
  }
  const store = new OperatorStateStore();
  store.getListState<number>('offsets').push(1, 2, 3);
  store.getBroadcastState<string, number[]>('rules').set('r1', [1, 2]);

  const snap: OperatorSnapshot = { keyed: backend.snapshot(), operator: store.snapshot()! };
  const decoded = decodeSnapshot(encodeSnapshot(snap));
  assert.deepStrictEqual(decoded, snap);

  // Restored at parallelism 2, each half holds the keys of its key groups.
  for (const subtask of [0, 1]) {
    const range = keyGroupRangeFor(subtask, maxP, 2);
    const restored = new HeapKeyedStateBackend(maxP, range, () => 0, 'restored');
    restored.restore([decodeSnapshot(encodeSnapshot(snap), { keyGroupRange: range }).keyed!]);
    const c = restored.getState<ValueState<number> & any>(new ValueStateDescriptor<number>('count', 0));
    for (let i = 0; i < 500; i++) {
      const key = i % 3 === 0 ? ['user', i] : `user-${i}`;
      const mine = keyGroupOf(keyIdOf(key), maxP) >= range.start && keyGroupOf(keyIdOf(key), maxP) <= range.end;
      restored.setCurrentKey(key);
      assert.equal(c.value(), mine ? i : 0);
    }
  }
});

test('large snapshots (own buffer, grown by estimate) round-trip, including values far above the average', () => {
  const entries: [number, KeyId, number, unknown][] = [];
  for (let i = 0; i < 50_000; i++) entries.push([i % 128, `k${i}`, 0, i % 10_000 === 0 ? 'x'.repeat(200_000) : { n: i, s: 'v'.repeat(i % 300) }]);
  const items = Array.from({ length: 5000 }, (_, i) => ({ offset: i, split: `file-${i}.csv` }));
  const snap: OperatorSnapshot = { keyed: { states: { s: { kind: 'value', entries } } }, operator: { lists: { splits: { mode: 'list', items } } } };
  const bytes = encodeSnapshot(snap);
  assert.deepStrictEqual(decodeSnapshot(bytes), snap);
});

test('fields a newer engine adds to snapshots are carried, not dropped', () => {
  const snap = { keyed: { states: {} }, sourcePosition: { file: 'a.csv', offset: 123n } } as unknown as OperatorSnapshot;
  assert.deepStrictEqual(decodeSnapshot(encodeSnapshot(snap)), snap);
});

test('state names and keys that look like object internals survive', () => {
  // JSON.parse makes '__proto__' an own property, as a state named so would be.
  const snap = JSON.parse(
    '{"keyed":{"states":{"__proto__":{"kind":"value","entries":[[1,"__proto__","constructor",{"__proto__":1}]]}}},' +
      '"operator":{"lists":{"__proto__":{"mode":"union","items":[1]}}}}',
  ) as OperatorSnapshot;
  const decoded = decodeSnapshot(encodeSnapshot(snap));
  assert.deepStrictEqual(Object.keys(decoded.keyed!.states), ['__proto__']);
  assert.equal(Object.getPrototypeOf(decoded.keyed!.states), Object.prototype);
  assert.deepStrictEqual(decoded.keyed!.states['__proto__']!.entries[0]!.slice(0, 3), [1, '__proto__', 'constructor']);
  assert.deepStrictEqual(Object.keys(decoded.operator!.lists), ['__proto__']);
});

test('an empty snapshot is a header and an end marker', () => {
  const bytes = encodeSnapshot({});
  assert.equal(bytes.length, 9);
  assert.deepStrictEqual([...bytes.subarray(0, 4)], [...text('WSNP')]);
  assert.equal(bytes[4]! | (bytes[5]! << 8), SNAPSHOT_FORMAT_VERSION);
  assert.deepStrictEqual(decodeSnapshot(bytes), {});
});

// ----- values that cannot be stored ---------------------------------------------------------

test('a value that cannot be stored names the state and the key', () => {
  const snap: OperatorSnapshot = { keyed: { states: { sessions: { kind: 'value', entries: [[3, 'alice', 0, { onClose: () => 1 }]] } } } };
  assert.throws(() => encodeSnapshot(snap), (e: Error) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /keyed state 'sessions' of key "alice"/);
    assert.match(e.message, /function cannot be stored in state/);
    return true;
  });
  assert.throws(() => encodeSnapshot({ operator: { lists: { handles: { mode: 'list', items: [1, new WeakMap()] } } } }), /operator state 'handles' item 1: A WeakMap/);
  assert.throws(() => encodeSnapshot({ keyed: { states: { s: { kind: 'value', entries: [[40000, 'k', 0, 1]] } } } }), /key group 40000 is not an integer in \[0, 32768\)/);
});

// ----- damaged input --------------------------------------------------------------------------

function sample(): Uint8Array {
  const timerList: TimerSnapshot[] = [[7, 'k', 5, 1000, 'e']];
  return encodeSnapshot({
    keyed: { states: { count: { kind: 'value', entries: [[7, 'k', 0, 41], [9, 'm', 0, { deep: new Map([[1, [2, 3]]]) }]] } } },
    operator: { lists: { offsets: { mode: 'list', items: [1, 2, 3] } } },
    timers: [timerList],
  });
}

function decodeError(bytes: Uint8Array, label?: string): SnapshotFormatError {
  try {
    decodeSnapshot(bytes, label ? { label } : {});
  } catch (e) {
    assert.ok(e instanceof SnapshotFormatError, `expected a SnapshotFormatError, got ${String(e)}`);
    return e;
  }
  assert.fail('decoding should have failed');
}

test('bad magic, an unsupported version and a foreign file are named', () => {
  assert.match(decodeError(text('{"version":1,"kind":"checkpoint"}')).message, /not a Weir state snapshot: bad magic 0x7b227665/);
  const future = sample();
  future[4] = 2;
  assert.match(decodeError(future).message, /unsupported snapshot format version 2 \(this build reads version 1\)/);
  assert.match(decodeError(new Uint8Array(3)).message, /truncated: 3 bytes, shorter than the 8-byte header/);
  assert.match(decodeError(text('PK\u0003\u0004 a zip file'), 'chk-3/map-1/0.state').message, /^chk-3\/map-1\/0\.state: not a Weir state snapshot/);
  const flagged = sample();
  flagged[7] = 0x80;
  assert.match(decodeError(flagged).message, /unsupported snapshot flags 0x8001/);
});

test('every truncation is reported as truncated or corrupt, never decoded silently', () => {
  const bytes = sample();
  for (let n = 0; n < bytes.length; n++) {
    const e = decodeError(bytes.subarray(0, n), 'chk-3/map-1/0.state');
    assert.match(e.message, /^chk-3\/map-1\/0\.state: (snapshot truncated|not a Weir)/, `cut at ${n}: ${e.message}`);
  }
});

test('a flipped byte is an error or decodes to something different, never a crash of another kind (property)', () => {
  const bytes = sample();
  const original = decodeSnapshot(bytes);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
      const damaged = bytes.slice();
      damaged[at]! ^= flip;
      try {
        const decoded = decodeSnapshot(damaged);
        // Some flips only change a value (a digit of a number); storage's CRC catches those.
        assert.notDeepStrictEqual(decoded, original);
      } catch (e) {
        assert.ok(e instanceof SnapshotFormatError, `flip at ${at}: ${String(e)}`);
      }
    }),
    { numRuns: 500 },
  );
});

test('corrupt sections say which section, state and entry', () => {
  const bytes = encodeSnapshot({ keyed: { states: { count: { kind: 'value', entries: [[1, 'a', 0, 1], [2, 'b', 0, 2]] } } } });
  // The second entry's value tag (the last byte before the end marker) becomes an unknown tag.
  const damaged = bytes.slice();
  damaged[damaged.length - 3] = 0xee;
  assert.match(decodeError(damaged).message, /corrupt snapshot: keyed section, keyed state 'count' .*bad value tag 238/);
  const trailing = new Uint8Array([...bytes, 0]);
  assert.match(decodeError(trailing).message, /corrupt snapshot: 1 bytes after the end marker/);
});

// ----- CRC-32 ---------------------------------------------------------------------------------

test('crc32 matches the standard check values and is incremental', () => {
  assert.equal(crc32(text('123456789')), 'cbf43926');
  assert.equal(crc32(new Uint8Array(0)), '00000000');
  assert.equal(crc32(text('The quick brown fox jumps over the lazy dog')), '414fa339');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(100), (bytes, cut) => {
      const at = Math.min(cut, bytes.length);
      const whole = crc32(bytes);
      const parts = crc32Update(crc32Update(0, bytes.subarray(0, at)), bytes.subarray(at)).toString(16).padStart(8, '0');
      assert.equal(parts, whole);
      assert.equal(whole, bitwiseCrc32(bytes));
    }),
  );
});

/** The textbook bit-at-a-time CRC-32, as a reference for the table-driven one. */
function bitwiseCrc32(bytes: Uint8Array): string {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}
