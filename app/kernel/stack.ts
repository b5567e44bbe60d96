/**
 * Reading V8 stack traces (`    at fn (file:line:column)`) into frames.
 */
import { fileURLToPath } from 'node:url';

/** One frame of a V8 stack trace. */
export interface StackFrame {
  /** The function's name, when V8 prints one. */
  functionName?: string;
  /** The file as a path (file URLs are converted), or as printed for `node:` internals. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;

/**
 * The frames of a stack trace, innermost first. Lines that are not frames (the message,
 * `at async Promise.all (index 0)`, native frames without a position) are skipped.
 *
 * @example
 * parseStackFrames('Error: boom\n    at f (/nb/a.ts:5:9)\n    at file:///nb/b.mjs:1:2');
 * // [{ functionName: 'f', file: '/nb/a.ts', line: 5, column: 9 }, { file: '/nb/b.mjs', line: 1, column: 2 }]
 */
export function parseStackFrames(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const text of stack.split('\n')) {
    const match = FRAME.exec(text);
    if (!match) continue;
    const [, functionName, location, line, column] = match;
    const frame: StackFrame = { file: toPath(location!), line: Number(line), column: Number(column) };
    if (functionName) frame.functionName = functionName;
    frames.push(frame);
  }
  return frames;
}

function toPath(location: string): string {
  if (!location.startsWith('file:')) return location;
  try {
    return fileURLToPath(location);
  } catch {
    return location;
  }
}
