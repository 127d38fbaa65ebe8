/**
 * The best split of a leaf, read off its histogram (LightGBM's
 * FeatureHistogram). Numeric features try every threshold with missing
 * values sent left and then right, keeping the better; categorical features
 * order their categories by gradient / (hessian + cat_smooth) and try
 * prefixes of that order from both ends (Fisher's grouping, as LightGBM
 * does), or one category against the rest when there are few.
 *
 * Gains are LightGBM's: G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ). Histograms
 * hold (gradient, hessian, row count) per bin: counts are exact (LightGBM
 * estimates them from hessians).
 */

import type { BinnedData } from './binned-data.js';
import type { CategoricalBinMapper } from './binning.js';

export interface SplitConfig {
  readonly minDataInLeaf: number;
  readonly minSumHessianInLeaf: number;
  readonly lambdaL2: number;
  readonly minGainToSplit: number;
  readonly maxCatToOnehot: number;
  readonly maxCatThreshold: number;
  readonly catSmooth: number;
  readonly catL2: number;
  readonly minDataPerGroup: number;
}

export interface LeafStats {
  readonly sumG: number;
  readonly sumH: number;
  /** Exact row count of the leaf. */
  readonly count: number;
}

export interface Split {
  readonly gain: number;
  readonly feature: number;
  readonly categorical: boolean;
  /** Numeric: the last value bin that goes left. */
  readonly threshold: number;
  /** Where missing values (and, at prediction, unseen categories) go. */
  readonly defaultLeft: boolean;
  /** Per bin of the feature: 1 when its rows go left (the missing bin included). */
  readonly goesLeft: Uint8Array;
  /** Rows going left. */
  readonly leftCount: number;
  readonly leftG: number;
  readonly leftH: number;
  readonly rightG: number;
  readonly rightH: number;
}

/** The leaf's score term G²/(H+λ). */
export function leafGain(g: number, h: number, lambda: number): number {
  const d = h + lambda;
  return d > 0 ? (g * g) / d : 0;
}

/** The leaf output −G/(H+λ), before shrinkage (+0, never −0). */
export function leafOutput(g: number, h: number, lambda: number): number {
  const d = h + lambda;
  return d > 0 ? 0 - g / d : 0;
}

/** A gain must clear rounding noise: splitting rows with equal g/h gains nothing. */
const RELATIVE_NOISE = 1e-12;

class Best {
  gain = 0;
  feature = -1;
  categorical = false;
  threshold = -1;
  missingLeft = false;
  leftBins: number[] = [];
  leftG = 0;
  leftH = 0;
  leftCount = 0;

  offer(gain: number, children: number, feature: number, gl: number, hl: number, cl: number) {
    if (!(gain > this.gain) || gain <= RELATIVE_NOISE * children) return false;
    this.gain = gain;
    this.feature = feature;
    this.leftG = gl;
    this.leftH = hl;
    this.leftCount = cl;
    return true;
  }
}

/**
 * The best split of a leaf over the features in `mask` (all when null), or
 * null when no split clears the constraints and min_gain_to_split.
 */
export function findBestSplit(
  hist: Float64Array,
  data: BinnedData,
  mask: Uint8Array | null,
  leaf: LeafStats,
  config: SplitConfig,
): Split | null {
  const best = new Best();
  best.gain = config.minGainToSplit;
  for (let f = 0; f < data.featureCount; f++) {
    if (mask && mask[f] === 0) continue;
    const mapper = data.mappers[f]!;
    if (mapper.type === 'numeric')
      scanNumeric(hist, data.offsets[f]!, mapper.numBins, f, leaf, config, best);
    else scanCategorical(hist, data.offsets[f]!, mapper, f, leaf, config, best);
  }
  if (best.feature < 0) return null;
  const mapper = data.mappers[best.feature]!;
  const goesLeft = new Uint8Array(mapper.numBins);
  if (best.categorical) for (const b of best.leftBins) goesLeft[b] = 1;
  else goesLeft.fill(1, 0, best.threshold + 1);
  const rightCount = leaf.count - best.leftCount;
  const missingHasRows = hist[3 * (data.offsets[best.feature]! + mapper.missingBin) + 2]! > 0;
  const defaultLeft = missingHasRows
    ? best.categorical
      ? goesLeft[mapper.missingBin] === 1
      : best.missingLeft
    : best.leftCount >= rightCount;
  goesLeft[mapper.missingBin] = defaultLeft ? 1 : 0;
  return {
    gain: best.gain,
    feature: best.feature,
    categorical: best.categorical,
    threshold: best.threshold,
    defaultLeft,
    goesLeft,
    leftCount: best.leftCount,
    leftG: best.leftG,
    leftH: best.leftH,
    rightG: leaf.sumG - best.leftG,
    rightH: leaf.sumH - best.leftH,
  };
}

