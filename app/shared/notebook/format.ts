/**
 * The notebook file format: TypeScript in the percent format of Jupytext and VS Code.
 *
 * ```ts
 * // %% [markdown] Intro
 * // # Sensor averages
 * // %% Load data
 * import { StreamExecutionEnvironment } from 'weir';
 * // %% [sql]
 * // SELECT * FROM 'sensors.csv'
 * ```
 *
 * A marker is a line that starts (column 0) with `//`, optional spaces, then `%%` followed by a
 * space or the end of the line. After it come an optional `[kind]` (`markdown`/`md`, `sql`, `flink-sql`; any
 * other bracket text is read as part of a code cell's title) and an optional title. Lines before
 * the first marker form an implicit code cell when any of them is not blank.
 *
 * Markdown and SQL lines are normally written as `// ` comments so the file stays valid
 * TypeScript; the prefix is removed on parsing (SQL may also be written raw). Blank lines around
 * a cell's content separate cells. Because each cell keeps its exact text (`raw`), writing an
 * unedited notebook reproduces the file byte for byte; edited or new cells are written in the
 * canonical form `// %% [kind] title`, content, one blank line.
 *
 * Content that cannot be represented: a line that would itself read as a marker (a code line
 * `// %%`, a markdown or SQL line starting with `%%`), a code title starting with `[`, and lines
 * with leading or trailing blank lines in code (they are taken as separators).
 */
import type { CellKind, Notebook, NotebookCell } from './model.ts';

/** A physical line: its text without the line break, and where it starts in the file. */
interface Line {
  text: string;
  start: number;
}

interface CellHead {
  kind: CellKind;
  title?: string;
}

// A byte-order mark may precede the first marker of a file.
const MARKER = /^\uFEFF?\/\/[ \t]*%%(?=[ \t]|$)(.*)$/;
const KIND = /^\[([^\]]*)\](.*)$/;
const COMMENT_PREFIX = /^\/\/ ?/;

/**
 * Parses a notebook file. Never fails: any text is a notebook (at worst one implicit code cell).
 *
 * @example
 * const nb = parseNotebook('// %% Load\nconst x = 1;\n\n// %% [markdown]\n// Hello\n');
 * nb.cells.map((c) => [c.kind, c.title, c.source, c.startLine]);
 * // [['code', 'Load', 'const x = 1;', 2], ['markdown', undefined, 'Hello', 5]]
 */
export function parseNotebook(text: string): Notebook {
  const lines = splitLines(text);
  const markers: number[] = [];
  lines.forEach((line, i) => {
    if (parseMarker(line.text)) markers.push(i);
  });

  const nb: Notebook = { cells: [], eol: detectEol(text) };
  const firstMarker = markers[0] ?? lines.length;
  const head = lines.slice(0, firstMarker);
  const headEnd = firstMarker < lines.length ? lines[firstMarker]!.start : text.length;
  if (head.some((line) => !isBlank(line.text))) {
    nb.cells.push({ ...readCell(head, 0), raw: text.slice(0, headEnd) });
  } else if (headEnd > 0) {
    nb.preamble = text.slice(0, headEnd);
  }

  markers.forEach((markerIndex, m) => {
    const next = markers[m + 1] ?? lines.length;
    const end = next < lines.length ? lines[next]!.start : text.length;
    const cell = readCell(lines.slice(markerIndex, next), markerIndex + 1);
    nb.cells.push({ ...cell, raw: text.slice(lines[markerIndex]!.start, end) });
  });
  return nb;
}

/**
 * Writes a notebook file. Unedited cells are written exactly as they were read; others in the
 * canonical form. `parseNotebook(serializeNotebook(nb))` gives back the same kinds, titles and
 * sources, and `serializeNotebook(parseNotebook(text)) === text`.
 *
 * @example
 * serializeNotebook({ cells: [{ kind: 'markdown', source: '# Hi', markerLine: 0, startLine: 0 }] });
 * // '// %% [markdown]\n// # Hi\n'
 */
