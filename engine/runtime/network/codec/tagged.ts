/*
 * The fallback encoding, for values the typed path cannot carry: a compact tagged binary
 * format of our own — one tag byte, then the payload. It covers what structured clone covers
 * and JSON does not: undefined, -0, NaN, ±Infinity, bigint, Date, Map, Set, RegExp, typed
 * arrays, ArrayBuffer, Error, sparse arrays, lone surrogates, and shared or cyclic references
 * (a back-reference tag). JSON with bigint tagging would lose most of these, and Node's
 * `v8.serialize` is not available to the engine core.
 *
 * Other objects (class instances, null-prototype objects) travel as their own enumerable
 * string-keyed properties and come back as plain objects. Functions, symbols, WeakMap,
 * WeakSet, WeakRef and Promise cannot be sent and throw a TypeError. Typed arrays travel in
 * host byte order: the data plane never leaves the machine.
 */
import { CodecError, type ByteReader } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT = 4;
const T_F64 = 5;
const T_STRING = 6;
const T_BIGINT = 7;
const T_ARRAY = 8;
const T_HOLES = 9;
const T_OBJECT = 10;
const T_DATE = 11;
const T_MAP = 12;
const T_SET = 13;
const T_REGEXP = 14;
const T_ARRAY_BUFFER = 15;
const T_TYPED_ARRAY = 16;
const T_ERROR = 17;
const T_REF = 18;

const VIEW_KINDS = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
] as const;

type ViewConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
const VIEW_CONSTRUCTORS: ViewConstructor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
] as unknown as ViewConstructor[];
const VIEW_ELEMENT_BYTES = [1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8, 1];

const ERROR_CONSTRUCTORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

const toStringTag = Object.prototype.toString;

function unsendable(what: string): never {
  throw new TypeError(`${what} cannot be sent between processes: records must be data (see the data plane codec)`);
}

/**
 * Appends `value` in the tagged fallback encoding (see the comment at the top of this file);
 * `refs` maps each object already written in this value to its index, for back-references.
 *
 * @example
 * writeTagged(writer, new Map([['a', new Date(0)]]), new Map());
 */
export function writeTagged(w: ByteWriter, value: unknown, refs: Map<object, number>): void {
  switch (typeof value) {
    case 'undefined':
      w.u8(T_UNDEFINED);
      return;
    case 'boolean':
      w.u8(value ? T_TRUE : T_FALSE);
      return;
    case 'number':
      if ((value | 0) === value && !(value === 0 && 1 / value < 0)) {
        w.u8(T_INT);
        w.varint(((value << 1) ^ (value >> 31)) >>> 0); // zigzag
      } else {
        w.u8(T_F64);
        w.f64(value);
      }
      return;
    case 'string':
      w.u8(T_STRING);
      w.string(value);
      return;
    case 'bigint':
      w.u8(T_BIGINT);
      w.string(value.toString());
      return;
    case 'function':
      return unsendable('A function');
    case 'symbol':
      return unsendable('A symbol');
  }
  if (value === null) {
    w.u8(T_NULL);
    return;
  }
  const obj = value as object;
  const ref = refs.get(obj);
  if (ref !== undefined) {
    w.u8(T_REF);
    w.varint(ref);
    return;
  }
  refs.set(obj, refs.size);
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto === Object.prototype) {
    writeObject(w, obj, refs); // the common case, before the costlier tests below
    return;
  }
  if (Array.isArray(obj)) {
    w.u8(T_ARRAY);
    w.varint(obj.length);
    for (let i = 0; i < obj.length; ) {
      if (i in obj) {
        writeTagged(w, obj[i], refs);
        i++;
        continue;
      }
      let run = 1;
      while (i + run < obj.length && !(i + run in obj)) run++;
      w.u8(T_HOLES);
      w.varint(run);
      i += run;
    }
    return;
  }
  const tag = toStringTag.call(obj).slice(8, -1);
  switch (tag) {
    case 'Date':
      w.u8(T_DATE);
      w.f64((obj as Date).getTime());
      return;
    case 'Map':
      w.u8(T_MAP);
      w.varint((obj as Map<unknown, unknown>).size);
      for (const [k, v] of obj as Map<unknown, unknown>) {
        writeTagged(w, k, refs);
        writeTagged(w, v, refs);
      }
      return;
    case 'Set':
      w.u8(T_SET);
      w.varint((obj as Set<unknown>).size);
      for (const v of obj as Set<unknown>) writeTagged(w, v, refs);
      return;
    case 'RegExp':
      w.u8(T_REGEXP);
      w.string((obj as RegExp).source);
      w.string((obj as RegExp).flags);
      return;
    case 'ArrayBuffer':
      w.u8(T_ARRAY_BUFFER);
      w.varint((obj as ArrayBuffer).byteLength);
      w.raw(new Uint8Array(obj as ArrayBuffer));
      return;
    case 'Error': {
      const e = obj as Error;
      w.u8(T_ERROR);
      w.string(String(e.name));
      w.string(String(e.message));
      w.string(typeof e.stack === 'string' ? e.stack : '');
      return;
    }
    case 'WeakMap':
    case 'WeakSet':
    case 'WeakRef':
    case 'Promise':
      return unsendable(`A ${tag}`);
  }
  const viewKind = (VIEW_KINDS as readonly string[]).indexOf(tag);
  if (viewKind >= 0 && ArrayBuffer.isView(obj)) {
    w.u8(T_TYPED_ARRAY);
    w.u8(viewKind);
    w.varint(obj.byteLength);
    w.raw(new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength));
    return;
  }
  writeObject(w, obj, refs);
}

