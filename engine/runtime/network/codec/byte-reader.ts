import { utf8Decode } from './host-text.ts';

/**
 * Recently decoded short ASCII strings (object keys, ids, enum-like values), by a hash of their
 * bytes: the tagged path decodes the same keys over and over, and a hit costs a byte compare
 * instead of a new string. Direct-mapped, so it holds at most CACHE_SLOTS strings.
 */
const CACHE_SLOTS = 4096;
const CACHE_MAX_BYTES = 16;
const cacheStrings: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS);
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_MAX_BYTES);

function cachedAscii(b: Uint8Array, start: number, n: number): string | undefined {
  let hash = n;
  for (let i = start; i < start + n; i++) {
    const c = b[i]!;
    if (c >= 0x80) return undefined;
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  const slot = (hash ^ (hash >>> 13)) & (CACHE_SLOTS - 1);
  const cached = cacheStrings[slot];
  const at = slot * CACHE_MAX_BYTES;
  if (cached !== undefined && cached.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (cacheBytes[at + i] !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const text = String.fromCharCode.apply(null, b.subarray(start, start + n) as unknown as number[]);
  cacheStrings[slot] = text;
  cacheBytes.set(b.subarray(start, start + n), at);
  return text;
}

/** A malformed or truncated element: the bytes did not come from `encodeElement`. */
export class CodecError extends Error {
  override name = 'CodecError';
}

/**
 * Reads what a `ByteWriter` wrote, from a view on any part of a larger buffer (a frame inside a
 * socket chunk). Reads past the end throw `CodecError` rather than returning garbage.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Throws unless `n` more bytes exist. */
  need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new CodecError(`element truncated: needs ${n} bytes at ${this.pos} of ${this.bytes.length}`);
  }

  u8(): number {
    if (this.pos >= this.bytes.length) this.need(1);
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  varint(): number {
    const b = this.bytes;
    let p = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (p >= b.length) this.need(1);
      const byte = b[p++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = p;
        return result;
      }
      scale *= 0x80;
    }
    throw new CodecError(`varint too long at ${this.pos}`);
  }

  /** A view (no copy) on the next `n` bytes. */
  subarray(n: number): Uint8Array {
    this.need(n);
    const s = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A string written by `ByteWriter.string`. */
  string(): string {
    const header = this.varint();
    const n = Math.floor(header / 2); // byte length
    if (header % 2 === 1) return this.utf16Units(n / 2);
    this.need(n);
    const b = this.bytes;
    const start = this.pos;
    this.pos += n;
    if (n === 0) return '';
    if (n <= CACHE_MAX_BYTES) {
      const ascii = cachedAscii(b, start, n);
      if (ascii !== undefined) return ascii;
    }
    return utf8Decode(b.subarray(start, start + n));
  }

  /** `units` UTF-16 code units written by `ByteWriter.utf16Units`. */
  utf16Units(units: number): string {
    this.need(units * 2);
    const b = this.bytes;
    let p = this.pos;
    let text = '';
    // Chunks keep the argument list of fromCharCode small.
    for (let done = 0; done < units; ) {
      const k = Math.min(1024, units - done);
      const codes = new Array<number>(k);
      for (let i = 0; i < k; i++, p += 2) codes[i] = b[p]! | (b[p + 1]! << 8);
      text += String.fromCharCode.apply(null, codes);
      done += k;
    }
    this.pos = p;
    return text;
  }
}
