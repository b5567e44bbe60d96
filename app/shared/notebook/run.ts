/**
 * What running a notebook reports: per-cell status and, when a cell fails, where. Plain data
 * shared by the kernel, the CLI and the renderer.
 */
import type { CellKind } from './model.ts';

/** A stack frame in the user's own code, mapped back to the notebook or helper file. */
export interface UserFrame {
  /** The function's name, when V8 knows one. */
  functionName?: string;
  /** Absolute path of the file. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/**
 * Why and where a cell failed.
 *
 * @example
 * // cell 3 threw at line 12 of the notebook:
 * // { cell: 3, phase: 'runtime', file: '/nb/sensors.ts', line: 12, column: 9, name: 'Error', message: 'boom', ... }
 */
export interface CellError {
  /** 1-based number of the failing cell, counting every cell in file order. */
  cell: number;
  /** `compile` when the code was rejected before anything ran, `runtime` when it threw. */
  phase: 'compile' | 'runtime';
  /** Absolute path of the file the location is in: the notebook, or a helper file it imports. */
  file: string;
  /** 1-based line in `file`. */
  line: number;
  /** 1-based column in `file`. */
  column: number;
  /** The error's class name (`TypeError`, `JobExecutionError`, ...). */
  name: string;
  /** The error's message; for a failed job, the engine's message naming job and operator. */
  message: string;
  /** Frames in user code, innermost first, of the error that located the failure. */
  frames: UserFrame[];
  /** The full stack, with `Caused by:` sections for causes. */
  stack: string;
}

/** How a cell's run ended. `not-run` cells come after a failure. */
export type CellStatus = 'done' | 'failed' | 'skipped' | 'not-run';

/** One cell's outcome. */
export interface CellRunResult {
  /** 1-based cell number. */
  cell: number;
  kind: CellKind;
  title?: string;
  status: CellStatus;
  /** Wall-clock time the cell took, 0 when it did not run. */
  durationMs: number;
  /** Why a cell was skipped. */
  reason?: string;
  error?: CellError;
}

/** The outcome of running a whole notebook. */
export interface NotebookRunResult {
  ok: boolean;
  cells: CellRunResult[];
  /** The failure that stopped the run. */
  error?: CellError;
  durationMs: number;
}