function writeObject(w: ByteWriter, obj: object, refs: Map<object, number>): void {
  const keys = Object.keys(obj);
  w.u8(T_OBJECT);
  w.varint(keys.length);
  for (const k of keys) {
    w.string(k);
    writeTagged(w, (obj as Record<string, unknown>)[k], refs);
  }
}

function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** Reads a value written by `writeTagged`; `refs` collects the objects read so far, in order. */
export function readTagged(r: ByteReader, refs: unknown[]): unknown {
  const tag = r.u8();
  switch (tag) {
    case T_UNDEFINED:
      return undefined;
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_INT: {
      const z = r.varint();
      return (z >>> 1) ^ -(z & 1);
    }
    case T_F64:
      return r.f64();
    case T_STRING:
      return r.string();
    case T_BIGINT:
      return BigInt(r.string());
    case T_REF: {
      const i = r.varint();
      if (i >= refs.length) throw new CodecError(`bad back-reference ${i}`);
      return refs[i];
    }
    case T_ARRAY: {
      const n = r.varint();
      if (n > 2 ** 32 - 1) throw new CodecError(`bad array length ${n}`);
      const a: unknown[] = [];
      a.length = n;
      refs.push(a);
      for (let i = 0; i < n; ) {
        if (r.bytes[r.pos] === T_HOLES) {
          r.pos++;
          i += r.varint();
          continue;
        }
        a[i++] = readTagged(r, refs);
      }
      return a;
    }
    case T_OBJECT: {
      const n = r.varint();
      const o: Record<string, unknown> = {};
      refs.push(o);
      for (let i = 0; i < n; i++) {
        const k = r.string();
        setOwn(o, k, readTagged(r, refs));
      }
      return o;
    }
    case T_DATE: {
      const d = new Date(r.f64());
      refs.push(d);
      return d;
    }
    case T_MAP: {
      const n = r.varint();
      const m = new Map<unknown, unknown>();
      refs.push(m);
      for (let i = 0; i < n; i++) {
        const k = readTagged(r, refs);
        m.set(k, readTagged(r, refs));
      }
      return m;
    }
    case T_SET: {
      const n = r.varint();
      const s = new Set<unknown>();
      refs.push(s);
      for (let i = 0; i < n; i++) s.add(readTagged(r, refs));
      return s;
    }
    case T_REGEXP: {
      const at = refs.push(undefined) - 1;
      const source = r.string();
      const re = new RegExp(source, r.string());
      refs[at] = re;
      return re;
    }
    case T_ARRAY_BUFFER: {
      const bytes = r.subarray(r.varint());
      const b = bytes.slice().buffer;
      refs.push(b);
      return b;
    }
    case T_TYPED_ARRAY: {
      const kind = r.u8();
      const Ctor = VIEW_CONSTRUCTORS[kind];
      if (!Ctor) throw new CodecError(`bad typed array kind ${kind}`);
      const bytes = r.subarray(r.varint());
      const size = VIEW_ELEMENT_BYTES[kind]!;
      if (bytes.length % size !== 0) throw new CodecError('typed array length is not a multiple of its element size');
      const view = new Ctor(bytes.slice().buffer, 0, bytes.length / size);
      refs.push(view);
      return view;
    }
    case T_ERROR: {
      const at = refs.push(undefined) - 1;
      const name = r.string();
      const message = r.string();
      const stack = r.string();
      const e = new (ERROR_CONSTRUCTORS[name] ?? Error)(message);
      if (e.name !== name) e.name = name;
      if (stack) e.stack = stack;
      refs[at] = e;
      return e;
    }
    default:
      throw new CodecError(`bad value tag ${tag} at ${r.pos - 1}`);
  }
}
