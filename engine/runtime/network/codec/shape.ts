import { CodecError } from './byte-reader.ts';

/** A value that is always the same primitive type or a Date (or always null / always undefined). */
export interface LeafShape {
  readonly kind: 'number' | 'string' | 'boolean' | 'bigint' | 'date' | 'null' | 'undefined';
}

/** A dense array whose elements share one shape; `element` is undefined while only empty arrays were seen. */
export interface ArrayShape {
  readonly kind: 'array';
  readonly element: Shape | undefined;
}

/** A plain object with exactly these own enumerable keys, in this order. */
export interface ObjectShape {
  readonly kind: 'object';
  readonly keys: readonly string[];
  readonly fields: readonly Shape[];
}

/** `inner`, null or undefined. `inner` is never itself nullable, null or undefined. */
export interface NullableShape {
  readonly kind: 'nullable';
  readonly inner: Shape;
}

/**
 * The structure shared by the records of a batch segment, from which the codec derives a
 * columnar layout. Shapes are inferred from data (`shapeOf`), widened when a later record
 * differs only in nullability or in what an empty array left open (`mergeShapes`), and named
 * on the wire by a compact descriptor (`describeShape`), e.g. `{"key":s,"ts":n,"tags":[s],"v":?n}`.
 */
export type Shape = LeafShape | ArrayShape | ObjectShape | NullableShape;

/** The leaf shapes: one shared object each, so that `mergeShapes` can compare leaves by identity. */
export const NUMBER: LeafShape = { kind: 'number' };
export const STRING: LeafShape = { kind: 'string' };
export const BOOLEAN: LeafShape = { kind: 'boolean' };
export const BIGINT: LeafShape = { kind: 'bigint' };
/** Dates are common in records (event times), so they have a column: their time value. */
export const DATE: LeafShape = { kind: 'date' };
export const NULL: LeafShape = { kind: 'null' };
export const UNDEFINED: LeafShape = { kind: 'undefined' };

/** Nesting deeper than this goes to the tagged fallback (and keeps generated code small). */
const MAX_DEPTH = 16;
/** Objects with more keys than this go to the tagged fallback. */
const MAX_KEYS = 256;

const OBJECT_PROTOTYPE = Object.prototype;
const ARRAY_PROTOTYPE = Array.prototype;
const DATE_PROTOTYPE = Date.prototype;

/**
 * The shape of one value, or undefined when it has none the fast path can carry: anything but
 * primitives, Dates, dense arrays and plain objects (prototype `Object.prototype`) — e.g. Map,
 * Set, class instances, sparse arrays, arrays of mixed element shapes, or an own `__proto__` key.
 *
 * @example
 * describeShape(shapeOf({ id: 'a', n: 1 })!) // '{"id":s,"n":n}'
 */
export function shapeOf(value: unknown, depth = 0): Shape | undefined {
  switch (typeof value) {
    case 'number':
      return NUMBER;
    case 'string':
      return STRING;
    case 'boolean':
      return BOOLEAN;
    case 'bigint':
      return BIGINT;
    case 'undefined':
      return UNDEFINED;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return NULL;
  if (depth >= MAX_DEPTH) return undefined;
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== ARRAY_PROTOTYPE) return undefined;
    let element: Shape | undefined;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return undefined; // a hole
      const s = shapeOf(value[i], depth + 1);
      if (!s) return undefined;
      element = element ? mergeShapes(element, s) : s;
      if (!element) return undefined;
    }
    return { kind: 'array', element };
  }
  if (proto === DATE_PROTOTYPE) return DATE;
  if (proto !== OBJECT_PROTOTYPE) return undefined;
  const keys = Object.keys(value);
  if (keys.length > MAX_KEYS) return undefined;
  const fields: Shape[] = [];
  for (const key of keys) {
    if (key === '__proto__') return undefined; // an object literal cannot recreate it as an own key
    const s = shapeOf((value as Record<string, unknown>)[key], depth + 1);
    if (!s) return undefined;
    fields.push(s);
  }
  return { kind: 'object', keys, fields };
}

function isNullish(s: Shape): boolean {
  return s === NULL || s === UNDEFINED;
}

/**
 * The narrowest shape that covers both, or undefined when none does: a nullable widening
 * (`n` + `z` → `?n`), an empty array's element filled in, or the same widening inside
 * objects and arrays. Different keys, or different primitive types, do not merge.
 */
