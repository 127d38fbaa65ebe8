import { describe, expect, it } from 'vitest';
import { type Column, makeFrame } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import { createRng } from '../../random.js';
import type { FitProgress } from '../estimator.js';
import { predictRawRange } from './forest-walk.js';
import { GBDT, gbdtKind } from './index.js';
import { toRowMajor } from './predict.js';
import { HELPER_ROWS } from './predict-pool.js';

const CITIES = ['a', 'b', 'c', 'd', 'e', 'f'];

/** x1 numeric (some missing), x2 numeric, city categorical; z is the signal. */
function synthetic(n: number, seed: number) {
  const rng = createRng(seed);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const city = new Int32Array(n);
  const z = new Float64Array(n);
  const effect = [-1, 0.5, 1.5, 0, -0.5, 1];
  for (let i = 0; i < n; i++) {
    const a = rng() * 4 - 2;
    x1[i] = rng() < 0.1 ? Number.NaN : a;
    x2[i] = rng() * 2 - 1;
    city[i] = Math.floor(rng() * CITIES.length);
    z[i] = 1.2 * a - 0.8 * x2[i]! + effect[city[i]!]! + (rng() - 0.5);
  }
  const frame = makeFrame(
    new Map<string, Column>([
      ['x1', { type: 'numeric', values: x1 }],
      ['x2', { type: 'numeric', values: x2 }],
      ['city', { type: 'categorical', codes: city, dictionary: CITIES }],
    ]),
  );
  const binary: Column = {
    type: 'numeric',
    values: z.map((v) => (rng() < 1 / (1 + Math.exp(-v)) ? 1 : 0)),
  };
  return { frame, z, binary, rng };
}

function auc(y: Float64Array, p: Float64Array): number {
  let pos = 0;
  let concordant = 0;
  const order = Array.from(p.keys()).sort((a, b) => p[a]! - p[b]!);
  let negatives = 0;
  for (const i of order) {
    if (y[i] === 1) {
      pos++;
      concordant += negatives;
    } else negatives++;
  }
  return concordant / (pos * negatives);
}

const small = synthetic(2000, 1);

