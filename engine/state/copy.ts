/**
 * Deep copies of state values, for copy-on-write snapshots: a value read or changed while a
 * snapshot still has to write it is copied first, so the snapshot sees it as it was at the
 * barrier while the task goes on mutating the live one (Flink copies with the type serializer).
 */

declare const globalThis: { structuredClone?: (value: unknown) => unknown };

/**
 * A copy of `value` that shares no mutable part with it. Primitives are returned as they are.
 * Objects are copied with the platform's structured clone (Maps, Sets, Dates, typed arrays,
 * nested objects); class instances come back as plain objects, as the snapshot format stores
 * them. A value that cannot be cloned (it holds a function) is returned as it is: the snapshot's
 * encoder reports it with its state and key.
 *
 * @example
 * const before = copyValue(acc); acc.count++; // before.count is unchanged
 */
export function copyValue<V>(value: V): V {
  if (typeof value !== 'object' || value === null) return value;
  try {
    return globalThis.structuredClone!(value) as V;
  } catch {
    return value;
  }
}
