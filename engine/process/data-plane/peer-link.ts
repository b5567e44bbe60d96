import { connect, type Socket } from 'node:net';
import { ChannelFailure } from '../../runtime/network/credit/channel-failure.ts';
import {
  encodeFrames,
  FrameParser,
  FrameType,
  payloadText,
  PROTOCOL_VERSION,
  ProtocolError,
  readU32Payload,
  textPayload,
  u32Payload,
  type OutgoingFrame,
} from './frames.ts';
import { RemoteChannelReader, RemoteChannelWriter, type ChannelLink } from './remote-channel.ts';

/** Where a link is in its life. */
export type PeerLinkState = 'idle' | 'connecting' | 'open' | 'failed' | 'closed';

/** Settings a link takes from its server. */
export interface PeerLinkOptions {
  /** Give up connecting (or waiting for the peer to connect) after this long. */
  connectTimeoutMs: number;
  maxFrameBytes: number;
  /** Told once when the link fails (not when it is closed on purpose). */
  onFailure(link: PeerLink, error: Error): void;
}

/** Socket errors that mean "the peer's server is not listening yet": retry until the deadline. */
const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EAGAIN']);

/**
 * Everything between this taskmanager and one peer: one socket, the channels multiplexed on
 * it, and the writes batched per turn of the event loop. A taskmanager's identity is its
 * data-plane address.
 *
 * Exactly one socket per pair: the side whose address sorts first connects (when it creates
 * its first channel end to the peer), the other accepts, and fails the link if no connection
 * arrives within the timeout. Channel ends may be created in any order on the two sides:
 * frames wait for the socket, and an open that arrives before its writer exists waits for it.
 *
 * Writes: channel ends only mark themselves dirty; one `setImmediate` later the link takes
 * every sendable frame and credit announcement and writes them as one buffer. What Node may
 * buffer in the socket is bounded by the credit granted, so the link never checks `write()`'s
 * return value.
 *
 * Failure: a socket error or close, a protocol error, or a timeout fails every open channel end
 * with a `ChannelFailure`, and ends created afterwards fail at once. Channels that saw end of
 * input are complete and unaffected. A peer that closes on purpose says goodbye first: its
 * open channels still fail ("closed its data plane"), but the link is closed, not failed, and
 * the server's `onPeerFailure` is not told.
 */
export class PeerLink implements ChannelLink {
  private linkState: PeerLinkState = 'idle';
  private socket: Socket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failureCause: Error | undefined;
  private peerHelloSeen = false;

  // Writer side. Ids are the peer's reader ids, learnt from its open frames.
  private readonly writers = new Map<number, RemoteChannelWriter>();
  private readonly unboundWriters = new Map<string, RemoteChannelWriter>();
  private readonly writerKeys = new Set<string>();
  /** Opens that arrived before their writer was created, by key. */
  private readonly earlyOpens = new Map<string, { id: number; credit: number; batchSize?: number }>();
  private readonly earlyKeyById = new Map<number, string>();
  /** Keys whose writer gave up before the open arrived: answer the open with abort. */
  private readonly abandonedKeys = new Map<string, string>();
  /** Keys the reader released before the writer was created: the writer starts failed. */
  private readonly releasedKeys = new Map<string, string>();
  private readonly retiredWriterIds = new Set<number>();

  // Reader side. Ids are ours.
  private nextReaderId = 1;
  private readonly readers = new Map<number, RemoteChannelReader>();
  private readonly readerKeys = new Set<string>();
  private readonly retiredReaderIds = new Set<number>();

  private control: OutgoingFrame[] = [];
  private readonly sendDirty = new Set<RemoteChannelWriter>();
  private readonly creditDirty = new Set<RemoteChannelReader>();
  private flushScheduled = false;
  /** Bytes written to the socket so far, for metrics. */
  bytesSent = 0;
  /** Bytes read from the socket so far, for metrics. */
  bytesReceived = 0;

  constructor(
    /** This taskmanager's data-plane address. */
    readonly local: string,
    /** The peer's data-plane address. */
    readonly peer: string,
    private readonly options: PeerLinkOptions,
  ) {}

  get state(): PeerLinkState {
    return this.linkState;
  }

  /** The cause, once failed. */
  get failure(): Error | undefined {
    return this.failureCause;
  }

  /** Bytes Node holds for the socket, not yet handed to the kernel (bounded by credit). */
  get socketBufferedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /** Bytes encoded and queued in this link's writers, waiting for credit or the next write. */
  get queuedBytes(): number {
    let n = 0;
    for (const w of this.writers.values()) n += w.queuedBytes;
    for (const w of this.unboundWriters.values()) n += w.queuedBytes;
    return n;
  }

