import { InvalidPipelineError } from '../runtime/errors.ts';

/** Validates a parallelism value, naming the operator in the error. */
export function checkParallelism(p: number, operator: string): number {
  if (!Number.isInteger(p) || p < 1) {
    throw new InvalidPipelineError(`Parallelism of '${operator}' must be an integer ≥ 1, got ${p}`);
  }
  return p;
}
