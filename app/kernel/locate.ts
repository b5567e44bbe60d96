/**
 * Finds where in the notebook a runtime error happened.
 *
 * The kernel enables Node's source maps before loading any cell, so stack frames of cell code
 * already point into the notebook file (each cell module keeps the cell's line numbers); a
 * frame that still points at a compiled module is mapped here through its source map.
 *
 * Which frame: the engine wraps a failure in user code (a throwing map function) in a
 * `JobExecutionError` whose `cause` is the user's error, and re-throws from engine code. So the
 * `cause` chain is walked from the innermost error outwards, and the first error with a frame
 * in a notebook cell gives the location, its topmost such frame. An error thrown by the engine
 * itself while a cell calls it (invalid arguments) has engine frames on top and the calling
 * cell's frame further down, which is the one taken. A job that fails in an operator without
 * user code on the stack (a source whose file is missing) points at the line that defined the
 * operator (`env.replay(...)`), not at the `execute()` that ran the job.
 */
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { CellError, UserFrame } from '../shared/notebook/run.ts';
import type { AnalyzedCell, CompiledNotebook } from './compile.ts';
import { parseStackFrames, type StackFrame } from './stack.ts';

/** How deep a `cause` chain is followed; deeper chains are cut, cycles are stopped. */
const MAX_CAUSES = 16;

/**
 * Describes a runtime error of the cell at `failingIndex` (0-based) as a `CellError`.
 *
 * @example
 * try { await import(cellModule) } catch (e) { const error = locateRuntimeError(e, 2, compiled); }
 * // error.cell === 3, error.line/column: where it was thrown in the notebook file
 */
export function locateRuntimeError(thrown: unknown, failingIndex: number, compiled: CompiledNotebook): CellError {
  const chain = causeChain(thrown);
  const outer = chain[0];
  const failing = compiled.cells.find((cell) => cell.index === failingIndex);
  const isUserFile = (file: string): boolean => file === compiled.notebookPath || compiled.userFiles.includes(file);
  const inCell = (frame: StackFrame): boolean =>
    frame.file === compiled.notebookPath && compiled.cells.some((cell) => frame.line >= cell.startLine && frame.line <= cell.endLine);

  let location: StackFrame | undefined;
  let frames: UserFrame[] = [];
  for (const error of [...chain].reverse()) {
    const site = operatorSite(error);
    if (site && inCell(site)) {
      location = site;
      frames = [site];
      break;
    }
    const mapped = parseStackFrames(stackOf(error)).map(toOriginal);
    const found = mapped.find(inCell);
    if (found) {
      location = found;
      frames = mapped.filter((frame) => isUserFile(frame.file));
      break;
    }
  }
  location ??= missingExportLocation(outer, failing, compiled.notebookPath);

  return {
    cell: failingIndex + 1,
    phase: 'runtime',
    file: location?.file ?? compiled.notebookPath,
    line: location?.line ?? failing?.startLine ?? 1,
    column: location?.column ?? 1,
    name: outer instanceof Error ? outer.name : 'Error',
    message: outer instanceof Error ? outer.message : String(outer),
    frames,
    stack: chain.map((error, i) => (i === 0 ? '' : 'Caused by: ') + stackOf(error)).join('\n'),
  };
}

/** Where the failing operator of a job failure was defined (`JobExecutionError.operator.definedAt`). */
function operatorSite(error: unknown): StackFrame | undefined {
  const definedAt = (error as { operator?: { definedAt?: unknown } } | undefined)?.operator?.definedAt;
  if (typeof definedAt !== 'string') return undefined;
  const m = /^(.*):(\d+):(\d+)$/.exec(definedAt);
  if (!m) return undefined;
  const file = m[1]!.startsWith('file:') ? fileURLToPath(m[1]!) : m[1]!;
  return toOriginal({ file, line: Number(m[2]), column: Number(m[3]) });
}

/** `error`, its cause, the cause's cause, ... */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [error];
  const seen = new Set<unknown>([error]);
  let current = error;
  while (chain.length < MAX_CAUSES && current instanceof Error && current.cause !== undefined && !seen.has(current.cause)) {
    current = current.cause;
    seen.add(current);
    chain.push(current);
  }
  return chain;
}

function stackOf(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `Uncaught ${String(error)}`;
}

/** A frame in a compiled module, mapped to its source; other frames unchanged. */
function toOriginal(frame: StackFrame): StackFrame {
  if (!frame.file.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(frame.file)) return frame;
  const origin = findSourceMap(frame.file)?.findOrigin(frame.line, frame.column);
  if (!origin || !('fileName' in origin)) return frame;
  const file = origin.fileName.startsWith('file:') ? fileURLToPath(origin.fileName) : origin.fileName;
  const mapped: StackFrame = { file, line: origin.lineNumber, column: origin.columnNumber };
  if (frame.functionName) mapped.functionName = frame.functionName;
  return mapped;
}

/**
 * Linking fails before any code runs, so such an error has no frame: "The requested module
 * 'weir' does not provide an export named 'nope'". Point at the cell's import of that name.
 */
function missingExportLocation(error: unknown, cell: AnalyzedCell | undefined, notebookPath: string): StackFrame | undefined {
  if (!(error instanceof SyntaxError) || !cell) return undefined;
  const name = /does not provide an export named '([^']+)'/.exec(error.message)?.[1];
  const binding = cell.analysis.imports.find((b) => b.imported === name);
  if (!binding) return undefined;
  return { file: notebookPath, line: cell.startLine + binding.line - 1, column: binding.column };
}
