import { afterAll, describe, expect, it } from 'vitest';
import type { Column } from '../../data/index.js';
import { createRng } from '../../random.js';
import { binData } from './binned-data.js';
import { learnerConfig } from './boosting.js';
import { buildHistogram } from './histogram-kernels.js';
import { GBDTParams } from './params.js';
import { CHUNK_ROWS, G_LEVELS, H_LEVELS, quantizeBlock, unpackInto } from './quantize.js';
import { createTaskMemory } from './task-memory.js';
import { ThreadPool } from './thread-pool.js';
import { type Scales, TreeLearner } from './tree-learner.js';

const pools: ThreadPool[] = [];
afterAll(async () => {
  for (const p of pools) await p.close();
});

/** A learner over `columns` with quantised L2 gradients (score 0) for `y`. */
async function learnerFor(columns: Column[], y: number[], params: Partial<GBDTParams> = {}) {
  const n = y.length;
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const data = binData(columns, rows, { maxBins: 255, minDataInBin: 1 }, createRng(1), false);
  const label = Float64Array.from(y);
  const layout = {
    ...data,
    stride: data.featureCount,
    numModels: 1,
    maxLeaves: 64,
    label,
    weight: null,
  };
  const memory = createTaskMemory(layout, 1);
  let maxG = 0;
  y.forEach((v, i) => {
    memory.gh[2 * i] = -v; // L2 at score 0: g = s − y, h = 1
    memory.gh[2 * i + 1] = 1;
    maxG = Math.max(maxG, Math.abs(v));
  });
  quantizeBlock(memory.gh, 0, memory.packed, 0, n, G_LEVELS / maxG, H_LEVELS);
  const scales: Scales = { gradient: maxG / G_LEVELS, hessian: 1 / H_LEVELS };
  const pool = await ThreadPool.open(memory, 1);
  pools.push(pool);
  const config = learnerConfig(
    GBDTParams.parse({ min_data_in_leaf: 1, min_sum_hessian_in_leaf: 0, ...params }),
  );
  const learner = new TreeLearner(data, config, pool);
  return { grow: () => learner.grow(null, null, scales), data, memory };
}

const numeric = (values: number[]): Column => ({
  type: 'numeric',
  values: Float64Array.from(values),
});

