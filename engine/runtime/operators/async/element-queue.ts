/**
 * What the async I/O queues share (Flink's `StreamElementQueue` and `ResultFuture` entry): a
 * queue holds the operator's unfinished records and the watermarks between them, and emits what
 * may go out. Ordered and unordered emission are two small queues, not one with a flag.
 */
import type { Output } from '../../output.ts';

/**
 * One record in flight: its input, and what the operator tracks while its request runs.
 *
 * @example
 * const request = queue.putRecord(value, timestamp); // then asyncInvoke(request.value)
 */
export interface AsyncRequest {
  readonly value: unknown;
  readonly timestamp: number;
  /** The results once the request completed (or timed out into `timeout()`'s results). */
  results: unknown[] | undefined;
  /** The attempt whose answer counts; answers of earlier attempts (or after a timeout) are stale. */
  attempt: number;
  /** Processing time at which the request times out (Infinity: never). */
  deadline: number;
  cancelRetry: (() => void) | undefined;
}

/**
 * The queue of one async operator instance. `size` counts records and watermarks, as Flink's
 * capacity does.
 *
 * @example
 * const queue: AsyncElementQueue = mode === 'ordered' ? new OrderedQueue() : new UnorderedQueue();
 */
export interface AsyncElementQueue {
  readonly size: number;
  /** Adds a record whose request is about to start. */
  putRecord(value: unknown, timestamp: number): AsyncRequest;
  /** Adds a watermark; it goes out after the records before it. */
  putWatermark(timestamp: number): void;
  /** Marks `request` done with `results`; `emitCompleted` sends them when their turn comes. */
  complete(request: AsyncRequest, results: unknown[]): void;
  /** Emits every record and watermark that may go out now, in the order the queue allows. */
  emitCompleted(output: Output): void;
  /** Records not emitted yet, in input order, for a checkpoint. */
  unemittedRecords(): AsyncRequest[];
}

/** A request for `value`, not started yet. */
export function newRequest(value: unknown, timestamp: number): AsyncRequest {
  return { value, timestamp, results: undefined, attempt: 0, deadline: Infinity, cancelRetry: undefined };
}

/** Emits a completed request's results with its input's timestamp. */
export function emitResults(request: AsyncRequest, output: Output): void {
  const rs = request.results!;
  for (let i = 0; i < rs.length; i++) output.collect(rs[i], request.timestamp);
}
