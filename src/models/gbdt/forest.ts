/**
 * The trained trees flattened into typed arrays (the form prediction, SHAP
 * and the model file use). Nodes of all trees share one set of arrays; a
 * child reference c >= 0 is a node, c < 0 is leaf ~c; a tree that is a
 * single leaf has root ~leaf. Thresholds are raw feature values: a numeric
 * node sends x <= threshold left; a categorical node sends a code left when
 * its bit is set in catBits[catStart .. catStart + catLength). Missing values
 * (and categories unseen in training) follow the node's default direction.
 */
import type { BinMapper } from './binning.js';
import type { Tree } from './tree.js';

/** Node flag: missing values go left. */
export const DEFAULT_LEFT = 1;
/** Node flag: the split is on category codes. */
export const CATEGORICAL = 2;

export interface Forest {
  readonly numFeatures: number;
  /** Trees per round; tree t adds to output t % numModels. */
  readonly numModels: number;
  readonly initScore: Float64Array;
  readonly treeRoot: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly flags: Uint8Array;
  readonly catStart: Int32Array;
  readonly catLength: Int32Array;
  readonly catBits: Uint32Array;
  /** Training rows through each node and leaf (the covers TreeSHAP weighs by). */
  readonly nodeCover: Float64Array;
  readonly leafValue: Float64Array;
  readonly leafCover: Float64Array;
}

/** One grown tree as a forest of one, with raw thresholds. */
export function flattenTree(tree: Tree, mappers: readonly BinMapper[]): Forest {
  const nodes = tree.numNodes;
  const threshold = new Float64Array(nodes);
  const flags = new Uint8Array(nodes);
  const catStart = new Int32Array(nodes);
  const catLength = new Int32Array(nodes);
  const bits: number[] = [];
  for (let i = 0; i < nodes; i++) {
    const mapper = mappers[tree.splitFeature[i]!]!;
    flags[i] = tree.defaultLeft[i]! ? DEFAULT_LEFT : 0;
    if (mapper.type === 'categorical') {
      flags[i]! |= CATEGORICAL;
      threshold[i] = Number.NaN;
      const words = new Uint32Array(Math.ceil(mapper.binOfCode.length / 32));
      const goesLeft = tree.goesLeft[i]!;
      mapper.binOfCode.forEach((bin, code) => {
        if (goesLeft[bin] === 1) words[code >>> 5]! |= 1 << (code & 31);
      });
      catStart[i] = bits.length;
      catLength[i] = words.length;
      bits.push(...words);
    } else {
      const t = tree.thresholdBin[i]!;
      threshold[i] =
        t < mapper.upperBounds.length ? mapper.upperBounds[t]! : Number.POSITIVE_INFINITY;
    }
  }
  const leaves = tree.numLeaves;
  return {
    numFeatures: mappers.length,
    numModels: 1,
    initScore: new Float64Array(1),
    treeRoot: Int32Array.of(leaves === 1 ? ~0 : 0),
    feature: tree.splitFeature.slice(0, nodes),
    threshold,
    left: tree.left.slice(0, nodes),
    right: tree.right.slice(0, nodes),
    flags,
    catStart,
    catLength,
    catBits: Uint32Array.from(bits),
    nodeCover: tree.nodeCount.slice(0, nodes),
    leafValue: tree.leafValue.slice(0, leaves),
    leafCover: tree.leafCount.slice(0, leaves),
  };
}

/** Shifts a child reference by the nodes and leaves that come before its tree. */
function shift(c: number, nodes: number, leaves: number): number {
  return c >= 0 ? c + nodes : ~(~c + leaves);
}

/** The forest of `trees` (each a forest of one), in order. */
export function joinTrees(
  trees: readonly Forest[],
  numFeatures: number,
  numModels: number,
  initScore: Float64Array,
): Forest {
  let nodes = 0;
  let leaves = 0;
  let words = 0;
  for (const t of trees) {
    nodes += t.feature.length;
    leaves += t.leafValue.length;
    words += t.catBits.length;
  }
  const out = {
    numFeatures,
    numModels,
    initScore: initScore.slice(),
    treeRoot: new Int32Array(trees.length),
    feature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    flags: new Uint8Array(nodes),
    catStart: new Int32Array(nodes),
    catLength: new Int32Array(nodes),
    catBits: new Uint32Array(words),
    nodeCover: new Float64Array(nodes),
    leafValue: new Float64Array(leaves),
    leafCover: new Float64Array(leaves),
  };
  let n = 0;
  let l = 0;
  let w = 0;
  trees.forEach((t, i) => {
    out.treeRoot[i] = shift(t.treeRoot[0]!, n, l);
    for (let j = 0; j < t.feature.length; j++) {
      out.left[n + j] = shift(t.left[j]!, n, l);
      out.right[n + j] = shift(t.right[j]!, n, l);
      out.catStart[n + j] = t.catStart[j]! + w;
    }
    out.feature.set(t.feature, n);
    out.threshold.set(t.threshold, n);
    out.flags.set(t.flags, n);
    out.catLength.set(t.catLength, n);
    out.nodeCover.set(t.nodeCover, n);
    out.catBits.set(t.catBits, w);
    out.leafValue.set(t.leafValue, l);
    out.leafCover.set(t.leafCover, l);
    n += t.feature.length;
    l += t.leafValue.length;
    w += t.catBits.length;
  });
  return out;
}
