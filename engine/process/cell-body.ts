/**
 * The hook a notebook cell's module calls when its own code starts (app/kernel/module-source.ts):
 * `cellBody(cell, info)`, imported from `'weir'`. The process that evaluates the code answers
 * with the cell's context: in a taskmanager rebuilding a job, `rebuild: true` and the values
 * captured in the kernel (so the cell runs only its slice, app/kernel/slice.ts); in a kernel,
 * nothing (the cell runs whole), while the kernel keeps `info` to capture values when a job is
 * submitted. Flink's counterpart is the closure serialisation of `ClosureCleaner` and
 * `InstantiationUtil`: a user function arrives with the values it captured.
 *
 * A job build (job-build-scope.ts) brings its own hook, so that two jobs rebuilt at once in one
 * process each answer their own cells; code outside any build gets the process's hook.
 */
import { currentJobBuild } from './job-build-scope.ts';

/** What a cell's module tells the process about itself (its `__weirCellInfo()`). */
export interface CellInfo {
  /** The current value of one of `captured`; throws while the variable is not yet initialised. */
  read(name: string): unknown;
  /** The cell's captured variables: [name, 1-based line in the notebook file]. */
  captured: [string, number][];
  /** 0-based indexes of the earlier cells whose values the cell reads. */
  inputs: number[];
  /** Names read by the code a worker keeps of the cell. */
  references: string[];
  /** Effects of statements a worker keeps: [what, 1-based line in the notebook file] (absent in modules of older versions). */
  effects?: [string, number][];
}

/** The answer to a cell's module: whether it is being rebuilt in a worker, and the values it captured. */
export interface CellBodyContext {
  rebuild: boolean;
  /** The captured value of one of the cell's variables (rebuild only). */
  value?(name: string): unknown;
}

/** Called with the 0-based cell index when a cell's own code starts. */
export type CellBodyHook = (cell: number, info?: () => CellInfo) => CellBodyContext | undefined;

/** The hook of this process, for cells evaluated outside any job build. */
let processHook: CellBodyHook | undefined;

/**
 * Installs `hook` for the cells this process evaluates; returns a function restoring the previous one.
 *
 * @example
 * const restore = installCellBodyHook((cell) => (cell === 2 ? { rebuild: true, value: () => undefined } : undefined));
 */
export function installCellBodyHook(hook: CellBodyHook): () => void {
  const previous = processHook;
  processHook = hook;
  return () => {
    processHook = previous;
  };
}

/**
 * What a cell's module calls first (its marker, app/kernel/module-source.ts): the context of the
 * cell's code, from its job build's hook or else the process's.
 *
 * @internal
 * @example
 * const __weirCell = cellBody(2, __weirCellInfo); // in the module compiled from cell 3
 */
export function cellBody(cell: number, info?: () => CellInfo): CellBodyContext {
  const hook = currentJobBuild()?.cellBody ?? processHook;
  return hook?.(cell, info) ?? { rebuild: false };
}
