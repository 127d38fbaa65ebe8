/**
 * The boosting loop (LightGBM's GBDT::TrainOneIter): per round, gradients
 * from the objective, an optional new bag of rows and sample of features,
 * one tree per model on quantised gradients, shrinkage, and score updates
 * for the training rows (from the leaves' row ranges, or by walking the bins
 * for rows out of the bag) and for the validation rows, which drive early
 * stopping. Gradients, quantisation and score updates run over the threads.
 */

import { createRng, sampleIndices } from '../../random.js';
import type { BinnedData } from './binned-data.js';
import { type Forest, flattenTree, joinTrees } from './forest.js';
import { leafOf } from './forest-walk.js';
import type { Objective } from './objectives/index.js';
import type { GBDTParams } from './params.js';
import { G_LEVELS, H_LEVELS } from './quantize.js';
import { COMMAND, CTRL, REAL } from './tasks.js';
import type { ThreadPool } from './thread-pool.js';
import { type LearnerConfig, type Scales, TreeLearner } from './tree-learner.js';

export interface ValidationData {
  /** Row-major raw features (NaN for missing or unseen). */
  readonly x: Float64Array;
  readonly label: Float64Array;
  readonly weight: Float64Array | null;
}

export interface BoostInput {
  readonly data: BinnedData;
  /** Row weights (also in threads.memory, with the labels). */
  readonly weight: Float64Array | null;
  readonly objective: Objective;
  readonly params: GBDTParams;
  readonly seed: number;
  readonly threads: ThreadPool;
  readonly validation?: ValidationData;
  readonly onProgress?: (iteration: number, metric?: { name: string; value: number }) => void;
}

export interface BoostResult {
  readonly forest: Forest;
  /** Total split gain per feature over the kept trees. */
  readonly importance: Float64Array;
  /** Rounds kept (the best round under early stopping). */
  readonly rounds: number;
  /** Rounds run. */
  readonly roundsRun: number;
  readonly bestScore?: number;
}

export function learnerConfig(p: GBDTParams): LearnerConfig {
  return {
    numLeaves: p.num_leaves,
    maxDepth: p.max_depth,
    minDataInLeaf: p.min_data_in_leaf,
    minSumHessianInLeaf: p.min_sum_hessian_in_leaf,
    lambdaL2: p.lambda_l2,
    minGainToSplit: p.min_gain_to_split,
    maxCatToOnehot: p.max_cat_to_onehot,
    maxCatThreshold: p.max_cat_threshold,
    catSmooth: p.cat_smooth,
    catL2: p.cat_l2,
    minDataPerGroup: p.min_data_per_group,
  };
}

