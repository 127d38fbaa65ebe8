import { describe, expect, it } from 'vitest';
import { type Column, type Frame, makeFrame } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import { createRng as rng } from '../../random.js';
import { cholesky, choleskySolve } from './cholesky.js';
import type { CompactMatrix } from './compact-matrix.js';
import { FittedRidgeRegression, RidgeRegression, ridgeKind } from './ridge.js';
import { solveRidge } from './ridge-solver.js';

/** y = 3 + 2·x − 0.01·size + level effect (+ small noise); x has missing values. */
function synthetic(n: number, noise: number): { frame: Frame; y: Column } {
  const random = rng(5);
  const x = new Float64Array(n);
  const size = new Float64Array(n);
  const level = new Int32Array(n);
  const y = new Float64Array(n);
  const effect = [1, -1, 0.5];
  for (let i = 0; i < n; i++) {
    x[i] = random() < 0.05 ? Number.NaN : random() * 10;
    size[i] = 1000 + 500 * random();
    level[i] = Math.floor(random() * 3);
    y[i] =
      3 +
      (Number.isNaN(x[i]!) ? 10 : 2 * x[i]!) -
      0.01 * size[i]! +
      effect[level[i]!]! +
      noise * (random() - 0.5);
  }
  return {
    frame: makeFrame(
      new Map<string, Column>([
        ['x', { type: 'numeric', values: x }],
        ['size', { type: 'numeric', values: size }],
        ['level', { type: 'categorical', codes: level, dictionary: ['a', 'b', 'c'] }],
      ]),
    ),
    y: { type: 'numeric', values: y },
  };
}

describe('ridge regression', () => {
  const data = synthetic(2000, 0.1);

  it('recovers a linear signal (coefficients on the standardised scale)', async () => {
    const model = await new RidgeRegression({ alpha: 1e-6 }).fit(data.frame, data.y, {
      task: 'regression',
    });
    const yhat = model.predict(data.frame);
    const y = (data.y as { values: Float64Array }).values;
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(yhat[i]! - y[i]!));
    expect(worst).toBeLessThan(0.1);
    const coef = Object.fromEntries(model.coefficients().map((c) => [c.name, c.value]));
    expect(Object.keys(coef)).toEqual([
      '(intercept)',
      'x',
      'size',
      'x[missing]',
      'level=a',
      'level=b',
      'level=c',
    ]);
    // One-hot differences are the level effects (the intercept absorbs the rest).
    expect(coef['level=a']! - coef['level=b']!).toBeCloseTo(2, 2);
  });

  it('save → load gives identical predictions; the same data gives the same file', async () => {
    const fitOnce = () => new RidgeRegression().fit(data.frame, data.y, { task: 'regression' });
    const model = await fitOnce();
    const file = JSON.parse(JSON.stringify(model.toFile()));
    expect([...ridgeKind.load(file).predict(data.frame)]).toEqual([...model.predict(data.frame)]);
    expect(JSON.stringify((await fitOnce()).toFile())).toBe(JSON.stringify(model.toFile()));
    expect(FittedRidgeRegression.fromFile(file).cost().parameters).toBe(7);
  });

  it('is invariant to the scale of a numeric feature', async () => {
    const size = (data.frame.columns.get('size') as { values: Float64Array }).values;
    const scaled = makeFrame(
      new Map<string, Column>([
        ['x', data.frame.columns.get('x')!],
        ['size', { type: 'numeric', values: size.map((v) => v / 1000) }],
        ['level', data.frame.columns.get('level')!],
      ]),
    );
    const a = (await new RidgeRegression().fit(data.frame, data.y, { task: 'regression' })).predict(
      data.frame,
    );
    const b = (await new RidgeRegression().fit(scaled, data.y, { task: 'regression' })).predict(
      scaled,
    );
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-9);
  });

  it('refuses a constant target and a classification task', async () => {
    const constant: Column = { type: 'numeric', values: new Float64Array(2000).fill(4) };
    await expect(
      new RidgeRegression().fit(data.frame, constant, { task: 'regression' }),
    ).rejects.toMatchObject({
      code: 'TARGET_INVALID',
    });
    await expect(
      new RidgeRegression().fit(data.frame, data.y, { task: 'binary' }),
    ).rejects.toBeInstanceOf(FlywheelError);
    expect(() => new RidgeRegression({ alpha: -1 })).toThrow(/alpha/);
  });

  it('solves the same problem by Cholesky and by L-BFGS on a compact matrix with one-hot columns', () => {
    const random = rng(9);
    const rows = 500;
    const dense = Float64Array.from({ length: rows * 2 }, () => random() * 2 - 1);
    const active = Int32Array.from({ length: rows * 2 }, (_, i) =>
      i % 2 === 0
        ? 2 + Math.floor(random() * 6)
        : random() < 0.2
          ? -1
          : 8 + Math.floor(random() * 5),
    );
    const X: CompactMatrix = { rows, cols: 13, dense, denseCols: 2, active, activeCols: 2 };
    const y = Float64Array.from(
      { length: rows },
      (_, i) => dense[2 * i]! * 3 + (active[2 * i]! % 3) + random(),
    );
    const weights = Float64Array.from({ length: rows }, () => 0.5 + random());
    const a = solveRidge(X, y, { alpha: 0.3, weights, solver: 'cholesky' });
    const b = solveRidge(X, y, { alpha: 0.3, weights, solver: 'lbfgs' });
    for (let j = 0; j < 13; j++) expect(Math.abs(a.coef[j]! - b.coef[j]!)).toBeLessThan(1e-7);
    expect(Math.abs(a.intercept[0]! - b.intercept[0]!)).toBeLessThan(1e-7);
  });
});

describe('cholesky', () => {
  it('factors and solves a small SPD system, and rejects an indefinite one', () => {
    const A = new Float64Array([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
    const L = cholesky(A, 3)!;
    expect(L[0]).toBe(2);
    const x = choleskySolve(L, new Float64Array([1, 2, 3]), 3);
    for (let i = 0; i < 3; i++) {
      const row = A[3 * i]! * x[0]! + A[3 * i + 1]! * x[1]! + A[3 * i + 2]! * x[2]!;
      expect(row).toBeCloseTo(i + 1, 12);
    }
    expect(cholesky(new Float64Array([1, 2, 2, 1]), 2)).toBeNull();
  });
});
