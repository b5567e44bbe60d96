import { buildJobGraph, type ChainSpec } from '../plan/chaining.ts';
import { validateGraph, type EdgeSpec } from '../plan/job-graph.ts';
import { ChainingOutput, OperatorFailure, OperatorOutput } from './chain-outputs.ts';
import { JobExecutionError } from './errors.ts';
import type { JobReport, OperatorReport } from './host.ts';
import type { JobDefinition } from './job.ts';
import { LocalChannel } from './network/local-channel.ts';
import { connectedConsumers, createChannelSelector } from './network/partitioners.ts';
import { RecordWriter } from './network/record-writer.ts';
import type { StreamOperator, TaskServices } from './operator.ts';
import type { Output } from './output.ts';
import { SYSTEM_CLOCK, TimerQueue, type Clock, type ProcessingTimeService } from './processing-time.ts';
import { StreamTask, type TaskInputChannel } from './task.ts';
import { platform, yieldToEventLoop } from './platform.ts';

/** Options of an in-process run. */
export interface LocalExecutionOptions {
  /** Processing-time clock; tests pass a ManualClock. */
  clock?: Clock;
  /** Where print sinks write; console.log by default. */
  print?: (line: string) => void;
  /** Record batches a channel holds before its producer must wait. */
  channelCapacity?: number;
  /** How long the loop may run before it yields to the event loop (ms). */
  timeSliceMs?: number;
}

/** A job's final outcome. */
export interface JobResult {
  report: JobReport;
}

/** Handle of a running job. */
export interface JobClient {
  readonly jobName: string;
  /** Resolves when the job finishes; rejects with JobExecutionError when it fails. */
  readonly result: Promise<JobResult>;
  /** Stops the job without a savepoint; `result` then resolves with status CANCELED. */
  cancel(): void;
  /** Current figures, for live metrics. */
  metrics(): OperatorReport[];
}

/**
 * Runs a whole job in this process: every subtask of every chain becomes a `StreamTask`, and
 * one loop interleaves their mailbox steps. Channels between subtasks are in-memory queues with
 * bounded credit, so back-pressure behaves as it does across processes.
 */
export class LocalExecutor {
  private readonly tasks: StreamTask[] = [];
  private readonly operatorsByVertex = new Map<number, StreamOperator[]>();
  private wakeUp: (() => void) | undefined;
  private cancelled = false;
  private readonly clock: Clock;

