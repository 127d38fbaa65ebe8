/**
 * Leaf-wise tree growth (LightGBM's SerialTreeLearner): repeatedly split the
 * leaf whose best split gains most, until num_leaves or no split pays.
 *
 * Rows live in one index array, partitioned in place so each leaf's rows
 * are contiguous. A split partitions the leaf's rows and, in the same pass
 * over each block, builds the smaller child's histogram from its rows while
 * they are in cache; the larger child's is the parent's minus it, computed
 * in the parent's buffer. Histogram buffers are pooled across leaves and
 * trees. The learner sees quantised gradients only, never labels.
 */
import type { BinnedData } from './binned-data.js';
import { buildHistogram } from './histogram-kernels.js';
import { G_RADIX, H_RADIX, unpackInto } from './quantize.js';
import { findBestSplit, leafOutput, type Split, type SplitConfig } from './split-finder.js';
import { COMMAND, CTRL, partitionBlock } from './tasks.js';
import type { ThreadPool } from './thread-pool.js';
import { Tree } from './tree.js';

export interface LearnerConfig extends SplitConfig {
  readonly numLeaves: number;
  /** -1 for no limit. */
  readonly maxDepth: number;
}

export interface GrownTree {
  readonly tree: Tree;
  /** Leaf l's rows are indices[leafBegin[l] .. leafBegin[l] + leafRows[l]). */
  readonly leafBegin: Int32Array;
  readonly leafRows: Int32Array;
  /** The learner's row index array (valid until the next tree). */
  readonly indices: Int32Array;
}

/** What one histogram unit of packed gradient and hessian is worth. */
export interface Scales {
  readonly gradient: number;
  readonly hessian: number;
}

export class TreeLearner {
  private readonly free: Float64Array[] = [];
  private scales: Scales = { gradient: 1, hessian: 1 };

  constructor(
    readonly data: BinnedData,
    readonly config: LearnerConfig,
    readonly threads: ThreadPool,
  ) {}

  /**
   * Grows one tree on the packed gradients in memory.packed (worth `scales`),
   * over the rows of `bag` (all rows when null) and the features in `mask`
   * (all when null).
   */
  grow(bag: Int32Array | null, mask: Uint8Array | null, scales: Scales): GrownTree {
    const { config, data } = this;
    this.scales = scales;
    const { indices } = this.threads.memory;
    const maxLeaves = config.numLeaves;
    const n = bag ? bag.length : data.rowCount;
    if (bag) indices.set(bag);
    else for (let i = 0; i < n; i++) indices[i] = i;

    const tree = new Tree(maxLeaves);
    const leafBegin = new Int32Array(maxLeaves);
    const leafRows = new Int32Array(maxLeaves);
    const sumG = new Float64Array(maxLeaves);
    const sumH = new Float64Array(maxLeaves);
    const best: (Split | null)[] = new Array(maxLeaves).fill(null);
    const hists: (Float64Array | null)[] = new Array(maxLeaves).fill(null);

    const rootHist = this.acquire();
    this.histogram(0, n, rootHist);
    [sumG[0], sumH[0]] = this.totals(rootHist, n);
    leafRows[0] = n;
    tree.leafCount[0] = n;
    tree.leafValue[0] = leafOutput(sumG[0]!, sumH[0]!, config.lambdaL2);
    hists[0] = rootHist;
    const evaluate = (leaf: number) => {
      const count = leafRows[leaf]!;
      const hist = hists[leaf]!;
      best[leaf] =
        tree.numLeaves < maxLeaves && this.splittable(tree.leafDepth[leaf]!, count)
          ? findBestSplit(hist, data, mask, { sumG: sumG[leaf]!, sumH: sumH[leaf]!, count }, config)
          : null;
      if (best[leaf] === null) {
        this.free.push(hist);
        hists[leaf] = null;
      }
    };
    evaluate(0);

    while (tree.numLeaves < maxLeaves) {
      let leaf = -1;
      for (let l = 0; l < tree.numLeaves; l++) {
        if (best[l] && (leaf < 0 || best[l]!.gain > best[leaf]!.gain)) leaf = l;
      }
      if (leaf < 0) break;
      const split = best[leaf]!;
      best[leaf] = null;
      const begin = leafBegin[leaf]!;
      const count = leafRows[leaf]!;
      const depth = tree.leafDepth[leaf]! + 1;
      // The children's histograms are needed only if they may split again.
      const more =
        tree.numLeaves + 1 < maxLeaves && (config.maxDepth <= 0 || depth < config.maxDepth);
      const side = more ? (split.leftCount <= count - split.leftCount ? 1 : 0) : -1;
      const smallHist = more ? this.acquire() : null;
      const leftCount = this.splitRows(begin, count, split, side, smallHist);
      const parentHist = hists[leaf]!;
      hists[leaf] = null;
      if (leftCount === 0 || leftCount === count) {
        // Counts were estimates: the split separates nothing after all.
        this.free.push(parentHist);
        if (smallHist) this.free.push(smallHist);
        continue;
      }
      const right = tree.split(leaf, split, leftCount, count - leftCount);
      leafBegin[right] = begin + leftCount;
      leafRows[right] = count - leftCount;
      leafRows[leaf] = leftCount;
      sumG[leaf] = split.leftG;
      sumH[leaf] = split.leftH;
      sumG[right] = split.rightG;
      sumH[right] = split.rightH;
      tree.leafValue[leaf] = leafOutput(split.leftG, split.leftH, config.lambdaL2);
      tree.leafValue[right] = leafOutput(split.rightG, split.rightH, config.lambdaL2);
      if (!smallHist) {
        this.free.push(parentHist);
        continue;
      }
      // The larger child's histogram is the parent's minus the smaller's.
      for (let i = 0; i < parentHist.length; i++) parentHist[i]! -= smallHist[i]!;
      hists[side === 1 ? leaf : right] = smallHist;
      hists[side === 1 ? right : leaf] = parentHist;
      evaluate(leaf);
      evaluate(right);
    }
    for (const h of hists) if (h) this.free.push(h);
    return { tree, leafBegin, leafRows, indices };
  }

