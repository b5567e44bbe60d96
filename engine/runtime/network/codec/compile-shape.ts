import { CodecError } from './byte-reader.ts';
import { newEncoderColumn, type ColumnKind, type DecodedColumn, type EncoderColumn } from './columns.ts';
import { describeShape, parseShape, type Shape } from './shape.ts';

/**
 * Walks `values[start..end)`, checks each record against the shape and appends its fields to
 * `columns`. Returns -1 when all fit, else the index of the first record that does not; the
 * columns then hold a partial record and must be reset.
 */
export type RowEncoder = (values: readonly unknown[], start: number, end: number, columns: EncoderColumn[]) => number;

/** Rebuilds `n` records from decoded columns into `out[at..at+n)`. */
export type RowDecoder = (columns: DecodedColumn[], out: unknown[], at: number, n: number) => void;

/**
 * A shape turned into code: a row encoder and decoder generated for it (one monomorphic
 * function each, the way protobuf.js and avsc do it), plus the column layout both agree on.
 * Generated code reads fields as `x["key"]` and rebuilds each record as `{}` plus its fields in
 * order, which is what makes the typed path fast: V8 sees one hidden class per shape.
 *
 * Not as an object literal: a literal `{ key, ts, v }` shares V8's map tree with the user's own
 * literals of the same keys. Where their field representations differ (the user's `key` a
 * double, the decoded one a small integer), V8 generalizes and deprecates the shared maps over
 * and over, and the user's functions (key selectors, aggregates) never settle: on a keyed window
 * job across two taskmanagers they ran at ~60 ns per call instead of ~2. Built from `{}`, decoded
 * records have maps of their own, stable next to the user's.
 */
export interface CompiledShape {
  readonly shape: Shape;
  readonly descriptor: string;
  /** Column kinds in the order they are written. */
  readonly kinds: readonly ColumnKind[];
  readonly encodeRows: RowEncoder;
  readonly decodeRows: RowDecoder;
  /** Scratch columns for the encoder; encoding is synchronous, so one set per shape suffices. */
  readonly columns: EncoderColumn[];
}

/** Shapes with more columns than this take the tagged path. */
const MAX_COLUMNS = 1024;
/** Compiled shapes kept; past this the cache starts over (dynamic-key objects would grow it forever). */
const MAX_CACHED = 512;

const compiled = new Map<string, CompiledShape>();
/** Descriptors seen once by an encoder: a shape is compiled the second time it is seen. */
const sightings = new Set<string>();
let codegenAvailable = true;

/** Layout node: a shape with the columns it owns. */
type Node =
  | { kind: 'leaf'; shape: Shape; column: number }
  | { kind: 'constant'; value: 'null' | 'undefined' }
  | { kind: 'nullable'; presence: number; inner: Node }
  | { kind: 'array'; length: number; element: Node | undefined }
  | { kind: 'object'; keys: readonly string[]; fields: Node[] };

function layout(shape: Shape, kinds: ColumnKind[]): Node {
  switch (shape.kind) {
    case 'null':
    case 'undefined':
      return { kind: 'constant', value: shape.kind };
    case 'nullable': {
      const presence = kinds.push('presence') - 1;
      return { kind: 'nullable', presence, inner: layout(shape.inner, kinds) };
    }
    case 'array': {
      const length = kinds.push('length') - 1;
      return { kind: 'array', length, element: shape.element && layout(shape.element, kinds) };
    }
    case 'object':
      if (shape.keys.includes('__proto__')) throw new CodecError('a shape cannot have a __proto__ key');
      return { kind: 'object', keys: shape.keys, fields: shape.fields.map((f) => layout(f, kinds)) };
    default:
      return { kind: 'leaf', shape, column: kinds.push(shape.kind) - 1 };
  }
}

function admitsUndefined(node: Node): boolean {
  return node.kind === 'nullable' || (node.kind === 'constant' && node.value === 'undefined');
}

/** Source of the row encoder; `keySets` collects each object node's key list. */
function encoderSource(root: Node, kinds: readonly ColumnKind[], keySets: (readonly string[])[]): string {
  let id = 0;
  const fresh = (p: string) => `${p}${id++}`;
  const emit = (node: Node, x: string): string => {
    switch (node.kind) {
      case 'constant':
        return `if (${x} !== ${node.value === 'null' ? 'null' : 'undefined'}) return i;\n`;
      case 'leaf': {
        const c = `c${node.column}`;
        switch (node.shape.kind) {
          case 'boolean':
            return `if (${x} === true) ${c}.push(1); else if (${x} === false) ${c}.push(0); else return i;\n`;
          case 'date':
            return `if (typeof ${x} !== "object" || ${x} === null || getProto(${x}) !== DP) return i;\n${c}.push(getTime.call(${x}));\n`;
          default:
            return `if (typeof ${x} !== "${node.shape.kind}") return i;\n${c}.push(${x});\n`;
        }
      }
      case 'nullable': {
        const p = `c${node.presence}`;
        return `if (${x} === null) ${p}.push(0); else if (${x} === undefined) ${p}.push(2); else {\n${p}.push(1);\n${emit(node.inner, x)}}\n`;
      }
      case 'array': {
        const n = fresh('n');
        let s = `if (!isArray(${x}) || getProto(${x}) !== AP) return i;\nconst ${n} = ${x}.length;\nc${node.length}.push(${n});\n`;
        if (!node.element) return s + `if (${n} !== 0) return i;\n`;
        const j = fresh('j');
        const e = fresh('e');
        s += `for (let ${j} = 0; ${j} < ${n}; ${j}++) {\nconst ${e} = ${x}[${j}];\n`;
        if (admitsUndefined(node.element)) s += `if (${e} === undefined && !(${j} in ${x})) return i;\n`;
        return s + emit(node.element, e) + '}\n';
      }
      case 'object': {
        const keys = `K${keySets.push(node.keys) - 1}`;
        const k = fresh('k');
        let s = `if (typeof ${x} !== "object" || ${x} === null || getProto(${x}) !== OP) return i;\n`;
        // Exactly these own keys, in this order: an extra key must not be dropped silently.
        s += `let ${k} = 0;\nfor (const key in ${x}) if (key !== ${keys}[${k}++]) return i;\nif (${k} !== ${node.keys.length}) return i;\n`;
        node.fields.forEach((f, idx) => {
          const v = fresh('f');
          s += `const ${v} = ${x}[${JSON.stringify(node.keys[idx])}];\n${emit(f, v)}`;
        });
        return s;
      }
    }
  };
  const body = emit(root, 'v');
  const prelude = kinds.map((_, c) => `const c${c} = columns[${c}];\n`).join('') + keySets.map((_, k) => `const K${k} = KEYS[${k}];\n`).join('');
  return `"use strict";\nreturn function encodeRows(values, start, end, columns) {\n${prelude}for (let i = start; i < end; i++) {\nconst v = values[i];\n${body}}\nreturn -1;\n};`;
}

