/**
 * The logical plan: plain, serialisable data. It describes the program's graph (operators,
 * their parallelism and the edges between them) without any user code, so that it can be
 * printed, exported as JSON and compared between processes. User code is attached at runtime
 * through operator factories looked up by `uid`.
 */

/** How records travel along an edge, as in Flink's `StreamPartitioner`s. */
export type PartitionerKind =
  | 'forward'
  | 'rebalance'
  | 'rescale'
  | 'shuffle'
  | 'broadcast'
  | 'global'
  | 'hash'
  | 'custom';

/** The execution mode of a job. */
export type RuntimeMode = 'streaming' | 'batch';

/** One operator of the program's graph. */
export interface VertexSpec {
  /** Position in creation order; unique within the graph. */
  id: number;
  /** Stable identity across runs and processes (explicit `uid()` or derived from position). */
  uid: string;
  name: string;
  /** What sort of operator this is: 'source', 'map', 'window', 'sink', ... */
  kind: string;
  parallelism: number;
  maxParallelism: number;
  /** False when the user called `disableChaining()` (or the operator cannot be chained). */
  chainable: boolean;
  /** True when the user called `startNewChain()`: the operator heads a chain (later ones may join it). */
  chainStart?: boolean;
  /**
   * The slot sharing group (`slotSharingGroup(name)`), when not 'default'. Subtasks of one group
   * share slots; different groups never do, and chains never cross groups.
   */
  slotSharingGroup?: string;
  /** Operator-specific configuration that is plain data (window sizes, sink paths, ...). */
  config?: Record<string, unknown>;
  /** True for sources that end. */
  bounded?: boolean;
  /** True when the operator keeps keyed state (its input edges are hash-partitioned). */
  keyed?: boolean;
  /** Where the user defined it (`file:line:column`), when known. Not part of the plan's identity. */
  definedAt?: string;
  /**
   * The shape of the value the operator keeps in state, when the plan knows it (a window's
   * accumulator: `valueShape` of `createAccumulator()`). Savepoints record it; a restore into
   * another shape is refused.
   */
  valueShape?: string;
}

/** A connection between two vertices. */
export interface EdgeSpec {
  source: number;
  target: number;
  partitioner: PartitionerKind;
  /** For two-input operators: 0 for the first input, 1 for the second. */
  inputIndex: number;
  /** When set, the edge carries the side output with this tag id instead of the main output. */
  sideOutput?: string;
}

/** The whole program graph. */
export interface StreamGraphSpec {
  name: string;
  mode: RuntimeMode;
  vertices: VertexSpec[];
  edges: EdgeSpec[];
  /** Processing-time interval between periodic watermarks, in ms. */
  autoWatermarkInterval: number;
  /** False after `env.disableOperatorChaining()`: every operator runs in a task of its own. */
  operatorChaining?: boolean;
  /** Checkpoint settings (`env.enableCheckpointing`, `env.getCheckpointConfig()`); `intervalMs` 0 = off. */
  checkpointing?: CheckpointConfigSpec;
  /** How the job restarts after a failure, resolved to Flink's default when none was set. */
  restartStrategy?: RestartStrategySpec;
}

/*
 * The plan carries checkpoint settings and the restart strategy as plain data. These types are
 * the ones engine/checkpoint/types.ts declares (the plan may not import that layer); a
 * compile-time check in engine/checkpoint/restart-strategies.ts keeps them identical.
 */

/** Exactly-once aligns barriers at multi-input tasks; at-least-once does not. */
export type CheckpointingMode = 'exactly-once' | 'at-least-once';

/** Checkpoint settings (Flink's `CheckpointConfig`), with every field set. */
export interface CheckpointConfigSpec {
  /** Interval between checkpoint triggers (ms); 0 = checkpointing off. */
  intervalMs: number;
  mode: CheckpointingMode;
  /** A checkpoint that has not completed after this long is failed (ms). */
  timeoutMs: number;
  /** Minimum time between the end of one checkpoint and the trigger of the next (ms). */
  minPauseMs: number;
  maxConcurrent: number;
  /** How many completed checkpoints to keep. */
  retained: number;
  /** Keep the retained checkpoints when the job is cancelled (Flink's RETAIN_ON_CANCELLATION). */
  retainOnCancel: boolean;
  /** Failed checkpoints tolerated before the job fails (Flink's tolerableCheckpointFailureNumber). */
  tolerableFailures: number;
}

/** How a failed job is restarted (Flink's restart strategies). */
export type RestartStrategySpec =
  | { kind: 'none' }
  | { kind: 'fixed-delay'; attempts: number; delayMs: number }
  | { kind: 'failure-rate'; maxFailures: number; intervalMs: number; delayMs: number }
  | { kind: 'exponential-delay'; initialMs: number; maxMs: number; multiplier: number; resetThresholdMs: number; jitter: number };

/** Checks structural invariants; throws with the offending vertex named. */
export function validateGraph(graph: StreamGraphSpec): void {
  const ids = new Set<number>();
  const uids = new Map<string, VertexSpec>();
  for (const v of graph.vertices) {
    if (ids.has(v.id)) throw new Error(`Duplicate vertex id ${v.id} ('${v.name}')`);
    ids.add(v.id);
    const other = uids.get(v.uid);
    if (other) throw new Error(`Operators '${other.name}' and '${v.name}' have the same uid '${v.uid}'; uids must be unique`);
    uids.set(v.uid, v);
    if (!Number.isInteger(v.parallelism) || v.parallelism < 1) {
      throw new Error(`Operator '${v.name}' has parallelism ${v.parallelism}; it must be an integer ≥ 1`);
    }
    if (v.parallelism > v.maxParallelism) {
      throw new Error(`Operator '${v.name}' has parallelism ${v.parallelism} above its max parallelism ${v.maxParallelism}`);
    }
  }
  for (const e of graph.edges) {
    if (!ids.has(e.source) || !ids.has(e.target)) throw new Error(`Edge ${e.source} → ${e.target} names a missing vertex`);
    if (e.partitioner === 'forward') {
      const s = graph.vertices.find((v) => v.id === e.source)!;
      const t = graph.vertices.find((v) => v.id === e.target)!;
      if (s.parallelism !== t.parallelism) {
        throw new Error(
          `Forward partitioning needs equal parallelism, but '${s.name}' has ${s.parallelism} and '${t.name}' has ${t.parallelism}`,
        );
      }
    }
  }
}
