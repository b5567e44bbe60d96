/**
 * The data plane's wire format: length-prefixed frames, many logical channels multiplexed over
 * one socket per pair of taskmanagers. All integers are little-endian.
 *
 *   [u32 length][u32 channelId][u8 type][payload]     length = 5 + payload bytes
 *
 * A channel is named by a string key that both taskmanagers know from the plan (e.g.
 * `job:edge:producer:consumer`); the reader opens it with that key and a u32 id it picks, and
 * every later frame of the channel carries only the id. Ids are the reader's: a frame from the
 * writer side names a reader id of the receiving process, a frame from the reader side one of
 * the sending process, so the two directions of a socket never collide.
 *
 * | type    | direction        | payload                                               |
 * |---------|------------------|-------------------------------------------------------|
 * | hello   | both, first      | u8 protocol version, UTF-8 address of the sender      |
 * | open    | reader → writer  | u32 initial credit (the reader's buffers), UTF-8 key  |
 * | credit  | reader → writer  | u32 credit (buffers freed since the last announcement)|
 * | batch size | reader → writer | u32 records per batch the consumer asks for (debloating)|
 * | data    | writer → reader  | an encoded record batch; takes one buffer (one credit)|
 * | event   | writer → reader  | an encoded watermark/status/barrier/end; no credit    |
 * | release | reader → writer  | UTF-8 reason: the consumer gave the channel up early  |
 * | abort   | writer → reader  | UTF-8 reason: the producer gave it up before the end  |
 * | goodbye | both, last       | empty: the sender closes its data plane on purpose    |
 */
export const FrameType = {
  hello: 0,
  open: 1,
  credit: 2,
  data: 3,
  event: 4,
  release: 5,
  abort: 6,
  goodbye: 7,
  batchSize: 8,
} as const;

/** One of the frame types above. */
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Bumped when the frame or element format changes incompatibly; peers must match. */
export const PROTOCOL_VERSION = 2;

/** Bytes before the payload: length, channel id, type. */
export const FRAME_HEADER_BYTES = 9;

/** Frames larger than this are refused (a corrupt length would otherwise allocate gigabytes). */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** The data plane's peer broke the protocol. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** A frame to send. */
export interface OutgoingFrame {
  readonly channelId: number;
  readonly type: FrameType;
  readonly payload: Uint8Array;
}

/** Writes `frames` into one buffer, ready for a single socket write. */
export function encodeFrames(frames: readonly OutgoingFrame[]): Buffer {
  let total = 0;
  for (const f of frames) total += FRAME_HEADER_BYTES + f.payload.length;
  const out = Buffer.allocUnsafe(total);
  let p = 0;
  for (const f of frames) {
    out.writeUInt32LE(5 + f.payload.length, p);
    out.writeUInt32LE(f.channelId, p + 4);
    out[p + 8] = f.type;
    out.set(f.payload, p + FRAME_HEADER_BYTES);
    p += FRAME_HEADER_BYTES + f.payload.length;
  }
  return out;
}

/** A u32 payload (credit), optionally followed by UTF-8 text (open). */
export function u32Payload(value: number, text = ''): Uint8Array {
  const b = Buffer.allocUnsafe(4 + Buffer.byteLength(text));
  b.writeUInt32LE(value, 0);
  b.write(text, 4);
  return b;
}

/** Reads the u32 at the start of a payload. */
export function readU32Payload(payload: Uint8Array): number {
  if (payload.length < 4) throw new ProtocolError(`expected at least 4 payload bytes, got ${payload.length}`);
  return new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);
}

/** The UTF-8 text of a payload from byte `from` on. */
export function payloadText(payload: Uint8Array, from = 0): string {
  return Buffer.from(payload.buffer, payload.byteOffset + from, payload.length - from).toString('utf8');
}

/** A UTF-8 payload, optionally after one leading byte (hello). */
export function textPayload(text: string, leadingByte?: number): Uint8Array {
  if (leadingByte === undefined) return Buffer.from(text, 'utf8');
  const b = Buffer.allocUnsafe(1 + Buffer.byteLength(text));
  b[0] = leadingByte;
  b.write(text, 1);
  return b;
}

/**
 * Cuts a byte stream into frames. A frame that lies inside one socket chunk is handed out as
 * a view on that chunk (no copy); only a frame that spans chunks is copied, once, when its last
 * byte arrives.
 *
 * @example
 * const parser = new FrameParser((channelId, type, payload) => route(channelId, type, payload));
 * socket.on('data', (chunk) => parser.push(chunk));
 */
export class FrameParser {
  /** Chunks holding the start of a frame that is not complete yet. */
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  /** Bytes the incomplete frame needs in all: 4 until its length is known, then 4 + length. */
  private needed = 4;
  private lengthKnown = false;

  constructor(
    /** Called for each complete frame, in order. The payload is a view that is never reused. */
    private readonly onFrame: (channelId: number, type: number, payload: Uint8Array) => void,
    private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
  ) {}

  /** Bytes held for a frame not complete yet. */
  get bufferedBytes(): number {
    return this.partBytes;
  }

  push(chunk: Uint8Array): void {
    if (this.parts.length === 0) {
      this.parse(chunk);
      return;
    }
    this.parts.push(chunk);
    this.partBytes += chunk.length;
    if (this.partBytes < this.needed) return;
    if (!this.lengthKnown) {
      this.needed = 4 + this.checkedLength(this.gather(4), 0);
      this.lengthKnown = true;
      if (this.partBytes < this.needed) return;
    }
    // Everything before this chunk was short of a frame, so what follows the frame is in it.
    const frame = this.gather(this.needed);
    const rest = this.partBytes - this.needed;
    this.parts = [];
    this.partBytes = 0;
    this.parse(frame);
    if (rest > 0) this.parse(chunk.subarray(chunk.length - rest));
  }

  /** A copy of the first `n` held bytes. */
  private gather(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let p = 0;
    for (const part of this.parts) {
      const take = Math.min(part.length, n - p);
      out.set(take === part.length ? part : part.subarray(0, take), p);
      p += take;
      if (p === n) break;
    }
    return out;
  }

  private checkedLength(buf: Uint8Array, p: number): number {
    const length = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
    if (length < 5 || length > this.maxFrameBytes) throw new ProtocolError(`bad frame length ${length}`);
    return length;
  }

  private parse(buf: Uint8Array): void {
    let p = 0;
    const n = buf.length;
    this.lengthKnown = false;
    this.needed = 4;
    while (n - p >= 4) {
      const length = this.checkedLength(buf, p);
      if (n - p - 4 < length) {
        this.needed = 4 + length;
        this.lengthKnown = true;
        break;
      }
      const channelId = (buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24)) >>> 0;
      const type = buf[p + 8]!;
      const payload = buf.subarray(p + FRAME_HEADER_BYTES, p + 4 + length);
      p += 4 + length;
      this.onFrame(channelId, type, payload);
    }
    if (p < n) {
      this.parts = [buf.subarray(p)];
      this.partBytes = n - p;
    }
  }
}