function decoderSource(root: Node, kinds: readonly ColumnKind[]): string {
  let id = 0;
  const helpers: string[] = [];
  const expr = (node: Node): string => {
    switch (node.kind) {
      case 'constant':
        return node.value === 'null' ? 'null' : 'undefined';
      case 'leaf': {
        const c = node.column;
        switch (node.shape.kind) {
          case 'string':
            return `d${c}.next()`;
          case 'boolean':
            return `(d${c}[j${c}++] === 1)`;
          case 'date':
            return `new Date(d${c}[j${c}++])`;
          default:
            return `d${c}[j${c}++]`;
        }
      }
      case 'nullable': {
        const p = node.presence;
        return `((t${p} = d${p}[j${p}++]) === 1 ? ${expr(node.inner)} : t${p} === 0 ? null : undefined)`;
      }
      case 'array': {
        const l = node.length;
        if (!node.element) return `(j${l}++, [])`;
        const f = `array${id++}`;
        helpers.push(`function ${f}() {\nconst n = d${l}[j${l}++];\nconst a = new Array(n);\nfor (let q = 0; q < n; q++) a[q] = ${expr(node.element)};\nreturn a;\n}\n`);
        return `${f}()`;
      }
      case 'object': {
        const f = `object${id++}`;
        const sets = node.keys.map((k, i) => `o[${JSON.stringify(k)}] = ${expr(node.fields[i]!)};\n`).join('');
        helpers.push(`function ${f}() {\nconst o = {};\n${sets}return o;\n}\n`);
        return `${f}()`;
      }
    }
  };
  const row = expr(root);
  const prelude = kinds.map((_, c) => `const d${c} = columns[${c}];\nlet j${c} = 0, t${c} = 0;\n`).join('');
  return `"use strict";\nreturn function decodeRows(columns, out, at, n) {\n${prelude}${helpers.join('')}for (let i = 0; i < n; i++) out[at + i] = ${row};\n};`;
}

function compile(shape: Shape, descriptor: string): CompiledShape | undefined {
  if (!codegenAvailable) return undefined;
  const kinds: ColumnKind[] = [];
  const root = layout(shape, kinds);
  if (kinds.length > MAX_COLUMNS) return undefined;
  const keySets: (readonly string[])[] = [];
  const encSource = encoderSource(root, kinds, keySets);
  const decSource = decoderSource(root, kinds);
  let encodeRows: RowEncoder;
  let decodeRows: RowDecoder;
  try {
    encodeRows = new Function('getProto', 'isArray', 'OP', 'AP', 'DP', 'getTime', 'KEYS', encSource)(
      Object.getPrototypeOf,
      Array.isArray,
      Object.prototype,
      Array.prototype,
      Date.prototype,
      Date.prototype.getTime,
      keySets,
    ) as RowEncoder;
    decodeRows = new Function(decSource)() as RowDecoder;
  } catch (e) {
    // A content security policy without 'unsafe-eval' forbids generated code: every batch then
    // takes the tagged path, which is slower but complete.
    if (e instanceof EvalError) {
      codegenAvailable = false;
      return undefined;
    }
    throw e;
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  const result: CompiledShape = { shape, descriptor, kinds, encodeRows, decodeRows, columns: kinds.map(newEncoderColumn) };
  compiled.set(descriptor, result);
  return result;
}

/**
 * The compiled codec for a shape an encoder met, or undefined when it should use the tagged
 * path: the first time a shape is seen (a shape seen once, such as an object with data-dependent
 * keys, is not worth compiling), when it is too wide, or where code generation is forbidden.
 */
export function encoderFor(shape: Shape): CompiledShape | undefined {
  const descriptor = describeShape(shape);
  const hit = compiled.get(descriptor);
  if (hit) return hit;
  if (!sightings.has(descriptor)) {
    if (sightings.size >= 4 * MAX_CACHED) sightings.clear();
    sightings.add(descriptor);
    return undefined;
  }
  sightings.delete(descriptor);
  return compile(shape, descriptor);
}

/** The compiled codec for a descriptor read from the wire; compiles it on first sight. */
export function decoderFor(descriptor: string): CompiledShape {
  const hit = compiled.get(descriptor);
  if (hit) return hit;
  const c = compile(parseShape(descriptor), descriptor);
  if (!c) throw new CodecError('cannot decode a typed segment: code generation is not allowed in this process, or the shape is too wide');
  return c;
}
