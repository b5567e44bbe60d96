import type { ChannelReader } from './network/local-channel.ts';
import type { RecordWriter } from './network/record-writer.ts';
import { releaseSnapshotViews, type StreamOperator } from './operator.ts';
import { SourceOperator } from './source.ts';
import { WatermarkValve } from './watermark-valve.ts';
import { attributeFailure } from './chain-outputs.ts';
import type { TimerQueue } from './processing-time.ts';
import type { Clock } from './processing-time.ts';
import type { BarrierEvent, StreamElement } from './elements.ts';
import { BarrierHandler } from './checkpointing/barrier-handler.ts';
import type { OperatorSnapshot } from './operator.ts';
import { TaskMailbox } from './mailbox.ts';
import { StepBudget } from './step-budget.ts';
import { platform } from './platform.ts';
import type { RecordBatch } from './elements.ts';

/** One input channel of a task and the logical input (0 or 1) it feeds. */
export interface TaskInputChannel {
  reader: ChannelReader;
  input: number;
}

/** What one mailbox step did. */
export type StepResult = 'progress' | 'idle' | 'blocked' | 'waiting' | 'finished';

/** A task's snapshot for one checkpoint: one entry per chain member, in chain order. */
export interface TaskSnapshot {
  barrier: BarrierEvent;
  operators: { uid: string; subtask: number; snapshot: OperatorSnapshot }[];
  /** Time spent in the operators' synchronous snapshot methods (ms). */
  syncMs: number;
  /** Time between the first and the last barrier of the checkpoint at this task (ms). */
  alignmentMs: number;
}

/** The most records a source emits per step: one batch, so tasks sharing a process stay fair. */
export const SOURCE_BATCH = 512;

/**
 * The time one mailbox step should take (ms): records are taken in steps of about this long
 * (step-budget.ts), so that however slow a record is, the task's mails (a checkpoint trigger),
 * the other tasks and the event loop (checkpoint writes, the data plane, RPCs) come between.
 */
export const STEP_TARGET_MS = 5;

/**
 * How long the records queued in a task's input channels should take it to process (ms), at
 * most (Flink's buffer debloat target, `taskmanager.network.memory.buffer-debloat.target`): a
 * slow consumer asks its producers for smaller batches, so that a checkpoint barrier behind
 * them is not held up for minutes.
 */
export const DEBLOAT_TARGET_MS = 1000;

/**
 * One subtask of a chain, run as a single-threaded mailbox loop (Flink's `StreamTask`). Each
 * step first runs due mails (processing-time timers), then, if every output has credit, does
 * one unit of the default action: one input element (an event, or records of a batch) or one
 * source batch. Records are taken as many per step as fit in about `STEP_TARGET_MS`
 * (`StepBudget`): a batch of slow records is processed over several steps. The executor
 * interleaves the steps of all tasks in the process.
 *
 * `runMailboxStep()` is the test seam: a test can drive a task one step at a time.
 */
export class StreamTask {
  private readonly head: StreamOperator;
  private readonly valves: WatermarkValve[] = [];
  private readonly channelIndexInInput: number[] = [];
  private readonly endedChannels: boolean[];
  private readonly endedPerInput: number[];
  private readonly channelsPerInput: number[];
  private nextChannel = 0;
  private waitingFor: Promise<void> | undefined;
  private finished = false;
  private readonly barriers: BarrierHandler;
  private readonly mails: (() => void)[] = [];
  /** Records per step from the source, and from input batches. */
  private readonly sourceBudget = new StepBudget(SOURCE_BATCH, STEP_TARGET_MS);
  private readonly inputBudget = new StepBudget(Infinity, STEP_TARGET_MS);
  /** An input batch taken in part: the rest goes first in the next steps. */
  private partial: { batch: RecordBatch; channel: number; next: number } | undefined;
  /**
   * Receives the task's snapshot, synchronously, right after the barrier was forwarded;
   * processing resumes when it returns. Keyed state in it is a copy-on-write view that stays
   * consistent while the task runs on: write it (`writeTaskSnapshot`) or release it. Without a
   * receiver the views are released here.
   */
  onSnapshot: ((snapshot: TaskSnapshot) => void) | undefined;
  /**
   * Set by the deployer when the job checkpoints (Flink's FLIP-147): at the end of its input the
   * task finishes its operators (a two-phase-commit sink pre-commits, but does not commit), then
   * waits, running only mails, until a checkpoint it took after that completes; its
   * notification commits the sinks' last transactions, and then the task has finished.
   */
  awaitsFinalCheckpoint = false;
  /** Told once when the task has reached the end of its input and waits for the final checkpoint. */
  onEndOfInput: (() => void) | undefined;

