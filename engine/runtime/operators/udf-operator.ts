import { StreamOperator, TwoInputStreamOperator } from '../operator.ts';
import type { RichFunction, RuntimeContext } from '../functions.ts';
import type { AnyStateDescriptor } from '../../state/descriptors.ts';

/** Builds the RuntimeContext an operator hands to its user function. */
export function runtimeContextOf(op: StreamOperator): RuntimeContext {
  const state = (d: AnyStateDescriptor) => op.requireKeyed(`keyed state ('${d.name}')`).getState(d) as any;
  return {
    getIndexOfThisSubtask: () => op.info.subtask,
    getNumberOfParallelSubtasks: () => op.info.parallelism,
    getMaxNumberOfParallelSubtasks: () => op.info.maxParallelism,
    getTaskName: () => op.info.name,
    getJobName: () => op.services.jobName,
    getState: state,
    getListState: state,
    getMapState: state,
    getReducingState: state,
    getAggregatingState: state,
    getOperatorStateStore: () => ({
      getListState: (name) => op.operatorState.getListState(`user:${name}`),
      getUnionListState: (name) => op.operatorState.getUnionListState(`user:${name}`),
    }),
  };
}

/** Opens and closes a user function object with the operator. */
export async function openUserFunction(fn: unknown, op: StreamOperator): Promise<void> {
  if (fn && typeof fn === 'object' && typeof (fn as RichFunction).open === 'function') {
    await (fn as RichFunction).open!(runtimeContextOf(op));
  }
}

export function closeUserFunction(fn: unknown): void {
  if (fn && typeof fn === 'object' && typeof (fn as RichFunction).close === 'function') (fn as RichFunction).close!();
}

/** An operator around one user function object (Flink's `AbstractUdfStreamOperator`). */
export abstract class UdfOperator<OUT> extends StreamOperator<OUT> {
  protected readonly userFunction: unknown;
  /** `userFunction` should come from `instantiateUserFunction`, so each subtask has its own. */
  constructor(userFunction: unknown) {
    super();
    this.userFunction = userFunction;
  }
  override open(): void | Promise<void> {
    return openUserFunction(this.userFunction, this);
  }
  override close(): void {
    super.close();
    closeUserFunction(this.userFunction);
  }
}

/** Two-input variant of `UdfOperator`. */
export abstract class TwoInputUdfOperator<OUT> extends TwoInputStreamOperator<OUT> {
  protected readonly userFunction: unknown;
  /** `userFunction` should come from `instantiateUserFunction`, so each subtask has its own. */
  constructor(userFunction: unknown) {
    super();
    this.userFunction = userFunction;
  }
  override open(): void | Promise<void> {
    return openUserFunction(this.userFunction, this);
  }
  override close(): void {
    super.close();
    closeUserFunction(this.userFunction);
  }
}
