import { DISCARDING_OUTPUT, OperatorCounters, type Output } from './output.ts';
import type { ProcessingTimeService } from './processing-time.ts';
import { InternalTimerService, type Triggerable } from './timers.ts';
import { HeapKeyedStateBackend } from '../state/heap-keyed-backend.ts';
import type { KeyedStateSnapshot } from '../state/keyed-snapshot.ts';
import { keyFromId, keyGroupRangeFor } from '../state/key-groups.ts';
import { releaseTimers, timerLists, type SnapshotTimers, type TimerSnapshot } from './timer-snapshot.ts';
import type { NamespaceKey } from '../state/state-table.ts';
import type { RuntimeMode } from '../plan/job-graph.ts';
import { MIN_WATERMARK } from './elements.ts';
import { OperatorStateStore, type OperatorStateSnapshot } from '../state/operator-state.ts';
import type { MailboxExecutor } from './mailbox.ts';
import type { RestoreChecks } from '../state/state-migration.ts';
import type { RecordedStateTtl } from '../state/ttl.ts';

/** Returns the key of a record. Must be deterministic: the same record always gives the same key. */
export type KeySelector<T = any, K = unknown> = (value: T) => K;

/** Identity of one operator instance (one subtask of one operator). */
export interface OperatorInfo {
  readonly uid: string;
  readonly name: string;
  readonly subtask: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

/** Task-wide services handed to each operator of the task. */
export interface TaskServices {
  readonly processingTime: ProcessingTimeService;
  readonly mode: RuntimeMode;
  readonly jobName: string;
  /**
   * Which run of the job the task belongs to, unique in this process (the cluster's attempt id on
   * a taskmanager): what scopes per-job registries such as the replay controls. Absent in harnesses.
   */
  readonly jobId?: string;
  /** Processing-time interval between periodic watermarks (ms). */
  readonly autoWatermarkInterval: number;
  /** Prints a line for the user (print sinks). */
  readonly print: (line: string) => void;
  /** How restored state must match what the operators declare (state-migration.ts); absent: no restore checks. */
  readonly restoreChecks?: RestoreChecks;
  /**
   * Brings work that finished outside the task (a resolved promise) back into it, between two
   * steps. Absent in harnesses that have no task.
   */
  readonly mailbox?: MailboxExecutor;
}

/** What a snapshot of one operator instance holds. */
export interface OperatorSnapshot {
  /**
   * Keyed state: a copy-on-write view when the operator just took the snapshot (write it with
   * `encodeSnapshotAsync` or `encodeSnapshot`, which also release it), plain entries or encoded
   * bytes when it was read back for a restore.
   */
  keyed?: KeyedStateSnapshot;
  operator?: OperatorStateSnapshot;
  /**
   * Timers per timer service (in creation order): copy-on-write views when the operator just took
   * the snapshot, plain lists when it was read back (see timer-snapshot.ts).
   */
  timers?: SnapshotTimers;
  /**
   * The TTL of each keyed state (`HeapKeyedStateBackend.recordedTtl`). Stored among the snapshot
   * format's extra fields; absent in snapshots of Weir before it recorded TTLs.
   */
  keyedStateTtl?: RecordedStateTtl;
}

export type { TimerSnapshot } from './timer-snapshot.ts';

/**
 * Lets go of the copy-on-write views in a snapshot that will not be written (keyed state and
 * timers): until then the task copies what it changes.
 *
 * @example
 * if (!hasState(snapshot)) releaseSnapshotViews(snapshot);
 */
export function releaseSnapshotViews(snapshot: OperatorSnapshot): void {
  if (snapshot.keyed?.form === 'view') snapshot.keyed.release();
  releaseTimers(snapshot.timers);
}

/**
 * Base of every operator (Flink's `AbstractStreamOperator`). The task owns the loop; an
 * operator only reacts: to records (`processElement`, `processElement2` for a second input),
 * watermarks, end of input, and checkpoints. Watermarks of two inputs are combined here
 * (minimum), event-time timers fire before the watermark is forwarded, and keyed operators get
 * a heap state backend whose current key they set per record.
 *
 * Lifecycle: setup → initializeState → open → (process…) → finish (inputs ended) → close.
 */
export abstract class StreamOperator<OUT = unknown> {
  info!: OperatorInfo;
  output: Output<OUT> = DISCARDING_OUTPUT;
  services!: TaskServices;
  readonly counters = new OperatorCounters();
  /** Present when the operator is keyed (it consumes a KeyedStream). */
  keyedBackend: HeapKeyedStateBackend | undefined;
  readonly operatorState = new OperatorStateStore();
  /** Key selectors per input, for keyed operators. */
  protected keySelectors: (KeySelector | undefined)[] = [];
  protected currentWatermark = MIN_WATERMARK;
  private inputWatermarks = [MIN_WATERMARK, MIN_WATERMARK];
  private readonly timerServices: InternalTimerService<any>[] = [];
  /** Number of logical inputs (1, or 2 for connect/join operators). */
  readonly numInputs: number = 1;