export function mergeShapes(a: Shape, b: Shape): Shape | undefined {
  if (a === b) return a;
  if (a.kind === 'nullable') {
    if (isNullish(b)) return a;
    const inner = mergeShapes(a.inner, b.kind === 'nullable' ? b.inner : b);
    return inner && { kind: 'nullable', inner };
  }
  if (b.kind === 'nullable') return mergeShapes(b, a);
  if (isNullish(a)) return isNullish(b) ? undefined : { kind: 'nullable', inner: b };
  if (isNullish(b)) return { kind: 'nullable', inner: a };
  if (a.kind === 'array' && b.kind === 'array') {
    if (!a.element) return b;
    if (!b.element) return a;
    const element = mergeShapes(a.element, b.element);
    return element && { kind: 'array', element };
  }
  if (a.kind === 'object' && b.kind === 'object') {
    if (a.keys.length !== b.keys.length) return undefined;
    const fields: Shape[] = [];
    for (let i = 0; i < a.keys.length; i++) {
      if (a.keys[i] !== b.keys[i]) return undefined;
      const f = mergeShapes(a.fields[i]!, b.fields[i]!);
      if (!f) return undefined;
      fields.push(f);
    }
    return { kind: 'object', keys: a.keys, fields };
  }
  return a.kind === b.kind ? a : undefined;
}

const LEAF_CODES: Record<LeafShape['kind'], string> = {
  number: 'n',
  string: 's',
  boolean: 'b',
  bigint: 'g',
  date: 'd',
  null: 'z',
  undefined: 'u',
};
const LEAVES: Record<string, LeafShape> = { n: NUMBER, s: STRING, b: BOOLEAN, g: BIGINT, d: DATE, z: NULL, u: UNDEFINED };

/** The shape's descriptor: its name on the wire and its key in the compiled-codec cache. */
export function describeShape(s: Shape): string {
  switch (s.kind) {
    case 'nullable':
      return '?' + describeShape(s.inner);
    case 'array':
      return s.element ? '[' + describeShape(s.element) + ']' : '[]';
    case 'object': {
      let out = '{';
      for (let i = 0; i < s.keys.length; i++) {
        if (i > 0) out += ',';
        out += JSON.stringify(s.keys[i]) + ':' + describeShape(s.fields[i]!);
      }
      return out + '}';
    }
    default:
      return LEAF_CODES[s.kind];
  }
}

/** Parses a descriptor made by `describeShape`; throws `CodecError` on anything else. */
export function parseShape(descriptor: string): Shape {
  let i = 0;
  const fail = (): never => {
    throw new CodecError(`bad shape descriptor at ${i}: ${descriptor.slice(0, 200)}`);
  };
  const parse = (depth: number): Shape => {
    if (depth > MAX_DEPTH + 1) fail();
    const c = descriptor[i++];
    if (c === undefined) return fail();
    const leaf = LEAVES[c];
    if (leaf) return leaf;
    if (c === '?') {
      const inner = parse(depth);
      if (inner.kind === 'nullable' || isNullish(inner)) fail();
      return { kind: 'nullable', inner };
    }
    if (c === '[') {
      if (descriptor[i] === ']') {
        i++;
        return { kind: 'array', element: undefined };
      }
      const element = parse(depth + 1);
      if (descriptor[i++] !== ']') fail();
      return { kind: 'array', element };
    }
    if (c === '{') {
      const keys: string[] = [];
      const fields: Shape[] = [];
      if (descriptor[i] === '}') {
        i++;
        return { kind: 'object', keys, fields };
      }
      for (;;) {
        if (descriptor[i] !== '"') fail();
        let j = i + 1;
        while (j < descriptor.length && descriptor[j] !== '"') j += descriptor[j] === '\\' ? 2 : 1;
        if (j >= descriptor.length) fail();
        keys.push(JSON.parse(descriptor.slice(i, j + 1)) as string);
        i = j + 1;
        if (descriptor[i++] !== ':') fail();
        fields.push(parse(depth + 1));
        const sep = descriptor[i++];
        if (sep === '}') break;
        if (sep !== ',') fail();
      }
      return { kind: 'object', keys, fields };
    }
    return fail();
  };
  const shape = parse(0);
  if (i !== descriptor.length) fail();
  return shape;
}