export function serializeNotebook(nb: Notebook): string {
  const eol = nb.eol ?? '\n';
  const chunks: string[] = [];
  nb.cells.forEach((cell, i) => {
    const last = i === nb.cells.length - 1;
    if (cell.raw !== undefined && rawStillMatches(cell, i)) {
      chunks.push(cell.raw);
      return;
    }
    const implicit = i === 0 && cell.markerLine === 0 && cell.kind === 'code' && !cell.title && !isBlank(cell.source);
    const out = implicit ? [] : [formatMarker(cell)];
    if (cell.source !== '') {
      for (const line of cell.source.split(/\r?\n/)) out.push(cell.kind === 'code' ? line : commentOut(line));
    }
    chunks.push(out.join(eol) + eol + (last ? '' : eol));
  });
  if (nb.preamble && (chunks.length === 0 || parseMarker(firstLine(chunks[0]!)))) chunks.unshift(nb.preamble);
  // A raw chunk read from the end of a file may lack a final line break; it needs one when
  // something follows, or the next marker would be glued onto its last line.
  return chunks.map((chunk, i) => (i < chunks.length - 1 && !chunk.endsWith('\n') ? chunk + eol : chunk)).join('');
}

/** Reads one cell from its lines; `markerLine` is the 1-based line of `lines[0]`, 0 when implicit. */
function readCell(lines: Line[], markerLine: number): Omit<NotebookCell, 'raw'> {
  const marker = markerLine > 0 ? parseMarker(lines[0]!.text) : undefined;
  const head: CellHead = marker ?? { kind: 'code' };
  const bodyOffset = marker ? 1 : 0;
  let first = bodyOffset;
  let last = lines.length;
  while (first < last && isBlank(lines[first]!.text)) first++;
  while (last > first && isBlank(lines[last - 1]!.text)) last--;
  const body = lines.slice(first, last).map((line) => (head.kind === 'code' ? line.text : line.text.replace(COMMENT_PREFIX, '')));
  const firstFileLine = markerLine > 0 ? markerLine : 1;
  const cell: Omit<NotebookCell, 'raw'> = {
    kind: head.kind,
    source: body.join('\n'),
    markerLine,
    startLine: body.length > 0 ? firstFileLine + first : firstFileLine + bodyOffset,
  };
  if (head.title !== undefined) cell.title = head.title;
  return cell;
}

/** Whether `cell.raw` still describes the cell, so that writing it back changes nothing. */
function rawStillMatches(cell: NotebookCell, index: number): boolean {
  const lines = splitLines(cell.raw!);
  if (lines.length === 0) return false;
  const hasMarker = parseMarker(lines[0]!.text) !== undefined;
  if (!hasMarker && index !== 0) return false;
  if (lines.slice(1).some((line) => parseMarker(line.text))) return false;
  const reread = readCell(lines, hasMarker ? 1 : 0);
  return reread.kind === cell.kind && reread.title === cell.title && reread.source === cell.source.replace(/\r\n/g, '\n');
}

function parseMarker(line: string): CellHead | undefined {
  const match = MARKER.exec(line);
  if (!match) return undefined;
  const rest = match[1]!.trim();
  const bracket = KIND.exec(rest);
  const kind = bracket ? kindOf(bracket[1]!.trim().toLowerCase()) : undefined;
  const title = (kind ? bracket![2]! : rest).trim();
  const head: CellHead = { kind: kind ?? 'code' };
  if (title !== '') head.title = title;
  return head;
}

function kindOf(token: string): CellKind | undefined {
  if (token === 'markdown' || token === 'md') return 'markdown';
  if (token === 'sql') return 'sql';
  if (token === 'flink-sql') return 'flink-sql';
  return undefined;
}

function formatMarker(cell: NotebookCell): string {
  const kind = cell.kind === 'code' ? '' : ` [${cell.kind}]`;
  return `// %%${kind}${cell.title ? ` ${cell.title}` : ''}`;
}

function commentOut(line: string): string {
  return line === '' ? '//' : `// ${line}`;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    if (newline < 0) {
      lines.push({ text: text.slice(start), start });
      break;
    }
    const textEnd = newline > start && text[newline - 1] === '\r' ? newline - 1 : newline;
    lines.push({ text: text.slice(start, textEnd), start });
    start = newline + 1;
  }
  return lines;
}

function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  return (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, '');
}

function detectEol(text: string): '\n' | '\r\n' {
  const newline = text.indexOf('\n');
  return newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}
