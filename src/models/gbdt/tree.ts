/**
 * A tree as the learner grows it, on bins (LightGBM's Tree): splitting leaf
 * l turns it into an internal node whose left child keeps index l and whose
 * right child is a new leaf. A child reference c >= 0 is an internal node,
 * c < 0 is leaf ~c. Internal nodes are numbered in split order, so a child
 * node always has a larger index than its parent.
 */
import type { Split } from './split-finder.js';

export class Tree {
  numLeaves = 1;
  readonly splitFeature: Int32Array;
  /** Numeric splits: the last bin on the left. */
  readonly thresholdBin: Int32Array;
  readonly defaultLeft: Uint8Array;
  readonly categorical: Uint8Array;
  /** Per node: 1 for each bin of the split feature that goes left. */
  readonly goesLeft: Uint8Array[] = [];
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly splitGain: Float64Array;
  /** Training rows through each internal node. */
  readonly nodeCount: Float64Array;
  readonly leafValue: Float64Array;
  readonly leafCount: Float64Array;
  readonly leafParent: Int32Array;
  readonly leafDepth: Int32Array;

  constructor(readonly maxLeaves: number) {
    const nodes = Math.max(1, maxLeaves - 1);
    this.splitFeature = new Int32Array(nodes);
    this.thresholdBin = new Int32Array(nodes);
    this.defaultLeft = new Uint8Array(nodes);
    this.categorical = new Uint8Array(nodes);
    this.left = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.splitGain = new Float64Array(nodes);
    this.nodeCount = new Float64Array(nodes);
    this.leafValue = new Float64Array(maxLeaves);
    this.leafCount = new Float64Array(maxLeaves);
    this.leafParent = new Int32Array(maxLeaves).fill(-1);
    this.leafDepth = new Int32Array(maxLeaves);
  }

  get numNodes(): number {
    return this.numLeaves - 1;
  }

  /** Splits `leaf`; returns the new (right) leaf. */
  split(leaf: number, split: Split, leftCount: number, rightCount: number): number {
    const node = this.numLeaves - 1;
    const right = this.numLeaves;
    const parent = this.leafParent[leaf]!;
    if (parent >= 0) {
      if (this.left[parent] === ~leaf) this.left[parent] = node;
      else this.right[parent] = node;
    }
    this.splitFeature[node] = split.feature;
    this.thresholdBin[node] = split.threshold;
    this.defaultLeft[node] = split.defaultLeft ? 1 : 0;
    this.categorical[node] = split.categorical ? 1 : 0;
    this.goesLeft[node] = split.goesLeft;
    this.left[node] = ~leaf;
    this.right[node] = ~right;
    this.splitGain[node] = split.gain;
    this.nodeCount[node] = leftCount + rightCount;
    this.leafParent[leaf] = node;
    this.leafParent[right] = node;
    const depth = this.leafDepth[leaf]! + 1;
    this.leafDepth[leaf] = depth;
    this.leafDepth[right] = depth;
    this.leafCount[leaf] = leftCount;
    this.leafCount[right] = rightCount;
    this.numLeaves++;
    return right;
  }

  /** The leaf a row lands in, from its bins (row-major, starting at `base`). */
  leafOfBins(bins: Uint8Array, base: number): number {
    if (this.numLeaves === 1) return 0;
    let node = 0;
    while (node >= 0) {
      const bin = bins[base + this.splitFeature[node]!]!;
      node = this.goesLeft[node]![bin] === 1 ? this.left[node]! : this.right[node]!;
    }
    return ~node;
  }
}