  /** Open channel ends on this link. */
  get channelCount(): number {
    return this.writers.size + this.unboundWriters.size + this.readers.size;
  }

  /** Connects, or starts waiting for the peer to connect: whichever this side's role is. */
  private ensureConnection(): void {
    if (this.linkState !== 'idle') return;
    if (this.local < this.peer) this.connect();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        if (this.linkState === 'idle') this.fail(new Error(`the taskmanager at ${this.peer} did not connect within ${this.options.connectTimeoutMs} ms`));
      }, this.options.connectTimeoutMs);
      this.timer.unref(); // waiting alone must not keep a process alive
    }
  }

  private connect(): void {
    this.linkState = 'connecting';
    const deadline = Date.now() + this.options.connectTimeoutMs;
    const attempt = () => {
      this.timer = undefined;
      if (this.linkState !== 'connecting') return;
      const socket = connect(this.peer);
      const parser = new FrameParser((ch, type, payload) => this.handleFrame(ch, type, payload), this.options.maxFrameBytes);
      const onError = (e: NodeJS.ErrnoException) => {
        socket.destroy();
        if (RETRYABLE.has(e.code ?? '') && Date.now() < deadline) this.timer = setTimeout(attempt, 25);
        else this.fail(new Error(`cannot connect to the taskmanager at ${this.peer}: ${e.message}`, { cause: e }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        this.attach(socket, (chunk) => parser.push(chunk));
      });
    };
    attempt();
  }

  /**
   * Takes over a connected socket. `read` feeds the socket's bytes to the parser that routes
   * frames here (for an accepted socket, the server's parser that read the peer's hello).
   * Returns false, and destroys the socket, when the link has one already or is over.
   */
  attach(socket: Socket, read: (chunk: Buffer) => void): boolean {
    if (this.linkState === 'open' || this.linkState === 'failed' || this.linkState === 'closed') {
      socket.destroy();
      return false;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.socket = socket;
    this.linkState = 'open';
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      try {
        read(chunk);
      } catch (e) {
        this.fail(e instanceof Error ? e : new Error(String(e)));
      }
    });
    socket.on('error', (e) => this.fail(new Error(`connection to the taskmanager at ${this.peer} failed: ${e.message}`, { cause: e })));
    socket.on('close', () => this.fail(new Error(`connection to the taskmanager at ${this.peer} closed`)));
    this.control.unshift({ channelId: 0, type: FrameType.hello, payload: textPayload(this.local, PROTOCOL_VERSION) });
    this.flush();
    return true;
  }

  /** A frame from the peer. Throws ProtocolError when the peer broke the protocol. */
  handleFrame(id: number, type: number, payload: Uint8Array): void {
    if (this.linkState !== 'open') return; // the rest of a chunk after a failure
    if (type === FrameType.hello) {
      if (payload[0] !== PROTOCOL_VERSION) throw new ProtocolError(`the taskmanager at ${this.peer} speaks data-plane protocol ${payload[0]}, this one ${PROTOCOL_VERSION}`);
      const address = payloadText(payload, 1);
      if (address !== this.peer) throw new ProtocolError(`expected the taskmanager at ${this.peer}, ${address} answered`);
      this.peerHelloSeen = true;
      return;
    }
    if (!this.peerHelloSeen) throw new ProtocolError('frame before hello');
    switch (type) {
      case FrameType.open:
        return this.onOpen(id, readU32Payload(payload), payloadText(payload, 4));
      case FrameType.credit: {
        const credit = readU32Payload(payload);
        const writer = this.writers.get(id);
        if (writer) return writer.addCredit(credit);
        const key = this.earlyKeyById.get(id);
        if (key !== undefined) this.earlyOpens.get(key)!.credit += credit;
        else if (!this.retiredWriterIds.has(id)) throw new ProtocolError(`credit for channel id ${id}, which was never opened`);
        return;
      }
      case FrameType.batchSize: {
        const size = readU32Payload(payload);
        const writer = this.writers.get(id);
        if (writer) writer.batchSize = size;
        else {
          const key = this.earlyKeyById.get(id);
          if (key !== undefined) this.earlyOpens.get(key)!.batchSize = size;
          else if (!this.retiredWriterIds.has(id)) throw new ProtocolError(`batch size for channel id ${id}, which was never opened`);
        }
        return;
      }
      case FrameType.release: {
        const reason = payloadText(payload);
        const writer = this.writers.get(id);
        if (writer) {
          this.retireWriter(writer);
          writer.fail(new ChannelFailure(writer.channel, `channel '${writer.channel}': the consumer released it: ${reason}`));
          return;
        }
        const key = this.earlyKeyById.get(id);
        if (key !== undefined) {
          this.earlyKeyById.delete(id);
          this.earlyOpens.delete(key);
          this.releasedKeys.set(key, reason);
        }
        return;
      }
      case FrameType.data:
      case FrameType.event: {
        const reader = this.readers.get(id);
        if (!reader) {
          if (this.retiredReaderIds.has(id)) return; // released here; frames were in flight
          throw new ProtocolError(`frame for channel id ${id}, which has no reader here`);
        }
        reader.receive(payload, type === FrameType.event);
        if (reader.ended) this.retireReader(reader);
        return;
      }
      case FrameType.abort: {
        const reader = this.readers.get(id);
        if (!reader) return;
        this.retireReader(reader);
        reader.fail(new ChannelFailure(reader.channel, `channel '${reader.channel}': the producer aborted it: ${payloadText(payload)}`));
        return;
      }
      case FrameType.goodbye:
        // The peer shuts down on purpose: not a failure of the link, though open channels end.
        this.linkState = 'closed';
        this.failureCause = new Error(`the taskmanager at ${this.peer} closed its data plane`);
        this.teardown();
        this.socket?.end();
        return;
      default:
        throw new ProtocolError(`unknown frame type ${type}`);
    }
  }

  private onOpen(id: number, credit: number, key: string): void {
    if (this.writers.has(id) || this.earlyKeyById.has(id) || this.retiredWriterIds.has(id)) throw new ProtocolError(`channel id ${id} opened twice`);
    const writer = this.unboundWriters.get(key);
    if (writer) {
      this.bind(writer, id, credit);
      return;
    }
    const abandoned = this.abandonedKeys.get(key);
    if (abandoned !== undefined) {
      this.abandonedKeys.delete(key);
      this.retiredWriterIds.add(id);
      this.control.push({ channelId: id, type: FrameType.abort, payload: textPayload(abandoned) });
      this.scheduleFlush();
      return;
    }
    if (this.earlyOpens.has(key)) throw new ProtocolError(`channel '${key}' opened twice`);
    this.earlyOpens.set(key, { id, credit });
    this.earlyKeyById.set(id, key);
  }

  private bind(writer: RemoteChannelWriter, id: number, credit: number): void {
    this.unboundWriters.delete(writer.channel);
    writer.wireId = id;
    this.writers.set(id, writer);
    writer.addCredit(credit);
    this.scheduleSend(writer); // events queued before the open may go now
  }

  private retireWriter(writer: RemoteChannelWriter): void {
    this.unboundWriters.delete(writer.channel);
    this.sendDirty.delete(writer);
    if (writer.wireId !== undefined) {
      this.writers.delete(writer.wireId);
      this.retiredWriterIds.add(writer.wireId);
    }
  }

  private retireReader(reader: RemoteChannelReader): void {
    this.readers.delete(reader.wireId);
    this.creditDirty.delete(reader);
    this.retiredReaderIds.add(reader.wireId);
  }

  private checkKey(keys: Set<string>, key: string): void {
    if (keys.has(key)) throw new Error(`channel '${key}' to the taskmanager at ${this.peer} exists already (channel keys must not be reused)`);
    keys.add(key);
  }

  /** A new producing end on this link, for the channel the peer's reader opens with `key`. */
  createWriter(key: string): RemoteChannelWriter {
    this.checkKey(this.writerKeys, key);
    const writer = new RemoteChannelWriter(key, this);
    if (this.linkState === 'failed' || this.linkState === 'closed') {
      writer.fail(this.channelFailure(key));
      return writer;
    }
    const released = this.releasedKeys.get(key);
    if (released !== undefined) {
      this.releasedKeys.delete(key);
      writer.fail(new ChannelFailure(key, `channel '${key}': the consumer released it: ${released}`));
      return writer;
    }
    const early = this.earlyOpens.get(key);
    if (early) {
      this.earlyOpens.delete(key);
      this.earlyKeyById.delete(early.id);
      this.bind(writer, early.id, early.credit);
      writer.batchSize = early.batchSize;
    } else this.unboundWriters.set(key, writer);
    this.ensureConnection();
    return writer;
  }

  /** A new consuming end on this link; opens the channel `key` with `buffers` credit. */
  createReader(key: string, buffers: number): RemoteChannelReader {
    this.checkKey(this.readerKeys, key);
    const reader = new RemoteChannelReader(key, this.nextReaderId++, buffers, this);
    if (this.linkState === 'failed' || this.linkState === 'closed') {
      reader.fail(this.channelFailure(key));
      return reader;
    }
    this.readers.set(reader.wireId, reader);
    this.control.push({ channelId: reader.wireId, type: FrameType.open, payload: u32Payload(reader.takeCredit(), key) });
    this.scheduleFlush();
    this.ensureConnection();
    return reader;
  }

  scheduleSend(writer: RemoteChannelWriter): void {
    this.sendDirty.add(writer);
    this.scheduleFlush();
  }

  scheduleCredit(reader: RemoteChannelReader): void {
    this.creditDirty.add(reader);
    this.scheduleFlush();
  }

  abort(writer: RemoteChannelWriter, reason: string): void {
    if (writer.finished || writer.failure) return;
    const id = writer.wireId;
    if (id !== undefined && this.writers.get(id) === writer) {
      this.control.push({ channelId: id, type: FrameType.abort, payload: textPayload(reason) });
      this.scheduleFlush();
    } else if (this.unboundWriters.get(writer.channel) === writer) this.abandonedKeys.set(writer.channel, reason);
    this.retireWriter(writer);
    writer.fail(new ChannelFailure(writer.channel, `channel '${writer.channel}' aborted here: ${reason}`));
  }

  release(reader: RemoteChannelReader, reason: string): void {
    if (this.readers.get(reader.wireId) !== reader) return;
    this.retireReader(reader);
    this.control.push({ channelId: reader.wireId, type: FrameType.release, payload: textPayload(reason) });
    this.scheduleFlush();
    reader.fail(new ChannelFailure(reader.channel, `channel '${reader.channel}' released here: ${reason}`));
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.linkState !== 'open') return;
    this.flushScheduled = true;
    setImmediate(this.flushNow);
  }

  private readonly flushNow = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  /** Writes every control frame, credit announcement and sendable frame as one buffer. */
  private flush(): void {
    const socket = this.socket;
    if (this.linkState !== 'open' || !socket) return;
    const frames = this.control;
    this.control = [];
    for (const reader of this.creditDirty) {
      const size = reader.takeBatchSize();
      if (size !== undefined) frames.push({ channelId: reader.wireId, type: FrameType.batchSize, payload: u32Payload(size) });
      const credit = reader.takeCredit();
      if (credit > 0) frames.push({ channelId: reader.wireId, type: FrameType.credit, payload: u32Payload(credit) });
    }
    this.creditDirty.clear();
    for (const writer of this.sendDirty) {
      const id = writer.wireId;
      if (id === undefined) continue; // not open yet: bind() schedules it again
      for (let f = writer.takeSendable(); f; f = writer.takeSendable()) {
        frames.push({ channelId: id, type: f.isEvent ? FrameType.event : FrameType.data, payload: f.payload });
      }
      if (writer.finished) this.retireWriter(writer);
    }
    this.sendDirty.clear();
    if (frames.length === 0) return;
    const bytes = encodeFrames(frames);
    this.bytesSent += bytes.length;
    socket.write(bytes);
  }

  private channelFailure(key: string): ChannelFailure {
    const cause = this.failureCause;
    const what =
      this.linkState === 'closed'
        ? (cause?.message ?? 'the data plane was closed')
        : `connection to the taskmanager at ${this.peer} lost: ${cause?.message ?? 'unknown'}`;
    return new ChannelFailure(key, `channel '${key}': ${what}`, { cause });
  }

  /** Fails the link and every open channel on it; see the class comment. */
  fail(error: Error): void {
    if (this.linkState === 'failed' || this.linkState === 'closed') return;
    this.linkState = 'failed';
    this.failureCause = error;
    this.teardown();
    this.socket?.destroy();
    this.options.onFailure(this, error);
  }

  /** Sends what is pending and a goodbye, then closes the socket; open channels fail with "closed". */
  close(): Promise<void> {
    if (this.linkState === 'failed' || this.linkState === 'closed') return Promise.resolve();
    this.control.push({ channelId: 0, type: FrameType.goodbye, payload: new Uint8Array(0) });
    this.flush();
    this.linkState = 'closed';
    this.teardown();
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      // A peer that does not close its side must not hold up shutdown.
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }

  private teardown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const ends = [...this.writers.values(), ...this.unboundWriters.values(), ...this.readers.values()];
    this.writers.clear();
    this.unboundWriters.clear();
    this.readers.clear();
    this.sendDirty.clear();
    this.creditDirty.clear();
    this.control = [];
    for (const end of ends) end.fail(this.channelFailure(end.channel));
  }
}
