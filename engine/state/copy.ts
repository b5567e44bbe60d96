/**
 * Deep copies of state values, for copy-on-write snapshots: a value read or changed while a
 * snapshot still has to write it is copied first, so the snapshot sees it as it was at the
 * barrier while the task goes on mutating the live one (Flink copies with the type serializer).
 */

declare const globalThis: { structuredClone?: (value: unknown) => unknown };

/** Deeper values are copied by the platform's structured clone. */
const MAX_DEPTH = 32;

/**
 * A copy of `value` that shares no mutable part with it. Primitives are returned as they are.
 * Plain objects, arrays, Maps, Sets, Dates and typed arrays are copied here (an order of
 * magnitude faster than a structured clone for the small records state usually holds); anything
 * else (class instances, values nested deeper than 32) with the platform's structured clone, which gives
 * class instances back as plain objects, as the snapshot format stores them. A value that
 * cannot be cloned (it holds a function) is returned as it is: the snapshot's encoder reports
 * it with its state and key. Objects shared inside one value stay shared in the copy.
 *
 * @example
 * const before = copyValue(acc); acc.count++; // before.count is unchanged
 */
export function copyValue<V>(value: V): V {
  if (typeof value !== 'object' || value === null) return value;
  try {
    return copy(value, 0, undefined) as V;
  } catch {
    try {
      return globalThis.structuredClone!(value) as V;
    } catch {
      return value;
    }
  }
}

/** Thrown (and caught in `copyValue`) for values this copier leaves to the structured clone. */
const NOT_PLAIN = new Error('not a plain value');

/**
 * Copies `v`. `seen` maps objects already copied in this value to their copies; it is created
 * (with `v` in it) by the first object that has an object inside it, so flat records need none.
 */
function copy(v: unknown, depth: number, seen: Map<object, unknown> | undefined): unknown {
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'function' || typeof v === 'symbol') throw NOT_PLAIN;
    return v;
  }
  if (depth > MAX_DEPTH) throw NOT_PLAIN;
  if (seen !== undefined) {
    const done = seen.get(v);
    if (done !== undefined) return done;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    seen?.set(v, out);
    const src = v as Record<string, unknown>;
    for (const k of Object.keys(src)) {
      let x = src[k];
      if (typeof x === 'object' && x !== null) {
        if (seen === undefined) (seen = new Map()).set(v, out);
        x = copy(x, depth + 1, seen);
      } else if (typeof x === 'function' || typeof x === 'symbol') throw NOT_PLAIN;
      if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
      else out[k] = x;
    }
    return out;
  }
  if (v instanceof Date) {
    const out = new Date(v.getTime());
    seen?.set(v, out);
    return out;
  }
  if (ArrayBuffer.isView(v)) {
    const out = v instanceof DataView ? new DataView(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)) : (v as unknown as Uint8Array).slice();
    seen?.set(v, out);
    return out;
  }
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    (seen ??= new Map()).set(v, out);
    for (let i = 0; i < v.length; i++) if (i in v) out[i] = copy(v[i], depth + 1, seen);
    return out;
  }
  if (v instanceof Map) {
    const out = new Map<unknown, unknown>();
    (seen ??= new Map()).set(v, out);
    for (const [k, x] of v) out.set(copy(k, depth + 1, seen), copy(x, depth + 1, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set<unknown>();
    (seen ??= new Map()).set(v, out);
    for (const x of v) out.add(copy(x, depth + 1, seen));
    return out;
  }
  throw NOT_PLAIN;
}
