/**
 * Conversions between a notebook file's text and the workbench's documents: cells get ids when
 * a file is opened, and a document (with edits not saved yet) turns back into file text for
 * saving and into a parsed notebook for running.
 */
import { parseNotebook, serializeNotebook } from '../shared/notebook/format.ts';
import type { Notebook } from '../shared/notebook/model.ts';
import type { DiskVersion, NotebookDocument, WorkbenchCell } from '../shared/workbench/protocol.ts';

/** The parts of a document that make up the file. */
export interface DocumentContent {
  cells: WorkbenchCell[];
  eol?: Notebook['eol'];
  preamble?: string;
}

/**
 * A document for a file's text: cells numbered `c1`, `c2`, ... in file order.
 *
 * @example
 * documentFromText('a.ts', '// %%\nconst x = 1;\n', version).cells[0].id; // 'c1'
 */
export function documentFromText(path: string, text: string, version: DiskVersion): NotebookDocument {
  const notebook = parseNotebook(text);
  const document: NotebookDocument = {
    path,
    cells: notebook.cells.map((cell, index) => ({ ...cell, id: `c${index + 1}` })),
    version,
  };
  if (notebook.eol) document.eol = notebook.eol;
  if (notebook.preamble !== undefined) document.preamble = notebook.preamble;
  return document;
}

/** The notebook a document describes (ids dropped). */
export function notebookOf(content: DocumentContent): Notebook {
  const notebook: Notebook = { cells: content.cells.map(({ id: _id, ...cell }) => cell) };
  if (content.eol) notebook.eol = content.eol;
  if (content.preamble !== undefined) notebook.preamble = content.preamble;
  return notebook;
}

/** The file text of a document. */
export function textOf(content: DocumentContent): string {
  return serializeNotebook(notebookOf(content));
}

/**
 * The document as the kernel must see it: the text it would be saved as, parsed again, so
 * that every cell's `startLine` is its line in that text and errors point at the right lines.
 * Throws when a cell holds a line that would read as a cell marker, since the cells would then
 * not survive a save either.
 */
export function reparse(content: DocumentContent): { notebook: Notebook; text: string } {
  const text = textOf(content);
  const notebook = parseNotebook(text);
  if (notebook.cells.length !== content.cells.length) {
    const culprit = content.cells.findIndex((cell) => /^\/\/[ \t]*%%(?=[ \t]|$)/m.test(cell.source) || (cell.kind !== 'code' && /^%%/m.test(cell.source)));
    const which = culprit >= 0 ? `cell ${culprit + 1}` : 'a cell';
    throw new Error(`${which} contains a line that reads as a cell marker (// %%); change that line to run or save the notebook`);
  }
  return { notebook, text };
}
