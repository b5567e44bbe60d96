/**
 * A notebook file is UTF-8 (as Jupytext's percent format and VS Code's default are). Read as
 * UTF-8, a Latin-1 or UTF-16 file turns into replacement characters without a word, and a save
 * writes them back over the user's text; so any other encoding fails, naming the file and the
 * byte offset of the first byte that is not UTF-8.
 */

/** A notebook file that is not valid UTF-8. */
export class NotebookEncodingError extends Error {
  override name = 'NotebookEncodingError';
  constructor(
    readonly file: string,
    /** The offset of the first byte that is not UTF-8. */
    readonly byteOffset: number,
  ) {
    super(`${file} is not UTF-8: byte ${byteOffset} cannot start or continue a UTF-8 character; convert the file to UTF-8 (for example: iconv -f latin1 -t utf-8)`);
  }
}

/**
 * Throws `NotebookEncodingError` when `bytes` are not valid UTF-8 (overlong forms, surrogates
 * and code points above U+10FFFF included).
 *
 * @example
 * checkNotebookEncoding(await readFile(file), file);
 */
export function checkNotebookEncoding(bytes: Uint8Array, file: string): void {
  const offset = firstInvalidUtf8Byte(bytes);
  if (offset !== undefined) throw new NotebookEncodingError(file, offset);
}

/**
 * The offset of the first byte that is not part of a valid UTF-8 sequence, or undefined.
 *
 * @example
 * firstInvalidUtf8Byte(new Uint8Array([0x61, 0xe9, 0x62])); // 1 (Latin-1 'é')
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number | undefined {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    let codePoint: number;
    if (b >= 0xc2 && b <= 0xdf) [length, min, codePoint] = [2, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [length, min, codePoint] = [3, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [length, min, codePoint] = [4, 0x10000, b & 0x07];
    else return i;
    if (i + length > n) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (c & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += length;
  }
  return undefined;
}
