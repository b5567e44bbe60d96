/**
 * Runs a notebook file from start to end: the headless path that `weir run` takes.
 */
import { readFile } from 'node:fs/promises';
import { ownedTempDir, releaseTempDir } from '../../engine/process/temp-dirs.ts';
import path from 'node:path';
import { parseNotebook } from '../shared/notebook/format.ts';
import { flinkSqlCellsAsCode, loadFlinkSqlParser } from './flink-sql-cells.ts';
import type { CellRunResult, NotebookRunResult } from '../shared/notebook/run.ts';
import { compileNotebook } from './compile.ts';
import { baseResult, evaluateNotebook, type CellRunHooks } from './evaluate.ts';
import { defaultWeirModule } from './weir-module.ts';
import { checkNotebookEncoding } from '../shared/notebook/encoding.ts';

/** How to run a notebook. */
export interface RunNotebookOptions extends CellRunHooks {
  /** Absolute path of the module `import ... from 'weir'` loads (default: `defaultWeirModule()`). */
  weirModule?: string;
}

/**
 * Reads, compiles and runs the notebook at `notebookPath`. Resolves with per-cell results
 * whether or not a cell fails; rejects only when the file cannot be read.
 *
 * Cell output (`console.log`) goes to the process's stdout as it happens. The compiled modules
 * live in a private temporary directory for the duration of the run. Cells run with the
 * notebook's folder as the working directory.
 *
 * @example
 * const result = await runNotebook('notebooks/sensor-averages.ts', {
 *   onCellEnd: (r) => console.error(`cell ${r.cell} ${r.status}`),
 * });
 * if (!result.ok) console.error(result.error!.message);
 */
export async function runNotebook(notebookPath: string, options: RunNotebookOptions = {}): Promise<NotebookRunResult> {
  const started = performance.now();
  const file = path.resolve(notebookPath);
  const bytes = await readFile(file);
  checkNotebookEncoding(bytes, notebookPath);
  const parsed = parseNotebook(bytes.toString('utf8'));
  await loadFlinkSqlParser(parsed);
  const notebook = flinkSqlCellsAsCode(parsed);
  const weirModule = options.weirModule ?? defaultWeirModule();
  // Stack traces of cell code then point into the notebook file rather than the compiled modules.
  process.setSourceMapsEnabled(true);
  const outDir = ownedTempDir('weir-kernel');
  // The notebook runs in its own folder, so relative paths in cells mean the same from wherever
  // `weir run` is started; the caller's working directory is back when the run ends.
  const previousCwd = process.cwd();
  process.chdir(path.dirname(file));
  try {
    const outcome = await compileNotebook(notebook, { notebookPath: file, weirModule, outDir });
    let cells: CellRunResult[];
    if (outcome.ok) {
      cells = await evaluateNotebook(notebook, outcome.compiled, options);
    } else {
      const failing = outcome.error.cell - 1;
      cells = notebook.cells.map((cell, index) =>
        index === failing
          ? { ...baseResult(cell, index), status: 'failed', durationMs: 0, error: outcome.error }
          : { ...baseResult(cell, index), status: 'not-run', durationMs: 0 },
      );
      options.onCellEnd?.(cells[failing]!);
    }
    const error = cells.find((cell) => cell.error)?.error;
    const result: NotebookRunResult = { ok: !error, cells, durationMs: performance.now() - started };
    if (error) result.error = error;
    return result;
  } finally {
    process.chdir(previousCwd);
    releaseTempDir(outDir);
  }
}