  constructor(
    /** "Map -> Filter (2/4)": chain members and subtask, for errors and metrics. */
    readonly name: string,
    /** Chain members in order; the head first. */
    readonly operators: StreamOperator[],
    private readonly inputs: TaskInputChannel[],
    private readonly writers: RecordWriter[],
    private readonly timers: TimerQueue,
    private readonly clock: Clock,
    private readonly onWake: () => void,
    /** Mails of the chain's operators (async results); the one in their `TaskServices`. */
    private readonly operatorMails: TaskMailbox = new TaskMailbox(onWake),
  ) {
    this.head = operators[0]!;
    const numInputs = this.head.numInputs;
    this.channelsPerInput = new Array<number>(numInputs).fill(0);
    for (const ch of inputs) {
      this.channelIndexInInput.push(this.channelsPerInput[ch.input]!);
      this.channelsPerInput[ch.input]!++;
    }
    for (let i = 0; i < numInputs; i++) {
      const input = i;
      this.valves.push(
        new WatermarkValve(
          this.channelsPerInput[i]!,
          (wm) => this.guard(this.head, () => this.head.processWatermark(wm, input)),
          (idle) => this.head.processWatermarkStatus(idle, input),
        ),
      );
    }
    this.endedChannels = inputs.map(() => false);
    this.endedPerInput = new Array<number>(numInputs).fill(0);
    this.barriers = new BarrierHandler(inputs.length, { onCheckpoint: (b, alignmentMs) => this.performCheckpoint(b, alignmentMs) }, () => clock.now());
  }

  /** Runs `mail` between two steps of this task (control actions from other threads of work). */
  enqueueMail(mail: () => void): void {
    this.mails.push(mail);
    this.onWake();
  }

  /**
   * Starts a checkpoint at this source task: snapshot, then the barrier goes downstream. A task
   * waiting for its final checkpoint takes it the same way, whatever its kind (`endOfInput`).
   */
  triggerCheckpoint(barrier: BarrierEvent): void {
    this.enqueueMail(() => {
      if (!this.finished) this.performCheckpoint(barrier, 0);
    });
  }

  /**
   * Tells every operator of the chain that a checkpoint completed (two-phase commits commit).
   * A task waiting for its final checkpoint has finished once it took part in this one.
   */
  notifyCheckpointComplete(checkpointId: number): void {
    this.enqueueMail(() => {
      if (this.finished) return;
      for (const op of this.operators) this.guard(op, () => op.notifyCheckpointComplete(checkpointId));
      if (this.finalCheckpointId !== undefined && checkpointId >= this.finalCheckpointId) this.finished = true;
    });
  }

  /** Whether the task has reached the end of its input and waits for its final checkpoint. */
  get awaitsCheckpointToFinish(): boolean {
    return this.inputEnded && !this.finished;
  }

  /** The task finished its operators at the end of input (`awaitsFinalCheckpoint`). */
  private inputEnded = false;
  /** The first checkpoint this task took after the end of its input. */
  private finalCheckpointId: number | undefined;

  private performCheckpoint(barrier: BarrierEvent, alignmentMs: number): void {
    const head = this.head;
    if (barrier.drain && head instanceof SourceOperator) this.guard(head, () => head.drain());
    const started = this.clock.now();
    const operators = this.operators.map((op) => ({
      uid: op.info.uid,
      subtask: op.info.subtask,
      snapshot: this.guard(op, () => op.snapshotState(barrier.checkpointId)),
    }));
    const syncMs = this.clock.now() - started;
    // After the end of input the channels have ended: the final checkpoint reaches every task directly.
    if (this.inputEnded) this.finalCheckpointId ??= barrier.checkpointId;
    else for (const w of this.writers) w.broadcastEvent(barrier);
    if (this.onSnapshot) this.onSnapshot({ barrier, operators, syncMs, alignmentMs });
    else for (const o of operators) releaseSnapshotViews(o.snapshot);
    // Stop-with-savepoint: nothing after the savepoint's barrier, on every task alike.
    if (barrier.stop) this.suspend();
  }

  private suspended = false;

  /**
   * Stop-with-savepoint: once a task has taken its part of the final savepoint (a barrier with
   * `stop`) it must not emit anything more (what it emitted later would come again after a
   * resume). A suspended task runs mails (the savepoint's notify-complete) but no input, source
   * or timer until `resume()`.
   */
  suspend(): void {
    this.suspended = true;
  }

