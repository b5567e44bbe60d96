import { StreamOperator } from '../operator.ts';
import type { RichFunction, RuntimeContext } from '../functions.ts';
import type { AnyStateDescriptor } from '../../state/descriptors.ts';
import { StateMigrationException } from '../../state/state-migration.ts';

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
  checkDeclaredState(op);
}

/** Operator state names the user's `getOperatorStateStore()` declares carry this prefix. */
const USER_OPERATOR_STATE = 'user:';

/**
 * After the user function opened, on a start from a savepoint: every restored state of the
 * user's must have been declared again, with its old kind (keyed states check their kind as they
 * are declared: heap-keyed-backend.ts). What is not is refused, or dropped with
 * `--allow-non-restored-state` (state-migration.ts). A state declared only later, while records
 * flow, counts as not declared: as Flink advises, declare state in `open()`.
 */
function checkDeclaredState(op: StreamOperator): void {
  const checks = op.services.restoreChecks;
  if (!checks?.fromSavepoint) return;
  const owner = { uid: op.info.uid, name: op.info.name };
  for (const s of op.keyedBackend?.undeclaredStates() ?? []) {
    if (!checks.allowNonRestoredState) throw new StateMigrationException(owner, s.name, s.kind, undefined);
    op.keyedBackend!.dropUndeclaredState(s.name);
  }
  for (const s of op.operatorState.restoredMismatches()) {
    if (!s.name.startsWith(USER_OPERATOR_STATE)) continue;
    const name = s.name.slice(USER_OPERATOR_STATE.length);
    if (!checks.allowNonRestoredState) throw new StateMigrationException(owner, name, `${s.kind} operator`, s.declared && `${s.declared} operator`);
    op.operatorState.clearRestored(s.name);
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

/** Two-input variant of `UdfOperator` (as `TwoInputStreamOperator` is of `StreamOperator`). */
export abstract class TwoInputUdfOperator<OUT> extends UdfOperator<OUT> {
  override readonly numInputs = 2;
  abstract override processElement2(value: unknown, timestamp: number): void;
}
