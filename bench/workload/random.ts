/**
 * Seeded randomness for the workload: the same seed gives the same plan of requests. A Zipf
 * sampler draws rank k (0-based) of n with probability proportional to 1 / (k + 1)^s, from a
 * cumulative table and a binary search: exact, and O(log n) a draw.
 */

export { seededRandom } from '../seeded-random.ts';

/** Draws ranks 0..n-1 under Zipf's law with exponent `s`. */
export class Zipf {
  readonly n: number;
  readonly s: number;
  readonly #cumulative: Float64Array;

  constructor(n: number, s: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Zipf needs a positive integer count, got ${n}`);
    if (!Number.isFinite(s) || s < 0) throw new RangeError(`Zipf needs a finite exponent ≥ 0, got ${s}`);
    this.n = n;
    this.s = s;
    this.#cumulative = new Float64Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      total += 1 / (k + 1) ** s;
      this.#cumulative[k] = total;
    }
    for (let k = 0; k < n; k++) this.#cumulative[k]! /= total;
  }

  /** The probability of rank `k`. */
  probability(k: number): number {
    return this.#cumulative[k]! - (k > 0 ? this.#cumulative[k - 1]! : 0);
  }

  /** One rank, from a uniform draw in [0, 1). */
  sample(random: () => number): number {
    const u = random();
    let low = 0;
    let high = this.n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#cumulative[middle]! > u) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/** Picks a key of `weights` with probability proportional to its weight. */
export function weightedPick<K extends string>(weights: Readonly<Record<K, number>>, random: () => number): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let u = random() * total;
  for (const [key, weight] of entries) {
    u -= weight;
    if (u < 0) return key;
  }
  return entries.at(-1)![0];
}