  /** Undoes `suspend()` (the final savepoint failed; the job goes on). */
  resume(): void {
    this.suspended = false;
    this.onWake();
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** True when an output channel has no credit (the last step returned 'blocked'). */
  get isBackPressured(): boolean {
    for (const w of this.writers) if (!w.writable) return true;
    return false;
  }

  /** Opens the operators, last first, so that each operator's consumers are ready. */
  async open(): Promise<void> {
    // Small batches until this task has measured what a record costs it (debloating's slow start).
    for (const ch of this.inputs) ch.reader.debloat?.(0);
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const op = this.operators[i]!;
      try {
        await op.open();
      } catch (e) {
        throw attributeFailure(e, op);
      }
    }
    // A task without inputs that is not a source (impossible by construction) would never end.
    if (!(this.head instanceof SourceOperator) && this.inputs.length === 0) this.finishChain();
  }

  /** The earliest processing time at which a mail is due (Infinity if none). */
  nextTimerTime(): number {
    return this.suspended || this.inputEnded ? Infinity : this.timers.peekTime();
  }

  /** Runs one step; see the class comment. */
  runMailboxStep(): StepResult {
    if (this.finished) return 'finished';
    let didMail = false;
    while (this.mails.length) {
      this.mails.shift()!();
      didMail = true;
    }
    if (this.finished) return 'finished';
    if (this.suspended || this.inputEnded) return didMail ? this.flushAnd('progress') : 'idle';
    if (this.operatorMails.runAll()) didMail = true;
    const now = this.clock.now();
    for (let t = this.timers.pollDue(now); t; t = this.timers.pollDue(now)) {
      if (!t.cancelled) {
        t.callback(t.time);
        didMail = true;
      }
    }
    if (this.finishingAt >= 0) {
      this.continueFinish();
      if (this.finished) return 'finished';
      return didMail ? this.flushAnd('progress') : 'idle';
    }
    if (this.waitingFor) return didMail ? this.flushAnd('progress') : 'waiting';
    if (this.chainBlocksInput()) return didMail ? this.flushAnd('progress') : 'idle';
    for (const w of this.writers) {
      if (!w.writable) {
        return didMail ? this.flushAnd('progress') : 'blocked';
      }
    }
    const head = this.head;
    if (head instanceof SourceOperator) {
      const emitted = head.counters.recordsOut;
      const started = platform.monotonicNow();
      const r = this.guard(head, () => head.emitNext(Math.min(this.sourceBudget.size, this.outputRoom())));
      this.sourceBudget.measure(head.counters.recordsOut - emitted, platform.monotonicNow() - started);
      if (r === 'end') {
        this.finishChain();
        // A chained async operator may still have requests in flight; later steps finish it.
        return this.finished ? 'finished' : this.flushAnd('progress');
      }
      if (r !== 'more') {
        this.waitingFor = r;
        r.then(
          () => {
            this.waitingFor = undefined;
            this.onWake();
          },
          (e: unknown) => {
            this.waitingFor = undefined;
            this.pendingError = attributeFailure(e, head);
            this.onWake();
          },
        );
      }
      return this.flushAnd('progress');
    }
    if (this.partial) {
      this.continueRecords();
      return this.flushAnd('progress');
    }
    const el = this.pollInput();
    if (!el) return didMail ? this.flushAnd('progress') : 'idle';
    this.processElement(el.element, el.channel);
    if (this.finished) return 'finished';
    return this.flushAnd('progress');
  }

  /** Whether a member of the chain (async I/O at capacity) takes no more input for now. */
  private chainBlocksInput(): boolean {
    const ops = this.operators;
    for (let i = 0; i < ops.length; i++) if (ops[i]!.blocksInput) return true;
    return false;
  }

  private pendingError: Error | undefined;

  /** Throws a failure that happened outside a step (an async source). */
  rethrowPending(): void {
    if (this.pendingError) throw this.pendingError;
  }

  private flushAnd(r: StepResult): StepResult {
    for (const w of this.writers) w.flush();
    return r;
  }

  private pollInput(): { element: StreamElement; channel: number } | undefined {
    const n = this.inputs.length;
    for (let k = 0; k < n; k++) {
      const c = (this.nextChannel + k) % n;
      if (this.endedChannels[c] || this.barriers.isBlocked(c)) continue;
      const e = this.inputs[c]!.reader.poll();
      if (e) {
        this.nextChannel = (c + 1) % n;
        return { element: e, channel: c };
      }
    }
    return undefined;
  }

