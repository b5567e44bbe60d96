import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeElement, ElementEncoder, encodeElement } from '../../../../engine/runtime/network/codec/element-codec.ts';
import { CodecError } from '../../../../engine/runtime/network/codec/byte-reader.ts';
import { describeShape, mergeShapes, parseShape, shapeOf } from '../../../../engine/runtime/network/codec/shape.ts';
import { STRING_CHUNK_UNITS } from '../../../../engine/runtime/network/codec/columns.ts';
import type { RecordBatch, StreamElement } from '../../../../engine/runtime/elements.ts';

function batch(values: unknown[], timestamps?: number[]): RecordBatch {
  return { kind: 'records', values, timestamps: timestamps ?? values.map((_, i) => 1_700_000_000_000 + i) };
}

/**
 * Encodes with a fresh encoder three times (the first sighting of a shape goes tagged, the
 * second compiles it, the third reuses the shape remembered from the batch before) and checks
 * that every encoding decodes to the original.
 */
function roundTrip(element: StreamElement): StreamElement {
  const encoder = new ElementEncoder();
  let decoded: StreamElement | undefined;
  for (let i = 0; i < 3; i++) {
    decoded = decodeElement(encoder.encode(element));
    assert.deepStrictEqual(decoded, element);
  }
  return decoded!;
}

/** True when the encoding names `shape` as the shape of a typed segment. */
function usesShape(element: StreamElement, shape: string): boolean {
  const encoder = new ElementEncoder();
  encoder.encode(element);
  const bytes = encoder.encode(element);
  return Buffer.from(bytes).includes(Buffer.from(shape));
}

test('control events round-trip, including infinite watermarks', () => {
  const events: StreamElement[] = [
    { kind: 'watermark', timestamp: 1234.5 },
    { kind: 'watermark', timestamp: Number.POSITIVE_INFINITY },
    { kind: 'watermark', timestamp: Number.NEGATIVE_INFINITY },
    { kind: 'status', idle: true },
    { kind: 'status', idle: false },
    { kind: 'barrier', checkpointId: 42, timestamp: 1_700_000_000_000, savepoint: false, aligned: true },
    { kind: 'barrier', checkpointId: 2 ** 40, timestamp: 7, savepoint: true, aligned: false },
    { kind: 'end' },
  ];
  for (const e of events) assert.deepStrictEqual(decodeElement(encodeElement(e)), e);
  assert.equal(encodeElement({ kind: 'end' }).length, 1);
});

test('empty batches and one-record batches round-trip', () => {
  roundTrip(batch([]));
  roundTrip(batch([{ a: 1 }]));
  roundTrip(batch([42]));
});

test('timestamps: none, all equal, each, ±Infinity and NaN', () => {
  const values = [1, 2, 3];
  roundTrip(batch(values, [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]));
  roundTrip(batch(values, [5, 5, 5]));
  roundTrip(batch(values, [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]));
  roundTrip(batch(values, [Number.NEGATIVE_INFINITY, 0, Number.POSITIVE_INFINITY]));
  roundTrip(batch(values, [0, -0, 0]));
  roundTrip(batch(values, [NaN, 1.5, NaN]));
  // All NO_TIMESTAMP costs one byte for the whole batch.
  const none = encodeElement(batch(values, values.map(() => Number.NEGATIVE_INFINITY)));
  const each = encodeElement(batch(values, [1, 2, 3]));
  assert.equal(each.length - none.length, 3 * 8);
});

test('small records take the typed path, column by column', () => {
  const values = Array.from({ length: 512 }, (_, i) => ({ key: `user-${i % 100}`, ts: 1_700_000_000_000 + i, value: 42.5 }));
  const element = batch(values);
  roundTrip(element);
  assert.ok(usesShape(element, '{"key":s,"ts":n,"value":n}'));
  const encoder = new ElementEncoder();
  encoder.encode(element);
  const bytes = encoder.encode(element).length;
  // key ~9 bytes (8 text + 1 length), ts 8, value 8 (f64), timestamp 8: about 33 bytes per record.
  assert.ok(bytes / values.length < 36, `${bytes / values.length} bytes per record`);
});