export function boost(input: BoostInput): BoostResult {
  const { data, objective, params, threads, validation } = input;
  const memory = threads.memory;
  const { label, score } = memory;
  const weight = input.weight;
  const n = data.rowCount;
  const k = objective.numModels;
  const f = data.featureCount;
  const rng = createRng(input.seed ^ 0x5bd1e995);
  const learner = new TreeLearner(data, learnerConfig(params), threads);

  const init = objective.initScore(label, weight);
  for (let i = 0; i < n; i++) score.set(init, i * k);
  const nv = validation ? validation.label.length : 0;
  const validScore = new Float64Array(nv * k);
  for (let i = 0; i < nv; i++) validScore.set(init, i * k);
  memory.real[REAL.ALPHA] = objective.alpha;

  const trees: Forest[] = [];
  const gains: Float64Array[] = [];
  const bagging = params.bagging_freq > 0 && params.bagging_fraction < 1;
  let bag: Int32Array | null = null;
  let outOfBag: Int32Array | null = null;
  let best = { round: 0, score: Number.POSITIVE_INFINITY };
  let roundsRun = 0;

  for (let round = 0; round < params.n_estimators; round++) {
    threads.set(CTRL.OBJECTIVE, objective.kernel).run(COMMAND.GRADIENTS, 0, n);
    if (bagging && round % params.bagging_freq === 0)
      [bag, outOfBag] = drawBag(n, params.bagging_fraction, rng);
    const mask =
      params.feature_fraction < 1 && f > 0
        ? featureMask(f, Math.max(1, Math.round(f * params.feature_fraction)), rng)
        : null;
    const roundTrees: Forest[] = [];
    const roundGain = new Float64Array(f);
    let anySplit = false;
    for (let m = 0; m < k; m++) {
      const scales = quantize(threads, m);
      const { tree, leafBegin, leafRows, indices } = learner.grow(bag, mask, scales);
      if (tree.numLeaves > 1) anySplit = true;
      for (let l = 0; l < tree.numLeaves; l++) {
        const begin = leafBegin[l]!;
        const renewed = objective.renewLeaf?.(
          indices,
          begin,
          begin + leafRows[l]!,
          score,
          label,
          weight,
        );
        tree.leafValue[l] = (renewed ?? tree.leafValue[l]!) * params.learning_rate;
      }
      memory.leafBegin.set(leafBegin.subarray(0, tree.numLeaves));
      memory.leafRows.set(leafRows.subarray(0, tree.numLeaves));
      memory.leafValue.set(tree.leafValue.subarray(0, tree.numLeaves));
      threads
        .set(CTRL.MODEL, m)
        .set(CTRL.LEAVES, tree.numLeaves)
        .run(COMMAND.SCORE, 0, bag ? bag.length : n);
      if (outOfBag) {
        for (const r of outOfBag)
          score[r * k + m]! += tree.leafValue[tree.leafOfBins(data.bins, r * f)]!;
      }
      for (let node = 0; node < tree.numNodes; node++)
        roundGain[tree.splitFeature[node]!]! += tree.splitGain[node]!;
      const flat = flattenTree(tree, data.mappers);
      if (validation) {
        for (let r = 0; r < nv; r++)
          validScore[r * k + m]! +=
            flat.leafValue[leafOf(flat, flat.treeRoot[0]!, validation.x, r * f)]!;
      }
      roundTrees.push(flat);
    }
    if (!anySplit) break; // no leaf can be split any more: later rounds would repeat this one
    trees.push(...roundTrees);
    gains.push(roundGain);
    roundsRun = round + 1;
    if (!validation) {
      input.onProgress?.(round + 1);
      continue;
    }
    const value = objective.loss(validScore, validation.label, validation.weight);
    input.onProgress?.(round + 1, { name: objective.metricName, value });
    if (value < best.score) best = { round: round + 1, score: value };
    else if (
      params.early_stopping_rounds > 0 &&
      round + 1 - best.round >= params.early_stopping_rounds
    )
      break;
  }
  const rounds = validation && params.early_stopping_rounds > 0 ? best.round : roundsRun;
  const importance = new Float64Array(f);
  for (let r = 0; r < rounds; r++) for (let j = 0; j < f; j++) importance[j]! += gains[r]![j]!;
  return {
    forest: joinTrees(trees.slice(0, rounds * k), f, k, init),
    importance,
    rounds,
    roundsRun,
    ...(validation ? { bestScore: best.score } : {}),
  };
}

/**
 * Quantises model m's gradients into memory.packed, scaled so the largest
 * |gradient| and hessian use every level; returns what one level is worth.
 */
function quantize(threads: ThreadPool, m: number): Scales {
  const memory = threads.memory;
  const blocks = Math.ceil(memory.rowCount / memory.blockSize);
  let maxG = 0;
  let maxH = 0;
  for (let b = 0; b < blocks; b++) {
    maxG = Math.max(maxG, memory.blockStats[2 * (b * memory.numModels + m)]!);
    maxH = Math.max(maxH, memory.blockStats[2 * (b * memory.numModels + m) + 1]!);
  }
  memory.real[REAL.G_INV] = maxG > 0 ? G_LEVELS / maxG : 0;
  memory.real[REAL.H_INV] = maxH > 0 ? H_LEVELS / maxH : 0;
  threads.set(CTRL.MODEL, m).run(COMMAND.QUANTIZE, 0, memory.rowCount);
  return { gradient: maxG / G_LEVELS, hessian: maxH / H_LEVELS };
}

/** A bag of rows (each kept with probability `fraction`) and the rows left out, both ascending. */
function drawBag(n: number, fraction: number, rng: () => number): [Int32Array, Int32Array] {
  const inBag = new Int32Array(n);
  const out = new Int32Array(n);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (rng() < fraction) inBag[a++] = i;
    else out[b++] = i;
  }
  if (a === 0) return [Int32Array.of(out[0]!), out.slice(1, b)];
  return [inBag.slice(0, a), out.slice(0, b)];
}

function featureMask(f: number, keep: number, rng: () => number): Uint8Array {
  const mask = new Uint8Array(f);
  for (const j of sampleIndices(f, keep, rng)) mask[j] = 1;
  return mask;
}