describe('tree learner', () => {
  it('grows the hand-checkable stump', async () => {
    // y = 0 for x <= 5, 10 for x > 5: the best split is between 5 and 6, leaves at the means.
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const y = x.map((v) => (v <= 5 ? 0 : 10));
    const { grow, data } = await learnerFor([numeric(x)], y, { num_leaves: 2 });
    const { tree } = grow();
    expect(tree.numLeaves).toBe(2);
    expect(tree.splitFeature[0]).toBe(0);
    const mapper = data.mappers[0]!;
    expect(mapper.type === 'numeric' && mapper.upperBounds[tree.thresholdBin[0]!]).toBe(5.5);
    // −G/H: left leaf sums g = 0 over 5 rows, right leaf g = −50 over 5 rows.
    expect(tree.leafValue[0]).toBe(0);
    expect(tree.leafValue[1]).toBeCloseTo(10, 12);
    // gain = G_L²/H_L + G_R²/H_R − G²/H = 0 + 2500/5 − 2500/10
    expect(tree.splitGain[0]).toBeCloseTo(250, 9);
    expect([...tree.leafCount.subarray(0, 2)]).toEqual([5, 5]);
  });

  it('grows leaf-wise: the next split goes to the leaf that gains most', async () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const y = [0, 0, 1, 1, 10, 10, 30, 30];
    const { grow } = await learnerFor([numeric(x)], y, { num_leaves: 3 });
    const { tree } = grow();
    expect(tree.numLeaves).toBe(3);
    const leaves = [...tree.leafValue.subarray(0, 3)].sort((a, b) => a - b);
    // Gradients are quantised to 511 levels of 30/511: leaves land within a level.
    expect(Math.abs(leaves[0]! - 0.5)).toBeLessThan(30 / 511);
    expect(Math.abs(leaves[1]! - 10)).toBeLessThan(30 / 511);
    expect(leaves[2]).toBeCloseTo(30, 12);
  });

  it('respects max_depth and min_data_in_leaf', async () => {
    const x = Array.from({ length: 64 }, (_, i) => i);
    const y = x.map((v) => v * v);
    const deep = await learnerFor([numeric(x)], y, { num_leaves: 31, max_depth: 2 });
    const grown = deep.grow().tree;
    expect(grown.numLeaves).toBe(4);
    const wide = await learnerFor([numeric(x)], y, { num_leaves: 31, min_data_in_leaf: 10 });
    const t = wide.grow().tree;
    for (let l = 0; l < t.numLeaves; l++) expect(t.leafCount[l]).toBeGreaterThanOrEqual(10);
  });

  it('learns where missing values go', async () => {
    // Missing values behave like large x: they should join the right (high) side.
    const x = [1, 2, 3, 4, 5, 6, 7, 8, Number.NaN, Number.NaN];
    const y = [0, 0, 0, 0, 5, 5, 5, 5, 5, 5];
    const { grow } = await learnerFor([numeric(x)], y, { num_leaves: 2 });
    const { tree } = grow();
    expect(tree.defaultLeft[0]).toBe(0);
    expect(tree.leafCount[1]).toBe(6);
    const low = await learnerFor([numeric(x)], [5, 5, 5, 5, 0, 0, 0, 0, 5, 5], { num_leaves: 2 });
    const t = low.grow().tree;
    expect(t.defaultLeft[0]).toBe(1);
    expect(t.leafCount[0]).toBe(6);
  });

  it('splits a categorical feature by a learned set of categories', async () => {
    const rng = createRng(3);
    const n = 2000;
    const codes = Int32Array.from({ length: n }, () => Math.floor(rng() * 10));
    const high = new Set([1, 4, 7, 8]);
    const y = [...codes].map((c) => (high.has(c) ? 10 : 0) + rng());
    const dictionary = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const noise = numeric([...codes].map(() => rng()));
    const { grow, data } = await learnerFor(
      [noise, { type: 'categorical', codes, dictionary }],
      y,
      {
        num_leaves: 2,
      },
    );
    const { tree } = grow();
    expect(tree.splitFeature[0]).toBe(1);
    expect(tree.categorical[0]).toBe(1);
    const mapper = data.mappers[1]!;
    const left = new Set<number>();
    if (mapper.type === 'categorical') {
      mapper.binOfCode.forEach((bin, code) => {
        if (tree.goesLeft[0]![bin] === 1) left.add(code);
      });
    }
    const expected = tree.leafValue[0]! > tree.leafValue[1]! ? high : new Set([0, 2, 3, 5, 6, 9]);
    expect(left).toEqual(expected);
  });

  it('gets the same larger-child histogram by subtraction as by a direct build', async () => {
    const rng = createRng(9);
    const n = 9000;
    const a = numeric(Array.from({ length: n }, () => rng()));
    const b = numeric(Array.from({ length: n }, () => Math.floor(rng() * 7)));
    const y = Array.from({ length: n }, () => rng() * 4 - 2);
    const { data, memory } = await learnerFor([a, b], y);
    // (gradient, hessian, count) sums, one packed chunk of rows at a time.
    const hist = (rows: number[]) => {
      const out = new Float64Array(3 * data.totalBins);
      const chunk = new Float64Array(data.totalBins);
      for (let at = 0; at < rows.length; at += CHUNK_ROWS) {
        chunk.fill(0);
        const part = Int32Array.from(rows.slice(at, at + CHUNK_ROWS));
        buildHistogram(part, 0, part.length, data.bins, 2, data.offsets, memory.packed, chunk);
        unpackInto(chunk, out);
      }
      return out;
    };
    const all = Array.from({ length: n }, (_, i) => i);
    const small = all.filter((i) => data.bins[2 * i]! < 40);
    const large = all.filter((i) => data.bins[2 * i]! >= 40);
    const parent = hist(all);
    const smallHist = hist(small);
    const direct = hist(large);
    // Quantised sums are exact integers: subtraction gives the direct build exactly.
    for (let i = 0; i < parent.length; i++) expect(parent[i]! - smallHist[i]!).toBe(direct[i]!);
    expect(parent[2]! + parent[5]!).toBeGreaterThan(0); // counts came through
  });
});