test('numbers: int32 columns, -0, NaN, ±Infinity and large values', () => {
  roundTrip(batch([0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]));
  roundTrip(batch([0, -0, 1]));
  roundTrip(batch([NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 1e-300, Number.MIN_VALUE]));
  roundTrip(batch([{ n: -0 }, { n: 0 }, { n: 3 }]));
});

test('strings: unicode, astral, BOM, lone surrogates, empty, long', () => {
  const strings = ['', 'a', 'héllo', '日本語', '😀 emoji', '\uFEFFbom first', '\uD800 lone high', 'lone low \uDC00', 'x'.repeat(STRING_CHUNK_UNITS * 3 + 7), '', '\0nul'];
  roundTrip(batch(strings));
  roundTrip(batch(strings.map((s, i) => ({ s, i }))));
  // Lone surrogates on both sides of a chunk boundary, and a surrogate pair split over two strings.
  roundTrip(batch(['\uD83D', '\uDE00', 'a'.repeat(STRING_CHUNK_UNITS - 1) + '\uD83D', '\uDE00b']));
  roundTrip(batch(Array.from({ length: 600 }, () => '')));
  roundTrip(batch(Array.from({ length: 600 }, (_, i) => (i % 7 === 0 ? '' : `k${i}-${'é'.repeat(i % 40)}`))));
});

test('booleans, bigints (int64 and beyond), null and undefined', () => {
  roundTrip(batch([true, false, true]));
  roundTrip(batch([0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)]));
  roundTrip(batch([1n, 2n ** 64n, -(10n ** 30n)]));
  roundTrip(batch([null, null]));
  roundTrip(batch([undefined, undefined]));
  roundTrip(batch([{ a: undefined, b: null, c: true }, { a: undefined, b: null, c: false }]));
});

test('dates take the typed path as their time value', () => {
  const values = Array.from({ length: 20 }, (_, i) => ({ at: new Date(1_700_000_000_000 + i * 1000), maybe: i % 2 ? new Date(i) : null }));
  const element = batch(values);
  roundTrip(element);
  assert.ok(usesShape(element, '{"at":d,"maybe":?d}'));
  const back = (decodeElement(encodeElement(element)) as RecordBatch).values[3] as { at: Date };
  assert.ok(back.at instanceof Date);
});

test('nested objects and arrays keep their shape', () => {
  const values = Array.from({ length: 100 }, (_, i) => ({
    id: i,
    user: { name: `u${i}`, tags: i % 3 === 0 ? [] : ['a', 'b'].slice(0, i % 3), scores: [i, i + 0.5] },
    matrix: [[i], [], [i, i]],
    flags: [true, false],
  }));
  roundTrip(batch(values));
  assert.ok(usesShape(batch(values), '"user":{"name":s,"tags":[s],"scores":[n]}'));
});

test('a field that is sometimes null or undefined widens to a nullable column', () => {
  const values = Array.from({ length: 50 }, (_, i) => ({ v: i % 3 === 0 ? null : i % 3 === 1 ? i : undefined, s: 'x' }));
  const element = batch(values);
  roundTrip(element);
  assert.ok(usesShape(element, '{"v":?n,"s":s}'));
});

test('an empty array first, then a filled one, merges', () => {
  const element = batch([{ xs: [] }, { xs: [1, 2] }, { xs: [] }]);
  roundTrip(element);
  assert.ok(usesShape(element, '{"xs":[n]}'));
});

