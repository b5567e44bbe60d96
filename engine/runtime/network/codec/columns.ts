import { ByteReader, CodecError } from './byte-reader.ts';
import { HOST_IS_LITTLE_ENDIAN, type ByteWriter } from './byte-writer.ts';

/**
 * The columns of a typed segment. Each leaf of a shape is one column holding that field's values
 * for every record of the segment, in record order; nullable fields add a presence column and
 * arrays a length column. Columns are written one after another, each starting with its value
 * count, so a decoder can turn each into a typed array in one tight loop (or one copy).
 */
export type ColumnKind = 'number' | 'string' | 'boolean' | 'bigint' | 'date' | 'presence' | 'length';

/** Number column modes: int32 when every value is an int32 other than -0, else float64. */
const NUMBER_F64 = 0;
const NUMBER_I32 = 1;
/** Bigint column modes: int64 when every value fits, else decimal text. */
const BIGINT_I64 = 0;
const BIGINT_TEXT = 1;

/**
 * UTF-16 units per string chunk. A string column is UTF-8 text in chunks of about this many
 * units, decoded one chunk at a time and cut with `substring`. V8 makes a substring of 13 or
 * more characters a slice that keeps its parent alive, so a chunk bounds what a string that
 * outlives its batch (a key held in state) can retain to about this many units. One chunk per
 * column would be ~5 ns per string faster; unbounded retention is not worth it.
 */
export const STRING_CHUNK_UNITS = 256;

/** Values of one leaf, collected while the row encoder walks the records. */
export interface EncoderColumn {
  reset(): void;
  write(w: ByteWriter): void;
}

/** Numbers (and Date time values); written as int32 when they all are, else float64. */
export class NumberColumn implements EncoderColumn {
  values = new Float64Array(1024);
  private ints = new Int32Array(1024);
  n = 0;

  push(value: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.n * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = value;
  }

  reset(): void {
    this.n = 0;
  }

  write(w: ByteWriter): void {
    const n = this.n;
    const a = this.values;
    w.varint(n);
    let allInt = true;
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      if ((x | 0) !== x || (x === 0 && 1 / x < 0)) {
        allInt = false;
        break;
      }
    }
    if (allInt) {
      w.u8(NUMBER_I32);
      w.ensure(n * 4);
      if (HOST_IS_LITTLE_ENDIAN) {
        if (this.ints.length < n) this.ints = new Int32Array(this.values.length);
        const ints = this.ints;
        for (let i = 0; i < n; i++) ints[i] = a[i]!;
        w.bytes.set(new Uint8Array(ints.buffer, 0, n * 4), w.pos);
      } else for (let i = 0; i < n; i++) w.view.setInt32(w.pos + i * 4, a[i]!, true);
      w.pos += n * 4;
    } else {
      w.u8(NUMBER_F64);
      w.ensure(n * 8);
      if (HOST_IS_LITTLE_ENDIAN) w.bytes.set(new Uint8Array(a.buffer, 0, n * 8), w.pos);
      else for (let i = 0; i < n; i++) w.view.setFloat64(w.pos + i * 8, a[i]!, true);
      w.pos += n * 8;
    }
  }
}

/** Strings; written as UTF-16 lengths, then the text in chunks (see STRING_CHUNK_UNITS). */
export class StringColumn implements EncoderColumn {
  values: string[] = [];

  push(value: string): void {
    this.values.push(value);
  }

  reset(): void {
    this.values.length = 0;
  }

  write(w: ByteWriter): void {
    const strs = this.values;
    const n = strs.length;
    w.varint(n);
    for (let i = 0; i < n; i++) w.varint(strs[i]!.length);
    w.ensure(4);
    const sizeAt = w.pos;
    w.pos += 4;
    // Chunks hold consecutive non-empty strings; an empty string never needs a chunk. The
    // decoder starts the next chunk exactly when a string does not fit in the current one.
    let chunk = '';
    for (let i = 0; i < n; i++) {
      const s = strs[i]!;
      if (s.length === 0) continue;
      if (chunk.length > 0 && chunk.length + s.length > STRING_CHUNK_UNITS) {
        w.string(chunk);
        chunk = '';
      }
      chunk += s;
    }
    if (chunk.length > 0) w.string(chunk);
    w.view.setUint32(sizeAt, w.pos - sizeAt - 4, true);
  }
}

/** A typed array of twice the length holding the same values (a column that filled up). */
function doubled<A extends Uint8Array | Uint32Array>(values: A): A {
  const grown = new (values.constructor as new (n: number) => A)(values.length * 2);
  grown.set(values);
  return grown;
}

/** One byte per value: booleans (0/1) or presence (0 null, 1 value, 2 undefined). */
export class ByteColumn implements EncoderColumn {
  values = new Uint8Array(1024);
  n = 0;

  push(value: number): void {
    if (this.n === this.values.length) this.values = doubled(this.values);
    this.values[this.n++] = value;
  }

  reset(): void {
    this.n = 0;
  }

  write(w: ByteWriter): void {
    w.varint(this.n);
    w.raw(this.values.subarray(0, this.n));
  }
}

/** Array lengths, as varints. */
export class LengthColumn implements EncoderColumn {
  values = new Uint32Array(1024);
  n = 0;

