/**
 * Drives one operator by hand, the way Flink's `OneInputStreamOperatorTestHarness` does: records,
 * watermarks and processing time go in one call at a time, and everything the operator emits
 * (records, side outputs, watermarks, watermark statuses) is recorded in order. Processing time
 * is a manual clock; due timers run only inside `setProcessingTime`, as mails would between
 * records in a task.
 */
import { StreamOperator, type KeySelector, type OperatorInfo, type OperatorSnapshot, type TaskServices } from '../../engine/runtime/operator.ts';
import type { Output } from '../../engine/runtime/output.ts';
import { ManualClock, TimerQueue, type ProcessingTimeService } from '../../engine/runtime/processing-time.ts';
import { NO_TIMESTAMP } from '../../engine/runtime/elements.ts';
import type { RuntimeMode } from '../../engine/plan/job-graph.ts';
import { TaskMailbox } from '../../engine/runtime/mailbox.ts';

/**
 * A record emitted on the main output or a side output.
 *
 * @example
 * assert.deepEqual(harness.output(), [{ value: 3, timestamp: 999 }]);
 */
export interface EmittedRecord<T = unknown> {
  value: T;
  timestamp: number;
}

/**
 * One thing an operator emitted, in emission order.
 *
 * @example
 * harness.events(); // [{ kind: 'record', value: 3, timestamp: 999 }, { kind: 'watermark', timestamp: 1000 }]
 */
export type HarnessEvent =
  | { kind: 'record'; value: unknown; timestamp: number }
  | { kind: 'side'; tagId: string; value: unknown; timestamp: number }
  | { kind: 'watermark'; timestamp: number }
  | { kind: 'status'; idle: boolean };

/**
 * An `Output` that keeps everything it is given.
 *
 * @example
 * const out = new CollectingOutput();
 * op.setup(info, out, services, []);
 * out.events; // what op emitted
 */
export class CollectingOutput implements Output<any> {
  readonly events: HarnessEvent[] = [];
  collect(value: unknown, timestamp: number): void {
    this.events.push({ kind: 'record', value, timestamp });
  }
  collectSide(tagId: string, value: unknown, timestamp: number): void {
    this.events.push({ kind: 'side', tagId, value, timestamp });
  }
  emitWatermark(timestamp: number): void {
    this.events.push({ kind: 'watermark', timestamp });
  }
  emitWatermarkStatus(idle: boolean): void {
    this.events.push({ kind: 'status', idle });
  }
}

/**
 * Processing time on a manual clock. `advanceTo(t)` moves the clock and runs every callback due
 * by `t`, earliest first (callbacks may schedule more; those run too if due).
 *
 * @example
 * const pts = new ManualProcessingTimeService(0);
 * pts.schedule(100, (t) => fired.push(t));
 * pts.advanceTo(150); // fired: [100]
 */
export class ManualProcessingTimeService implements ProcessingTimeService {
  readonly clock: ManualClock;
  private readonly queue = new TimerQueue();

  constructor(startTime = 0) {
    this.clock = new ManualClock(startTime);
  }
  now(): number {
    return this.clock.now();
  }
  schedule(time: number, callback: (time: number) => void): () => void {
    const timer = this.queue.add(time, callback);
    return () => {
      timer.cancelled = true;
    };
  }
  /** Moves the clock to `time` (never back) and runs the callbacks due by then. */
  advanceTo(time: number): void {
    this.clock.advanceTo(time);
    let due;
    while ((due = this.queue.pollDue(this.clock.now()))) due.callback(due.time);
  }
  /** The earliest scheduled time, or Infinity. */
  nextScheduledTime(): number {
    return this.queue.peekTime();
  }
}

/**
 * Options of a harness. Everything has a default: subtask 0 of 1, max parallelism 128,
 * streaming mode, processing time 0.
 *
 * @example
 * new OneInputOperatorHarness(op, { keySelector: (e: Click) => e.user, mode: 'batch', startTime: 1_000 })
 */
