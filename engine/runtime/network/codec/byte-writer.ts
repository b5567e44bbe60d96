import { isWellFormed, utf8EncodeInto } from './host-text.ts';

/** True on little-endian hosts: typed-array bytes then equal the (little-endian) wire bytes. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A growable byte buffer that the codec writes into. Multi-byte numbers are little-endian;
 * lengths and counts are unsigned LEB128 varints. One writer is reused across elements, so the
 * buffer grows to the largest element and then stays.
 *
 * @example
 * const w = new ByteWriter();
 * w.varint(3); w.f64(1.5);
 * const bytes = w.copy(); // 9 bytes
 */
export class ByteWriter {
  bytes: Uint8Array;
  view: DataView;
  /** Next byte to write; everything before it is written. */
  pos = 0;

  constructor(initialCapacity = 1 << 16) {
    this.bytes = new Uint8Array(initialCapacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Forgets what was written; keeps the buffer. */
  reset(): void {
    this.pos = 0;
  }

  /** Makes room for `extra` more bytes. */
  ensure(extra: number): void {
    if (this.pos + extra > this.bytes.length) this.grow(this.pos + extra);
  }

  private grow(minimum: number): void {
    let capacity = this.bytes.length * 2;
    while (capacity < minimum) capacity *= 2;
    const bytes = new Uint8Array(capacity);
    bytes.set(this.bytes.subarray(0, this.pos));
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }

  u8(value: number): void {
    if (this.pos >= this.bytes.length) this.grow(this.pos + 1);
    this.bytes[this.pos++] = value;
  }

  u32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value, true);
    this.pos += 4;
  }

  f64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** An unsigned integer below 2^53 as LEB128 (1 byte below 128). */
  varint(value: number): void {
    this.ensure(8);
    const b = this.bytes;
    let p = this.pos;
    if (value < 0x80000000) {
      while (value >= 0x80) {
        b[p++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
    } else {
      while (value >= 0x80) {
        b[p++] = (value % 0x80) | 0x80;
        value = Math.floor(value / 0x80);
      }
    }
    b[p++] = value;
    this.pos = p;
  }

  /** Copies `source` as is. */
  raw(source: Uint8Array): void {
    this.ensure(source.length);
    this.bytes.set(source, this.pos);
    this.pos += source.length;
  }

  /**
   * A string as `varint(byteLength << 1 | utf16)` then its bytes: UTF-8 when well-formed (the
   * usual case), else UTF-16 code units, so that lone surrogates survive.
   */
  string(text: string): void {
    const n = text.length;
    if (n < 64) {
      // Short strings are the common case (keys, ids): a hand loop beats the native call.
      this.ensure(1 + n * 3);
      const b = this.bytes;
      const start = this.pos + 1;
      let p = start;
      for (let i = 0; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) {
          p = -1;
          break;
        }
        b[p++] = c;
      }
      if (p >= 0) {
        b[this.pos] = (p - start) << 1; // < 128: a one-byte varint
        this.pos = p;
        return;
      }
    }
    if (isWellFormed(text)) {
      // Encode after a 5-byte gap, then close the gap once the length is known.
      this.ensure(5 + n * 3);
      const written = utf8EncodeInto(text, this.bytes.subarray(this.pos + 5));
      const header = this.pos;
      this.varint(written * 2);
      const headerBytes = this.pos - header;
      if (headerBytes < 5) this.bytes.copyWithin(this.pos, header + 5, header + 5 + written);
      this.pos += written;
      return;
    }
    this.varint(n * 4 + 1); // byteLength (2n) << 1 | 1
    this.utf16Units(text);
  }

  /** The string's UTF-16 code units, two bytes each, with no length. */
  utf16Units(text: string): void {
    const n = text.length;
    this.ensure(n * 2);
    const b = this.bytes;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      b[p++] = c & 0xff;
      b[p++] = c >>> 8;
    }
    this.pos = p;
  }

  /** The written bytes as a new array that owns its memory. */
  copy(): Uint8Array {
    return this.bytes.slice(0, this.pos);
  }
}