function scanNumeric(
  hist: Float64Array,
  offset: number,
  numBins: number,
  feature: number,
  leaf: LeafStats,
  c: SplitConfig,
  best: Best,
): void {
  const values = numBins - 1; // the last bin is the missing bin
  const m = 3 * (offset + values);
  const gm = hist[m]!;
  const hm = hist[m + 1]!;
  const cm = hist[m + 2]!;
  const hasMissing = cm > 0;
  const parent = leafGain(leaf.sumG, leaf.sumH, c.lambdaL2);
  // Missing right: left = bins 0..t. With missing values, t may take every value bin.
  // Missing left: left = missing + bins 0..t.
  for (let pass = 0; pass < (hasMissing ? 2 : 1); pass++) {
    const missingLeft = pass === 1;
    let gl = missingLeft ? gm : 0;
    let hl = missingLeft ? hm : 0;
    let cl = missingLeft ? cm : 0;
    const last = hasMissing && !missingLeft ? values - 1 : values - 2;
    for (let t = 0; t <= last; t++) {
      const i = 3 * (offset + t);
      gl += hist[i]!;
      hl += hist[i + 1]!;
      cl += hist[i + 2]!;
      if (cl < c.minDataInLeaf || hl < c.minSumHessianInLeaf) continue;
      const hr = leaf.sumH - hl;
      const cr = leaf.count - cl;
      if (cr < c.minDataInLeaf || hr < c.minSumHessianInLeaf) break;
      const gr = leaf.sumG - gl;
      const children = leafGain(gl, hl, c.lambdaL2) + leafGain(gr, hr, c.lambdaL2);
      if (best.offer(children - parent, children, feature, gl, hl, cl)) {
        best.categorical = false;
        best.threshold = t;
        best.missingLeft = missingLeft;
      }
    }
  }
}

function scanCategorical(
  hist: Float64Array,
  offset: number,
  mapper: CategoricalBinMapper,
  feature: number,
  leaf: LeafStats,
  c: SplitConfig,
  best: Best,
): void {
  const g = (b: number) => hist[3 * (offset + b)]!;
  const h = (b: number) => hist[3 * (offset + b) + 1]!;
  const count = (b: number) => hist[3 * (offset + b) + 2]!;
  const used: number[] = [];
  for (let b = 0; b < mapper.numBins; b++) if (count(b) > 0) used.push(b);
  if (used.length < 2) return;
  const parent = leafGain(leaf.sumG, leaf.sumH, c.lambdaL2);
  const consider = (bins: number[], gl: number, hl: number, cl: number, lambda: number) => {
    const hr = leaf.sumH - hl;
    const cr = leaf.count - cl;
    if (cl < c.minDataInLeaf || hl < c.minSumHessianInLeaf) return 'skip';
    if (cr < c.minDataInLeaf || hr < c.minSumHessianInLeaf) return 'stop';
    const children = leafGain(gl, hl, lambda) + leafGain(leaf.sumG - gl, hr, lambda);
    if (best.offer(children - parent, children, feature, gl, hl, cl)) {
      best.categorical = true;
      best.leftBins = bins.slice();
    }
    return 'ok';
  };

  if (used.length <= c.maxCatToOnehot) {
    for (const b of used) consider([b], g(b), h(b), count(b), c.lambdaL2);
    return;
  }
  const ratio = (b: number) => g(b) / (h(b) + c.catSmooth);
  const sorted = used
    .filter((b) => count(b) >= c.catSmooth)
    .sort((a, b) => ratio(a) - ratio(b) || a - b);
  const maxLeft = Math.min(c.maxCatThreshold, (sorted.length + 1) >> 1);
  const lambda = c.lambdaL2 + c.catL2;
  for (const forward of [true, false]) {
    const left: number[] = [];
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let i = 0; i < maxLeft && i < sorted.length - 1; i++) {
      const b = sorted[forward ? i : sorted.length - 1 - i]!;
      left.push(b);
      gl += g(b);
      hl += h(b);
      cl += count(b);
      if (cl < c.minDataPerGroup) continue;
      if (consider(left, gl, hl, cl, lambda) === 'stop') break;
    }
  }
}
