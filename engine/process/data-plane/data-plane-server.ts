import { createServer, type Server, type Socket } from 'node:net';
import { DEFAULT_MAX_FRAME_BYTES, FrameParser, FrameType, payloadText, PROTOCOL_VERSION } from './frames.ts';
import { PeerLink, type PeerLinkState } from './peer-link.ts';
import type { RemoteChannelReader, RemoteChannelWriter } from './remote-channel.ts';
import { privateSocketAddress, type SocketAddress } from './socket-address.ts';

/** Options of a taskmanager's data-plane server. */
export interface DataPlaneServerOptions {
  /**
   * Default buffers (credit) per input channel: batches in flight per channel. Default 64: a
   * batch is flushed at the end of every task step, so under a hash exchange it holds a share of
   * a step's records, and a credit round trip spans two time slices of the runners; with 16 the
   * sources of a 2-taskmanager keyed job waited on credit two thirds of the time.
   */
  buffersPerChannel?: number;
  /** How long to keep trying to connect to a peer, or to wait for it to connect. Default 10 s. */
  connectTimeoutMs?: number;
  /** Largest frame accepted from a peer. Default 256 MiB. */
  maxFrameBytes?: number;
}

/** One peer as `stats()` reports it. */
export interface PeerStats {
  /** The peer's data-plane address. */
  peer: string;
  state: PeerLinkState;
  channels: number;
  /** Encoded bytes in this side's writers, waiting for credit or the next socket write. */
  queuedBytes: number;
  /** Bytes Node buffers in the socket, not yet taken by the kernel. */
  socketBufferedBytes: number;
  bytesSent: number;
  bytesReceived: number;
}

/**
 * A taskmanager's end of the data plane: a server on a private local socket (a Unix domain
 * socket in a 0700 temp dir, or a named pipe on Windows) plus one `PeerLink` per other
 * taskmanager, over which any number of channels are multiplexed. A taskmanager is known to
 * the others by its address.
 *
 * Setup, as the jobmanager orchestrates it: start a server in every taskmanager and hand every
 * taskmanager the addresses of the others. For every channel that crosses taskmanagers, the
 * producer's taskmanager creates the writer and the consumer's the reader, with the same key
 * (unique among the channels of that pair of taskmanagers and never reused, e.g.
 * `${jobId}:${edge}:${producer}:${consumer}`). Order does not matter: frames and credit wait
 * for the other end.
 *
 * @example
 * const dp = await DataPlaneServer.start();
 * // … addresses exchanged through the jobmanager …
 * const out = dp.createWriter(consumerAddress, 'job-7:2:0:1'); // the consumer: createReader(dp.address, 'job-7:2:0:1')
 * out.onWritable = wake;
 * await dp.close();
 */
export class DataPlaneServer {
  private readonly links = new Map<string, PeerLink>();
  private readonly pending = new Set<Socket>();
  private closed = false;
  private readonly exitHook = () => this.socketAddress.dispose();
  /** Told when the connection to a peer fails (its channels fail too), with the peer's address. */
  onPeerFailure: ((peer: string, error: Error) => void) | undefined;

  private constructor(
    private readonly server: Server,
    private readonly socketAddress: SocketAddress,
    private readonly options: Required<DataPlaneServerOptions>,
  ) {
    process.once('exit', this.exitHook);
  }

  /** Starts listening on a fresh private address. */
  static async start(options: DataPlaneServerOptions = {}): Promise<DataPlaneServer> {
    const full: Required<DataPlaneServerOptions> = {
      buffersPerChannel: options.buffersPerChannel ?? 64,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    };
    const address = privateSocketAddress();
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(address.path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      address.dispose();
      throw e;
    }
    const dp = new DataPlaneServer(server, address, full);
    server.on('connection', (socket) => dp.accept(socket));
    return dp;
  }

  /** Where peers connect, and this taskmanager's identity on the data plane. */
  get address(): string {
    return this.socketAddress.path;
  }

  /** The producing end of channel `key`, whose consumer runs in the taskmanager at `peer`. */
  createWriter(peer: string, key: string): RemoteChannelWriter {
    return this.link(peer).createWriter(key);
  }

  /** The consuming end of channel `key`, whose producer runs in the taskmanager at `peer`. */
  createReader(peer: string, key: string, options: { buffers?: number } = {}): RemoteChannelReader {
    return this.link(peer).createReader(key, options.buffers ?? this.options.buffersPerChannel);
  }

  /** Per-peer figures: state, channels, queued and buffered bytes. */
  stats(): PeerStats[] {
    return [...this.links.values()].map((l) => ({
      peer: l.peer,
      state: l.state,
      channels: l.channelCount,
      queuedBytes: l.queuedBytes,
      socketBufferedBytes: l.socketBufferedBytes,
      bytesSent: l.bytesSent,
      bytesReceived: l.bytesReceived,
    }));
  }

  private link(peer: string): PeerLink {
    if (this.closed) throw new Error('the data-plane server is closed');
    if (peer === this.address) throw new Error('a taskmanager cannot be its own peer: channels inside a taskmanager are local channels');
    let link = this.links.get(peer);
    if (!link) {
      link = new PeerLink(this.address, peer, {
        connectTimeoutMs: this.options.connectTimeoutMs,
        maxFrameBytes: this.options.maxFrameBytes,
        onFailure: (l, e) => this.onPeerFailure?.(l.peer, e),
      });
      this.links.set(peer, link);
    }
    return link;
  }

  /** An incoming connection: its first frame must be the peer's hello, which picks the link. */
  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.pending.add(socket);
    let link: PeerLink | undefined;
    const parser = new FrameParser((channelId, type, payload) => {
      if (link) {
        try {
          link.handleFrame(channelId, type, payload);
        } catch (e) {
          link.fail(e instanceof Error ? e : new Error(String(e)));
        }
        return;
      }
      if (type !== FrameType.hello || payload[0] !== PROTOCOL_VERSION) throw new Error('the first frame was not a hello of this protocol version');
      const peer = payloadText(payload, 1);
      const candidate = this.link(peer);
      this.pending.delete(socket);
      socket.off('data', beforeHello);
      clearTimeout(timer);
      if (!candidate.attach(socket, (chunk) => parser.push(chunk))) throw new Error(`a second connection from the taskmanager at ${peer}`);
      link = candidate;
      link.handleFrame(channelId, type, payload);
    }, this.options.maxFrameBytes);
    const beforeHello = (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch {
        this.pending.delete(socket);
        socket.destroy();
      }
    };
    socket.on('data', beforeHello);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.pending.delete(socket));
    const timer = setTimeout(() => socket.destroy(), this.options.connectTimeoutMs);
    timer.unref();
  }

  /** Flushes and closes every connection, stops listening and removes the socket. Open channels fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.pending) s.destroy();
    this.pending.clear();
    await Promise.all([...this.links.values()].map((l) => l.close()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.socketAddress.dispose();
    process.off('exit', this.exitHook);
  }
}