  constructor(
    private readonly job: JobDefinition,
    private readonly options: LocalExecutionOptions = {},
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** Starts the job; returns at once with a handle. */
  start(): JobClient {
    const result = this.run();
    return {
      jobName: this.job.graph.name,
      result,
      cancel: () => {
        this.cancelled = true;
        this.wake();
      },
      metrics: () => this.operatorReports(),
    };
  }

  private wake = (): void => {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  };

  private async run(): Promise<JobResult> {
    const started = this.clock.now();
    const graph = this.job.graph;
    let failure: unknown;
    try {
      validateGraph(graph);
      this.deploy();
      for (const t of this.tasks) await t.open();
      await this.loop();
    } catch (e) {
      failure = e;
    }
    for (const t of this.tasks) {
      const errs = t.close();
      if (!failure && errs.length) failure = errs[0];
    }
    const report: JobReport = {
      name: graph.name,
      status: failure ? 'FAILED' : this.cancelled ? 'CANCELED' : 'FINISHED',
      durationMs: Math.max(0, this.clock.now() - started),
      operators: this.operatorReports(),
      checkpoints: [],
      restarts: 0,
    };
    if (failure) {
      const error =
        failure instanceof OperatorFailure
          ? new JobExecutionError(graph.name, { ...failure.operator }, failure.cause)
          : new JobExecutionError(graph.name, undefined, failure);
      report.error = error.message;
      throw Object.assign(error, { report });
    }
    return { report };
  }

  private async loop(): Promise<void> {
    const slice = this.options.timeSliceMs ?? 10;
    let sliceStart = platform.monotonicNow();
    while (!this.cancelled) {
      let progressed = false;
      let alive = 0;
      for (const t of this.tasks) {
        if (t.isFinished) continue;
        alive++;
        t.rethrowPending();
        const r = t.runMailboxStep();
        if (r === 'progress' || r === 'finished') progressed = true;
      }
      if (alive === 0) return;
      if (progressed) {
        if (platform.monotonicNow() - sliceStart >= slice) {
          await yieldToEventLoop();
          sliceStart = platform.monotonicNow();
        }
        continue;
      }
      // Nothing could move: wait for a timer, an async source or a cancel.
      await this.idleWait();
      sliceStart = platform.monotonicNow();
    }
  }

  private idleWait(): Promise<void> {
    let next = Infinity;
    for (const t of this.tasks) if (!t.isFinished) next = Math.min(next, t.nextTimerTime());
    return new Promise<void>((resolve) => {
      let handle: unknown;
      this.wakeUp = () => {
        if (handle !== undefined) platform.clearTimeout(handle);
        resolve();
      };
      if (next !== Infinity) {
        const delay = Math.max(0, next - this.clock.now());
        // A manual clock does not move by itself; poll it so tests that advance it are seen.
        handle = platform.setTimeout(() => this.wake(), this.clock === SYSTEM_CLOCK ? delay : Math.min(delay, 5));
      }
    });
  }

  /** Builds tasks, operators, outputs and channels for every subtask. */
  private deploy(): void {
    const jobGraph = buildJobGraph(this.job.graph);
    const graph = this.job.graph;
    const edgeIndex = new Map<EdgeSpec, number>();
    graph.edges.forEach((e, i) => edgeIndex.set(e, i));
    const capacity = this.options.channelCapacity ?? 8;
    const print = this.options.print ?? ((line: string) => platform.console.log(line));

    // channels[edge][producerSubtask][consumerSubtask]
    const channels = new Map<EdgeSpec, Map<number, Map<number, LocalChannel>>>();
    for (const chain of jobGraph.chains) {
      for (const e of chain.outputs) {
        const producerP = graph.vertices.find((v) => v.id === e.source)!.parallelism;
        const consumerP = graph.vertices.find((v) => v.id === e.target)!.parallelism;
        const perProducer = new Map<number, Map<number, LocalChannel>>();
        for (let p = 0; p < producerP; p++) {
          const m = new Map<number, LocalChannel>();
          for (const c of connectedConsumers(e.partitioner, p, producerP, consumerP)) m.set(c, new LocalChannel(capacity));
          perProducer.set(p, m);
        }
        channels.set(e, perProducer);
      }
    }

    for (const chain of jobGraph.chains) {
      for (let subtask = 0; subtask < chain.parallelism; subtask++) {
        this.deploySubtask(chain, subtask, channels, edgeIndex, print);
      }
    }
  }

  private deploySubtask(
    chain: ChainSpec,
    subtask: number,
    channels: Map<EdgeSpec, Map<number, Map<number, LocalChannel>>>,
    edgeIndex: Map<EdgeSpec, number>,
    print: (line: string) => void,
  ): void {
    const graph = this.job.graph;
    const timers = new TimerQueue();
    const clock = this.clock;
    const processingTime: ProcessingTimeService = {
      now: () => clock.now(),
      schedule: (time, callback) => {
        const t = timers.add(time, callback);
        this.wake();
        return () => {
          t.cancelled = true;
        };
      },
    };
    const services: TaskServices = {
      processingTime,
      mode: graph.mode,
      jobName: graph.name,
      autoWatermarkInterval: graph.autoWatermarkInterval,
      print,
    };

    // Create operators first, then wire outputs from the tail back to the head.
    const ops = new Map<number, StreamOperator>();
    for (const v of chain.vertices) {
      const code = this.job.vertices.get(v.id);
      if (!code) throw new Error(`No code for operator '${v.name}' (uid ${v.uid})`);
      const op = code.createOperator();
      ops.set(v.id, op);
      const list = this.operatorsByVertex.get(v.id) ?? [];
      list[subtask] = op;
      this.operatorsByVertex.set(v.id, list);
    }
    const writers: RecordWriter[] = [];
    for (let i = chain.vertices.length - 1; i >= 0; i--) {
      const v = chain.vertices[i]!;
      const op = ops.get(v.id)!;
      const main: Output[] = [];
      const side = new Map<string, Output[]>();
      const route = (e: EdgeSpec, out: Output) => {
        if (e.sideOutput) {
          const l = side.get(e.sideOutput) ?? [];
          l.push(out);
          side.set(e.sideOutput, l);
        } else main.push(out);
      };
      for (const e of chain.internal) if (e.source === v.id) route(e, new ChainingOutput(ops.get(e.target)!));
      for (const e of chain.outputs) {
        if (e.source !== v.id) continue;
        const targets = channels.get(e)!.get(subtask)!;
        const consumerIds = [...targets.keys()];
        const code = this.job.edges[edgeIndex.get(e)!] ?? {};
        const writer = new RecordWriter(
          consumerIds.map((c) => targets.get(c)!),
          createChannelSelector(e.partitioner, consumerIds.length, {
            keySelector: code.keySelector,
            customPartitioner: code.customPartitioner,
            maxParallelism: graph.vertices.find((x) => x.id === e.target)!.maxParallelism,
            producerSubtask: subtask,
          }),
        );
        writers.push(writer);
        route(e, writer);
      }
      const code = this.job.vertices.get(v.id)!;
      op.setup(
        { uid: v.uid, name: v.name, subtask, parallelism: v.parallelism, maxParallelism: v.maxParallelism },
        new OperatorOutput(op.counters, main, side),
        services,
        code.keySelectors ?? [],
      );
      op.initializeState([]);
    }

    const inputs: TaskInputChannel[] = [];
    for (const e of chain.inputs) {
      const perProducer = channels.get(e)!;
      for (const [, consumers] of perProducer) {
        const ch = consumers.get(subtask);
        if (ch) inputs.push({ reader: ch, input: e.inputIndex });
      }
    }
    const members = chain.vertices.map((v) => ops.get(v.id)!);
    const name = `${chain.vertices.map((v) => v.name).join(' -> ')} (${subtask + 1}/${chain.parallelism})`;
    this.tasks.push(new StreamTask(name, members, inputs, writers, timers, clock, this.wake));
  }

  private operatorReports(): OperatorReport[] {
    return this.job.graph.vertices.map((v) => {
      const ops = this.operatorsByVertex.get(v.id) ?? [];
      let recordsIn = 0;
      let recordsOut = 0;
      for (const op of ops) {
        if (!op) continue;
        recordsIn += op.counters.recordsIn;
        recordsOut += op.counters.recordsOut;
      }
      return { uid: v.uid, name: v.name, parallelism: v.parallelism, recordsIn, recordsOut };
    });
  }
}
