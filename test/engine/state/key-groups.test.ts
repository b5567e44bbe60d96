/**
 * Key groups are part of every snapshot: state is written and restored by key group, so the
 * mapping key → key group → subtask must never change between versions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hashKeyId, keyGroupOf, keyGroupRangeFor, keyIdOf, subtaskForKeyGroup } from '../../../engine/state/key-groups.ts';

/** Any max parallelism, powers of two (the default 128 among them) often. */
const maxParallelism = fc.oneof(fc.integer({ min: 1, max: 32768 }), fc.constantFrom(...Array.from({ length: 16 }, (_, i) => 2 ** i)));

describe('key groups', () => {
  test('are pinned: the key groups of these keys are what savepoints written so far hold', () => {
    const pinned: [unknown, number, number, number][] = [
      ['user-1', 108, 916, 2796],
      [42, 92, 372, 19804],
      [-7, 99, 827, 8035],
      [3.5, 9, 433, 8457],
      [true, 104, 248, 21352],
      [12345678901234567890n, 125, 165, 9597],
      [['a', 1], 13, 565, 9997],
      [{ b: 2, a: 1 }, 117, 37, 28021],
    ];
    for (const [key, at128, at1000, at32768] of pinned) {
      const id = keyIdOf(key);
      assert.deepEqual([keyGroupOf(id, 128), keyGroupOf(id, 1000), keyGroupOf(id, 32768)], [at128, at1000, at32768], `key ${String(key)}`);
    }
  });

  test('are the key hash modulo max parallelism, for every max parallelism', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string(), fc.double({ noNaN: true })), maxParallelism, (key, maxP) => {
        const id = keyIdOf(key);
        assert.equal(keyGroupOf(id, maxP), hashKeyId(id) % maxP);
      }),
    );
  });

  test('go to the subtask whose range holds them (Flink’s assignment), at every parallelism', () => {
    fc.assert(
      fc.property(maxParallelism, fc.integer({ min: 1, max: 32768 }), fc.nat(), (maxP, p, kgSeed) => {
        const parallelism = Math.min(p, maxP);
        const kg = kgSeed % maxP;
        const subtask = subtaskForKeyGroup(kg, maxP, parallelism);
        assert.equal(subtask, Math.floor((kg * parallelism) / maxP));
        const range = keyGroupRangeFor(subtask, maxP, parallelism);
        assert.ok(range.start <= kg && kg <= range.end, `key group ${kg} not in subtask ${subtask}'s range ${range.start}..${range.end}`);
      }),
    );
  });
});
