/**
 * One conformance suite that every registered estimator runs (in the manner
 * of scikit-learn's check_estimator and hono's runTest): parameters and
 * their validation, a separate fitted type, determinism for a seed, save →
 * load, row-order and subset invariance, missing values and unseen
 * categories, degenerate targets, and a reported cost. A kind that is
 * registered but not listed in CASES fails the suite; a skip needs a reason.
 */
import { describe, expect, it } from 'vitest';
import { type Column, type Frame, makeFrame, takeRows } from '../src/data/index.js';
import { FlywheelError } from '../src/errors.js';
import { createEstimator, type FittedModel, loadModel, modelKinds } from '../src/models/index.js';
import type { Task } from '../src/spec/index.js';
import { prng, synthetic } from './fixtures/synthetic.js';

type Check =
  | 'determinism'
  | 'save-load'
  | 'row-order'
  | 'subset'
  | 'missing-and-unseen'
  | 'degenerate-target'
  | 'cost'
  | 'params';

interface Case {
  params: Record<string, unknown>;
  tasks: Task[];
  /** Tolerance for row-order invariance (floating-point summation order). */
  orderTolerance?: number;
  skip?: { reason: string; checks: Check[] }[];
}

const CASES: Record<string, Case> = {
  prior: { params: {}, tasks: ['binary', 'multiclass', 'regression'] },
  rule: {
    params: { expression: "x1 > 0 and city != 'cairo'" },
    tasks: ['binary', 'multiclass', 'regression'],
  },
  logistic: { params: {}, tasks: ['binary', 'multiclass'], orderTolerance: 1e-6 },
  ridge: { params: {}, tasks: ['regression'], orderTolerance: 1e-8 },
  gbdt: {
    params: { n_estimators: 20, num_leaves: 7, min_data_in_leaf: 5 },
    tasks: ['binary', 'multiclass', 'regression'],
    orderTolerance: 1e-6,
  },
};

const data = synthetic(400, 7);

function targetFor(task: Task): Column {
  return task === 'binary'
    ? data.binary
    : task === 'regression'
      ? data.regression
      : data.multiclass;
}

function fitModel(
  kind: string,
  params: Record<string, unknown>,
  task: Task,
  frame: Frame,
  target: Column,
  seed = 3,
): Promise<FittedModel> {
  return createEstimator(kind, params).fit(frame, target, {
    task,
    seed,
    ...(task === 'multiclass' ? { classes: data.classes } : {}),
  });
}

function permute(n: number, seed: number): Int32Array {
  const rand = prng(seed);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows;
}

function takeTarget(target: Column, rows: Int32Array): Column {
  if (target.type === 'categorical')
    return { ...target, codes: Int32Array.from(rows, (r) => target.codes[r]!) };
  return { type: target.type, values: Float64Array.from(rows, (r) => target.values[r]!) };
}

function expectValidPredictions(model: FittedModel, task: Task, p: Float64Array, n: number) {
  const k = task === 'multiclass' ? data.classes.length : 1;
  expect(p.length).toBe(n * k);
  for (const v of p) expect(Number.isFinite(v)).toBe(true);
  if (task === 'binary') for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
  if (task === 'multiclass') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += p[i * k + c]!;
      expect(s).toBeCloseTo(1, 9);
    }
    expect(model.classes).toEqual(data.classes);
  }
}

describe('every registered model kind is covered', () => {
  it('lists each registered kind in the conformance cases', () => {
    const registered = modelKinds().map((k) => k.kind);
    expect(registered.length).toBeGreaterThan(0);
    for (const kind of registered)
      expect(CASES, `no conformance case for "${kind}"`).toHaveProperty(kind);
  });
  it('gives every skip a written reason', () => {
    for (const c of Object.values(CASES))
      for (const s of c.skip ?? []) expect(s.reason.length).toBeGreaterThan(10);
  });
});

