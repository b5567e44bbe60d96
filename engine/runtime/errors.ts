/**
 * Errors the engine raises. A user's exception is never swallowed or re-worded: it travels as
 * `cause`, so the notebook kernel can map its stack to a cell and line.
 */

/** Where in the job graph something went wrong. */
export interface OperatorLocation {
  uid: string;
  name: string;
  /** 0-based subtask index. */
  subtask: number;
  parallelism: number;
  /** Where the user defined the operator (`file:line:column`), when known: a notebook error points there. */
  definedAt?: string;
}

/**
 * A job failed. `message` names the job and operator and repeats the cause's message;
 * `cause` is the original error thrown by user code or by the engine.
 */
export class JobExecutionError extends Error {
  override name = 'JobExecutionError';
  constructor(
    readonly jobName: string,
    readonly operator: OperatorLocation | undefined,
    override readonly cause: unknown,
  ) {
    super(
      `Job '${jobName}' failed${operator ? ` in operator '${operator.name}' (uid ${operator.uid}, subtask ${operator.subtask + 1}/${operator.parallelism})` : ''}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
    );
  }
}

/** A pipeline was built with invalid parameters (thrown where the pipeline is defined). */
export class InvalidPipelineError extends Error {
  override name = 'InvalidPipelineError';
}