  private splittable(depth: number, count: number): boolean {
    const { maxDepth, minDataInLeaf } = this.config;
    return (maxDepth <= 0 || depth < maxDepth) && count >= 2 * minDataInLeaf;
  }

  private acquire(): Float64Array {
    return this.free.pop() ?? new Float64Array(3 * this.data.totalBins);
  }

  /** Gradient and hessian sums of the root, read off the first feature's bins. */
  private totals(hist: Float64Array, n: number): [number, number] {
    let g = 0;
    let h = 0;
    if (this.data.featureCount > 0) {
      for (let b = 0; b < this.data.offsets[1]!; b++) {
        g += hist[3 * b]!;
        h += hist[3 * b + 1]!;
      }
      return [g, h];
    }
    const { packed, indices } = this.threads.memory;
    for (let i = 0; i < n; i++) {
      const v = packed[indices[i]!]!;
      const q = Math.floor(v / G_RADIX);
      g += q;
      h += Math.floor((v - q * G_RADIX) / H_RADIX);
    }
    return [g * this.scales.gradient, h * this.scales.hessian];
  }

  /**
   * The histogram of the `threads` threads' accumulators: exact integer
   * sums, turned into real gradient and hessian sums (counts stay counts).
   */
  private collect(threads: number, out: Float64Array): void {
    const { accum } = this.threads.memory;
    out.set(accum.subarray(0, out.length));
    for (let t = 1; t < threads; t++) {
      const from = accum.subarray(t * out.length, (t + 1) * out.length);
      for (let i = 0; i < out.length; i++) out[i]! += from[i]!;
    }
    const { gradient, hessian } = this.scales;
    for (let i = 0; i < out.length; i += 3) {
      out[i]! *= gradient;
      out[i + 1]! *= hessian;
    }
  }

  /** The histogram of rows indices[begin..end). */
  private histogram(begin: number, end: number, out: Float64Array): void {
    const m = this.threads.memory;
    if (end - begin <= m.chunkRows) {
      this.buildDirect(m.indices, begin, end, out);
      return;
    }
    this.collect(this.threads.run(COMMAND.HISTOGRAM, begin, end), out);
  }

  /** The histogram of at most one chunk of rows, on this thread. */
  private buildDirect(rows: Int32Array, begin: number, end: number, out: Float64Array): void {
    const m = this.threads.memory;
    const chunk = m.chunk.subarray(0, m.totalBins);
    chunk.fill(0);
    buildHistogram(rows, begin, end, m.bins, m.stride, m.offsets, m.packed, chunk);
    out.fill(0);
    unpackInto(chunk, out);
    const { gradient, hessian } = this.scales;
    for (let i = 0; i < out.length; i += 3) {
      out[i]! *= gradient;
      out[i + 1]! *= hessian;
    }
  }

  /**
   * Partitions a leaf's rows by `split` (stably: left rows first, each side
   * in its old order) and, unless side is -1, builds the histogram of the
   * left (1) or right (0) child into `out` in the same pass over the blocks.
   * Returns how many rows went left.
   */
  private splitRows(
    begin: number,
    count: number,
    split: Split,
    side: number,
    out: Float64Array | null,
  ): number {
    const m = this.threads.memory;
    m.table.set(split.goesLeft);
    const end = begin + count;
    if (count <= m.chunkRows) {
      const left = partitionBlock(
        m.indices,
        begin,
        end,
        m.bins,
        m.stride,
        split.feature,
        m.table,
        m.indices,
        m.tmp,
      );
      m.indices.set(m.tmp.subarray(begin, end - left), begin + left);
      if (out)
        this.buildDirect(
          m.indices,
          side === 1 ? begin : begin + left,
          side === 1 ? begin + left : end,
          out,
        );
      return left;
    }
    const pool = this.threads.set(CTRL.FEATURE, split.feature).set(CTRL.SIDE, side);
    const threads = pool.run(COMMAND.SPLIT, begin, end);
    // Each block left its left rows at its start and its right rows in tmp: gather them.
    const blocks = Math.ceil(count / m.blockSize);
    let to = begin;
    for (let b = 0; b < blocks; b++) {
      const s = begin + b * m.blockSize;
      m.indices.copyWithin(to, s, s + m.blockLeft[b]!);
      to += m.blockLeft[b]!;
    }
    const left = to - begin;
    for (let b = 0; b < blocks; b++) {
      const s = begin + b * m.blockSize;
      const rights = Math.min(end, s + m.blockSize) - s - m.blockLeft[b]!;
      m.indices.set(m.tmp.subarray(s, s + rights), to);
      to += rights;
    }
    if (out) this.collect(threads, out);
    return left;
  }
}
