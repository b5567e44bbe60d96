/**
 * The values a job's functions captured from the cells, as they are when the job is submitted,
 * serialised to travel with the job to the taskmanagers (as Flink serialises a user function
 * with its fields). Only plain data travels: numbers, strings, booleans, bigints, null,
 * undefined, arrays, plain objects, Map, Set, Date, RegExp and binary arrays. A function, a
 * symbol or an instance of a class would arrive as something else (structured clone drops
 * prototypes), so it is an error naming the cell and line of the variable.
 */
import v8 from 'node:v8';
import type { CellInfo } from './cell-body.ts';

/** A captured value that cannot travel to the taskmanagers. */
export class CapturedValueError extends Error {
  override name = 'CapturedValueError';
}

/**
 * The cells evaluated in this process, by 0-based index, and how to read their captured values.
 *
 * @example
 * const values = new CapturedValues();
 * installCellBodyHook((cell, info) => values.enter(cell, info));
 * const captured = values.capture(2, 'orders'); // when cell 3 submits job 'orders'
 */
export class CapturedValues {
  private readonly cells = new Map<number, () => CellInfo>();
  /** Kept effects already reported, as `cell:line`, since the cell's latest run. */
  private readonly reported = new Set<string>();

  /** Records a cell whose code starts (the newest run of a cell replaces the older). */
  enter(cell: number, info: (() => CellInfo) | undefined): undefined {
    if (info) this.cells.set(cell, info);
    else this.cells.delete(cell);
    for (const key of this.reported) if (key.startsWith(`${cell}:`)) this.reported.delete(key);
    return undefined;
  }

  /**
   * What the user should know before a job submitted by `cell` goes to the taskmanagers: each
   * statement of that cell and the cells it reads from that a worker keeps (it builds the
   * graph) though it has an effect, which therefore happens again on every taskmanager. Each
   * is said once per run of its cell.
   *
   * @example
   * for (const line of values.keptEffects(2, 'orders')) note(line);
   * // "cell 1, line 4: a statement that builds job 'orders' also writes files (rmSync): it runs again on each taskmanager that rebuilds the job"
   */
  keptEffects(cell: number, jobName: string): string[] {
    const notes: string[] = [];
    for (const [c, info] of this.cellsOf(cell)) {
      for (const [what, line] of info.effects ?? []) {
        const key = `${c}:${line}:${what}`;
        if (this.reported.has(key)) continue;
        this.reported.add(key);
        notes.push(
          `cell ${c + 1}, line ${line}: a statement that builds job '${jobName}' also ${what}: it runs again on each taskmanager that rebuilds the job; ` +
            'move the effect to a statement of its own to run it once',
        );
      }
    }
    return notes;
  }

  /** The infos of `cell` and of the earlier cells it reads from, transitively. */
  private cellsOf(cell: number): Map<number, CellInfo> {
    const infos = new Map<number, CellInfo>();
    const pending = [cell];
    while (pending.length > 0) {
      const c = pending.pop()!;
      const info = infos.has(c) ? undefined : this.cells.get(c)?.();
      if (!info) continue;
      infos.set(c, info);
      pending.push(...info.inputs);
    }
    return infos;
  }

  /**
   * The captured values a job submitted by `cell` reads, from that cell and the cells it reads
   * from, serialised (base64); throws `CapturedValueError` for one that cannot travel.
   */
  capture(cell: number, jobName: string): string {
    const infos = this.cellsOf(cell);
    const needed = new Set([...infos.values()].flatMap((info) => info.references));
    const values: Record<string, unknown> = {};
    for (const [c, info] of infos) {
      for (const [name, line] of info.captured) {
        if (!needed.has(name)) continue;
        let value: unknown;
        try {
          value = info.read(name);
        } catch {
          continue; // declared after the execute() call: the rebuilt job never reaches it
        }
        const problem = whyNotPlainData(value, name);
        if (problem) {
          throw new CapturedValueError(
            `cell ${c + 1}, line ${line}: '${name}' cannot travel with job '${jobName}' to the taskmanagers: ${problem}. ` +
              'Only plain data travels (numbers, strings, arrays, plain objects, Map, Set, Date); create the value inside the function that uses it, or in its open()',
          );
        }
        values[`${c}:${name}`] = sharedAsMarker(value);
      }
    }
    return v8.serialize(values).toString('base64');
  }
}

/**
 * Reads captured values sent with a job.
 *
 * @example
 * const values = decodeCapturedValues(code.captured); values.get('0:threshold');
 */
export function decodeCapturedValues(encoded: string): Map<string, unknown> {
  return new Map(Object.entries(v8.deserialize(Buffer.from(encoded, 'base64')) as Record<string, unknown>).map(([k, v]) => [k, sharedFromMarker(v)]));
}

/** A typed array over a SharedArrayBuffer, as it travels (see `sharedAsMarker`). */
interface SharedMarker {
  __weirSharedTypedArray: string;
  bytes: Uint8Array;
}

/**
 * A typed array over a SharedArrayBuffer (a cell's `new Int32Array(new SharedArrayBuffer(4))`
 * for `Atomics.wait`) travels as its bytes and becomes a typed array over a SharedArrayBuffer of
 * its own in the worker, as if the cell had made it there: memory cannot be shared between
 * processes, and a plain copy would make `Atomics.wait` throw.
 */
function sharedAsMarker(value: unknown): unknown {
  if (!ArrayBuffer.isView(value) || !(value.buffer instanceof SharedArrayBuffer) || value instanceof DataView) return value;
  const marker: SharedMarker = { __weirSharedTypedArray: value.constructor.name, bytes: new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)) };
  return marker;
}

function sharedFromMarker(value: unknown): unknown {
  const marker = value as Partial<SharedMarker> | null;
  if (marker === null || typeof marker !== 'object' || typeof marker.__weirSharedTypedArray !== 'string' || !(marker.bytes instanceof Uint8Array)) return value;
  const View = (globalThis as unknown as Record<string, new (buffer: SharedArrayBuffer) => ArrayBufferView>)[marker.__weirSharedTypedArray];
  if (typeof View !== 'function') return value;
  const buffer = new SharedArrayBuffer(marker.bytes.byteLength);
  new Uint8Array(buffer).set(marker.bytes);
  return new View(buffer);
}

/** Why a value is not plain data (naming where inside it), or undefined when it is. */
export function whyNotPlainData(value: unknown, path: string, seen = new Set<object>()): string | undefined {
  if (typeof value === 'function') return `${path} is a function`;
  if (typeof value === 'symbol') return `${path} is a symbol`;
  if (typeof value !== 'object' || value === null) return undefined;
  if (seen.has(value)) return undefined;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return undefined;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const problem = whyNotPlainData(k, `a key of ${path}`, seen) ?? whyNotPlainData(v, `${path}.get(${JSON.stringify(String(k))})`, seen);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value instanceof Set) {
    for (const v of value) {
      const problem = whyNotPlainData(v, `an element of ${path}`, seen);
      if (problem) return problem;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = whyNotPlainData(value[i], `${path}[${i}]`, seen);
      if (problem) return problem;
    }
    return undefined;
  }
  if (proto !== Object.prototype && proto !== null) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name || 'an unnamed class';
    return `${path} is an instance of ${name}`;
  }
  for (const [key, v] of Object.entries(value)) {
    const problem = whyNotPlainData(v, `${path}.${key}`, seen);
    if (problem) return problem;
  }
  return undefined;
}
