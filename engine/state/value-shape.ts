/**
 * A fingerprint of the shape of a state value: its type, and for objects and arrays the shapes
 * of their fields and first element. Savepoints record the shape of the values an operator keeps
 * (a window's accumulator) so that a restore into a job that keeps another shape is refused
 * before it mixes the two (Flink finds such changes through its type serializers'
 * compatibility check, only while restoring).
 */

/** How deep nested objects are described; deeper levels are just 'object'. */
const MAX_DEPTH = 4;

/**
 * The shape of `value` as a short, deterministic string (object keys sorted).
 *
 * @example
 * valueShape({ sum: 0, n: 0 }); // '{n:number,sum:number}'
 * valueShape([1, 2]);           // 'number[]'
 */
export function valueShape(value: unknown, depth = 0): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  const t = typeof value;
  if (t !== 'object') return t;
  if (depth >= MAX_DEPTH) return 'object';
  if (Array.isArray(value)) return value.length === 0 ? 'array' : `${valueShape(value[0], depth + 1)}[]`;
  if (value instanceof Map) return 'Map';
  if (value instanceof Set) return 'Set';
  if (value instanceof Date) return 'Date';
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${k}:${valueShape((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`;
}
