/**
 * Applies the kernel's edits to a cell's text (the slice's guards, the rebinding of earlier
 * cells' `let`s) and writes the source map from the edited text back to the cell as written.
 * esbuild composes it with its own map, so a stack frame on an edited line still points at the
 * column the user wrote. Edits never add lines, so the map only moves columns.
 */

/** One change: `text` in place of `[start, end)` (an insertion when they are equal). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The edited text and its source map's `mappings` (version 3, one source). */
export interface EditedText {
  text: string;
  mappings: string;
}

/**
 * Applies non-overlapping edits; at one offset, insertions go in the order given, before a
 * replacement. Text an edit puts in maps to where the edit is.
 *
 * @example
 * applyEdits('a = 1;', [{ start: 4, end: 4, text: 'f(' }, { start: 5, end: 5, text: ')' }]).text; // 'a = f(1);'
 */
export function applyEdits(source: string, edits: readonly TextEdit[]): EditedText {
  const ordered = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || a.end - a.start - (b.end - b.start) || a.i - b.i);
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const position = (offset: number): [number, number] => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return [lo, offset - lineStarts[lo]!];
  };
  const lines: [number, number, number][][] = [[]];
  let text = '';
  let column = 0;
  const mark = (offset: number): void => {
    const [line, col] = position(offset);
    lines[lines.length - 1]!.push([column, line, col]);
  };
  const copy = (from: number, to: number): void => {
    if (from >= to) return;
    for (let i = from; i < to; i++) {
      // A segment where each token may start: esbuild maps a token through the segment at or
      // before it, without moving along the line.
      if (i === from || !WORD.test(source[i - 1]!) || !WORD.test(source[i]!)) mark(i);
      if (source[i] === '\n') {
        lines.push([]);
        column = 0;
      } else column++;
    }
    text += source.slice(from, to);
  };
  let last = 0;
  for (const edit of ordered) {
    copy(last, edit.start);
    if (edit.text.length > 0) {
      mark(edit.start);
      text += edit.text;
      column += edit.text.length;
    }
    last = edit.end;
  }
  copy(last, source.length);
  return { text, mappings: encodeMappings(lines) };
}

/** The `mappings` field: per generated line, segments [generated column, source line, source column]. */
function encodeMappings(lines: [number, number, number][][]): string {
  let previousLine = 0;
  let previousColumn = 0;
  return lines
    .map((segments) => {
      let previousGenerated = 0;
      return segments
        .map(([generated, line, col]) => {
          const fields = [generated - previousGenerated, 0, line - previousLine, col - previousColumn];
          previousGenerated = generated;
          previousLine = line;
          previousColumn = col;
          return fields.map(vlq).join('');
        })
        .join(',');
    })
    .join(';');
}

/** Characters that continue a word (an identifier or a number). */
const WORD = /[\w$]/;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function vlq(value: number): string {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += BASE64[digit];
  } while (v > 0);
  return out;
}