  /** Wires the operator into its task. Called once, before anything else. */
  setup(info: OperatorInfo, output: Output<OUT>, services: TaskServices, keySelectors: (KeySelector | undefined)[]): void {
    this.info = info;
    this.output = output;
    this.services = services;
    this.keySelectors = keySelectors;
    if (keySelectors.some((k) => k)) {
      this.keyedBackend = new HeapKeyedStateBackend(
        info.maxParallelism,
        keyGroupRangeFor(info.subtask, info.maxParallelism, info.parallelism),
        () => services.processingTime.now(),
        info.name,
        { uid: info.uid, allowNonRestoredState: services.restoreChecks?.allowNonRestoredState ?? false },
      );
    }
  }

  /** Restores state before `open()`; `snapshots` is empty on a fresh start. */
  /** Timers restored per timer service index, re-registered when the service is created. */
  private restoredTimers: TimerSnapshot[][] = [];

  initializeState(snapshots: OperatorSnapshot[]): void {
    if (this.keyedBackend) {
      const range = this.keyedBackend.keyGroupRange;
      for (const snap of snapshots) {
        if (!snap.timers) continue;
        timerLists(snap.timers).forEach((list, i) => {
          const mine = list.filter(([kg]) => kg >= range.start && kg <= range.end);
          const restored = (this.restoredTimers[i] ??= []);
          for (const t of mine) restored.push(t); // no spread: it overflows the stack on large state
        });
      }
    }
    const keyed = snapshots.map((s) => s.keyed).filter((k): k is KeyedStateSnapshot => !!k);
    if (keyed.length && this.keyedBackend) this.keyedBackend.restore(keyed, snapshots.map((s) => s.keyedStateTtl));
    this.operatorState.restore(
      snapshots.map((s) => s.operator).filter((o): o is OperatorStateSnapshot => !!o),
      this.info.subtask,
      this.info.parallelism,
    );
  }

  open(): void | Promise<void> {}

  abstract processElement(value: unknown, timestamp: number): void;

  processElement2(_value: unknown, _timestamp: number): void {
    throw new Error(`Operator '${this.info.name}' has one input`);
  }

  /**
   * A new watermark on input `input`. Fires event-time timers, calls `onWatermark`, forwards.
   * Two-input operators forward the minimum of both inputs.
   */
  processWatermark(watermark: number, input = 0): void {
    let combined = watermark;
    if (this.numInputs === 2) {
      this.inputWatermarks[input] = watermark;
      combined = Math.min(this.inputWatermarks[0]!, this.inputWatermarks[1]!);
    }
    if (combined <= this.currentWatermark) return;
    this.currentWatermark = combined;
    for (const ts of this.timerServices) ts.advanceWatermark(combined);
    this.onWatermark(combined);
    this.output.emitWatermark(combined);
  }

  /** Hook for operators that act on watermarks beyond timers (e.g. interval join cleanup). */
  protected onWatermark(_watermark: number): void {}

  processWatermarkStatus(idle: boolean, _input = 0): void {
    this.output.emitWatermarkStatus(idle);
  }

  /** Input `input` has ended. */
  endInput(_input: number): void {}

  /**
   * True while the operator cannot take another element (async I/O at capacity): the task then
   * polls no input and runs no source of its chain, so back-pressure reaches the upstream tasks.
   * It becomes false in a mail or timer of this operator.
   */
  get blocksInput(): boolean {
    return false;
  }

