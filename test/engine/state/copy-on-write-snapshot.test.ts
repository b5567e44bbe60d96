import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HeapKeyedStateBackend } from '../../../engine/state/heap-keyed-backend.ts';
import { AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../engine/state/descriptors.ts';
import type { AggregatingState, ListState, MapState, ValueState } from '../../../engine/state/state.ts';
import type { InternalState } from '../../../engine/state/heap-states.ts';
import type { KeyedStateEntries, KeyedStateView } from '../../../engine/state/keyed-snapshot.ts';
import type { NamespaceKey } from '../../../engine/state/state-table.ts';
import { decodeSnapshot, encodeSnapshot, encodeSnapshotAsync, type EncodeProgress } from '../../../engine/checkpoint/snapshot-format.ts';

// A small max parallelism so that key groups hold several keys each.
const MAX_P = 8;

interface Acc {
  sum: number;
  count: number;
}

/** A backend with one state of each kind, and the operations the property tests apply to it. */
function harness() {
  const backend = new HeapKeyedStateBackend(MAX_P, { start: 0, end: MAX_P - 1 }, () => 0, 'cow-test');
  const value = backend.getState(new ValueStateDescriptor<{ n: number }>('value')) as unknown as ValueState<{ n: number }> & InternalState;
  const list = backend.getState(new ListStateDescriptor<number>('list')) as unknown as ListState<number> & InternalState;
  const map = backend.getState(new MapStateDescriptor<string, number>('map')) as unknown as MapState<string, number> & InternalState;
  // The accumulator is changed in place and not written back: the hot path of window aggregates.
  const agg = backend.getState(
    new AggregatingStateDescriptor<number, Acc, number>('agg', {
      createAccumulator: () => ({ sum: 0, count: 0 }),
      add: (x, acc) => {
        acc.sum += x;
        acc.count++;
        return acc;
      },
      getResult: (acc) => acc.sum / acc.count,
      merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
    }),
  ) as unknown as AggregatingState<number, number> & InternalState;
  const apply = (c: Command): void => {
    backend.setCurrentKey(c.key);
    for (const s of [value, list, map, agg]) s.setCurrentNamespace(c.ns);
    switch (c.op) {
      case 'set':
        value.update({ n: c.x });
        break;
      case 'bump': {
        // Changes the stored object in place, without update(): the snapshot must not see it.
        const v = value.value();
        if (v) v.n += c.x;
        break;
      }
      case 'clear':
        value.clear();
        list.clear();
        break;
      case 'listAdd':
        list.add(c.x);
        break;
      case 'mapPut':
        map.put(`k${c.x % 3}`, c.x);
        break;
      case 'mapRemove':
        map.remove(`k${c.x % 3}`);
        break;
      case 'aggAdd':
        agg.add(c.x);
        break;
      case 'aggClear':
        agg.clear();
        break;
    }
  };
  return { backend, apply };
}

type Command = { op: 'set' | 'bump' | 'clear' | 'listAdd' | 'mapPut' | 'mapRemove' | 'aggAdd' | 'aggClear'; key: string | number; ns: NamespaceKey; x: number };

const command: fc.Arbitrary<Command> = fc.record({
  op: fc.constantFrom('set', 'bump', 'clear', 'listAdd', 'mapPut', 'mapRemove', 'aggAdd', 'aggClear'),
  key: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }).map((i) => `user-${i}`)),
  ns: fc.constantFrom<NamespaceKey>(0, 'w1', 2000),
  x: fc.integer({ min: 1, max: 100 }),
});

/** Entries in a canonical order, so two snapshots compare regardless of iteration order. */
function canonical(keyed: KeyedStateEntries): [string, string, unknown][] {
  const out: [string, string, unknown][] = [];
  for (const [name, { entries }] of Object.entries(keyed.states)) {
    // Copied: the entries of `toEntries()` share the live objects.
    for (const [kg, key, ns, value] of entries) out.push([name, `${kg}|${typeof key}:${String(key)}|${typeof ns}:${String(ns)}`, structuredClone(value)]);
  }
  return out.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : a[0] + a[1] > b[0] + b[1] ? 1 : 0));
}

/** Reads a view in steps of `budgets` (cycled), running `between` before each step. */
function readInSteps(view: KeyedStateView, budgets: number[], between: (step: number) => void): KeyedStateEntries {
  const states: KeyedStateEntries['states'] = {};
  let step = 0;
  view.stateInfo.forEach((info, i) => {
    const entries: KeyedStateEntries['states'][string]['entries'] = [];
    states[info.name] = { kind: info.kind, entries };
    for (;;) {
      between(step);
      // Copied as visited: the live objects may change after the visit, which is allowed.
      const done = view.step(i, budgets[step % budgets.length]!, (kg, key, ns, v) => entries.push([kg, key, ns, structuredClone(v)]));
      step++;
      if (done) break;
    }
  });
  return { states };
}

