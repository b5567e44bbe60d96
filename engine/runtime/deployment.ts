import { buildJobGraph, type ChainSpec, type JobGraphSpec } from '../plan/chaining.ts';
import type { EdgeSpec } from '../plan/job-graph.ts';
import { ChainingOutput, OperatorOutput } from './chain-outputs.ts';
import type { JobDefinition } from './job.ts';
import type { ChannelReader, ChannelWriter } from './network/local-channel.ts';
import { connectedConsumers, createChannelSelector } from './network/partitioners.ts';
import { RecordWriter } from './network/record-writer.ts';
import type { OperatorSnapshot, StreamOperator, TaskServices } from './operator.ts';
import { TaskMailbox } from './mailbox.ts';
import type { Output } from './output.ts';
import { TimerQueue, type Clock, type ProcessingTimeService } from './processing-time.ts';
import { StreamTask, type TaskInputChannel } from './task.ts';
import { SourceOperator } from './source.ts';
import { TimestampsAndWatermarksOperator } from './operators/timestamps-watermarks.ts';
import type { RestoreChecks } from '../state/state-migration.ts';

/** Identifies one channel: an edge of the plan between one producer and one consumer subtask. */
export interface ChannelId {
  /** Index of the edge in `graph.edges`. */
  edge: number;
  producer: number;
  consumer: number;
}

/**
 * Where channels come from. In one process both ends are one in-memory queue; across
 * processes the end that is local here is a socket-backed reader or writer.
 */
export interface ChannelProvider {
  writer(id: ChannelId): ChannelWriter;
  reader(id: ChannelId): ChannelReader;
}

/** Everything needed to deploy subtasks in this process. */
export interface DeploymentOptions {
  /** The run of the job the subtasks belong to (`TaskServices.jobId`); a fresh one when omitted. */
  jobId?: string;
  clock: Clock;
  print: (line: string) => void;
  channels: ChannelProvider;
  /** Which subtasks run here; all of them when omitted. */
  isLocal?: (chain: ChainSpec, subtask: number) => boolean;
  /** Called when a timer is scheduled, so the loop can wake up. */
  wake: () => void;
  /** The restored snapshots of an operator (all old subtasks' snapshots; each operator takes its share). */
  restore?: (uid: string) => OperatorSnapshot[];
  /** How restored state must match what the operators declare (a start from a savepoint). */
  restoreChecks?: RestoreChecks;
  /** Called with the job graph before any channel is created (channel providers may need it). */
  beforeWire?: (jobGraph: JobGraphSpec) => void;
}

/** The subtasks deployed in this process. */
export interface Deployment {
  /** The run of the job these subtasks belong to (`TaskServices.jobId`). */
  jobId: string;
  jobGraph: JobGraphSpec;
  tasks: StreamTask[];
  /** vertex id → operator instance per subtask (only local ones are set). */
  operatorsByVertex: Map<number, StreamOperator[]>;
}

/** Every channel of the job, for deciding which are local to a process. */
export function allChannels(job: JobDefinition, jobGraph: JobGraphSpec): ChannelId[] {
  const graph = job.graph;
  const out: ChannelId[] = [];
  graph.edges.forEach((e, edge) => {
    if (jobGraph.chainOf.get(e.source) === jobGraph.chainOf.get(e.target)) return;
    const producers = graph.vertices.find((v) => v.id === e.source)!.parallelism;
    const consumers = graph.vertices.find((v) => v.id === e.target)!.parallelism;
    for (let p = 0; p < producers; p++) for (const c of connectedConsumers(e.partitioner, p, producers, consumers)) out.push({ edge, producer: p, consumer: c });
  });
  return out;
}

/** Runs of jobs deployed in this process so far (the engine is one module instance per process). */
let runs = 0;

/**
 * A fresh id for one run of a job in this process (`TaskServices.jobId`): registries of the
 * process (replay controls) are keyed by it.
 *
 * @example
 * const jobId = newJobRunId('orders'); // 'local-7:orders'
 * deploy(job, { ...options, jobId });
 */
export function newJobRunId(jobName: string): string {
  return `local-${++runs}:${jobName}`;
}

/**
 * Builds the operators, outputs and tasks of the subtasks that run in this process. Operators
 * of a chain are wired tail first, so each one's output already exists when it is set up.
 */
