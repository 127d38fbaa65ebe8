import { describe, expect, it } from 'vitest';
import { type Column, makeFrame } from '../../data/index.js';
import { createRng } from '../../random.js';
import type { Forest } from './forest.js';
import { goesLeft } from './forest-walk.js';
import { GBDT } from './index.js';
import { toRowMajor } from './predict.js';

function data(n: number, seed: number) {
  const rng = createRng(seed);
  const a = Float64Array.from({ length: n }, () => (rng() < 0.1 ? Number.NaN : rng() * 2 - 1));
  const b = Float64Array.from({ length: n }, () => rng());
  const c = Int32Array.from({ length: n }, () => Math.floor(rng() * 5));
  const y = Float64Array.from({ length: n }, (_, i) => {
    const z =
      (Number.isNaN(a[i]!) ? 0.5 : a[i]!) * 2 + (b[i]! > 0.5 ? 1 : -1) + (c[i]! % 2 ? 1 : 0);
    return rng() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  });
  const frame = makeFrame(
    new Map<string, Column>([
      ['a', { type: 'numeric', values: a }],
      ['b', { type: 'numeric', values: b }],
      ['c', { type: 'categorical', codes: c, dictionary: ['p', 'q', 'r', 's', 't'] }],
    ]),
  );
  return { frame, target: { type: 'numeric', values: y } as Column };
}

/** E[tree | features in S known], integrating the others over the node covers. */
function conditional(f: Forest, c: number, x: Float64Array, known: Set<number>): number {
  if (c < 0) return f.leafValue[~c]!;
  const feature = f.feature[c]!;
  if (known.has(feature)) {
    return conditional(f, goesLeft(f, c, x[feature]!) ? f.left[c]! : f.right[c]!, x, known);
  }
  const cover = (k: number) => (k >= 0 ? f.nodeCover[k]! : f.leafCover[~k]!);
  const l = f.left[c]!;
  const r = f.right[c]!;
  return (
    (cover(l) * conditional(f, l, x, known) + cover(r) * conditional(f, r, x, known)) / cover(c)
  );
}

function factorial(k: number): number {
  return k <= 1 ? 1 : k * factorial(k - 1);
}

/** Exact Shapley values of the forest's raw score by enumerating every coalition. */
function bruteForce(f: Forest, x: Float64Array): number[] {
  const m = f.numFeatures;
  const value = (known: Set<number>) => {
    let s = f.initScore[0]!;
    for (const root of f.treeRoot) s += conditional(f, root, x, known);
    return s;
  };
  const phi = new Array(m).fill(0);
  for (let i = 0; i < m; i++) {
    for (let mask = 0; mask < 1 << m; mask++) {
      if (mask & (1 << i)) continue;
      const set = new Set<number>();
      for (let j = 0; j < m; j++) if (mask & (1 << j)) set.add(j);
      const weight = (factorial(set.size) * factorial(m - set.size - 1)) / factorial(m);
      const without = value(set);
      set.add(i);
      phi[i] += weight * (value(set) - without);
    }
  }
  return phi;
}

describe('TreeSHAP', () => {
  it('sums to the raw score, expected value included', async () => {
    const { frame, target } = data(3000, 1);
    const model = await new GBDT({ n_estimators: 30 }).fit(frame, target, {
      task: 'binary',
      seed: 1,
    });
    const phi = model.contributions(frame);
    const raw = model.predictRaw(frame);
    for (let r = 0; r < frame.rowCount; r++) {
      const sum = phi[4 * r]! + phi[4 * r + 1]! + phi[4 * r + 2]! + phi[4 * r + 3]!;
      expect(sum).toBeCloseTo(raw[r]!, 9);
    }
  });

  it('matches exact Shapley values computed by brute force on a small model', async () => {
    const { frame, target } = data(500, 2);
    const model = await new GBDT({ n_estimators: 4, num_leaves: 6, min_data_in_leaf: 10 }).fit(
      frame,
      target,
      {
        task: 'binary',
        seed: 1,
      },
    );
    const phi = model.contributions(frame);
    const columns = ['a', 'b', 'c'].map((name) => frame.columns.get(name)!);
    const x = new Float64Array(3);
    for (let r = 0; r < 40; r++) {
      toRowMajor(columns, r, r + 1, x);
      const exact = bruteForce(model.forest, x);
      for (let j = 0; j < 3; j++) expect(phi[4 * r + j]!).toBeCloseTo(exact[j]!, 10);
    }
  });

  it('explains each class of a multiclass model', async () => {
    const { frame } = data(1000, 3);
    const codes = Int32Array.from({ length: 1000 }, (_, i) => i % 3);
    const model = await new GBDT({ n_estimators: 5 }).fit(
      frame,
      { type: 'categorical', codes, dictionary: ['x', 'y', 'z'] },
      { task: 'multiclass', seed: 1 },
    );
    const phi = model.contributions(frame);
    const raw = model.predictRaw(frame);
    expect(phi.length).toBe(1000 * 3 * 4);
    for (let i = 0; i < 3000; i++) {
      expect(phi[4 * i]! + phi[4 * i + 1]! + phi[4 * i + 2]! + phi[4 * i + 3]!).toBeCloseTo(
        raw[i]!,
        9,
      );
    }
  });
});