for (const kind of modelKinds()) {
  const c = CASES[kind.kind];
  if (!c) continue;
  const skipped = new Map<Check, string>();
  for (const s of c.skip ?? []) for (const check of s.checks) skipped.set(check, s.reason);
  const check = (name: Check, title: string, fn: () => Promise<void> | void) =>
    skipped.has(name) ? it.skip(`${title} — skipped: ${skipped.get(name)}`, fn) : it(title, fn);

  describe(`estimator conformance: ${kind.kind}`, () => {
    check(
      'params',
      'stores parameters with defaults and rejects unknown or invalid ones by name',
      () => {
        const est = createEstimator(kind.kind, c.params);
        expect(typeof est.params).toBe('object');
        expect(est.kind).toBe(kind.kind);
        expect(() => createEstimator(kind.kind, { ...c.params, no_such_parameter: 1 })).toThrow(
          /no_such_parameter|Unrecognized/,
        );
      },
    );

    for (const task of c.tasks) {
      const target = targetFor(task);
      describe(task, () => {
        check(
          'determinism',
          'fits to a separate fitted type and is deterministic for a seed',
          async () => {
            const a = await fitModel(kind.kind, c.params, task, data.frame, target);
            const b = await fitModel(kind.kind, c.params, task, data.frame, target);
            expect(a.kind).toBe(kind.kind);
            expect(a.task).toBe(task);
            const pa = a.predict(data.frame);
            expectValidPredictions(a, task, pa, data.frame.rowCount);
            expect(b.predict(data.frame)).toEqual(pa);
            expect(JSON.stringify(a.toFile())).toBe(JSON.stringify(b.toFile()));
          },
        );

        check('save-load', 'gives identical predictions after save → load', async () => {
          const model = await fitModel(kind.kind, c.params, task, data.frame, target);
          const text = JSON.stringify(model.toFile());
          const loaded = loadModel(JSON.parse(text));
          expect(loaded.predict(data.frame)).toEqual(model.predict(data.frame));
          expect(JSON.stringify(loaded.toFile())).toBe(text);
        });

        check('row-order', 'does not depend on the order of the training rows', async () => {
          const rows = permute(data.frame.rowCount, 11);
          const a = await fitModel(kind.kind, c.params, task, data.frame, target);
          const b = await fitModel(
            kind.kind,
            c.params,
            task,
            takeRows(data.frame, rows),
            takeTarget(target, rows),
          );
          const pa = a.predict(data.frame);
          const pb = b.predict(data.frame);
          const tol = c.orderTolerance ?? 1e-12;
          for (let i = 0; i < pa.length; i++)
            expect(Math.abs(pa[i]! - pb[i]!)).toBeLessThanOrEqual(tol);
        });

        check(
          'subset',
          'predicts a subset of rows exactly as those rows of the whole',
          async () => {
            const model = await fitModel(kind.kind, c.params, task, data.frame, target);
            const all = model.predict(data.frame);
            const rows = Int32Array.from([5, 0, 399, 17, 17]);
            const some = model.predict(takeRows(data.frame, rows));
            const k = task === 'multiclass' ? data.classes.length : 1;
            rows.forEach((r, i) => {
              for (let j = 0; j < k; j++) expect(some[i * k + j]).toBe(all[r * k + j]);
            });
          },
        );

        check(
          'missing-and-unseen',
          'handles NaN, missing categories and categories unseen in training',
          async () => {
            const model = await fitModel(kind.kind, c.params, task, data.frame, target);
            const frame = makeFrame(
              new Map<string, Column>([
                ['x1', { type: 'numeric', values: Float64Array.of(Number.NaN, 0.5, Number.NaN) }],
                ['x2', { type: 'numeric', values: Float64Array.of(Number.NaN, Number.NaN, 0.1) }],
                [
                  'city',
                  {
                    type: 'categorical',
                    codes: Int32Array.of(0, -1, 1),
                    dictionary: ['zurich', 'berlin'],
                  },
                ],
              ]),
            );
            expectValidPredictions(model, task, model.predict(frame), 3);
          },
        );
      });
    }

    check(
      'degenerate-target',
      'refuses a constant target clearly, or documents a constant model',
      async () => {
        const task = c.tasks[0]!;
        const n = data.frame.rowCount;
        const constant: Column =
          task === 'multiclass'
            ? { type: 'categorical', codes: new Int32Array(n), dictionary: data.classes }
            : { type: 'numeric', values: new Float64Array(n).fill(task === 'binary' ? 1 : 2.5) };
        try {
          const model = await fitModel(kind.kind, c.params, task, data.frame, constant);
          const p = model.predict(data.frame);
          for (const v of p) expect(Number.isFinite(v)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(FlywheelError);
          expect((err as FlywheelError).code).toBe('TARGET_INVALID');
        }
      },
    );

    check('cost', 'reports its size and prediction cost', async () => {
      const task = c.tasks[0]!;
      const model = await fitModel(kind.kind, c.params, task, data.frame, targetFor(task));
      const cost = model.cost();
      expect(cost.bytes).toBeGreaterThan(0);
      expect(cost.parameters).toBeGreaterThan(0);
      expect(cost.opsPerRow).toBeGreaterThan(0);
    });
  });
}