test('key order, extra keys and missing keys are not lost', () => {
  roundTrip(batch([{ a: 1, b: 2 }, { b: 2, a: 1 }]));
  roundTrip(batch([{ a: 1 }, { a: 1, extra: 'kept' }, { a: 2 }]));
  roundTrip(batch([{ a: 1, b: 2 }, { a: 1 }]));
  const decoded = decodeElement(encodeElement(batch([{ a: 1, b: 2 }, { b: 3, a: 4 }]))) as RecordBatch;
  assert.deepEqual(Object.keys(decoded.values[1] as object), ['b', 'a']);
  // Integer-like keys, and an own "__proto__" key (tagged path) stay own data properties.
  roundTrip(batch([{ 2: 'b', 1: 'a', x: 0 }]));
  const proto = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as object;
  const back = (decodeElement(encodeElement(batch([proto, proto]))) as RecordBatch).values[0] as Record<string, unknown>;
  assert.deepStrictEqual(back, proto);
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('mixed shapes in one batch are cut into segments and stay in order', () => {
  const values: unknown[] = [];
  for (let i = 0; i < 40; i++) values.push(i < 10 ? { a: i } : i < 20 ? { b: `s${i}` } : i < 30 ? i : `t${i}`);
  roundTrip(batch(values));
  // Alternating shapes: past the segment limit the rest of the batch is tagged.
  roundTrip(batch(Array.from({ length: 64 }, (_, i) => (i % 2 ? { a: i } : { b: i }))));
});

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

test('fallback: Date, Map, Set, RegExp, typed arrays, ArrayBuffer, Error, sparse arrays', () => {
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [1, , 3];
  const big = new Array(10);
  big[7] = 'x';
  const values = [
    new Date(1_700_000_000_000),
    new Map<unknown, unknown>([
      ['a', 1],
      [2, { b: [1n] }],
    ]),
    new Set([1, 'two', null]),
    /ab+c/gi,
    new Uint8Array([1, 2, 3]),
    new Float64Array([1.5, -0, NaN]),
    new BigInt64Array([1n, -2n]),
    new Uint8Array([9, 8, 7, 6]).subarray(1, 3),
    new Uint8Array([1, 2]).buffer,
    new DataView(new Uint8Array([5, 6, 7]).buffer, 1, 2),
    sparse,
    big,
    { when: new Date(5), nested: [new Map()] },
  ];
  roundTrip(batch(values));
  // assert's deep equality calls two invalid dates different (NaN !== NaN), so check this one apart.
  const invalid = (decodeElement(encodeElement(batch([new Date(NaN)]))) as RecordBatch).values[0] as Date;
  assert.ok(invalid instanceof Date && Number.isNaN(invalid.getTime()));
  const e = (decodeElement(encodeElement(batch([new TypeError('boom')]))) as RecordBatch).values[0] as Error;
  assert.ok(e instanceof TypeError);
  assert.equal(e.message, 'boom');
});

test('fallback: shared and cyclic references survive', () => {
  const shared = { s: 1 };
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const decoded = (decodeElement(encodeElement(batch([{ a: shared, b: shared }, cyclic]))) as RecordBatch).values as Record<string, unknown>[];
  assert.equal(decoded[0]!.a, decoded[0]!.b);
  assert.equal(decoded[1]!.self, decoded[1]);
});

test('class instances and null-prototype objects come back as plain objects', () => {
  const decoded = (decodeElement(encodeElement(batch([new Point(1, 2), Object.assign(Object.create(null) as object, { k: 'v' })]))) as RecordBatch).values;
  assert.deepStrictEqual(decoded, [{ x: 1, y: 2 }, { k: 'v' }]);
});

test('functions and symbols cannot be sent', () => {
  assert.throws(() => encodeElement(batch([{ f: () => 1 }])), TypeError);
  assert.throws(() => encodeElement(batch([Symbol('s')])), TypeError);
  assert.throws(() => encodeElement(batch([new WeakMap()])), TypeError);
});

test('bad input: mismatched timestamps, truncated bytes, trailing bytes', () => {
  assert.throws(() => encodeElement({ kind: 'records', values: [1, 2], timestamps: [1] }), CodecError);
  const bytes = encodeElement(batch([{ a: 'x', b: 2 }]));
  for (const cut of [1, 3, bytes.length - 1]) assert.throws(() => decodeElement(bytes.subarray(0, cut)), CodecError);
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(() => decodeElement(longer), CodecError);
  assert.throws(() => decodeElement(new Uint8Array([99])), CodecError);
});

test('decoding reads from a view at any offset of a larger buffer', () => {
  const element = batch([{ a: 1.5, b: 'x' }, { a: 2.5, b: 'y' }]);
  const encoder = new ElementEncoder();
  encoder.encode(element);
  const bytes = encoder.encode(element);
  const host = new Uint8Array(bytes.length + 3);
  host.set(bytes, 3);
  assert.deepStrictEqual(decodeElement(host.subarray(3)), element);
});

test('shapes: inference, widening and descriptors', () => {
  const s = shapeOf({ a: 1, b: [{ c: 'x' }], d: null })!;
  assert.equal(describeShape(s), '{"a":n,"b":[{"c":s}],"d":z}');
  assert.deepStrictEqual(parseShape(describeShape(s)), s);
  const wider = mergeShapes(s, shapeOf({ a: 2, b: [], d: true })!)!;
  assert.equal(describeShape(wider), '{"a":n,"b":[{"c":s}],"d":?b}');
  assert.equal(mergeShapes(shapeOf({ a: 1 })!, shapeOf({ a: 'x' })!), undefined);
  assert.equal(mergeShapes(shapeOf({ a: 1 })!, shapeOf({ b: 1 })!), undefined);
  assert.equal(describeShape(shapeOf(new Date())!), 'd');
  assert.equal(shapeOf(new Map()), undefined);
  assert.equal(shapeOf(new Point(1, 2)), undefined);
  // eslint-disable-next-line no-sparse-arrays
  assert.equal(shapeOf([1, , 2]), undefined);
  const odd = shapeOf({ 'we"ird:key,{}': 1, '': [] })!;
  assert.deepStrictEqual(parseShape(describeShape(odd)), odd);
  assert.throws(() => parseShape('{"a":n'), CodecError);
});

/** JSON-like values plus what structured data adds: bigint, undefined, -0, non-finite numbers. */
const leaf = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'binary' }),
  fc.string(),
  fc.boolean(),
  fc.bigInt(),
  fc.constant(null),
  fc.constant(undefined),
);
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('any'), { maxLength: 5 }),
  // Null-prototype objects come back as plain objects (documented), so generate plain ones.
  object: fc.dictionary(fc.string({ maxLength: 6 }), tie('any'), { maxKeys: 5, noNullPrototype: true }),
})).any;
const timestamp = fc.oneof(fc.double(), fc.constant(Number.NEGATIVE_INFINITY), fc.constant(Number.POSITIVE_INFINITY));

test('property: any batch of JSON-like values round-trips', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(value, timestamp), { maxLength: 40 }), (pairs) => {
      roundTrip({ kind: 'records', values: pairs.map((p) => p[0]), timestamps: pairs.map((p) => p[1]) });
    }),
    { numRuns: 300 },
  );
});

test('property: batches of records of one generated shape round-trip (typed path)', () => {
  const record = fc.record({
    id: fc.integer(),
    name: fc.string({ unit: 'binary' }),
    score: fc.option(fc.double(), { nil: null }),
    big: fc.bigInt(),
    on: fc.boolean(),
    tags: fc.array(fc.string(), { maxLength: 3 }),
    inner: fc.record({ x: fc.double(), y: fc.option(fc.integer(), { nil: undefined }) }, { noNullPrototype: true }),
  }, { noNullPrototype: true });
  fc.assert(
    fc.property(fc.array(record, { maxLength: 60 }), (values) => {
      roundTrip(batch(values));
    }),
    { numRuns: 200 },
  );
});
