/**
 * Where each code cell sits in the notebook's TypeScript document: the code cells joined in
 * order, which is how the kernel scopes them (a cell sees the imports and declarations of the
 * cells above it). Pure offset arithmetic, so it can be tested without an editor.
 */

/** A code cell's text and id. */
export interface ScopedCell {
  id: string;
  source: string;
}

/** Where one cell's text is in the joined document. */
export interface CellSpan {
  id: string;
  /** Offset of the cell's first character in the document. */
  start: number;
  /** Length of the cell's text (without the line break after it). */
  length: number;
}

/** The joined document and the cells' places in it. */
export interface JoinedDocument {
  text: string;
  spans: CellSpan[];
}

/**
 * Joins code cells into one document, each followed by a line break.
 *
 * @example
 * joinCells([{ id: 'c1', source: 'const a = 1;' }, { id: 'c2', source: 'a;' }]);
 * // { text: 'const a = 1;\na;\n', spans: [{ id: 'c1', start: 0, length: 12 }, { id: 'c2', start: 13, length: 2 }] }
 */
export function joinCells(cells: readonly ScopedCell[]): JoinedDocument {
  let text = '';
  const spans: CellSpan[] = [];
  for (const cell of cells) {
    spans.push({ id: cell.id, start: text.length, length: cell.source.length });
    text += `${cell.source}\n`;
  }
  return { text, spans };
}

/** The cell an offset of the document falls in, and the offset within that cell. */
export function cellAt(spans: readonly CellSpan[], offset: number): { span: CellSpan; offset: number } | undefined {
  for (const span of spans) {
    if (offset >= span.start && offset <= span.start + span.length) return { span, offset: offset - span.start };
  }
  return undefined;
}

/**
 * TypeScript diagnostics that are right for a file but wrong for a notebook, whose cells may be
 * re-run and may redeclare names (the kernel takes the later one).
 */
export const NOTEBOOK_IGNORED_DIAGNOSTICS = new Set([
  2300, // Duplicate identifier
  2393, // Duplicate function implementation
  2451, // Cannot redeclare block-scoped variable
  2440, // Import declaration conflicts with local declaration
  2323, // Cannot redeclare exported variable
  6133, // 'x' is declared but its value is never read
  6192, // All imports in import declaration are unused
  6196, // 'x' is declared but never used
  6198, // All destructured elements are unused
]);
