/**
 * The seeded generator behind every random choice Flywheel makes (bagging,
 * feature and bin sampling in training, learning-curve subsets, samples for
 * checks), so a seed fixes the result.
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
