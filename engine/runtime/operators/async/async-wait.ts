/**
 * The async I/O operator (Flink's `AsyncWaitOperator`). Each record starts a request through
 * the user's `AsyncFunction`; up to `capacity` records and watermarks are in the queue at once.
 * A full queue blocks the task's input (`blocksInput`), so back-pressure reaches the source.
 *
 * Promises settle outside the task: their callbacks only post a mail (`TaskServices.mailbox`);
 * completion, emission, retries and timeouts run inside the task, between steps. Records not
 * emitted yet are operator state at a checkpoint and are requested again after a restore: what
 * was emitted before the barrier is in the checkpoint's past, everything else comes again, so
 * output is exactly-once with an exactly-once sink. At the end of input the task waits for the
 * queue to drain (`hasPendingWork`) before it finishes the operator.
 */
import { UdfOperator } from '../udf-operator.ts';
import { attributeFailure } from '../../chain-outputs.ts';
import { asyncResults, type AsyncFunction, type AsyncResult } from './async-function.ts';
import type { AsyncRetryStrategy } from './retry-strategies.ts';
import type { AsyncElementQueue, AsyncRequest } from './element-queue.ts';
import { OrderedQueue } from './ordered-queue.ts';
import { UnorderedQueue } from './unordered-queue.ts';
import { instantiateUserFunction } from '../../functions.ts';
import type { KeySelector, OperatorInfo, OperatorSnapshot, TaskServices } from '../../operator.ts';
import type { Output } from '../../output.ts';
import type { MailboxExecutor } from '../../mailbox.ts';

/**
 * Ordered: output in input order. Unordered: as results arrive, within watermark bounds.
 *
 * @example
 * const mode: AsyncOutputMode = 'unordered';
 */
export type AsyncOutputMode = 'ordered' | 'unordered';

/**
 * How one async operator runs.
 *
 * @example
 * new AsyncWaitOperator(lookup, { mode: 'ordered', timeoutMs: 1000, capacity: 100 });
 */
export interface AsyncWaitOptions {
  mode: AsyncOutputMode;
  /** Time a record's requests (all attempts) may take, in ms; 0 = no timeout. */
  timeoutMs: number;
  /** Records and watermarks in the queue at most. */
  capacity: number;
  retry?: AsyncRetryStrategy<any> | undefined;
  /** Where the user defined the operator (`file:line:column`), for the timeout error. */
  definedAt?: string | undefined;
}

/** Operator state name of the records in flight. */
const IN_FLIGHT_STATE = 'async-wait:in-flight';

/** An element that came while the queue was full, waiting for room (at most one input batch). */
type Waiting = { value: unknown; timestamp: number } | { watermark: number };

/**
 * The operator behind `AsyncDataStream` (see the file comment for the model).
 *
 * @example
 * stream.transform('Async Wait (ordered)', 'asyncWait', () => new AsyncWaitOperator(lookup, { mode: 'ordered', timeoutMs: 1000, capacity: 100 }));
 */
export class AsyncWaitOperator<IN, OUT> extends UdfOperator<OUT> {
  private readonly fn: AsyncFunction<IN, OUT>;
  private readonly queue: AsyncElementQueue;
  /** Elements waiting for room, from `waitingHead` on. */
  private waiting: Waiting[] = [];
  private waitingHead = 0;
  private mailbox!: MailboxExecutor;
  private closed = false;
  /**
   * Requests that can time out, in start order. One timeout applies to all, so this is also
   * deadline order: one processing-time timer, for the head, serves them all (a timer per
   * request would fill the task's timer queue with cancelled timers at high rates).
   */
  private deadlines: AsyncRequest[] = [];
  private deadlinesHead = 0;
  private deadlineTimerArmed = false;
  /** Records a restore handed back, requested again in `open()`. */
  private restored: [unknown, number][] = [];

  constructor(
    shared: AsyncFunction<IN, OUT> | ((input: IN) => PromiseLike<AsyncResult<OUT>>),
    private readonly options: AsyncWaitOptions,
  ) {
    const fn = instantiateUserFunction(typeof shared === 'function' ? { asyncInvoke: shared } : shared);
    super(fn);
    this.fn = fn;
    this.queue = options.mode === 'ordered' ? new OrderedQueue() : new UnorderedQueue();
  }