  /**
   * True while work started by earlier elements is unfinished (async requests in flight): at the
   * end of input the task waits, running mails and timers, before it calls `finish()`.
   */
  get hasPendingWork(): boolean {
    return false;
  }

  /**
   * All inputs have ended: flush what is buffered. In batch mode, processing-time timers fire
   * here (there is no processing time to wait for). With `finalCheckpoint` a checkpoint follows
   * before the task ends (FLIP-147): what is to be committed waits for its notification.
   */
  finish(_finalCheckpoint = false): void {
    if (this.services.mode === 'batch') for (const ts of this.timerServices) ts.fireProcessingTimers(Infinity);
  }

  close(): void {
    for (const ts of this.timerServices) ts.dispose();
  }

  /**
   * The synchronous part of a checkpoint: copy-on-write views of keyed state and timers (cheap;
   * see `HeapKeyedStateBackend.snapshotView` and `TimerSet.snapshotView`) and a copy of operator
   * state.
   */
  snapshotState(_checkpointId: number): OperatorSnapshot {
    const snap: OperatorSnapshot = {};
    if (this.keyedBackend) {
      snap.keyed = this.keyedBackend.snapshotView();
      const ttl = this.keyedBackend.recordedTtl();
      if (ttl) snap.keyedStateTtl = ttl;
    }
    const op = this.operatorState.snapshot();
    if (op) snap.operator = op;
    if (this.timerServices.length && this.keyedBackend) {
      snap.timers = { form: 'view', services: this.timerServices.map((ts) => ({ event: ts.eventTimers.snapshotView(), processing: ts.processingTimers.snapshotView() })) };
    }
    return snap;
  }

  notifyCheckpointComplete(_checkpointId: number): void {}

  /** Sets the current key from a record of input `input`. */
  protected setKeyContextElement(value: unknown, input = 0): void {
    this.keyedBackend!.setCurrentKey(this.keySelectors[input]!(value));
  }

  /**
   * A timer service for this keyed operator. Create them in `open()`, always in the same order:
   * restored timers are matched to services by that order.
   *
   * @example
   * const timers = op.createTimerService<number>({ onEventTime: fire, onProcessingTime: fire }, () => VOID_NAMESPACE);
   */
  createTimerService<N>(triggerable: Triggerable<N>, nsKeyOf: (ns: N) => NamespaceKey): InternalTimerService<N> {
    const backend = this.requireKeyed('timers');
    const ts = new InternalTimerService<N>(backend, triggerable, this.services.processingTime, nsKeyOf, this.services.mode === 'batch');
    const restored = this.restoredTimers[this.timerServices.length];
    this.timerServices.push(ts);
    if (restored) {
      // A restored timer carries its namespace key only; operators rebuild the namespace from it.
      for (const [, keyId, nsKey, time, domain] of restored) {
        backend.setCurrentKeyAndId(keyFromId(keyId), keyId);
        if (domain === 'e') ts.restoreEventTimeTimer(nsKey, time);
        else ts.restoreProcessingTimeTimer(nsKey, time);
      }
    }
    return ts;
  }

  /** The keyed backend, or a clear error for an operator that is not keyed. */
  requireKeyed(what: string): HeapKeyedStateBackend {
    if (!this.keyedBackend) {
      throw new Error(
        `Operator '${this.info.name}' uses ${what}, which only works on a KeyedStream: call keyBy(...) before this operator`,
      );
    }
    return this.keyedBackend;
  }

  /** Approximate state size in entries (keyed entries plus operator state items). */
  stateEntries(): number {
    return (this.keyedBackend?.entryCount() ?? 0) + this.operatorState.itemCount();
  }

  /** Estimated heap bytes of this instance's state (sampled; for metrics, not accounting). */
  estimateStateBytes(): number {
    return (this.keyedBackend?.estimateBytes() ?? 0) + this.operatorState.itemCount() * 64;
  }

  /** The event-time watermark this operator has reached. */
  get watermark(): number {
    return this.currentWatermark;
  }
}

/** Base of two-input operators (connect, joins). */
export abstract class TwoInputStreamOperator<OUT = unknown> extends StreamOperator<OUT> {
  override readonly numInputs = 2;
  abstract override processElement2(value: unknown, timestamp: number): void;
}

/** Creates one operator instance per subtask. */
export type OperatorFactory = () => StreamOperator<any>;
