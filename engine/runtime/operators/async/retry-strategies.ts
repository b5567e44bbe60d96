/**
 * When and how soon async I/O tries a request again (Flink's `AsyncRetryStrategy`,
 * `AsyncRetryStrategies` and `RetryPredicates`). A strategy is immutable: `ifResult` and
 * `ifException` return a new one.
 */

/**
 * Whether a request's results call for another attempt.
 *
 * @example
 * const noRows: ResultRetryPredicate<Row> = (rows) => rows.length === 0;
 */
export type ResultRetryPredicate<OUT = unknown> = (results: OUT[]) => boolean;
/**
 * Whether a request's failure calls for another attempt.
 *
 * @example
 * const transient: ExceptionRetryPredicate = (e) => /ECONNRESET|503/.test(String(e));
 */
export type ExceptionRetryPredicate = (error: unknown) => boolean;

/**
 * A retry strategy as plain data, for the plan (`weir plan`, job.json).
 *
 * @example
 * AsyncRetryStrategies.fixedDelay(3, 100).spec; // { kind: 'fixed-delay', maxAttempts: 3, delayMs: 100 }
 */
export interface AsyncRetrySpec {
  kind: 'fixed-delay' | 'exponential-backoff';
  /** Retries after the first attempt. */
  maxAttempts: number;
  /** Delay before the first retry (ms). */
  delayMs: number;
  /** Exponential backoff only: the longest delay (ms) and the factor between two delays. */
  maxDelayMs?: number;
  multiplier?: number;
}

/**
 * How an async operator retries: up to `maxAttempts` more attempts after the first, each after a
 * delay, when the results match `ifResult` or the failure matches `ifException`. Without a
 * matching predicate nothing is retried. The operator's timeout covers all attempts.
 *
 * @example
 * AsyncRetryStrategies.fixedDelay(3, 100)
 *   .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
 *   .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
 */
export class AsyncRetryStrategy<OUT = unknown> {
  /** @internal use `AsyncRetryStrategies` */
  constructor(
    readonly spec: AsyncRetrySpec,
    private readonly resultPredicate?: ResultRetryPredicate<OUT>,
    private readonly exceptionPredicate?: ExceptionRetryPredicate,
  ) {}

  /**
   * Retries a request whose results match `predicate`.
   *
   * @example
   * AsyncRetryStrategies.fixedDelay(2, 50).ifResult((rows) => rows.length === 0)
   */
  ifResult<R = OUT>(predicate: ResultRetryPredicate<R>): AsyncRetryStrategy<R> {
    if (typeof predicate !== 'function') throw new TypeError('ifResult() expects a function (results) => boolean');
    return new AsyncRetryStrategy<R>(this.spec, predicate, this.exceptionPredicate);
  }

  /**
   * Retries a request that failed with an error matching `predicate`.
   *
   * @example
   * AsyncRetryStrategies.fixedDelay(2, 50).ifException((e) => String(e).includes('ECONNRESET'))
   */
  ifException(predicate: ExceptionRetryPredicate): AsyncRetryStrategy<OUT> {
    if (typeof predicate !== 'function') throw new TypeError('ifException() expects a function (error) => boolean');
    return new AsyncRetryStrategy<OUT>(this.spec, this.resultPredicate, predicate);
  }

  /** @internal Whether retry number `attempt` (1 = the first retry) may run. */
  canRetry(attempt: number): boolean {
    return attempt <= this.spec.maxAttempts;
  }

  /** @internal The delay before retry number `attempt` (1 = the first retry), in ms. */
  backoffMs(attempt: number): number {
    const s = this.spec;
    if (s.kind === 'fixed-delay') return s.delayMs;
    return Math.min(s.maxDelayMs!, s.delayMs * Math.pow(s.multiplier!, attempt - 1));
  }

  /** @internal Whether these results call for a retry. */
  retriesResult(results: OUT[]): boolean {
    return this.resultPredicate ? this.resultPredicate(results) : false;
  }

  /** @internal Whether this failure calls for a retry. */
  retriesException(error: unknown): boolean {
    return this.exceptionPredicate ? this.exceptionPredicate(error) : false;
  }
}

function checkAttemptsAndDelay(what: string, maxAttempts: number, delayMs: number): void {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`${what}: maxAttempts must be an integer ≥ 1, got ${maxAttempts}`);
  if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw new RangeError(`${what}: the delay must be a finite number of ms ≥ 0, got ${delayMs}`);
}

/**
 * The retry strategies of async I/O (Flink's `AsyncRetryStrategies`).
 *
 * @example
 * AsyncDataStream.orderedWaitWithRetry(stream, lookup, 1000, 100,
 *   AsyncRetryStrategies.exponentialBackoff(5, 10, 1000, 2).ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE));
 */
export const AsyncRetryStrategies = {
  /**
   * Up to `maxAttempts` retries, each `delayMs` after the previous attempt ended.
   *
   * @example
   * AsyncRetryStrategies.fixedDelay(3, 100).ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
   */
  fixedDelay<OUT = unknown>(maxAttempts: number, delayMs: number): AsyncRetryStrategy<OUT> {
    checkAttemptsAndDelay('AsyncRetryStrategies.fixedDelay', maxAttempts, delayMs);
    return new AsyncRetryStrategy<OUT>({ kind: 'fixed-delay', maxAttempts, delayMs });
  },

  /**
   * Up to `maxAttempts` retries; the first after `initialDelayMs`, each next one `multiplier`
   * times later, at most `maxDelayMs`.
   *
   * @example
   * AsyncRetryStrategies.exponentialBackoff(5, 10, 1000, 2).ifException(() => true)
   */
  exponentialBackoff<OUT = unknown>(maxAttempts: number, initialDelayMs: number, maxDelayMs: number, multiplier = 2): AsyncRetryStrategy<OUT> {
    checkAttemptsAndDelay('AsyncRetryStrategies.exponentialBackoff', maxAttempts, initialDelayMs);
    if (!(maxDelayMs >= initialDelayMs) || !Number.isFinite(maxDelayMs)) {
      throw new RangeError(`AsyncRetryStrategies.exponentialBackoff: maxDelayMs must be finite and ≥ initialDelayMs (${initialDelayMs}), got ${maxDelayMs}`);
    }
    if (!(multiplier >= 1) || !Number.isFinite(multiplier)) throw new RangeError(`AsyncRetryStrategies.exponentialBackoff: multiplier must be ≥ 1, got ${multiplier}`);
    return new AsyncRetryStrategy<OUT>({ kind: 'exponential-backoff', maxAttempts, delayMs: initialDelayMs, maxDelayMs, multiplier });
  },
};

/**
 * Ready-made retry predicates (Flink's `RetryPredicates`).
 *
 * @example
 * AsyncRetryStrategies.fixedDelay(3, 100)
 *   .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
 *   .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
 */
export const RetryPredicates = {
  /** Retries when a request yielded no record. */
  EMPTY_RESULT_PREDICATE: ((results: unknown[]) => results.length === 0) as ResultRetryPredicate<any>,
  /** Retries on any failure. */
  HAS_EXCEPTION_PREDICATE: ((_error: unknown) => true) as ExceptionRetryPredicate,
};
