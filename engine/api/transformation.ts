import type { PartitionerKind } from '../plan/job-graph.ts';
import type { KeySelector, OperatorFactory } from '../runtime/operator.ts';
import type { CustomPartitioner } from '../runtime/network/partitioners.ts';
import type { Source } from '../runtime/source.ts';

/** How a transformation reads one of its inputs. */
export interface InputRef {
  source: Transformation;
  /** Undefined: forward when parallelism matches, otherwise rebalance (Flink's default). */
  partitioner?: PartitionerKind;
  keySelector?: KeySelector;
  customPartitioner?: CustomPartitioner;
  /** Read this side output of `source` instead of its main output. */
  sideOutput?: string;
  /** 0, or 1 for the second input of a two-input operator. */
  inputIndex: number;
}

/**
 * One operator as the API records it (Flink's `Transformation`): what it is, what it reads, and
 * how to make it. The graph generator turns the transformations into the plain-data plan.
 */
export class Transformation {
  uid: string | undefined;
  parallelism: number | undefined;
  maxParallelism: number | undefined;
  chainable = true;
  /** `startNewChain()`: begin a new chain at this operator. */
  chainStart = false;
  /** `slotSharingGroup(name)`; undefined inherits the inputs' group (Flink's rule). */
  slotSharingGroup: string | undefined;
  readonly inputs: InputRef[] = [];
  /** Key selector per input for keyed operators. */
  keySelectors: (KeySelector | undefined)[] | undefined;
  source: Source<unknown> | undefined;
  /** Operator configuration that is plain data, for the plan. */
  config: Record<string, unknown> = {};
  /** True for operators that must run with parallelism 1 (non-parallel sources, windowAll). */
  singleton = false;
  /** Where the user defined it, for error messages ("cell 3, line 12"), when known. */
  definedAt: string | undefined;
  /** The shape of the value it keeps in state, when known (see `VertexSpec.valueShape`). */
  valueShape: string | undefined;
  /** The `values` of a `Sinks.collect()` sink, which the job's report fills when it ran elsewhere. */
  collected?: unknown[];

  constructor(
    readonly id: number,
    public name: string,
    readonly kind: string,
    readonly createOperator: OperatorFactory,
  ) {}
}
