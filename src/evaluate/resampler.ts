/**
 * Bootstrap draws as count vectors: within each stratum, as many draws as
 * indices, with replacement (a multinomial count per index), made in one
 * sequential pass instead of n scattered random increments. Independent
 * Poisson(1) counts conditioned on their total t are multinomial with t
 * draws; adding n − t uniform draws, or removing t − n units chosen uniformly
 * (rejection on count / largest count), then leaves a multinomial with
 * exactly n draws. The Poisson table is exact to 2^−32.
 */
import { Rng } from '../random.js';

/**
 * Poisson(1) distribution function at 0..7, scaled to 2^32: a uniform u32 at
 * or above POISSON_CDF[k] means a count above k.
 */
const POISSON_CDF = (() => {
  const cdf = new Float64Array(8);
  let p = Math.exp(-1);
  let sum = 0;
  for (let k = 0; k < 8; k++) {
    sum += p;
    cdf[k] = Math.floor(sum * 2 ** 32);
    p /= k + 1;
  }
  return cdf;
})();

/**
 * The count for each value of a uniform's top 16 bits, or 255 for the few
 * cells that straddle a step of the distribution function (then compared exactly).
 */
const POISSON_BY_CELL = (() => {
  const table = new Uint8Array(65536);
  for (let cell = 0; cell < 65536; cell++) {
    const low = cell * 65536;
    const high = low + 65535;
    const count = (u: number) => POISSON_CDF.reduce((k, step) => k + (u >= step ? 1 : 0), 0);
    table[cell] = count(low) === count(high) && count(low) < 8 ? count(low) : 255;
  }
  return table;
})();

/** The hot loop of a draw, a Poisson(1) count per index, alone in its function for V8. */
function poissonCounts(
  counts: Float64Array,
  stratum: Int32Array,
  uniforms: Uint32Array,
  start: number,
  end: number,
  totals: Float64Array,
  rng: Rng,
): number {
  const c0 = POISSON_CDF[0]!;
  const c1 = POISSON_CDF[1]!;
  const c2 = POISSON_CDF[2]!;
  const c3 = POISSON_CDF[3]!;
  const c4 = POISSON_CDF[4]!;
  const c5 = POISSON_CDF[5]!;
  const c6 = POISSON_CDF[6]!;
  const c7 = POISSON_CDF[7]!;
  let most = 0;
  for (let j = start; j < end; j++) {
    const s = stratum[j]!;
    const u = uniforms[j - start]!;
    // Inversion: the count is how many steps of the distribution function u clears.
    let k = POISSON_BY_CELL[u >>> 16]!;
    if (k === 255) {
      k =
        +(u >= c0) +
        +(u >= c1) +
        +(u >= c2) +
        +(u >= c3) +
        +(u >= c4) +
        +(u >= c5) +
        +(u >= c6) +
        +(u >= c7);
      if (k === 8) k = poissonTail(rng);
    }
    if (s < 0) k = 0;
    counts[j] = k;
    totals[Math.max(s, 0)]! += k;
    if (k > most) most = k;
  }
  return most;
}

/** A Poisson(1) count known to exceed 7 (probability 1e-5): inversion by sequential search. */
function poissonTail(rng: Rng): number {
  const u = rng.below(2 ** 31) / 2 ** 31;
  let p = Math.exp(-1);
  let cdf = 0;
  let k = 0;
  const target = POISSON_CDF[7]! / 2 ** 32 + u * (1 - POISSON_CDF[7]! / 2 ** 32);
  for (; k < 100; k++) {
    cdf += p;
    if (target < cdf) break;
    p /= k + 1;
  }
  return Math.max(k, 8);
}

const BLOCK = 1 << 16;

/**
 * Draws bootstrap count vectors, seeded.
 *
 * @example
 * const resampler = new Resampler(Int32Array.of(0, 0, 1, 1, 1), 42); // two strata
 * const counts = new Float64Array(5);
 * resampler.draw(counts); // e.g. [2, 0, 1, 0, 2]: 2 draws in stratum 0, 3 in stratum 1
 */
export class Resampler {
  private readonly stratum: Int32Array;
  private readonly members: Int32Array[];
  private readonly rng: Rng;
  private readonly uniforms = new Uint32Array(BLOCK);
  private readonly totals: Float64Array;

  /** `stratum[i]` is the stratum of index i; a negative value excludes the index. */
  constructor(stratum: ArrayLike<number>, seed: number) {
    this.stratum = Int32Array.from(stratum);
    let count = 0;
    for (const s of this.stratum) count = Math.max(count, s + 1);
    const sizes = new Int32Array(count);
    for (const s of this.stratum) if (s >= 0) sizes[s]!++;
    this.members = Array.from(sizes, (size) => new Int32Array(size));
    const filled = new Int32Array(count);
    this.stratum.forEach((s, i) => {
      if (s >= 0) this.members[s]![filled[s]!++] = i;
    });
    this.totals = new Float64Array(Math.max(count, 1));
    this.rng = new Rng(seed);
  }

  /** Overwrites `counts` (one per index) with the next replicate. */
  draw(counts: Float64Array): void {
    const n = this.stratum.length;
    const rng = this.rng;
    this.totals.fill(0);
    let most = 0;
    for (let start = 0; start < n; start += BLOCK) {
      const end = Math.min(n, start + BLOCK);
      rng.fillUint32(this.uniforms, end - start);
      most = Math.max(
        most,
        poissonCounts(counts, this.stratum, this.uniforms, start, end, this.totals, rng),
      );
    }
    this.members.forEach((members, s) => {
      const size = members.length;
      let surplus = this.totals[s]! - size;
      while (surplus < 0) {
        const j = members[rng.below(size)]!;
        counts[j]!++;
        most = Math.max(most, counts[j]!);
        surplus++;
      }
      while (surplus > 0) {
        const j = members[rng.below(size)]!;
        if (rng.below(most) < counts[j]!) {
          counts[j]!--;
          surplus--;
        }
      }
    });
  }
}
