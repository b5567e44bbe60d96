/**
 * A channel between two processes broke: the peer died, the connection dropped, or the other
 * end released the channel before end of input. The channel's end throws it from `push()` or
 * `poll()`, so the task fails with it and the job reports it.
 */
export class ChannelFailure extends Error {
  override name = 'ChannelFailure';

  constructor(
    /** The channel's name (its key), for messages. */
    readonly channel: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
