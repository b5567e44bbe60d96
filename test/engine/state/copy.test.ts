import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyValue } from '../../../engine/state/copy.ts';

const scalar = fc.oneof(fc.integer(), fc.double(), fc.bigInt(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined), // Invalid dates are checked on their own below: assert.deepStrictEqual never finds two invalid dates equal.
  fc.date({ noInvalidDate: true }));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object'), tie('map'), tie('set'), tie('typed')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((pairs) => new Map(pairs)),
  set: fc.array(scalar, { maxLength: 4 }).map((xs) => new Set(xs)),
  typed: fc.oneof(fc.float64Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 4 })),
}));

/** Every object reachable from `v`. */
function objects(v: unknown, out = new Set<object>()): Set<object> {
  if (typeof v !== 'object' || v === null || out.has(v)) return out;
  out.add(v);
  if (v instanceof Map) {
    for (const [k, x] of v) {
      objects(k, out);
      objects(x, out);
    }
  }
  else if (v instanceof Set) for (const x of v) objects(x, out);
  else if (!ArrayBuffer.isView(v)) for (const k of Object.keys(v)) objects((v as Record<string, unknown>)[k], out);
  return out;
}

test('a copy equals the value and shares no object with it (property)', () => {
  fc.assert(
    fc.property(value, (v) => {
      const c = copyValue(v);
      assert.deepStrictEqual(c, v);
      const mine = objects(v);
      for (const o of objects(c)) assert.ok(!mine.has(o), 'no object is shared between value and copy');
    }),
    { numRuns: 500 },
  );
});

test('shared objects stay shared, cycles and class instances are copied, functions are left to the encoder', () => {
  const shared = { n: 1 };
  const v = { a: shared, b: [shared] };
  const c = copyValue(v);
  assert.equal(c.a, c.b[0]);
  assert.notEqual(c.a, shared);

  const cyclic: { self?: unknown; n: number } = { n: 1 };
  cyclic.self = cyclic;
  const cc = copyValue(cyclic);
  assert.equal(cc.self, cc);
  assert.notEqual(cc, cyclic);

  class Point {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  assert.deepStrictEqual({ ...(copyValue(new Point(1, 2)) as object) }, { x: 1, y: 2 });

  const withFn = { f: () => 1 };
  assert.equal(copyValue(withFn), withFn, 'returned as it is: the snapshot encoder names the state and key');
  assert.equal(copyValue(5), 5);

  const invalid = new Date(NaN);
  const copied = copyValue({ at: invalid }).at;
  assert.ok(copied instanceof Date && copied !== invalid, 'an invalid date is copied to a new Date');
  assert.ok(Number.isNaN(copied.getTime()), 'and stays invalid');
});
