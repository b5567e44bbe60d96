import { ACTIVE, END_OF_INPUT, IDLE, type BarrierEvent, type StreamElement } from '../../elements.ts';
import { ByteReader, CodecError } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { readRecordBatch, RecordBatchEncoder } from './record-batch-codec.ts';

/**
 * Wire format of one element (all numbers little-endian):
 *
 *   records    u8 1, varint n, timestamps, segments…   (see RecordBatchEncoder)
 *   watermark  u8 2, f64 timestamp
 *   status     u8 3, u8 idle (0|1)
 *   barrier    u8 4, f64 checkpointId, f64 timestamp, u8 flags (1 savepoint | 2 aligned | 4 stop | 8 drain)
 *   end        u8 5
 */
const RECORDS = 1;
const WATERMARK = 2;
const STATUS = 3;
const BARRIER = 4;
const END = 5;

/**
 * Turns stream elements into bytes. Holds a reusable buffer and remembers the last record shape,
 * so give each sending channel (or each thread of sending) its own encoder.
 *
 * @example
 * const encoder = new ElementEncoder();
 * const bytes = encoder.encode({ kind: 'watermark', timestamp: 1000 });
 * decodeElement(bytes); // { kind: 'watermark', timestamp: 1000 }
 */
export class ElementEncoder {
  private readonly writer = new ByteWriter();
  private readonly batches = new RecordBatchEncoder();

  /** The element's bytes, in a new array of exactly that length. */
  encode(element: StreamElement): Uint8Array {
    const w = this.writer;
    w.reset();
    this.write(w, element);
    return w.copy();
  }

  /** Appends the element to `w` (for callers that frame several elements in one buffer). */
  write(w: ByteWriter, element: StreamElement): void {
    switch (element.kind) {
      case 'records':
        w.u8(RECORDS);
        this.batches.write(w, element);
        return;
      case 'watermark':
        w.u8(WATERMARK);
        w.f64(element.timestamp);
        return;
      case 'status':
        w.u8(STATUS);
        w.u8(element.idle ? 1 : 0);
        return;
      case 'barrier':
        w.u8(BARRIER);
        w.f64(element.checkpointId);
        w.f64(element.timestamp);
        w.u8((element.savepoint ? 1 : 0) | (element.aligned ? 2 : 0) | (element.stop ? 4 : 0) | (element.drain ? 8 : 0));
        return;
      case 'end':
        w.u8(END);
        return;
    }
  }
}

const sharedEncoder = new ElementEncoder();

/**
 * The bytes of one stream element. Records of a known shape (numbers, strings, booleans,
 * bigints, null/undefined, and plain objects and arrays of those) are stored column by column;
 * anything else in a compact tagged encoding. Decoded records are deep-equal to the originals,
 * except that class instances and null-prototype objects come back as plain objects and typed
 * array subclasses (Node's Buffer) as their base class.
 *
 * @example
 * decodeElement(encodeElement({ kind: 'records', values: [{ id: 'a', n: 1 }], timestamps: [7] }));
 */
export function encodeElement(element: StreamElement): Uint8Array {
  return sharedEncoder.encode(element);
}

/** The element `encodeElement` turned into `bytes`; throws `CodecError` for anything else. */
export function decodeElement(bytes: Uint8Array): StreamElement {
  const r = new ByteReader(bytes);
  const element = readElement(r);
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} bytes left after a '${element.kind}' element`);
  return element;
}

function readElement(r: ByteReader): StreamElement {
  const kind = r.u8();
  switch (kind) {
    case RECORDS:
      return readRecordBatch(r);
    case WATERMARK:
      return { kind: 'watermark', timestamp: r.f64() };
    case STATUS:
      return r.u8() === 1 ? IDLE : ACTIVE;
    case BARRIER: {
      const checkpointId = r.f64();
      const timestamp = r.f64();
      const flags = r.u8();
      const barrier: BarrierEvent = { kind: 'barrier', checkpointId, timestamp, savepoint: (flags & 1) !== 0, aligned: (flags & 2) !== 0 };
      if (flags & 12) return { ...barrier, ...(flags & 4 ? { stop: true } : {}), ...(flags & 8 ? { drain: true } : {}) };
      return barrier;
    }
    case END:
      return END_OF_INPUT;
    default:
      throw new CodecError(`bad element kind ${kind}`);
  }
}

/** True when `bytes` encode end of input, without decoding (the transport tracks channel ends). */
export function isEndOfInputBytes(bytes: Uint8Array): boolean {
  return bytes.length === 1 && bytes[0] === END;
}
