/**
 * Async I/O on a DataStream (Flink's `AsyncDataStream`): enrich each record from a database or a
 * service with up to `capacity` requests in flight per subtask, in input order (`orderedWait`)
 * or as results arrive within watermark bounds (`unorderedWait`), with a timeout and an optional
 * retry strategy. In-flight records are checkpointed and requested again after a restore.
 */
import type { DataStream } from './datastream.ts';
import { InvalidPipelineError } from '../runtime/errors.ts';
import { AsyncWaitOperator, type AsyncOutputMode } from '../runtime/operators/async/async-wait.ts';
import type { AsyncFunction, AsyncResult } from '../runtime/operators/async/async-function.ts';
import { AsyncRetryStrategy } from '../runtime/operators/async/retry-strategies.ts';
import type { Transformation } from './transformation.ts';

/** Flink's default queue capacity of an async operator. */
const DEFAULT_CAPACITY = 100;

/**
 * An `AsyncFunction`, or just its `asyncInvoke` as a function.
 *
 * @example
 * const lookup: AsyncFunctionLike<number, Row> = async (id) => db.get(id);
 */
export type AsyncFunctionLike<IN, OUT> = AsyncFunction<IN, OUT> | ((input: IN) => PromiseLike<AsyncResult<OUT>>);

function asyncWait<IN, OUT>(
  mode: AsyncOutputMode,
  what: string,
  stream: DataStream<IN>,
  fn: AsyncFunctionLike<IN, OUT>,
  timeoutMs: number,
  capacity: number,
  retry: AsyncRetryStrategy<any> | undefined,
): DataStream<OUT> {
  if (!stream || typeof (stream as { transform?: unknown }).transform !== 'function') throw new InvalidPipelineError(`AsyncDataStream.${what}: the first argument must be a DataStream`);
  if (typeof fn !== 'function' && (!fn || typeof fn.asyncInvoke !== 'function')) {
    throw new InvalidPipelineError(`AsyncDataStream.${what}: expects an async function or an AsyncFunction object with an asyncInvoke(input) method`);
  }
  if (!(timeoutMs >= 0) || !Number.isFinite(timeoutMs)) {
    throw new InvalidPipelineError(`AsyncDataStream.${what}: timeoutMs must be a finite number ≥ 0 (0 = no timeout), got ${timeoutMs}`);
  }
  if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidPipelineError(`AsyncDataStream.${what}: capacity must be an integer ≥ 1, got ${capacity}`);
  if (retry !== undefined && !(retry instanceof AsyncRetryStrategy)) {
    throw new InvalidPipelineError(`AsyncDataStream.${what}: the retry strategy must come from AsyncRetryStrategies (e.g. AsyncRetryStrategies.fixedDelay(3, 100))`);
  }
  // The factory runs at deployment; by then the transformation knows where the user defined it.
  const made: { t?: Transformation } = {};
  const out = stream.transform<OUT>(
    mode === 'ordered' ? 'Async Wait (ordered)' : 'Async Wait (unordered)',
    'asyncWait',
    () => new AsyncWaitOperator<IN, OUT>(fn, { mode, timeoutMs, capacity, retry, definedAt: made.t?.definedAt }),
  );
  const t = (made.t = out.refs[0]!.transformation);
  t.config = { mode, timeoutMs, capacity, ...(retry ? { retry: { ...retry.spec } } : {}) };
  return out;
}

/**
 * Async I/O (Flink's `AsyncDataStream`). `fn` starts a request per record and returns a promise
 * of its results; up to `capacity` requests run at once per subtask (a full queue back-pressures
 * the input). A request running longer than `timeoutMs` (0 = never) gets the results of
 * `fn.timeout(input)`, or fails the job when `fn` has no `timeout`. Results carry their input's
 * timestamp.
 *
 * @example
 * const enriched = AsyncDataStream.orderedWait(clicks, {
 *   async asyncInvoke(c) { return { ...c, user: await users.get(c.userId) }; },
 *   timeout: (c) => ({ ...c, user: null }),
 * }, 1000, 100);
 */
export const AsyncDataStream = {
  /**
   * Results in the order of the input records; a slow request holds back those after it.
   *
   * @example
   * AsyncDataStream.orderedWait(ids, async (id) => (await fetch(`${api}/${id}`)).json(), 1000)
   */
  orderedWait<IN, OUT>(stream: DataStream<IN>, fn: AsyncFunctionLike<IN, OUT>, timeoutMs: number, capacity = DEFAULT_CAPACITY): DataStream<OUT> {
    return asyncWait('ordered', 'orderedWait', stream, fn, timeoutMs, capacity, undefined);
  },

  /**
   * Results as soon as their requests complete; watermarks still separate what came before them
   * from what came after, so event-time operators downstream see no extra late records.
   *
   * @example
   * AsyncDataStream.unorderedWait(ids, async (id) => db.lookup(id), 500, 50)
   */
  unorderedWait<IN, OUT>(stream: DataStream<IN>, fn: AsyncFunctionLike<IN, OUT>, timeoutMs: number, capacity = DEFAULT_CAPACITY): DataStream<OUT> {
    return asyncWait('unordered', 'unorderedWait', stream, fn, timeoutMs, capacity, undefined);
  },

  /**
   * `orderedWait` that tries a request again as `retryStrategy` says (the timeout covers every
   * attempt).
   *
   * @example
   * AsyncDataStream.orderedWaitWithRetry(ids, lookup, 2000, 100,
   *   AsyncRetryStrategies.fixedDelay(3, 100).ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE))
   */
  orderedWaitWithRetry<IN, OUT>(
    stream: DataStream<IN>,
    fn: AsyncFunctionLike<IN, OUT>,
    timeoutMs: number,
    capacity: number,
    retryStrategy: AsyncRetryStrategy<OUT>,
  ): DataStream<OUT> {
    return asyncWait('ordered', 'orderedWaitWithRetry', stream, fn, timeoutMs, capacity, retryStrategy);
  },

  /**
   * `unorderedWait` that tries a request again as `retryStrategy` says (the timeout covers every
   * attempt).
   *
   * @example
   * AsyncDataStream.unorderedWaitWithRetry(ids, lookup, 2000, 100,
   *   AsyncRetryStrategies.exponentialBackoff(4, 10, 500).ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE))
   */
  unorderedWaitWithRetry<IN, OUT>(
    stream: DataStream<IN>,
    fn: AsyncFunctionLike<IN, OUT>,
    timeoutMs: number,
    capacity: number,
    retryStrategy: AsyncRetryStrategy<OUT>,
  ): DataStream<OUT> {
    return asyncWait('unordered', 'unorderedWaitWithRetry', stream, fn, timeoutMs, capacity, retryStrategy);
  },
};
