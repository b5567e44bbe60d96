/**
 * UTF-8 conversion for the codec. `TextEncoder` and `TextDecoder` exist in Node, browsers and
 * Electron, but the engine core compiles without DOM or Node types, so the few members used are
 * declared here (as `platform.ts` does for timers).
 */
declare const globalThis: {
  TextEncoder: new () => { encodeInto(source: string, destination: Uint8Array): { read: number; written: number } };
  TextDecoder: new (label: string, options: { ignoreBOM: boolean }) => { decode(input: Uint8Array): string };
};

const encoder = new globalThis.TextEncoder();
// ignoreBOM: a string that starts with U+FEFF must keep it; the default decoder would drop it.
const decoder = new globalThis.TextDecoder('utf-8', { ignoreBOM: true });

/** Writes `text` as UTF-8 at `destination[0..]`; returns the bytes written. `text` must be well-formed. */
export function utf8EncodeInto(text: string, destination: Uint8Array): number {
  return encoder.encodeInto(text, destination).written;
}

/** Decodes UTF-8 bytes written by `utf8EncodeInto`. */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/**
 * True when `text` has no lone surrogate, i.e. UTF-8 round-trips it exactly. Strings with lone
 * surrogates are legal in JavaScript and must survive the wire, so the codec sends them as
 * UTF-16 code units instead.
 */
export function isWellFormed(text: string): boolean {
  if (nativeIsWellFormed) return nativeIsWellFormed.call(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const d = text.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}
