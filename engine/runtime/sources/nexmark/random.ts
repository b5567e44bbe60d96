/**
 * The random choices of one Nexmark event. nexmark-flink draws from one `SplittableRandom` per
 * generator, so an event depends on every event its generator made before it; here each event
 * has its own stream, seeded by (seed, event number), so that any subtask can make any event
 * on its own: splits, restores and rescales need no history, and a run is the same at every
 * parallelism. The generator is a 32-bit counter hash (mulberry32), cheap and good enough for
 * choosing names and prices.
 */
export class EventRandom {
  private state = 0;

  /** Starts the stream of event `eventNumber` under `seed`. */
  reset(seed: number, eventNumber: number): void {
    // Mix both halves of the (up to 53-bit) event number, then the seed, so that nearby events
    // and nearby seeds start far apart.
    let h = Math.imul((eventNumber >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
    h ^= Math.imul(Math.floor(eventNumber / 4294967296) ^ (h >>> 13), 0xc2b2ae35);
    h ^= Math.imul(seed ^ (h >>> 16), 0x27d4eb2f);
    this.state = h | 0;
  }

  /** A uniform number in [0, 1). */
  nextDouble(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextDouble() * n);
  }

  /**
   * A string of 3 to `maxLength - 1` random letters, a space one time in 13, trimmed (nexmark's
   * `nextString`): cut from a pool of such characters, which costs one draw instead of two per character.
   */
  nextString(maxLength: number): string {
    const len = MIN_STRING_LENGTH + this.nextInt(maxLength - MIN_STRING_LENGTH);
    const words = wordPool();
    const offset = this.nextInt(words.length - len);
    return words.slice(offset, offset + len).trim();
  }

  /** As `nextString` with `special` instead of spaces, drawn character by character (for the few URLs made once). */
  nextStringWith(maxLength: number, special: string): string {
    let len = MIN_STRING_LENGTH + this.nextInt(maxLength - MIN_STRING_LENGTH);
    let s = '';
    while (len-- > 0) s += this.nextInt(13) === 0 ? special : LETTERS[this.nextInt(26)]!;
    return s;
  }

  /** Letters to pad a record of `currentSize` bytes to `averageSize` on average (±20%), as nexmark's `nextExtra`. */
  nextExtra(currentSize: number, averageSize: number): string {
    if (currentSize > averageSize) return '';
    const wanted = averageSize - currentSize;
    const delta = Math.round(wanted * 0.2);
    const size = wanted - delta + (delta === 0 ? 0 : this.nextInt(2 * delta));
    const pool = extraPool();
    const offset = this.nextInt(pool.length - size);
    return pool.slice(offset, offset + size);
  }

  /** A price in cents, log-uniform from $1 to $1,000,000 (nexmark's `PriceGenerator`). */
  nextPrice(): number {
    return Math.round(Math.pow(10, this.nextDouble() * 6) * 100);
  }
}

const MIN_STRING_LENGTH = 3;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');

let pool: string | undefined;
/**
 * Random letters that `extra` fields are cut from (nexmark's `REUSABLE_EXTRA_STRING`, a
 * quarter of its size): a slice of a string is cheap, a fresh random string per event is not.
 */
function extraPool(): string {
  pool ??= randomText(0x5eed, 0, 1 << 18);
  return pool;
}

let words: string | undefined;
/** Random letters with a space one time in 13, that names and descriptions are cut from. */
function wordPool(): string {
  words ??= randomText(0x3a1d, 13, 1 << 16);
  return words;
}

/** `length` random letters, with a space one time in `spaceOneIn` when that is not 0. */
function randomText(seed: number, spaceOneIn: number, length: number): string {
  const r = new EventRandom();
  r.reset(seed, 0);
  const codes = new Uint16Array(length);
  for (let i = 0; i < length; i++) codes[i] = spaceOneIn > 0 && r.nextInt(spaceOneIn) === 0 ? 32 : 97 + r.nextInt(26);
  let text = '';
  for (let i = 0; i < length; i += 8192) text += String.fromCharCode(...codes.subarray(i, i + 8192));
  return text;
}
