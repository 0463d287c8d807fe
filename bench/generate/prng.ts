import { createHash } from 'node:crypto';

/**
 * A seeded pseudo-random generator (sfc32: small, fast, 128-bit state). The
 * harness never uses Math.random: the same seed and key give the same data.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max], both included. */
  between(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/**
 * A generator for one named stream of one seed, e.g. `('42', 'clinic', 7, 'owners')`.
 * Streams are independent: clinic 8's data does not depend on how many values
 * clinic 7 drew, so growing a data set regenerates nothing that exists.
 */
export function createPrng(seed: string | number, ...key: (string | number)[]): Prng {
  const digest = createHash('sha256')
    .update([seed, ...key].join('\u0000'))
    .digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of sfc32 are weakly mixed; discard a few, as its author advises.
  for (let i = 0; i < 12; i++) nextUint32();
  const next = (): number => nextUint32() / 4_294_967_296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    between: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}

/** Picks by weight in O(log n); built once per table of weights. */
export interface WeightedTable<T> {
  pick(prng: Prng): T;
}

/** Builds a {@link WeightedTable} from `[value, weight]` pairs (weights need not sum to 1). */
export function weighted<T>(entries: readonly (readonly [T, number])[]): WeightedTable<T> {
  const values = entries.map(([value]) => value);
  const cumulative: number[] = [];
  let total = 0;
  for (const [, weight] of entries) {
    total += weight;
    cumulative.push(total);
  }
  return {
    pick: (prng) => {
      const target = prng.next() * total;
      let low = 0;
      let high = cumulative.length - 1;
      while (low < high) {
        const middle = (low + high) >> 1;
        if ((cumulative[middle] as number) > target) high = middle;
        else low = middle + 1;
      }
      return values[low] as T;
    },
  };
}