  push(value: number): void {
    if (this.n === this.values.length) this.values = doubled(this.values);
    this.values[this.n++] = value;
  }

  reset(): void {
    this.n = 0;
  }

  write(w: ByteWriter): void {
    w.varint(this.n);
    for (let i = 0; i < this.n; i++) w.varint(this.values[i]!);
  }
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Bigints; int64 when they all fit, else decimal text. */
export class BigIntColumn implements EncoderColumn {
  values: bigint[] = [];

  push(value: bigint): void {
    this.values.push(value);
  }

  reset(): void {
    this.values.length = 0;
  }

  write(w: ByteWriter): void {
    const a = this.values;
    const n = a.length;
    w.varint(n);
    let fits = true;
    for (let i = 0; i < n; i++) if (a[i]! < I64_MIN || a[i]! > I64_MAX) fits = false;
    if (fits) {
      w.u8(BIGINT_I64);
      w.ensure(n * 8);
      for (let i = 0; i < n; i++) w.view.setBigInt64(w.pos + i * 8, a[i]!, true);
      w.pos += n * 8;
    } else {
      w.u8(BIGINT_TEXT);
      for (let i = 0; i < n; i++) w.string(a[i]!.toString());
    }
  }
}

/** A new, empty encoder column of this kind. */
export function newEncoderColumn(kind: ColumnKind): EncoderColumn {
  switch (kind) {
    case 'number':
    case 'date':
      return new NumberColumn();
    case 'string':
      return new StringColumn();
    case 'boolean':
    case 'presence':
      return new ByteColumn();
    case 'length':
      return new LengthColumn();
    case 'bigint':
      return new BigIntColumn();
  }
}

/** Hands out a string column's values in order, decoding one chunk at a time. */
export class StringColumnReader {
  private text = '';
  private offset = 0;
  private index = 0;

  constructor(
    private readonly lengths: Uint32Array,
    private readonly chunks: ByteReader,
  ) {}

  next(): string {
    const n = this.lengths[this.index++]!;
    if (this.offset + n > this.text.length) {
      this.text = this.chunks.string();
      this.offset = 0;
      if (n > this.text.length) throw new CodecError('string column chunk shorter than its string');
    }
    return this.text.substring(this.offset, (this.offset += n));
  }
}

/** What the row decoder reads a column as. */
export type DecodedColumn = Float64Array | Int32Array | Uint8Array | Uint32Array | BigInt64Array | bigint[] | StringColumnReader;

/**
 * Number columns are decoded into scratch arrays, one per column position, reused from batch to
 * batch: a row decoder copies them into records before the next column is read, and a typed
 * array of more than 64 bytes is a separate allocation outside V8's heap that the GC must sweep.
 */
const scratchI32: Int32Array[] = [];
const scratchF64: Float64Array[] = [];

function scratch<A extends Int32Array | Float64Array>(pool: A[], slot: number, n: number, make: (n: number) => A): A {
  const have = pool[slot];
  if (have !== undefined && have.length >= n) return have;
  return (pool[slot] = make(Math.max(n, 512)));
}

/**
 * Reads one column written by the matching encoder column. `slot` (the column's position in its
 * segment) picks the scratch array a number column is decoded into: the result is valid until
 * the next column read at that position, and may be longer than the column.
 */
export function readColumn(kind: ColumnKind, r: ByteReader, slot = -1): DecodedColumn {
  const n = r.varint();
  switch (kind) {
    case 'number':
    case 'date': {
      const mode = r.u8();
      const width = mode === NUMBER_I32 ? 4 : 8;
      const bytes = r.subarray(n * width);
      if (mode !== NUMBER_I32 && mode !== NUMBER_F64) throw new CodecError(`bad number column mode ${mode}`);
      const ints = mode === NUMBER_I32;
      let out: Int32Array | Float64Array;
      if (slot < 0) out = ints ? new Int32Array(n) : new Float64Array(n);
      else out = ints ? scratch(scratchI32, slot, n, (k) => new Int32Array(k)) : scratch(scratchF64, slot, n, (k) => new Float64Array(k));
      // A copy, not a view: the frame's offset in its socket chunk has no alignment.
      if (HOST_IS_LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
      else {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < n; i++) out[i] = width === 4 ? view.getInt32(i * 4, true) : view.getFloat64(i * 8, true);
      }
      return out;
    }
    case 'string': {
      const lengths = new Uint32Array(n);
      for (let i = 0; i < n; i++) lengths[i] = r.varint();
      const size = r.u32();
      return new StringColumnReader(lengths, new ByteReader(r.subarray(size)));
    }
    case 'boolean':
    case 'presence':
      return r.subarray(n);
    case 'length': {
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = r.varint();
      return out;
    }
    case 'bigint': {
      const mode = r.u8();
      if (mode === BIGINT_I64) {
        const bytes = r.subarray(n * 8);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) out[i] = view.getBigInt64(i * 8, true);
        return out;
      }
      if (mode !== BIGINT_TEXT) throw new CodecError(`bad bigint column mode ${mode}`);
      const out: bigint[] = new Array<bigint>(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(r.string());
      return out;
    }
  }
}