describe('GBDT', () => {
  it('learns a binary signal and predicts probabilities', async () => {
    const model = await new GBDT({ n_estimators: 40 }).fit(small.frame, small.binary, {
      task: 'binary',
      seed: 1,
    });
    const test = synthetic(2000, 2);
    const p = model.predict(test.frame);
    for (const v of p) expect(v > 0 && v < 1).toBe(true);
    expect(auc((test.binary as { values: Float64Array }).values, p)).toBeGreaterThan(0.75);
    expect(model.featureImportance()[0]!.gain).toBeGreaterThan(0);
  });

  it('is deterministic for a seed, with bagging and feature sampling', async () => {
    const params = {
      n_estimators: 15,
      bagging_fraction: 0.7,
      bagging_freq: 1,
      feature_fraction: 0.67,
    };
    const train = (seed: number) =>
      new GBDT(params).fit(small.frame, small.binary, { task: 'binary', seed });
    const [a, b, c] = await Promise.all([train(7), train(7), train(8)]);
    expect(JSON.stringify(a.toFile())).toBe(JSON.stringify(b.toFile()));
    expect(JSON.stringify(a.toFile())).not.toBe(JSON.stringify(c.toFile()));
  });

  it('trains the same model on one thread or two', async () => {
    // Enough rows that histograms and partitions are cut into blocks.
    const big = synthetic(80_000, 3);
    const train = (threads: number) =>
      new GBDT({ n_estimators: 4, num_leaves: 15, num_threads: threads }).fit(
        big.frame,
        big.binary,
        {
          task: 'binary',
          seed: 1,
        },
      );
    const trees = async (threads: number) => {
      const { state, binary } = (await train(threads)).toFile();
      return JSON.stringify({ state, binary });
    };
    expect(await trees(2)).toBe(await trees(1));
  });

  it('gives identical predictions after save → load', async () => {
    const model = await new GBDT({ n_estimators: 20 }).fit(small.frame, small.binary, {
      task: 'binary',
      seed: 1,
    });
    const loaded = gbdtKind.load(JSON.parse(JSON.stringify(model.toFile())));
    expect(loaded.predict(small.frame)).toEqual(model.predict(small.frame));
    expect(JSON.stringify(loaded.toFile())).toBe(JSON.stringify(model.toFile()));
  });

  it('predicts a large batch on two threads exactly as row by row', async () => {
    const model = await new GBDT({ n_estimators: 10 }).fit(small.frame, small.binary, {
      task: 'binary',
      seed: 1,
    });
    const big = synthetic(HELPER_ROWS + 1000, 4).frame;
    const batch = model.predictRaw(big);
    const columns = ['x1', 'x2', 'city'].map((name) => big.columns.get(name)!);
    const x = new Float64Array(3 * big.rowCount);
    toRowMajor(columns, 0, big.rowCount, x);
    const one = new Float64Array(big.rowCount);
    predictRawRange(model.forest, x, 0, big.rowCount, one);
    expect(batch).toEqual(one);
  });

  it('refuses a damaged model file', async () => {
    const model = await new GBDT({ n_estimators: 3 }).fit(small.frame, small.binary, {
      task: 'binary',
      seed: 1,
    });
    const file = JSON.parse(JSON.stringify(model.toFile()));
    file.binary.left = file.binary.right;
    file.binary.right.base64 = Buffer.from(
      new Int32Array(model.forest.left.length).fill(0).buffer,
    ).toString('base64');
    expect(() => gbdtKind.load(file)).toThrow(/gbdt model file/);
  });

  it('sends missing values and unseen categories the learned default way', async () => {
    const model = await new GBDT({ n_estimators: 10 }).fit(small.frame, small.binary, {
      task: 'binary',
      seed: 1,
    });
    const frame = makeFrame(
      new Map<string, Column>([
        ['x1', { type: 'numeric', values: Float64Array.of(Number.NaN, 1) }],
        ['x2', { type: 'numeric', values: Float64Array.of(0, Number.NaN) }],
        ['city', { type: 'categorical', codes: Int32Array.of(0, -1), dictionary: ['zurich'] }],
      ]),
    );
    const p = model.predict(frame);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    const missing = makeFrame(
      new Map<string, Column>([
        ['x1', { type: 'numeric', values: Float64Array.of(Number.NaN) }],
        ['x2', { type: 'numeric', values: Float64Array.of(0) }],
        ['city', { type: 'categorical', codes: Int32Array.of(-1), dictionary: CITIES }],
      ]),
    );
    expect(model.predict(missing)[0]).toBe(p[0]); // unseen city goes like a missing one
  });

  it('stops early when the validation loss stops improving', async () => {
    const valid = synthetic(1000, 5);
    const progress: FitProgress[] = [];
    const model = await new GBDT({
      n_estimators: 500,
      learning_rate: 0.5,
      num_leaves: 63,
      min_data_in_leaf: 2,
      early_stopping_rounds: 5,
    }).fit(small.frame, small.binary, {
      task: 'binary',
      seed: 1,
      validation: { frame: valid.frame, target: valid.binary },
      onProgress: (p) => progress.push(p),
    });
    expect(progress.length).toBeLessThan(100);
    expect(model.rounds).toBe(progress.length - 5);
    const best = Math.min(...progress.map((p) => p.metric!.value));
    expect(progress[model.rounds - 1]!.metric).toEqual({ name: 'binary_logloss', value: best });
    expect(progress[0]!.total).toBe(500);
  });

  it('fits a quantile that covers about alpha of the target', async () => {
    const { frame, z, rng } = synthetic(3000, 6);
    const y = z.map((v) => v + 2 * (rng() - 0.5));
    const target: Column = { type: 'numeric', values: y };
    for (const alpha of [0.2, 0.9]) {
      const model = await new GBDT({ objective: 'quantile', alpha, n_estimators: 60 }).fit(
        frame,
        target,
        {
          task: 'regression',
          seed: 1,
        },
      );
      const q = model.predict(frame);
      const below = y.filter((v, i) => v <= q[i]!).length / y.length;
      expect(Math.abs(below - alpha)).toBeLessThan(0.04);
    }
  });

  it('fits L2 regression', async () => {
    const { frame, z } = synthetic(3000, 7);
    const model = await new GBDT({ n_estimators: 80 }).fit(
      frame,
      { type: 'numeric', values: z },
      {
        task: 'regression',
      },
    );
    const p = model.predict(frame);
    let mse = 0;
    let variance = 0;
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    z.forEach((v, i) => {
      mse += (v - p[i]!) ** 2;
      variance += (v - mean) ** 2;
    });
    expect(mse / variance).toBeLessThan(0.1);
  });

  it('gives multiclass probabilities that sum to 1', async () => {
    const codes = Int32Array.from(small.z, (v) => (v < -0.7 ? 0 : v < 0.9 ? 1 : 2));
    const classes = ['low', 'mid', 'high'];
    const model = await new GBDT({ n_estimators: 20 }).fit(
      small.frame,
      { type: 'categorical', codes, dictionary: classes },
      { task: 'multiclass', classes, seed: 1 },
    );
    const p = model.predict(small.frame);
    expect(p.length).toBe(3 * small.frame.rowCount);
    let right = 0;
    for (let i = 0; i < small.frame.rowCount; i++) {
      expect(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]!).toBeCloseTo(1, 12);
      const top = [0, 1, 2].reduce((b, c) => (p[3 * i + c]! > p[3 * i + b]! ? c : b), 0);
      if (top === codes[i]) right++;
    }
    expect(right / small.frame.rowCount).toBeGreaterThan(0.8);
    expect(model.classes).toEqual(classes);
  });

  it('refuses a target it cannot learn, and makes a constant model of a constant one', async () => {
    const n = small.frame.rowCount;
    const train = (target: Column, task: 'binary' | 'regression') =>
      new GBDT({ n_estimators: 5 }).fit(small.frame, target, { task });
    await expect(
      train({ type: 'numeric', values: new Float64Array(n).fill(1) }, 'binary'),
    ).rejects.toThrow(FlywheelError);
    await expect(
      train({ type: 'numeric', values: new Float64Array(n).fill(2) }, 'binary'),
    ).rejects.toThrow(/must be 0 or 1/);
    const constant = await train(
      { type: 'numeric', values: new Float64Array(n).fill(2.5) },
      'regression',
    );
    expect(constant.predict(small.frame).every((v) => v === 2.5)).toBe(true);
    expect(constant.forest.treeRoot.length).toBe(0);
  });

  it('skips unlabelled rows of a binary target', async () => {
    const values = Float64Array.from((small.binary as { values: Float64Array }).values);
    values[0] = Number.NaN;
    const model = await new GBDT({ n_estimators: 3 }).fit(
      small.frame,
      { type: 'numeric', values },
      {
        task: 'binary',
      },
    );
    expect(model.forest.leafCover[0]).toBeGreaterThan(0);
  });

  it('validates parameters by name', () => {
    expect(() => new GBDT({ num_leaves: 1 })).toThrow(/num_leaves/);
    expect(() => gbdtKind.create({ no_such: 1 })).toThrow(/no_such/);
    expect(new GBDT().params).toMatchObject({
      n_estimators: 100,
      learning_rate: 0.1,
      num_leaves: 31,
      max_bins: 255,
    });
  });

  it('reports its cost', async () => {
    const model = await new GBDT({ n_estimators: 10, num_leaves: 7 }).fit(
      small.frame,
      small.binary,
      {
        task: 'binary',
      },
    );
    const cost = model.cost();
    expect(cost.parameters).toBe(model.forest.feature.length + model.forest.leafValue.length);
    expect(cost.opsPerRow).toBeGreaterThanOrEqual(10);
    expect(cost.bytes).toBe(JSON.stringify(model.toFile()).length);
  });
});
