import type { StreamGraphSpec } from '../plan/job-graph.ts';
import type { KeySelector, OperatorFactory } from './operator.ts';
import type { CustomPartitioner } from './network/partitioners.ts';
import type { JobReport, OperatorReport } from './host.ts';

/** The user code behind one vertex of the plan. */
export interface VertexCode {
  createOperator: OperatorFactory;
  /** For keyed operators: the key selector of each input (index 0, and 1 for two inputs). */
  keySelectors?: (KeySelector | undefined)[];
}

/** The user code behind one edge (hash and custom partitioning). */
export interface EdgeCode {
  keySelector?: KeySelector;
  customPartitioner?: CustomPartitioner;
}

/**
 * A runnable job: the plain-data plan plus the code it needs, matched by vertex id and edge
 * index. The plan alone can be printed or exported; the code is rebuilt in every process by
 * evaluating the same program.
 */
export interface JobDefinition {
  graph: StreamGraphSpec;
  vertices: Map<number, VertexCode>;
  /** Parallel to `graph.edges`. */
  edges: EdgeCode[];
}

/** A job's final outcome. */
export interface JobResult {
  report: JobReport;
}

/** Handle of a running job, wherever it runs. */
export interface JobClient {
  readonly jobName: string;
  /** Resolves when the job finishes; rejects with JobExecutionError when it fails. */
  readonly result: Promise<JobResult>;
  /** Stops the job without a savepoint; `result` then resolves with status CANCELED. */
  cancel(): void;
  /** Current figures per operator, with rates since the previous call. */
  metrics(): OperatorReport[];
}