export interface HarnessOptions {
  name?: string;
  uid?: string;
  subtask?: number;
  parallelism?: number;
  maxParallelism?: number;
  mode?: RuntimeMode;
  /** Initial processing time (ms). */
  startTime?: number;
  jobName?: string;
  autoWatermarkInterval?: number;
}

/**
 * What both harness kinds share: setup, open/restore, processing time, snapshots and the
 * recorded output. The operator is set up in the constructor; call `open()` before feeding it.
 *
 * @example
 * function drain(h: OperatorHarness<number>) { h.endInput(); return h.outputValues(); }
 */
export abstract class OperatorHarness<OUT = unknown> {
  readonly outputCollector = new CollectingOutput();
  readonly processingTime: ManualProcessingTimeService;
  /** Lines the operator printed through `services.print`. */
  readonly printed: string[] = [];
  readonly services: TaskServices;
  /** The operator's mails (async results); they run only in `runMails()`, as a task runs them between steps. */
  readonly mailbox = new TaskMailbox(() => {});
  readonly info: OperatorInfo;
  private opened = false;

  protected constructor(
    readonly operator: StreamOperator<OUT>,
    keySelectors: (KeySelector | undefined)[],
    options: HarnessOptions,
  ) {
    this.processingTime = new ManualProcessingTimeService(options.startTime ?? 0);
    this.info = {
      uid: options.uid ?? 'operator-under-test',
      name: options.name ?? operator.constructor.name,
      subtask: options.subtask ?? 0,
      parallelism: options.parallelism ?? 1,
      maxParallelism: options.maxParallelism ?? 128,
    };
    this.services = {
      processingTime: this.processingTime,
      mode: options.mode ?? 'streaming',
      jobName: options.jobName ?? 'harness-job',
      autoWatermarkInterval: options.autoWatermarkInterval ?? 200,
      print: (line) => this.printed.push(line),
      mailbox: this.mailbox,
    };
    operator.setup(this.info, this.outputCollector, this.services, keySelectors);
  }

  /**
   * Restores state (from snapshots taken with `snapshot()`, possibly of other subtasks) and
   * opens the operator. Returns the operator's `open()` result: await it if that is async.
   *
   * @example
   * const h2 = new OneInputOperatorHarness(makeOp(), { keySelector });
   * h2.open([h1.snapshot()]);
   */
  open(restoreFrom: OperatorSnapshot[] = []): void | Promise<void> {
    this.operator.initializeState(restoreFrom);
    this.opened = true;
    return this.operator.open();
  }

  /** Moves processing time to `time` and runs the processing-time timers due by then. */
  setProcessingTime(time: number): void {
    this.requireOpen();
    this.processingTime.advanceTo(time);
  }

  /** Runs the mails the operator posted so far; returns whether any ran. */
  runMails(): boolean {
    this.requireOpen();
    return this.mailbox.runAll();
  }

  currentProcessingTime(): number {
    return this.processingTime.now();
  }

  /** The operator's state, as a checkpoint would take it. */
  snapshot(checkpointId = 1): OperatorSnapshot {
    return this.operator.snapshotState(checkpointId);
  }

  /** Ends every input and calls `finish()`, as a task does when its inputs are exhausted. */
  abstract endInput(): void;

  /** Closes the operator (after `endInput()` for a normal end). */
  close(): void {
    this.operator.close();
  }

  /** Everything emitted so far, in order. */
  events(): HarnessEvent[] {
    return this.outputCollector.events.slice();
  }

  /** Main-output records with their timestamps. */
  output(): EmittedRecord<OUT>[] {
    const out: EmittedRecord<OUT>[] = [];
    for (const e of this.outputCollector.events) if (e.kind === 'record') out.push({ value: e.value as OUT, timestamp: e.timestamp });
    return out;
  }

  /** Main-output values only. */
  outputValues(): OUT[] {
    return this.output().map((r) => r.value);
  }

  /** Records emitted to side output `tagId`. */
  sideOutput<T = unknown>(tagId: string): EmittedRecord<T>[] {
    const out: EmittedRecord<T>[] = [];
    for (const e of this.outputCollector.events) if (e.kind === 'side' && e.tagId === tagId) out.push({ value: e.value as T, timestamp: e.timestamp });
    return out;
  }

