/**
 * TreeSHAP, path-dependent (Lundberg, Erion & Lee 2018, "Consistent
 * individualized feature attribution for tree ensembles", Algorithm 2): exact
 * Shapley values of each tree's output, where a feature left out of a
 * coalition is integrated over the training rows that reached each node
 * (the node covers). Per row, the contributions plus the expected value
 * (last column) sum to the raw score.
 */
import type { Column } from '../../data/index.js';
import type { Forest } from './forest.js';
import { goesLeft } from './forest-walk.js';
import { toRowMajor } from './predict.js';

/** The growing path of the recursion: one (feature, zero, one, weight) slot per element. */
interface Path {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
}

function extendPath(s: Path, p: number, depth: number, zero: number, one: number, feature: number) {
  s.feature[p + depth] = feature;
  s.zero[p + depth] = zero;
  s.one[p + depth] = one;
  s.weight[p + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    s.weight[p + i + 1]! += (one * s.weight[p + i]! * (i + 1)) / (depth + 1);
    s.weight[p + i] = (zero * s.weight[p + i]! * (depth - i)) / (depth + 1);
  }
}

function unwindPath(s: Path, p: number, depth: number, k: number) {
  const one = s.one[p + k]!;
  const zero = s.zero[p + k]!;
  let next = s.weight[p + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = s.weight[p + i]!;
      s.weight[p + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (s.weight[p + i]! * zero * (depth - i)) / (depth + 1);
    } else {
      s.weight[p + i] = (s.weight[p + i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = k; i < depth; i++) {
    s.feature[p + i] = s.feature[p + i + 1]!;
    s.zero[p + i] = s.zero[p + i + 1]!;
    s.one[p + i] = s.one[p + i + 1]!;
  }
}

/** The total weight of the path with element k unwound, without changing it. */
function unwoundPathSum(s: Path, p: number, depth: number, k: number): number {
  const one = s.one[p + k]!;
  const zero = s.zero[p + k]!;
  let next = s.weight[p + depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = s.weight[p + i]! - tmp * zero * ((depth - i) / (depth + 1));
    } else if (zero !== 0) {
      total += s.weight[p + i]! / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function cover(forest: Forest, c: number): number {
  return c >= 0 ? forest.nodeCover[c]! : forest.leafCover[~c]!;
}

function recurse(
  forest: Forest,
  x: Float64Array,
  base: number,
  phi: Float64Array,
  phiBase: number,
  s: Path,
  c: number,
  parent: number,
  inDepth: number,
  zero: number,
  one: number,
  feature: number,
): void {
  let depth = inDepth;
  const p = parent + depth + 1;
  for (let i = 0; i < depth; i++) {
    s.feature[p + i] = s.feature[parent + i]!;
    s.zero[p + i] = s.zero[parent + i]!;
    s.one[p + i] = s.one[parent + i]!;
    s.weight[p + i] = s.weight[parent + i]!;
  }
  extendPath(s, p, depth, zero, one, feature);
  if (c < 0) {
    const value = forest.leafValue[~c]!;
    for (let i = 1; i <= depth; i++) {
      const w = unwoundPathSum(s, p, depth, i);
      phi[phiBase + s.feature[p + i]!]! += w * (s.one[p + i]! - s.zero[p + i]!) * value;
    }
    return;
  }
  const split = forest.feature[c]!;
  const left = goesLeft(forest, c, x[base + split]!);
  const hot = left ? forest.left[c]! : forest.right[c]!;
  const cold = left ? forest.right[c]! : forest.left[c]!;
  const total = cover(forest, c);
  let incomingZero = 1;
  let incomingOne = 1;
  let k = 0;
  while (k <= depth && s.feature[p + k] !== split) k++;
  if (k <= depth) {
    incomingZero = s.zero[p + k]!;
    incomingOne = s.one[p + k]!;
    unwindPath(s, p, depth, k);
    depth--;
  }
  const args = [forest, x, base, phi, phiBase, s] as const;
  recurse(
    ...args,
    hot,
    p,
    depth + 1,
    (cover(forest, hot) / total) * incomingZero,
    incomingOne,
    split,
  );
  recurse(...args, cold, p, depth + 1, (cover(forest, cold) / total) * incomingZero, 0, split);
}

function maxDepth(forest: Forest, c: number): number {
  return c < 0
    ? 0
    : 1 + Math.max(maxDepth(forest, forest.left[c]!), maxDepth(forest, forest.right[c]!));
}

/** A tree's expected output: its leaves weighted by the training rows that reached them. */
export function expectedValue(forest: Forest, c: number): number {
  if (c < 0) return forest.leafValue[~c]!;
  const l = forest.left[c]!;
  const r = forest.right[c]!;
  return (
    (cover(forest, l) * expectedValue(forest, l) + cover(forest, r) * expectedValue(forest, r)) /
    cover(forest, c)
  );
}

/**
 * SHAP contributions of every row: rowCount × numModels × (features + 1),
 * the last of each group being the expected value (the init score plus every
 * tree's expected output).
 */
export function contributions(
  forest: Forest,
  columns: readonly Column[],
  rowCount: number,
): Float64Array {
  const f = forest.numFeatures;
  const k = forest.numModels;
  const width = f + 1;
  const trees = forest.treeRoot.length;
  let depth = 0;
  const bias = forest.initScore.slice();
  for (let t = 0; t < trees; t++) {
    depth = Math.max(depth, maxDepth(forest, forest.treeRoot[t]!));
    bias[t % k]! += expectedValue(forest, forest.treeRoot[t]!);
  }
  const size = ((depth + 2) * (depth + 3)) / 2 + depth + 2;
  const s: Path = {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
  const phi = new Float64Array(rowCount * k * width);
  const x = new Float64Array(Math.max(1, f));
  for (let r = 0; r < rowCount; r++) {
    toRowMajor(columns, r, r + 1, x);
    for (let m = 0; m < k; m++) phi[(r * k + m) * width + f] = bias[m]!;
    for (let t = 0; t < trees; t++) {
      const root = forest.treeRoot[t]!;
      if (root < 0) continue; // a single leaf only moves the expected value
      recurse(forest, x, 0, phi, (r * k + (t % k)) * width, s, root, 0, 0, 1, 1, -1);
    }
  }
  return phi;
}