test('a snapshot read in steps while the state changes equals the state at the barrier (property)', () => {
  fc.assert(
    fc.property(
      fc.array(command, { maxLength: 120 }),
      fc.array(fc.array(command, { maxLength: 12 }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
      (before, during, budgets) => {
        const { backend, apply } = harness();
        before.forEach(apply);
        // The state at the barrier, read at once (nothing can change it meanwhile).
        const atBarrier = canonical(backend.snapshotView().toEntries());
        const view = backend.snapshotView();
        let steps = 0;
        const read = readInSteps(view, budgets, (step) => {
          steps++;
          during[step % during.length]!.forEach(apply);
        });
        assert.deepStrictEqual(canonical(read), atBarrier);

        // Copy-on-write never changes what the task sees: the same commands without a snapshot.
        const other = harness();
        before.forEach(other.apply);
        for (let s = 0; s < steps; s++) during[s % during.length]!.forEach(other.apply);
        assert.deepStrictEqual(canonical(backend.snapshot()), canonical(other.backend.snapshot()));
      },
    ),
    { numRuns: 300 },
  );
});

test('two snapshots pending at once each see their own barrier (property)', () => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 80 }), fc.array(command, { maxLength: 40 }), fc.array(command, { maxLength: 40 }), (before, middle, after) => {
      const { backend, apply } = harness();
      before.forEach(apply);
      const first = canonical(backend.snapshotView().toEntries());
      const a = backend.snapshotView();
      middle.forEach(apply);
      const second = canonical(backend.snapshotView().toEntries());
      const b = backend.snapshotView();
      let i = 0;
      const next = () => {
        const c = after[i++];
        if (c) apply(c);
      };
      const readB = readInSteps(b, [2], next);
      const readA = readInSteps(a, [3], next);
      assert.deepStrictEqual(canonical(readA), first);
      assert.deepStrictEqual(canonical(readB), second);
    }),
    { numRuns: 200 },
  );
});

test('an asynchronous encode, with the task changing state between its slices, stores the state at the barrier', async () => {
  const { backend, apply } = harness();
  for (let k = 0; k < 3000; k++) {
    apply({ op: 'set', key: `user-${k}`, ns: 0, x: k });
    apply({ op: 'listAdd', key: k, ns: 'w1', x: k });
    apply({ op: 'aggAdd', key: k, ns: 2000, x: k });
  }
  const atBarrier = canonical(backend.snapshotView().toEntries());
  const progress: EncodeProgress = { slices: 0, longestSliceMs: 0 };
  const encoding = encodeSnapshotAsync({ keyed: backend.snapshotView() }, { sliceMs: 0, progress });
  // The "task": keeps changing, removing and adding entries on every turn until the encode ends.
  let done = false;
  let turns = 0;
  const task = (async () => {
    for (let k = 0; !done; k++) {
      await new Promise((r) => setImmediate(r));
      turns++;
      for (let j = 0; j < 50; j++) {
        const key = (k * 50 + j) % 3500;
        apply({ op: 'bump', key: `user-${key}`, ns: 0, x: 1 });
        apply({ op: j % 2 ? 'clear' : 'listAdd', key, ns: 'w1', x: 7 });
        apply({ op: 'aggAdd', key, ns: 2000, x: 1 });
        apply({ op: 'set', key: `new-${k}-${j}`, ns: 0, x: 1 });
      }
    }
  })();
  const bytes = await encoding;
  done = true;
  await task;
  assert.ok(progress.slices > 5, `the encode was spread over turns (${progress.slices} slices)`);
  assert.ok(turns > 5, `the task ran between slices (${turns} turns)`);
  assert.deepStrictEqual(canonical(decodeSnapshot(bytes).keyed as KeyedStateEntries), atBarrier);
  // And the same bytes as a synchronous encode of that state would have given, entry for entry.
  const again = harness();
  again.backend.restore([decodeSnapshot(bytes).keyed!]);
  assert.deepStrictEqual(canonical(decodeSnapshot(encodeSnapshot({ keyed: again.backend.snapshotView() })).keyed as KeyedStateEntries), atBarrier);
});

test('a released snapshot stops copying, and encoding releases its view even when a value cannot be stored', async () => {
  const { backend, apply } = harness();
  for (let k = 0; k < 20; k++) apply({ op: 'set', key: k, ns: 0, x: k });
  const view = backend.snapshotView();
  view.release();
  apply({ op: 'bump', key: 3, ns: 0, x: 100 });
  const value = backend.getState(new ValueStateDescriptor<unknown>('value')) as unknown as ValueState<unknown>;
  backend.setCurrentKey(5);
  value.update({ f: () => 1 });
  await assert.rejects(encodeSnapshotAsync({ keyed: backend.snapshotView() }), /Cannot checkpoint keyed state 'value' of key 5: .*function/i);
  // Nothing is pending any more: the state reads and writes as usual, and a new snapshot works.
  value.update({ n: 1 });
  const entries = canonical(decodeSnapshot(await encodeSnapshotAsync({ keyed: backend.snapshotView() })).keyed as KeyedStateEntries);
  assert.equal(entries.length, 20);
  assert.deepStrictEqual(entries.find(([, id]) => id.endsWith('|number:3|number:0'))![2], { n: 103 });
});

