import type { RecordBatch } from '../../elements.ts';
import { CodecError, type ByteReader } from './byte-reader.ts';
import { HOST_IS_LITTLE_ENDIAN, type ByteWriter } from './byte-writer.ts';
import { readColumn } from './columns.ts';
import { decoderFor, encoderFor, type CompiledShape } from './compile-shape.ts';
import { mergeShapes, shapeOf } from './shape.ts';
import { readTagged, writeTagged } from './tagged.ts';

/** Timestamp modes: all NO_TIMESTAMP, all one value, or one f64 per record. */
const TS_NONE = 0;
const TS_SAME = 1;
const TS_EACH = 2;

/** Segment kinds: columns of one shape, or tagged values. */
const SEGMENT_TYPED = 0;
const SEGMENT_TAGGED = 1;

/** After this many segments the rest of a batch is tagged: alternating shapes are not worth columns. */
const MAX_SEGMENTS = 8;
/** Widenings tried per segment before it is cut at the record that does not fit. */
const MAX_WIDENINGS = 4;

function sameNumber(a: number, b: number): boolean {
  return a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b;
}

/**
 * Encodes record batches: timestamps, then the values as segments. A segment is a run of
 * records that share a shape, stored column by column (see `columns.ts`), or a run of tagged
 * values (see `tagged.ts`) for anything else.
 *
 * The shape is not inferred per batch: the shape of the previous batch is tried first, so a
 * steady stream pays one generated function call per batch. When a record does not fit, the
 * encoder infers its shape and tries to widen (a field that was a number and is now null
 * becomes nullable) and otherwise cuts the segment there. Each segment names its shape by its
 * descriptor (~30 bytes for a small record: under 0.1 byte per record in a batch of 512, so a
 * per-channel shape table was not worth its state).
 *
 * @example
 * const w = new ByteWriter();
 * new RecordBatchEncoder().write(w, { kind: 'records', values: [{ a: 1 }], timestamps: [5] });
 */
export class RecordBatchEncoder {
  private last: CompiledShape | undefined;
  private readonly refs = new Map<object, number>();
  private scratch = new Float64Array(512);

  /** Appends `batch` (count, timestamps, segments) to `w`. */
  write(w: ByteWriter, batch: RecordBatch): void {
    const { values, timestamps } = batch;
    const n = values.length;
    if (timestamps.length !== n) throw new CodecError(`record batch has ${n} values but ${timestamps.length} timestamps`);
    w.varint(n);
    if (n === 0) return;
    this.writeTimestamps(w, timestamps);
    let i = 0;
    for (let segments = 1; i < n; segments++) {
      const end = segments < MAX_SEGMENTS ? this.writeTypedSegment(w, values, i) : -1;
      if (end < 0) {
        this.writeTaggedSegment(w, values, i);
        return;
      }
      i = end;
    }
  }

  private writeTimestamps(w: ByteWriter, ts: readonly number[]): void {
    const n = ts.length;
    const first = ts[0]!;
    let same = true;
    for (let i = 1; i < n; i++) {
      if (!sameNumber(ts[i]!, first)) {
        same = false;
        break;
      }
    }
    if (same && first === Number.NEGATIVE_INFINITY) {
      w.u8(TS_NONE);
      return;
    }
    if (same) {
      w.u8(TS_SAME);
      w.f64(first);
      return;
    }
    w.u8(TS_EACH);
    w.ensure(n * 8);
    if (HOST_IS_LITTLE_ENDIAN) {
      if (this.scratch.length < n) this.scratch = new Float64Array(n);
      const s = this.scratch;
      for (let i = 0; i < n; i++) s[i] = ts[i]!;
      w.bytes.set(new Uint8Array(s.buffer, 0, n * 8), w.pos);
    } else for (let i = 0; i < n; i++) w.view.setFloat64(w.pos + i * 8, ts[i]!, true);
    w.pos += n * 8;
  }

  private run(codec: CompiledShape, values: readonly unknown[], start: number, end: number): number {
    const cols = codec.columns;
    for (let c = 0; c < cols.length; c++) cols[c]!.reset();
    return codec.encodeRows(values, start, end, cols);
  }

  /** Writes a typed segment from `start`; returns where it ends, or -1 if none can start there. */
  private writeTypedSegment(w: ByteWriter, values: readonly unknown[], start: number): number {
    const n = values.length;
    let codec = this.last;
    let misfit = codec ? this.run(codec, values, start, n) : start;
    if (misfit === start) {
      const shape = shapeOf(values[start]);
      codec = shape && encoderFor(shape);
      if (!codec) return -1;
      misfit = this.run(codec, values, start, n);
      if (misfit === start) return -1; // a getter that changes its type between reads
    }
    for (let widen = 0; misfit > start && widen < MAX_WIDENINGS; widen++) {
      const other = shapeOf(values[misfit]);
      const merged = other && mergeShapes(codec!.shape, other);
      const wider = merged && encoderFor(merged);
      if (!wider) break;
      codec = wider;
      misfit = this.run(codec, values, start, n);
    }
    const end = misfit < 0 ? n : misfit;
    // The columns hold part of the misfit record: encode again up to it.
    if (misfit >= 0 && this.run(codec!, values, start, end) >= 0) return -1;
    this.last = codec;
    w.u8(SEGMENT_TYPED);
    w.varint(end - start);
    w.string(codec!.descriptor);
    const cols = codec!.columns;
    for (let c = 0; c < cols.length; c++) cols[c]!.write(w);
    return end;
  }

  private writeTaggedSegment(w: ByteWriter, values: readonly unknown[], start: number): void {
    w.u8(SEGMENT_TAGGED);
    w.varint(values.length - start);
    const refs = this.refs;
    try {
      for (let i = start; i < values.length; i++) {
        writeTagged(w, values[i], refs);
        refs.clear();
      }
    } finally {
      refs.clear();
    }
  }
}

/** Reads a batch written by `RecordBatchEncoder.write`. */
export function readRecordBatch(r: ByteReader): RecordBatch {
  const n = r.varint();
  if (n === 0) return { kind: 'records', values: [], timestamps: [] };
  const timestamps = new Array<number>(n);
  const mode = r.u8();
  if (mode === TS_EACH) {
    r.need(n * 8);
    const view = r.view;
    const p = r.pos;
    for (let i = 0; i < n; i++) timestamps[i] = view.getFloat64(p + i * 8, true);
    r.pos += n * 8;
  } else if (mode === TS_SAME || mode === TS_NONE) {
    timestamps.fill(mode === TS_SAME ? r.f64() : Number.NEGATIVE_INFINITY);
  } else throw new CodecError(`bad timestamp mode ${mode}`);

  const values = new Array<unknown>(n);
  for (let i = 0; i < n; ) {
    const kind = r.u8();
    const count = r.varint();
    if (count === 0 || i + count > n) throw new CodecError(`bad segment of ${count} records at ${i} of ${n}`);
    if (kind === SEGMENT_TYPED) {
      const codec = decoderFor(r.string());
      const kinds = codec.kinds;
      const cols = new Array(kinds.length);
      for (let c = 0; c < kinds.length; c++) cols[c] = readColumn(kinds[c]!, r, c);
      codec.decodeRows(cols, values, i, count);
    } else if (kind === SEGMENT_TAGGED) {
      for (let k = 0; k < count; k++) values[i + k] = readTagged(r, []);
    } else throw new CodecError(`bad segment kind ${kind}`);
    i += count;
  }
  return { kind: 'records', values, timestamps };
}
