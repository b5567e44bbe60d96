/**
 * A Bloom filter for large-cardinality dedup in keyed state: "have I probably seen this id?"
 * in a fixed number of bits, with no false negatives and a chosen false-positive rate. It is
 * plain data (`toJSON`/`fromJSON`), so it can live in a `ValueState` and be checkpointed.
 *
 * @example
 * const seen = ctx.getState(new ValueStateDescriptor<BloomFilter>('seen'));
 * const f = seen.value() ?? BloomFilter.create(1_000_000, 0.01);
 * if (!f.mightContain(click.id)) { f.add(click.id); out.collect(click); }
 * seen.update(f);
 */
export class BloomFilter {
  private constructor(
    private readonly bits: Uint32Array,
    /** Number of hash functions. */
    readonly hashes: number,
  ) {}

  /** A filter sized for `expectedItems` with false-positive probability `fpp`. */
  static create(expectedItems: number, fpp = 0.01): BloomFilter {
    if (!(expectedItems > 0)) throw new Error(`BloomFilter.create: expectedItems must be > 0, got ${expectedItems}`);
    if (!(fpp > 0 && fpp < 1)) throw new Error(`BloomFilter.create: fpp must be in (0, 1), got ${fpp}`);
    const m = Math.max(64, Math.ceil((-expectedItems * Math.log(fpp)) / (Math.LN2 * Math.LN2)));
    const k = Math.max(1, Math.round((m / expectedItems) * Math.LN2));
    return new BloomFilter(new Uint32Array(Math.ceil(m / 32)), k);
  }

  /** Number of bits. */
  get size(): number {
    return this.bits.length * 32;
  }

  add(item: string | number): void {
    const [h1, h2] = hashPair(String(item));
    const m = this.size;
    for (let i = 0; i < this.hashes; i++) {
      const bit = ((h1 + i * h2) >>> 0) % m;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** False: certainly never added. True: probably added. */
  mightContain(item: string | number): boolean {
    const [h1, h2] = hashPair(String(item));
    const m = this.size;
    for (let i = 0; i < this.hashes; i++) {
      const bit = ((h1 + i * h2) >>> 0) % m;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  toJSON(): { bits: number[]; hashes: number } {
    return { bits: [...this.bits], hashes: this.hashes };
  }

  static fromJSON(json: { bits: number[]; hashes: number }): BloomFilter {
    return new BloomFilter(Uint32Array.from(json.bits), json.hashes);
  }
}

/** Two independent 32-bit hashes (FNV-1a and a murmur-style mix) for double hashing. */
function hashPair(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return [a >>> 0, (b >>> 0) | 1];
}
