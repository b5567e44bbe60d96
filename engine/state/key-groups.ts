/**
 * Keys → key groups → subtasks, as in Flink's `KeyGroupRangeAssignment`. A key's group never
 * changes (it depends only on the key and max parallelism), so state stored by key group can be
 * redistributed to any parallelism ≤ max parallelism on restore.
 */

/** Default max parallelism, as Flink's default for small jobs. */
export const DEFAULT_MAX_PARALLELISM = 128;

/** A key as the engine stores it: primitives as they are, composites as a canonical string. */
export type KeyId = string | number | boolean | bigint;

const COMPOSITE_PREFIX = '\u0000';

/**
 * The identity of a key for state and timers. Primitives are their own id; arrays and plain
 * objects (composite keys, e.g. `[user, page]`) get a canonical JSON string, so that two equal
 * composite keys hit the same state.
 */
export function keyIdOf(key: unknown): KeyId {
  switch (typeof key) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return key;
    case 'undefined':
      throw new TypeError('The key selector returned undefined; a key must be a string, number, boolean, bigint or an array/object of those');
    default:
      if (key === null) throw new TypeError('The key selector returned null; a key must not be null');
      return COMPOSITE_PREFIX + canonicalJson(key);
  }
}

/** Recovers the user's key from a key id (inverse of `keyIdOf`). */
export function keyFromId(id: KeyId): unknown {
  if (typeof id === 'string' && id.startsWith(COMPOSITE_PREFIX)) return JSON.parse(id.slice(1));
  return id;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** murmur3 fmix32: spreads the bits of a 32-bit hash. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string): number {
  // 32-bit FNV-1a over UTF-16 code units, finished with fmix: fast and stable across processes.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

/** A stable 32-bit hash of a key id; the same in every process and on every run. */
export function hashKeyId(id: KeyId): number {
  switch (typeof id) {
    case 'number':
      if (Number.isInteger(id) && id >= -0x80000000 && id <= 0x7fffffff) return fmix(id | 0);
      return hashString(String(id));
    case 'string':
      return hashString(id);
    case 'boolean':
      return id ? fmix(1231) : fmix(1237);
    default:
      return hashString(id.toString());
  }
}

/** The key group of a key id, in [0, maxParallelism). */
export function keyGroupOf(id: KeyId, maxParallelism: number): number {
  const h = hashKeyId(id);
  // The same value as `h % maxParallelism` for a power of two (the default, 128), without the
  // floating-point remainder V8 computes for an unsigned 32-bit `h` (~10 ns a record).
  return (maxParallelism & (maxParallelism - 1)) === 0 ? h & (maxParallelism - 1) : h % maxParallelism;
}

/** The subtask that owns a key group (Flink's `computeOperatorIndexForKeyGroup`). */
export function subtaskForKeyGroup(keyGroup: number, maxParallelism: number, parallelism: number): number {
  // Integer division: key group and parallelism are at most 2^15, so the product fits in 31 bits.
  return ((keyGroup * parallelism) / maxParallelism) | 0;
}

/** The contiguous range of key groups a subtask owns. `end` is inclusive. */
export interface KeyGroupRange {
  start: number;
  end: number;
}

/** Flink's `computeKeyGroupRangeForOperatorIndex`. */
export function keyGroupRangeFor(subtask: number, maxParallelism: number, parallelism: number): KeyGroupRange {
  const start = Math.ceil((subtask * maxParallelism) / parallelism);
  const end = Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1;
  return { start, end };
}
