/**
 * The process-wide seams through which code running for a cell reaches that cell: `console`,
 * the uncaught-error handlers and the engine's notes. Whichever process evaluates cells (the
 * kernel process, or the workbench host when jobs run in it) installs them.
 */
import { captureConsole, cellContext } from './cell-context.ts';

/**
 * Routes `console` calls and uncaught errors made for a cell to that cell; `label` names the
 * process in messages about errors outside any cell. Returns a function that undoes it.
 *
 * @example
 * const restore = routeProcessToCells('weir kernel');
 */
export function routeProcessToCells(label: string): () => void {
  const restoreConsole = captureConsole(console);
  const onFailure = (error: unknown): void => {
    const context = cellContext.getStore();
    if (context) context.fail(error);
    else console.error(`${label}: uncaught error outside any cell:`, error);
  };
  process.on('uncaughtException', onFailure);
  process.on('unhandledRejection', onFailure);
  return () => {
    process.off('uncaughtException', onFailure);
    process.off('unhandledRejection', onFailure);
    restoreConsole();
  };
}

/**
 * Shows an engine note (e.g. "chart sink ignored") under the cell whose code caused it.
 *
 * @example
 * installExecutionHost({ note: noteToCell });
 */
export function noteToCell(message: string): void {
  const context = cellContext.getStore();
  if (context) context.output({ kind: 'note', text: message });
  else console.error(`note: ${message}`);
}
