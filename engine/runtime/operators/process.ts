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
    const notKeyed = (what: string) => () => {
      throw new Error(`Operator '${op.info.name}' calls ${what}, but timers need a keyed stream: call keyBy(...) first`);
    };
    this.timers = timerService
      ? {
          currentProcessingTime: () => timerService.currentProcessingTime(),
          currentWatermark: () => this.watermark(),
          registerEventTimeTimer: (t) => timerService.registerEventTimeTimer(VOID_NAMESPACE as number, t),
          registerProcessingTimeTimer: (t) => timerService.registerProcessingTimeTimer(VOID_NAMESPACE as number, t),
          deleteEventTimeTimer: (t) => timerService.deleteEventTimeTimer(VOID_NAMESPACE as number, t),
          deleteProcessingTimeTimer: (t) => timerService.deleteProcessingTimeTimer(VOID_NAMESPACE as number, t),
        }
      : {
          currentProcessingTime: () => op.services.processingTime.now(),
          currentWatermark: () => this.watermark(),
          registerEventTimeTimer: notKeyed('registerEventTimeTimer'),
          registerProcessingTimeTimer: notKeyed('registerProcessingTimeTimer'),
          deleteEventTimeTimer: notKeyed('deleteEventTimeTimer'),
          deleteProcessingTimeTimer: notKeyed('deleteProcessingTimeTimer'),
        };
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
}

/** `process` on a plain stream. */
export class ProcessOperator<I, O> extends UdfOperator<O> {
  private ctx!: ProcessContexts<O>;
  private readonly fn: ProcessFunction<I, O>;
  constructor(shared: ProcessFunction<I, O>) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    this.fn = fn;
    if (!fn || typeof fn.processElement !== 'function') throw new TypeError('process() expects an object with processElement(value, ctx, out)');
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
    if (!fn || typeof fn.processElement !== 'function') throw new TypeError('process() expects an object with processElement(value, ctx, out)');
  }
  override open() {
    const timers = this.createTimerService<number>(
      {
        onEventTime: (t) => this.onTimer(t, 'EVENT_TIME'),
        onProcessingTime: (t) => this.onTimer(t, 'PROCESSING_TIME'),
      },
      () => VOID_NAMESPACE,
    );
    this.ctx = new ProcessContexts<O>(this, timers, () => this.currentWatermark);
    return super.open();
  }
  processElement(value: I, timestamp: number): void {
    this.setKeyContextElement(value);
    this.ctx.timestampValue = timestamp;
    this.ctx.domain = 'EVENT_TIME';
    this.fn.processElement(value, this.ctx, this.ctx);
  }
  private onTimer(timer: InternalTimer<number>, domain: TimeDomain): void {
    if (!this.fn.onTimer) return;
    // Records emitted by an event-time timer carry the timer's time; processing-time ones none.
    this.ctx.timestampValue = domain === 'EVENT_TIME' ? timer.timestamp : NO_TIMESTAMP;
    this.ctx.domain = domain;
    this.fn.onTimer(timer.timestamp, this.ctx, this.ctx);
  }
}
