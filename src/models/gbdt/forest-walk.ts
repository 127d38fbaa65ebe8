/**
 * Walking the flattened forest: one node's decision, one row's leaf, and the
 * raw scores of a range of row-major rows, 256 rows at a time with every
 * tree per block, so the block and the tree stay in cache.
 *
 * Self-contained (no imports but types, no closures): the prediction helper
 * thread is built from this source text (see predict-pool.ts).
 */
import type { Forest } from './forest.js';

/**
 * Whether value v goes left at `node`: NaN takes the node's default
 * direction (flag 1); categorical nodes (flag 2) test the code's bit.
 */
export function goesLeft(forest: Forest, node: number, v: number): boolean {
  const flags = forest.flags[node]!;
  if (Number.isNaN(v)) return (flags & 1) !== 0;
  if ((flags & 2) === 0) return v <= forest.threshold[node]!;
  const word = v >>> 5;
  return (
    word < forest.catLength[node]! &&
    ((forest.catBits[forest.catStart[node]! + word]! >>> (v & 31)) & 1) === 1
  );
}

/** The leaf that the row at x[base ..] reaches from child reference `node`. */
export function leafOf(forest: Forest, node: number, x: Float64Array, base: number): number {
  const { feature, left, right } = forest;
  let c = node;
  while (c >= 0) c = goesLeft(forest, c, x[base + feature[c]!]!) ? left[c]! : right[c]!;
  return ~c;
}

/**
 * Raw scores of rows [start, end) of the row-major matrix x into
 * out[start · numModels ..], 256 rows at a time, every tree per block.
 */
export function predictRawRange(
  forest: Forest,
  x: Float64Array,
  start: number,
  end: number,
  out: Float64Array,
): void {
  const k = forest.numModels;
  const stride = forest.numFeatures;
  const { treeRoot, leafValue, initScore } = forest;
  const trees = treeRoot.length;
  for (let s = start; s < end; s += 256) {
    const e = Math.min(end, s + 256);
    for (let r = s; r < e; r++) for (let m = 0; m < k; m++) out[r * k + m] = initScore[m]!;
    for (let t = 0; t < trees; t++) {
      const root = treeRoot[t]!;
      const m = t % k;
      for (let r = s; r < e; r++)
        out[r * k + m]! += leafValue[leafOf(forest, root, x, r * stride)]!;
    }
  }
}