  override setup(info: OperatorInfo, output: Output<OUT>, services: TaskServices, keySelectors: (KeySelector | undefined)[]): void {
    super.setup(info, output, services, keySelectors);
    if (!services.mailbox) throw new Error(`Async operator '${info.name}' needs a task mailbox; this runtime gives none`);
    this.mailbox = services.mailbox;
  }

  override initializeState(snapshots: OperatorSnapshot[]): void {
    super.initializeState(snapshots);
    const list = this.operatorState.getListState<[unknown, number]>(IN_FLIGHT_STATE);
    this.restored = list.splice(0, list.length);
  }

  override async open(): Promise<void> {
    await super.open();
    const restored = this.restored;
    this.restored = [];
    for (const [value, timestamp] of restored) this.processElement(value, timestamp);
  }

  override get blocksInput(): boolean {
    return this.waitingHead < this.waiting.length || this.queue.size >= this.options.capacity;
  }

  override get hasPendingWork(): boolean {
    return this.waitingHead < this.waiting.length || this.queue.size > 0;
  }

  processElement(value: unknown, timestamp: number): void {
    if (this.blocksInput) this.waiting.push({ value, timestamp });
    else this.start(this.queue.putRecord(value, timestamp));
  }

  override processWatermark(watermark: number): void {
    if (watermark <= this.currentWatermark) return;
    this.currentWatermark = watermark;
    if (this.blocksInput) this.waiting.push({ watermark });
    else {
      this.queue.putWatermark(watermark);
      this.queue.emitCompleted(this.output);
    }
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    const list = this.operatorState.getListState<[unknown, number]>(IN_FLIGHT_STATE);
    list.length = 0;
    for (const r of this.queue.unemittedRecords()) list.push([r.value, r.timestamp]);
    for (let i = this.waitingHead; i < this.waiting.length; i++) {
      const w = this.waiting[i]!;
      if ('value' in w) list.push([w.value, w.timestamp]);
    }
    return super.snapshotState(checkpointId);
  }

  override close(): void {
    this.closed = true;
    super.close();
  }

  private start(request: AsyncRequest): void {
    const timeoutMs = this.options.timeoutMs;
    if (timeoutMs > 0) {
      request.deadline = this.services.processingTime.now() + timeoutMs;
      this.deadlines.push(request);
      if (!this.deadlineTimerArmed) this.armDeadlineTimer(request.deadline);
    }
    this.invoke(request);
  }

  /** Starts one attempt; its answer comes back as a mail. */
  private invoke(request: AsyncRequest): void {
    const attempt = ++request.attempt;
    let pending: PromiseLike<AsyncResult<OUT>> | AsyncResult<OUT>;
    try {
      pending = this.fn.asyncInvoke(request.value as IN);
    } catch (e) {
      pending = Promise.reject(e);
    }
    Promise.resolve(pending).then(
      (result) => {
        if (!this.closed) this.mailbox.execute(() => this.inOperator(() => this.onResult(request, attempt, result)), 'async result');
      },
      (error: unknown) => {
        if (!this.closed) this.mailbox.execute(() => this.inOperator(() => this.onError(request, attempt, error)), 'async failure');
      },
    );
  }

  private isStale(request: AsyncRequest, attempt: number): boolean {
    return this.closed || request.results !== undefined || attempt !== request.attempt;
  }

  private onResult(request: AsyncRequest, attempt: number, result: AsyncResult<OUT>): void {
    if (this.isStale(request, attempt)) return;
    const results = asyncResults(result);
    const retry = this.options.retry;
    if (retry && retry.retriesResult(results) && this.retryLater(request, retry)) return;
    this.complete(request, results);
  }

  private onError(request: AsyncRequest, attempt: number, error: unknown): void {
    if (this.isStale(request, attempt)) return;
    const retry = this.options.retry;
    if (retry && retry.retriesException(error) && this.retryLater(request, retry)) return;
    throw error;
  }

