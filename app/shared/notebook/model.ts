/**
 * The in-memory shape of a notebook file. A notebook is a plain `.ts` file in percent format
 * (see `format.ts`); this is what the kernel compiles, the renderer edits and `serializeNotebook`
 * writes back. Plain data, so it crosses process boundaries as is.
 */

/**
 * What a cell holds: TypeScript code that runs in the kernel, markdown prose, a DuckDB SQL
 * query, or Flink SQL statements that run on Weir's engine (`[flink-sql]`).
 */
export type CellKind = 'code' | 'markdown' | 'sql' | 'flink-sql';

/**
 * One cell of a notebook.
 *
 * @example
 * // `// %% [markdown] Intro` followed by `// # Sensors` parses to
 * // { kind: 'markdown', title: 'Intro', source: '# Sensors', markerLine: 1, startLine: 2 }
 */
export interface NotebookCell {
  /** What the cell holds. */
  kind: CellKind;
  /** Text after the marker (`// %% Load data` → `Load data`); absent when the marker has none. */
  title?: string;
  /**
   * The cell's content: code verbatim; markdown and SQL with their `// ` comment prefix removed.
   * Blank lines around the content separate cells and are not part of it.
   */
  source: string;
  /** 1-based line of the `// %%` marker in the file; 0 for the implicit cell before any marker. */
  markerLine: number;
  /** 1-based line in the file of the first line of `source`. */
  startLine: number;
  /**
   * The cell's exact text in the file, from its marker up to the next marker. `serializeNotebook`
   * writes it back unchanged while kind, title and source still match it, so saving an
   * untouched cell never reformats it. Absent for cells created in code.
   */
  raw?: string;
}

/**
 * A parsed notebook file.
 *
 * @example
 * const nb = parseNotebook('// %%\nconst x = 1;\n');
 * nb.cells[0].source; // 'const x = 1;'
 */
export interface Notebook {
  cells: NotebookCell[];
  /** Line ending used for cells written afresh; parsing keeps the file's own. Default `\n`. */
  eol?: '\n' | '\r\n';
  /** Blank text before the first marker, kept so that a save reproduces the file exactly. */
  preamble?: string;
}
