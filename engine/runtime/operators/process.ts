import { UdfOperator } from './udf-operator.ts';
import type {
  Collector,
  KeyedProcessFunction,
  OnTimerContext,
  OutputTagLike,
  ProcessFunction,
  TimeDomain,
  TimerService,
} from '../functions.ts';
import { NO_TIMESTAMP } from '../elements.ts';
import { instantiateUserFunction } from '../functions.ts';
import type { InternalTimer, InternalTimerService } from '../timers.ts';
import { VOID_NAMESPACE } from '../../state/state-table.ts';
import type { StreamOperator } from '../operator.ts';

/**
 * A `TimerService` that tells the time but refuses timers, with the error `refusal(method)`: a
 * process function on a stream without keys, or the broadcast side, which has no current key.
 *
 * @example
 * timersRefused(op, () => op.currentWatermark, (m) => `${m} needs a keyed stream`).registerEventTimeTimer(5); // throws
 */
export function timersRefused(op: StreamOperator, watermark: () => number, refusal: (method: string) => string): TimerService {
  const refuse = (method: string) => () => {
    throw new Error(refusal(method));
  };
  return {
    currentProcessingTime: () => op.services.processingTime.now(),
    currentWatermark: watermark,
    registerEventTimeTimer: refuse('registerEventTimeTimer'),
    registerProcessingTimeTimer: refuse('registerProcessingTimeTimer'),
    deleteEventTimeTimer: refuse('deleteEventTimeTimer'),
    deleteProcessingTimeTimer: refuse('deleteProcessingTimeTimer'),
  };
}

/**
 * The contexts and collector a process function sees, reused across records (no allocation per
 * record). `timestamp` is the current record's (or firing timer's) time.
 */
export class ProcessContexts<O> implements OnTimerContext<any>, Collector<O> {
  timestampValue = NO_TIMESTAMP;
  domain: TimeDomain = 'EVENT_TIME';
  private readonly timers: TimerService;

  constructor(
    private readonly op: StreamOperator<O>,
    timerService: InternalTimerService<number> | undefined,
    private readonly watermark: () => number,
  ) {
    this.timers = timerService
      ? {
          currentProcessingTime: () => timerService.currentProcessingTime(),
          currentWatermark: () => this.watermark(),
          registerEventTimeTimer: (t) => timerService.registerEventTimeTimer(VOID_NAMESPACE as number, t),
          registerProcessingTimeTimer: (t) => timerService.registerProcessingTimeTimer(VOID_NAMESPACE as number, t),
          deleteEventTimeTimer: (t) => timerService.deleteEventTimeTimer(VOID_NAMESPACE as number, t),
          deleteProcessingTimeTimer: (t) => timerService.deleteProcessingTimeTimer(VOID_NAMESPACE as number, t),
        }
      : timersRefused(op, () => this.watermark(), (method) => `Operator '${op.info.name}' calls ${method}, but timers need a keyed stream: call keyBy(...) first`);
  }

  timestamp(): number | undefined {
    return this.timestampValue === NO_TIMESTAMP ? undefined : this.timestampValue;
  }
  timerService(): TimerService {
    return this.timers;
  }
  output<X>(tag: OutputTagLike<X>, value: X): void {
    this.op.output.collectSide(tag.id, value, this.timestampValue);
  }
  getCurrentKey(): any {
    return this.op.requireKeyed('getCurrentKey()').currentKey;
  }
  timeDomain(): TimeDomain {
    return this.domain;
  }
  collect(value: O): void {
    this.op.output.collect(value, this.timestampValue);
  }

  /**
   * Calls a process function's `onTimer` for a firing timer, with this context: the output of
   * an event-time timer carries the timer's time, that of a processing-time timer none (as
   * Flink's `KeyedProcessOperator`).
   */
  fireTimer(fn: { onTimer?(timestamp: number, ctx: OnTimerContext<any>, out: Collector<O>): void }, timer: InternalTimer<number>, domain: TimeDomain): void {
    if (!fn.onTimer) return;
    this.timestampValue = domain === 'EVENT_TIME' ? timer.timestamp : NO_TIMESTAMP;
    this.domain = domain;
    fn.onTimer(timer.timestamp, this, this);
  }
}

/**
 * The timer service of a keyed process function: timers per key, without a namespace, each
 * firing `fire` with its domain.
 *
 * @example
 * const timers = processFunctionTimers(this, (timer, domain) => this.ctx.fireTimer(this.fn, timer, domain));
 */
export function processFunctionTimers(op: StreamOperator, fire: (timer: InternalTimer<number>, domain: TimeDomain) => void): InternalTimerService<number> {
  return op.createTimerService<number>({ onEventTime: (t) => fire(t, 'EVENT_TIME'), onProcessingTime: (t) => fire(t, 'PROCESSING_TIME') }, () => VOID_NAMESPACE);
}

function checkProcessFunction(fn: { processElement?: unknown } | undefined): void {
  if (!fn || typeof fn.processElement !== 'function') throw new TypeError('process() expects an object with processElement(value, ctx, out)');
}

/** `process` on a plain stream. */
export class ProcessOperator<I, O> extends UdfOperator<O> {
  private ctx!: ProcessContexts<O>;
  private readonly fn: ProcessFunction<I, O>;
  constructor(shared: ProcessFunction<I, O>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = fn;
    checkProcessFunction(fn);
  }
  override open() {
    this.ctx = new ProcessContexts<O>(this, undefined, () => this.currentWatermark);
    return super.open();
  }
  processElement(value: I, timestamp: number): void {
    this.ctx.timestampValue = timestamp;
    this.fn.processElement(value, this.ctx, this.ctx);
  }
}

/** `process` on a keyed stream: keyed state and timers (Flink's `KeyedProcessOperator`). */
export class KeyedProcessOperator<K, I, O> extends UdfOperator<O> {
  private ctx!: ProcessContexts<O>;
  private readonly fn: KeyedProcessFunction<K, I, O>;
  constructor(shared: KeyedProcessFunction<K, I, O>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = fn;
    checkProcessFunction(fn);
  }
  override open() {
    const timers = processFunctionTimers(this, (timer, domain) => this.ctx.fireTimer(this.fn, timer, domain));
    this.ctx = new ProcessContexts<O>(this, timers, () => this.currentWatermark);
    return super.open();
  }
  processElement(value: I, timestamp: number): void {
    this.setKeyContextElement(value);
    this.ctx.timestampValue = timestamp;
    this.ctx.domain = 'EVENT_TIME';
    this.fn.processElement(value, this.ctx, this.ctx);
  }
}