  /** Schedules the next attempt, if the strategy allows one. */
  private retryLater(request: AsyncRequest, retry: AsyncRetryStrategy<any>): boolean {
    const next = request.attempt; // retries so far + 1
    if (!retry.canRetry(next)) return false;
    const pts = this.services.processingTime;
    request.cancelRetry = pts.schedule(pts.now() + retry.backoffMs(next), () => {
      request.cancelRetry = undefined;
      if (!this.closed && request.results === undefined) this.inOperator(() => this.invoke(request));
    });
    return true;
  }

  private armDeadlineTimer(time: number): void {
    this.deadlineTimerArmed = true;
    this.services.processingTime.schedule(time, (now) => this.inOperator(() => this.onDeadlineTimer(now)));
  }

  /** Times out every request whose deadline has passed, then waits for the next one's. */
  private onDeadlineTimer(now: number): void {
    this.deadlineTimerArmed = false;
    if (this.closed) return;
    this.dropFinishedDeadlines();
    while (this.deadlinesHead < this.deadlines.length) {
      const r = this.deadlines[this.deadlinesHead]!;
      if (r.results === undefined && r.deadline > now) break;
      this.deadlinesHead++;
      if (r.results === undefined) this.onTimeout(r);
    }
    this.dropFinishedDeadlines();
    if (this.deadlinesHead < this.deadlines.length) this.armDeadlineTimer(this.deadlines[this.deadlinesHead]!.deadline);
  }

  /** Forgets the finished requests at the head of `deadlines`, so it holds only what may still time out. */
  private dropFinishedDeadlines(): void {
    const ds = this.deadlines;
    while (this.deadlinesHead < ds.length && ds[this.deadlinesHead]!.results !== undefined) ds[this.deadlinesHead++] = undefined as unknown as AsyncRequest;
    if (this.deadlinesHead === ds.length) {
      this.deadlines = [];
      this.deadlinesHead = 0;
    } else if (this.deadlinesHead > 1024 && this.deadlinesHead * 2 > ds.length) {
      this.deadlines = ds.slice(this.deadlinesHead);
      this.deadlinesHead = 0;
    }
  }

  private onTimeout(request: AsyncRequest): void {
    if (this.closed || request.results !== undefined) return;
    request.attempt = -1; // whatever the running attempt answers is stale now
    request.cancelRetry?.();
    if (typeof this.fn.timeout !== 'function') {
      const at = this.options.definedAt ? `, defined at ${this.options.definedAt}` : '';
      throw new AsyncTimeoutError(
        `Async operator '${this.info.name}'${at}: the request for ${preview(request.value)} timed out after ${this.options.timeoutMs} ms (give the AsyncFunction a timeout() to emit a result instead)`,
      );
    }
    this.complete(request, asyncResults(this.fn.timeout(request.value as IN)));
  }

  /** Records `request`'s results, emits what the queue lets out, and lets waiting input in. */
  private complete(request: AsyncRequest, results: unknown[]): void {
    this.queue.complete(request, results);
    if (request.deadline !== Infinity) this.dropFinishedDeadlines();
    this.queue.emitCompleted(this.output);
    this.admitWaiting();
  }

  private admitWaiting(): void {
    const capacity = this.options.capacity;
    const waiting = this.waiting;
    while (this.waitingHead < waiting.length && this.queue.size < capacity) {
      const w = waiting[this.waitingHead]!;
      waiting[this.waitingHead++] = undefined as unknown as Waiting;
      if ('watermark' in w) {
        this.queue.putWatermark(w.watermark);
        this.queue.emitCompleted(this.output);
      } else this.start(this.queue.putRecord(w.value, w.timestamp));
    }
    if (this.waitingHead === waiting.length && this.waitingHead > 0) {
      this.waiting = [];
      this.waitingHead = 0;
    }
  }

  /** Runs a mail or timer of this operator, naming the operator in what it throws. */
  private inOperator(f: () => void): void {
    try {
      f();
    } catch (e) {
      throw attributeFailure(e, this);
    }
  }
}

/**
 * A request of an async operator that has no `timeout()` took longer than the operator's
 * timeout (Flink's `TimeoutException` "Async function call has timed out").
 *
 * @example
 * if (err.cause instanceof AsyncTimeoutError) console.log('raise the timeout or add timeout()');
 */
export class AsyncTimeoutError extends Error {
  override name = 'AsyncTimeoutError';
}

/** A short rendering of a record for an error message. */
function preview(value: unknown): string {
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
