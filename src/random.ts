/**
 * Flywheel's seeded generators, so a seed fixes every result on every
 * platform: mulberry32 (`createRng`) behind training (bagging, feature and bin
 * sampling), learning-curve subsets and check samples; sfc32 seeded through
 * splitmix32 (`Rng`) behind bootstrap resampling and synthetic example data.
 * The sfc32 state lives in a Uint32Array and bulk draws run on locals: V8
 * would otherwise box 32-bit state kept in closures on every call.
 */

/** mulberry32: a small, fast 32-bit generator giving numbers in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `k` distinct integers from [0, n), ascending (partial Fisher–Yates). */
export function sampleIndices(n: number, k: number, rng: () => number): Int32Array {
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.subarray(0, k).sort();
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seeded generator of uniform integers.
 *
 * @example
 * const rng = new Rng(42);
 * rng.below(10); // an integer in [0, 10), the same in every run with seed 42
 */
export class Rng {
  private readonly state = new Uint32Array(4);

  constructor(seed: number) {
    const init = splitmix32(seed);
    this.state.set([init(), init(), init(), 1]);
    // Discard the first draws, and run both bulk loops once on a few values so
    // V8 has seen every statement before it optimises them mid-loop.
    this.fillBelow(new Int32Array(8), 8, 1);
    this.fillUint32(new Uint32Array(4), 4);
  }

  /** A uniform number in [0, 1) with 32 random bits. */
  next(): number {
    return this.below(2 ** 31) / 2 ** 31 + this.below(2) / 2 ** 32;
  }

  /** A uniform integer in [0, n), n ≤ 2^31. */
  below(n: number): number {
    const out = new Int32Array(1);
    this.fillBelow(out, 1, n);
    return out[0]!;
  }

  /** Fills `out[0..count)` with uniform 32-bit integers. */
  fillUint32(out: Uint32Array, count: number): void {
    const s = this.state;
    let a = s[0]!;
    let b = s[1]!;
    let c = s[2]!;
    let counter = s[3]!;
    for (let i = 0; i < count; i++) {
      const t = (((a + b) >>> 0) + counter) >>> 0;
      counter = (counter + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = (((c << 21) | (c >>> 11)) + t) >>> 0;
      out[i] = t;
    }
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = counter;
  }

  /**
   * Fills `out[0..count)` with uniform integers in [0, n), n ≤ 2^31, by
   * multiply-shift (Lemire's method without rejection: bias below n / 2^32).
   */
  fillBelow(out: Int32Array, count: number, n: number): void {
    const s = this.state;
    let a = s[0]!;
    let b = s[1]!;
    let c = s[2]!;
    let counter = s[3]!;
    for (let i = 0; i < count; i++) {
      const t = (((a + b) >>> 0) + counter) >>> 0;
      counter = (counter + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = (((c << 21) | (c >>> 11)) + t) >>> 0;
      out[i] = Math.floor((t * n) / 4294967296);
    }
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = counter;
  }
}