export function deploy(job: JobDefinition, options: DeploymentOptions): Deployment {
  const jobGraph = buildJobGraph(job.graph);
  options.beforeWire?.(jobGraph);
  const deployment: Deployment = { jobId: options.jobId ?? newJobRunId(job.graph.name), jobGraph, tasks: [], operatorsByVertex: new Map() };
  const edgeIndex = new Map<EdgeSpec, number>();
  job.graph.edges.forEach((e, i) => edgeIndex.set(e, i));
  for (const chain of jobGraph.chains) {
    for (let subtask = 0; subtask < chain.parallelism; subtask++) {
      if (options.isLocal && !options.isLocal(chain, subtask)) continue;
      deploySubtask(job, chain, subtask, edgeIndex, options, deployment);
    }
  }
  return deployment;
}

function deploySubtask(
  job: JobDefinition,
  chain: ChainSpec,
  subtask: number,
  edgeIndex: Map<EdgeSpec, number>,
  options: DeploymentOptions,
  deployment: Deployment,
): void {
  const graph = job.graph;
  const timers = new TimerQueue();
  const clock = options.clock;
  const processingTime: ProcessingTimeService = {
    now: () => clock.now(),
    schedule: (time, callback) => {
      const t = timers.add(time, callback);
      options.wake();
      return () => {
        t.cancelled = true;
      };
    },
  };
  const mailbox = new TaskMailbox(options.wake);
  const services: TaskServices = {
    processingTime,
    mailbox,
    mode: graph.mode,
    jobName: graph.name,
    jobId: deployment.jobId,
    autoWatermarkInterval: graph.autoWatermarkInterval,
    print: options.print,
    ...(options.restoreChecks ? { restoreChecks: options.restoreChecks } : {}),
  };
  const parallelismOf = (id: number) => graph.vertices.find((v) => v.id === id)!.parallelism;

  const ops = new Map<number, StreamOperator>();
  for (const v of chain.vertices) {
    const code = job.vertices.get(v.id);
    if (!code) throw new Error(`No code for operator '${v.name}' (uid ${v.uid})`);
    const op = code.createOperator();
    ops.set(v.id, op);
    const list = deployment.operatorsByVertex.get(v.id) ?? [];
    list[subtask] = op;
    deployment.operatorsByVertex.set(v.id, list);
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
      const edge = edgeIndex.get(e)!;
      const consumers = connectedConsumers(e.partitioner, subtask, chain.parallelism, parallelismOf(e.target));
      const code = job.edges[edge] ?? {};
      const writer = new RecordWriter(
        consumers.map((consumer) => options.channels.writer({ edge, producer: subtask, consumer })),
        createChannelSelector(e.partitioner, consumers.length, {
          keySelector: code.keySelector,
          customPartitioner: code.customPartitioner,
          maxParallelism: graph.vertices.find((x) => x.id === e.target)!.maxParallelism,
          producerSubtask: subtask,
        }),
      );
      writers.push(writer);
      route(e, writer);
    }
    const code = job.vertices.get(v.id)!;
    op.setup(
      { uid: v.uid, name: v.name, subtask, parallelism: v.parallelism, maxParallelism: v.maxParallelism },
      new OperatorOutput(op.counters, main, side),
      services,
      code.keySelectors ?? [],
    );
    op.initializeState(options.restore?.(v.uid) ?? []);
  }

  // A source chained to its watermark generator tells it which split each record comes from.
  const head = ops.get(chain.vertices[0]!.id);
  if (head instanceof SourceOperator) {
    const next = chain.internal.find((e) => e.source === chain.vertices[0]!.id);
    const generator = next && ops.get(next.target);
    if (generator instanceof TimestampsAndWatermarksOperator) head.splitListener = generator;
  }

  const inputs: TaskInputChannel[] = [];
  for (const e of chain.inputs) {
    const edge = edgeIndex.get(e)!;
    const producers = parallelismOf(e.source);
    for (let p = 0; p < producers; p++) {
      if (connectedConsumers(e.partitioner, p, producers, chain.parallelism).includes(subtask)) {
        inputs.push({ reader: options.channels.reader({ edge, producer: p, consumer: subtask }), input: e.inputIndex });
      }
    }
  }
  const members = chain.vertices.map((v) => ops.get(v.id)!);
  const name = `${chain.vertices.map((v) => v.name).join(' -> ')} (${subtask + 1}/${chain.parallelism})`;
  deployment.tasks.push(new StreamTask(name, members, inputs, writers, timers, clock, options.wake, mailbox));
}
