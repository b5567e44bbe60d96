import { CreditChannelReader } from '../../runtime/network/credit/credit-channel-reader.ts';
import { CreditChannelWriter } from '../../runtime/network/credit/credit-channel-writer.ts';

/** What a remote channel end needs from the connection it is multiplexed on. */
export interface ChannelLink {
  /** The data-plane address of the taskmanager at the other end (its identity). */
  readonly peer: string;
  /** The writer has frames it may send: send them with the next socket write. */
  scheduleSend(writer: RemoteChannelWriter): void;
  /** The reader freed buffers: announce its credit with the next socket write. */
  scheduleCredit(reader: RemoteChannelReader): void;
  /** The writer gives the channel up before end of input. */
  abort(writer: RemoteChannelWriter, reason: string): void;
  /** The reader gives the channel up before end of input. */
  release(reader: RemoteChannelReader, reason: string): void;
}

/**
 * The producing end of a channel to a subtask in another taskmanager: a `ChannelWriter` that a
 * task uses exactly like a local channel (`writable`, `push`). It becomes writable when the
 * consumer opens the channel with its initial credit, and fails (push throws `ChannelFailure`)
 * when the connection to the peer is lost or the consumer releases the channel.
 *
 * Wake-ups: set `onWritable` to reschedule a blocked task when credit arrives (or on failure).
 *
 * @example
 * const out = dataPlane.createWriter(consumerAddress, 'job-7:2:0:1');
 * out.onWritable = wakeTasks;
 * const writer = new RecordWriter([out], selector);
 */
export class RemoteChannelWriter extends CreditChannelWriter {
  /** The reader's id for this channel on the socket, once its open frame arrived (owned by the link). */
  wireId: number | undefined;

  constructor(
    key: string,
    private readonly link: ChannelLink,
  ) {
    super(key, (w) => link.scheduleSend(w as RemoteChannelWriter));
  }

  /** The data-plane address of the consumer's taskmanager. */
  get peer(): string {
    return this.link.peer;
  }

  /** Gives the channel up before end of input (the task failed or was cancelled); the consumer fails with `reason`. */
  abort(reason = 'the producing task stopped before end of input'): void {
    this.link.abort(this, reason);
  }
}

/**
 * The consuming end of a channel from a subtask in another taskmanager: a `ChannelReader` that a
 * task polls like a local channel. Elements are decoded when polled; each batch polled returns
 * one credit to the producer.
 *
 * Wake-ups: set `onData` to reschedule an idle task when a frame arrives (or on failure). A lost
 * connection makes `poll()` throw `ChannelFailure` once the elements that did arrive are taken.
 *
 * @example
 * const input = dataPlane.createReader(producerAddress, 'job-7:2:0:1', { buffers: 16 });
 * input.onData = wakeTasks;
 * const task = new StreamTask(name, operators, [{ reader: input, input: 0 }], ...);
 */
export class RemoteChannelReader extends CreditChannelReader {
  constructor(
    key: string,
    /** This side's id for the channel on the socket. */
    readonly wireId: number,
    buffers: number,
    private readonly link: ChannelLink,
  ) {
    super(key, buffers, (r) => link.scheduleCredit(r as RemoteChannelReader));
  }

  /** The data-plane address of the producer's taskmanager. */
  get peer(): string {
    return this.link.peer;
  }

  /** Gives the channel up before end of input (the task failed or was cancelled); the producer fails with `reason`. */
  release(reason = 'the consuming task stopped before end of input'): void {
    this.link.release(this, reason);
  }
}