  private processElement(el: StreamElement, channel: number): void {
    const input = this.inputs[channel]!.input;
    const head = this.head;
    switch (el.kind) {
      case 'records':
        this.partial = { batch: el, channel, next: 0 };
        this.continueRecords();
        return;
      case 'watermark':
        this.valves[input]!.inputWatermark(this.channelIndexInInput[channel]!, el.timestamp);
        return;
      case 'status':
        this.valves[input]!.inputStatus(this.channelIndexInInput[channel]!, el.idle);
        return;
      case 'barrier':
        this.barriers.onBarrier(channel, el);
        return;
      case 'end': {
        this.endedChannels[channel] = true;
        this.barriers.onEndOfInput(channel);
        if (++this.endedPerInput[input]! === this.channelsPerInput[input]) {
          this.guard(head, () => head.endInput(input));
        }
        if (this.endedChannels.every((x) => x)) this.finishChain();
        return;
      }
    }
  }

  /** Processes the next records of the partly taken input batch, as many as the step budget allows. */
  private continueRecords(): void {
    const p = this.partial!;
    const head = this.head;
    const vs = p.batch.values;
    const ts = p.batch.timestamps;
    const from = p.next;
    const to = Math.min(vs.length, from + Math.min(this.inputBudget.size, this.outputRoom()));
    head.counters.recordsIn += to - from;
    const started = platform.monotonicNow();
    try {
      if (this.inputs[p.channel]!.input === 0) for (let i = from; i < to; i++) head.processElement(vs[i], ts[i]!);
      else for (let i = from; i < to; i++) head.processElement2(vs[i], ts[i]!);
    } catch (e) {
      throw attributeFailure(e, head);
    }
    this.inputBudget.measure(to - from, platform.monotonicNow() - started);
    this.debloatInputs();
    if (to < vs.length) {
      p.next = to;
      return;
    }
    this.partial = undefined;
    // Operators keep records, never the batch's arrays: the producer may fill them again.
    this.inputs[p.channel]!.reader.recycle?.(p.batch);
  }

  /** Records the outputs take before their credit is spent (at least 1: a step runs only while they are writable). */
  private outputRoom(): number {
    let room = Infinity;
    for (const w of this.writers) room = Math.min(room, w.room);
    return Math.max(1, room);
  }

  /** Asks the producers for batches that this task processes within `DEBLOAT_TARGET_MS` (see `ChannelReader.debloat`). */
  private debloatInputs(): void {
    const cost = this.inputBudget.costMs;
    if (cost === undefined) return;
    const perChannel = cost > 0 ? DEBLOAT_TARGET_MS / cost / this.inputs.length : Infinity;
    for (const ch of this.inputs) ch.reader.debloat?.(perChannel);
  }

  /**
   * All input ended: finish the chain head first (its flush may feed the next member), then
   * tell downstream that this task is done.
   */
  private finishChain(): void {
    this.finishingAt = 0;
    this.continueFinish();
  }

  /** The chain member that finishes next, once finishing began (-1 before). */
  private finishingAt = -1;
  /** The last chain member told that its input ended. */
  private endedAt = 0;

  /**
   * Finishes the members in chain order. A member with pending work (async requests in flight)
   * holds the finish back; later steps run its mails and timers and come back here.
   */
  private continueFinish(): void {
    for (; this.finishingAt < this.operators.length; this.finishingAt++) {
      const i = this.finishingAt;
      const op = this.operators[i]!;
      if (i > this.endedAt) {
        this.endedAt = i;
        this.guard(op, () => op.endInput(0));
      }
      if (op.hasPendingWork) return;
      this.guard(op, () => op.finish(this.awaitsFinalCheckpoint));
    }
    for (const w of this.writers) w.endOfInput();
    if (!this.awaitsFinalCheckpoint) {
      this.finished = true;
      return;
    }
    this.inputEnded = true;
    this.onEndOfInput?.();
  }

  private guard<R>(op: StreamOperator, f: () => R): R {
    try {
      return f();
    } catch (e) {
      throw attributeFailure(e, op);
    }
  }

  /** Closes every operator; errors are collected, not thrown, so all get closed. */
  close(): unknown[] {
    const errors: unknown[] = [];
    for (const op of this.operators) {
      try {
        op.close();
      } catch (e) {
        errors.push(attributeFailure(e, op));
      }
    }
    return errors;
  }
}
