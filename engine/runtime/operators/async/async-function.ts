/**
 * The user function of async I/O (Flink's `AsyncFunction`), in TypeScript idiom: instead of
 * completing a `ResultFuture`, `asyncInvoke` returns a promise of its results.
 */
import type { RichFunction } from '../../functions.ts';

/**
 * What one request yields: an array is the collection of results (zero or more records, as
 * Flink's `ResultFuture.complete(collection)`); any other value is one result; `undefined` or
 * `null` is none. To emit an array as one record, wrap it: `[row]`.
 *
 * @example
 * const none: AsyncResult<Row> = [];
 * const one: AsyncResult<Row> = { id: 1, name: 'a' };
 */
export type AsyncResult<OUT> = OUT | OUT[] | null | undefined | void;

/**
 * Looks each record up in an external system (a database, a service) without blocking the task.
 * `asyncInvoke` starts the request and returns a promise of its results; up to the operator's
 * capacity run at once. `timeout`, when given, supplies the results of a request that did not
 * finish in time (without it the job fails). `open`/`close` run once per subtask, for clients.
 *
 * @example
 * const enrich: AsyncFunction<Click, Enriched> = {
 *   async asyncInvoke(click) {
 *     const res = await fetch(`http://users.local/${click.user}`);
 *     return { ...click, country: (await res.json()).country };
 *   },
 *   timeout: (click) => ({ ...click, country: 'unknown' }),
 * };
 */
export interface AsyncFunction<IN, OUT> extends RichFunction {
  /** Starts the request for `input`; the promise's value is its results (see `AsyncResult`). */
  asyncInvoke(input: IN): PromiseLike<AsyncResult<OUT>> | AsyncResult<OUT>;
  /** The results for `input` when its request timed out; throw to fail the job instead. */
  timeout?(input: IN): AsyncResult<OUT>;
}

/** Turns what a request or `timeout()` returned into the records to emit. */
export function asyncResults<OUT>(result: AsyncResult<OUT>): OUT[] {
  if (result === undefined || result === null) return [];
  if (Array.isArray(result)) return result as OUT[];
  return [result as OUT];
}