  /** Watermarks forwarded downstream, in order. */
  watermarks(): number[] {
    const out: number[] = [];
    for (const e of this.outputCollector.events) if (e.kind === 'watermark') out.push(e.timestamp);
    return out;
  }

  /** Forgets what was emitted so far (to assert on what comes next). */
  clearOutput(): void {
    this.outputCollector.events.length = 0;
  }

  protected requireOpen(): void {
    if (!this.opened) throw new Error('Call open() on the harness before feeding the operator');
  }
}

/**
 * Harness for operators with one input.
 *
 * @example
 * const h = new OneInputOperatorHarness(createWindowOperator(spec), { keySelector: (e: { k: string }) => e.k });
 * h.open();
 * h.processElement({ k: 'a', v: 1 }, 10);
 * h.processWatermark(1_000);
 * h.outputValues(); // what fired
 */
export class OneInputOperatorHarness<OUT = unknown> extends OperatorHarness<OUT> {
  constructor(operator: StreamOperator<OUT>, options: HarnessOptions & { keySelector?: KeySelector } = {}) {
    super(operator, [options.keySelector], options);
  }

  /** One record with event time `timestamp` (default: none). */
  processElement(value: unknown, timestamp: number = NO_TIMESTAMP): void {
    this.requireOpen();
    this.operator.processElement(value, timestamp);
  }

  /** Several records, each `[value, timestamp]`. */
  processElements(records: Iterable<readonly [unknown, number]>): void {
    for (const [value, timestamp] of records) this.processElement(value, timestamp);
  }

  processWatermark(watermark: number): void {
    this.requireOpen();
    this.operator.processWatermark(watermark, 0);
  }

  processWatermarkStatus(idle: boolean): void {
    this.requireOpen();
    this.operator.processWatermarkStatus(idle, 0);
  }

  endInput(): void {
    this.requireOpen();
    this.operator.endInput(0);
    this.operator.finish();
  }
}

/**
 * Harness for operators with two inputs (connect, joins). Watermarks are per input; the
 * operator forwards the minimum.
 *
 * @example
 * const h = new TwoInputOperatorHarness(op, { keySelector1: (o: Order) => o.id, keySelector2: (p: Payment) => p.orderId });
 * h.open();
 * h.processElement1(order, 5);
 * h.processElement2(payment, 7);
 * h.processWatermark1(10); h.processWatermark2(10);
 */
export class TwoInputOperatorHarness<OUT = unknown> extends OperatorHarness<OUT> {
  constructor(operator: StreamOperator<OUT>, options: HarnessOptions & { keySelector1?: KeySelector; keySelector2?: KeySelector } = {}) {
    super(operator, [options.keySelector1, options.keySelector2], options);
  }

  processElement1(value: unknown, timestamp: number = NO_TIMESTAMP): void {
    this.requireOpen();
    this.operator.processElement(value, timestamp);
  }

  processElement2(value: unknown, timestamp: number = NO_TIMESTAMP): void {
    this.requireOpen();
    this.operator.processElement2(value, timestamp);
  }

  processWatermark1(watermark: number): void {
    this.requireOpen();
    this.operator.processWatermark(watermark, 0);
  }

  processWatermark2(watermark: number): void {
    this.requireOpen();
    this.operator.processWatermark(watermark, 1);
  }

  processWatermarkStatus1(idle: boolean): void {
    this.requireOpen();
    this.operator.processWatermarkStatus(idle, 0);
  }

  processWatermarkStatus2(idle: boolean): void {
    this.requireOpen();
    this.operator.processWatermarkStatus(idle, 1);
  }

  endInput1(): void {
    this.requireOpen();
    this.operator.endInput(0);
  }

  endInput2(): void {
    this.requireOpen();
    this.operator.endInput(1);
  }

  endInput(): void {
    this.endInput1();
    this.endInput2();
    this.operator.finish();
  }
}
