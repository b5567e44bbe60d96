/**
 * Records built straight from a chunk's columns: one builder per result schema, generated once
 * (as the network codec does for a record shape, compile-shape.ts), that makes row i's record
 * as `{}` plus one store per column in order. V8 then sees one hidden class per query and
 * monomorphic stores; there is no per-row object of intermediate values and no per-value type
 * dispatch (that happened once per column, in column-readers.ts).
 */
import type { Column } from './column-readers.ts';

/** Makes the record of row `row` from the columns (one per result column, in order). */
export type RecordBuilder = (columns: readonly Column[], row: number) => Record<string, unknown>;

/**
 * The builder for results with these column names. A name repeated keeps the last column's
 * value, as assigning in order would.
 *
 * @example
 * const build = recordBuilder(['id', 'ts']);
 * build([[7], [1700000000000]], 0); // { id: 7, ts: 1700000000000 }
 */
export function recordBuilder(names: readonly string[]): RecordBuilder {
  // `o["__proto__"] = v` would set the prototype instead of a field.
  if (!names.includes('__proto__')) {
    const stores = names.map((name, c) => `o[${JSON.stringify(name)}] = columns[${c}][row];`).join('\n');
    try {
      return new Function('columns', 'row', `const o = {};\n${stores}\nreturn o;`) as RecordBuilder;
    } catch {
      // Code generation disallowed (a CSP without 'unsafe-eval'): the loop below.
    }
  }
  return (columns, row) => {
    const o: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) Object.defineProperty(o, names[c]!, { value: columns[c]![row], enumerable: true, writable: true, configurable: true });
    return o;
  };
}