test('restore decodes only its own key groups, straight from the bytes (lazy keyed section)', () => {
  const { backend, apply } = harness();
  for (let k = 0; k < 200; k++) {
    apply({ op: 'set', key: `user-${k}`, ns: 0, x: k });
    apply({ op: 'mapPut', key: `user-${k}`, ns: 'w1', x: k });
  }
  const bytes = encodeSnapshot({ keyed: backend.snapshotView() });
  const all = canonical(backend.snapshot());
  const restored: [string, string, unknown][] = [];
  for (const [start, end] of [
    [0, 2],
    [3, 5],
    [6, 7],
  ] as const) {
    const part = new HeapKeyedStateBackend(MAX_P, { start, end }, () => 0, 'cow-test');
    part.restore([decodeSnapshot(bytes, { lazyKeyed: true }).keyed!]);
    const mine = canonical(part.snapshot());
    for (const [, id] of mine) {
      const kg = Number(id.split('|')[0]);
      assert.ok(kg >= start && kg <= end, `key group ${kg} restored into [${start}, ${end}]`);
    }
    restored.push(...mine);
  }
  assert.deepStrictEqual(restored.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1)), all);
});

test('a lazily restored backend behaves like an eagerly restored one, also under a snapshot taken before its key groups are decoded (property)', () => {
  fc.assert(
    fc.property(
      fc.array(command, { maxLength: 150 }),
      fc.array(command, { maxLength: 20 }),
      fc.array(fc.array(command, { maxLength: 6 }), { minLength: 1, maxLength: 20 }),
      (before, touch, during) => {
        const source = harness();
        before.forEach(source.apply);
        const bytes = encodeSnapshot({ keyed: source.backend.snapshotView() });
        const lazy = harness();
        lazy.backend.restore([decodeSnapshot(bytes, { lazyKeyed: true }).keyed!]);
        const eager = harness();
        eager.backend.restore([decodeSnapshot(bytes).keyed!]);
        // Some key groups get decoded by use, the others stay encoded across the barrier.
        touch.forEach(lazy.apply);
        touch.forEach(eager.apply);
        const atBarrier = canonical(eager.backend.snapshot());
        const view = lazy.backend.snapshotView();
        let steps = 0;
        const read = readInSteps(view, [3], (step) => {
          steps++;
          during[step % during.length]!.forEach(lazy.apply);
        });
        assert.deepStrictEqual(canonical(read), atBarrier);
        for (let s = 0; s < steps; s++) during[s % during.length]!.forEach(eager.apply);
        assert.deepStrictEqual(canonical(lazy.backend.snapshot()), canonical(eager.backend.snapshot()));
        assert.equal(lazy.backend.entryCount(), eager.backend.entryCount());
      },
    ),
    { numRuns: 200 },
  );
});

test('a restore indexes key groups without decoding them; entries not grouped by key group (older writers) are decoded at once', () => {
  const { backend, apply } = harness();
  for (let k = 0; k < 2000; k++) apply({ op: 'set', key: `user-${k}`, ns: 0, x: k });
  const grouped = encodeSnapshot({ keyed: backend.snapshotView() });
  const entries = backend.snapshot();
  // Shuffled (deterministically): what a writer that did not group by key group produced.
  const list = entries.states['value']!.entries;
  for (let i = list.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  const shuffled = encodeSnapshot({ keyed: entries });
  for (const bytes of [grouped, shuffled]) {
    const restored = new HeapKeyedStateBackend(MAX_P, { start: 0, end: MAX_P - 1 }, () => 0, 'cow-test');
    restored.restore([decodeSnapshot(bytes, { lazyKeyed: true }).keyed!]);
    assert.equal(restored.entryCount(), 2000);
    assert.deepStrictEqual(canonical(restored.snapshot()), canonical(backend.snapshot()));
  }
  const indexed = new HeapKeyedStateBackend(MAX_P, { start: 0, end: MAX_P - 1 }, () => 0, 'cow-test');
  indexed.restore([decodeSnapshot(grouped, { lazyKeyed: true }).keyed!]);
  const value = indexed.getState(new ValueStateDescriptor<{ n: number }>('value')) as unknown as ValueState<{ n: number }>;
  indexed.setCurrentKey('user-7');
  assert.deepStrictEqual(value.value(), { n: 7 }, 'a key group is decoded on first use');
});
