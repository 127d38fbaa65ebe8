import { describe, expect, it } from 'vitest';
import { type Column, type Frame, makeFrame, takeRows } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import { createRng as rng } from '../../random.js';
import { loadModel, registerModelKind } from '../model-registry.js';
import { FittedLogisticRegression, LogisticRegression, logisticKind } from './logistic.js';

const LEVELS = ['north', 'south', 'east', 'west', 'tiny1', 'tiny2'];
const EFFECT = [0.8, -0.5, 0.2, 0, 1.5, -1.5];

/** Two numerics (x2 with 10% missing), one categorical with two rare levels; binary and 3-class targets. */
function synthetic(n: number, seed: number): { frame: Frame; binary: Column; multi: Column } {
  const random = rng(seed);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const region = new Int32Array(n);
  const binary = new Float64Array(n);
  const multi = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = random() * 4 - 2;
    x2[i] = random() < 0.1 ? Number.NaN : 50 + 20 * (random() - 0.5);
    const u = random();
    region[i] = u < 0.001 ? 4 : u < 0.002 ? 5 : u < 0.05 ? -1 : Math.floor(random() * 4);
    const r = region[i]! >= 0 ? EFFECT[region[i]!]! : 0.3;
    const z = 0.3 + 1.2 * x1[i]! + (Number.isNaN(x2[i]!) ? 0.5 : -0.05 * (x2[i]! - 50)) + r;
    binary[i] = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    multi[i] = z < -0.3 ? 0 : z < 1 ? 1 : 2;
    if (random() < 0.15) multi[i] = Math.floor(random() * 3);
  }
  const frame = makeFrame(
    new Map<string, Column>([
      ['x1', { type: 'numeric', values: x1 }],
      ['x2', { type: 'numeric', values: x2 }],
      ['region', { type: 'categorical', codes: region, dictionary: LEVELS }],
    ]),
  );
  return {
    frame,
    binary: { type: 'numeric', values: binary },
    multi: { type: 'categorical', codes: multi, dictionary: ['low', 'mid', 'high'] },
  };
}

const data = synthetic(3000, 1);
const binaryFit = () => new LogisticRegression().fit(data.frame, data.binary, { task: 'binary' });

describe('logistic regression: binary', () => {
  it('learns the generating signs and predicts probabilities', async () => {
    const model = await binaryFit();
    const coef = Object.fromEntries(model.coefficients().map((c) => [c.name, c.value]));
    expect(Object.keys(coef)).toEqual([
      '(intercept)',
      'x1',
      'x2',
      'x2[missing]',
      'region=north',
      'region=south',
      'region=east',
      'region=west',
      'region[rare]',
      'region[missing]',
    ]);
    expect(coef['x1']).toBeGreaterThan(0.5);
    expect(coef['x2']).toBeLessThan(0);
    expect(coef['region=north']).toBeGreaterThan(coef['region=south']!);
    const p = model.predict(data.frame);
    expect(p.length).toBe(3000);
    for (const v of p) expect(v > 0 && v < 1).toBe(true);
  });

  it('save → load gives identical predictions, also through the registry', async () => {
    const model = await binaryFit();
    const file = JSON.parse(JSON.stringify(model.toFile()));
    expect([...FittedLogisticRegression.fromFile(file).predict(data.frame)]).toEqual([
      ...model.predict(data.frame),
    ]);
    registerModelKind(logisticKind);
    expect([...loadModel(file).predict(data.frame)]).toEqual([...model.predict(data.frame)]);
  });

  it('is deterministic: the same data gives a byte-identical model file', async () => {
    const a = JSON.stringify((await binaryFit()).toFile());
    const b = JSON.stringify((await binaryFit()).toFile());
    expect(a).toBe(b);
  });

  it('is invariant to the scale and offset of a numeric feature', async () => {
    const scaled = (frame: Frame) => {
      const x2 = (frame.columns.get('x2') as { values: Float64Array }).values;
      return makeFrame(
        new Map<string, Column>([
          ['x1', frame.columns.get('x1')!],
          ['x2', { type: 'numeric', values: x2.map((v) => 1000 * v - 7) }],
          ['region', frame.columns.get('region')!],
        ]),
      );
    };
    const a = (await binaryFit()).predict(data.frame);
    const m = await new LogisticRegression().fit(scaled(data.frame), data.binary, {
      task: 'binary',
    });
    const b = m.predict(scaled(data.frame));
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-8);
  });

  it('is invariant to row order, and predicts subsets row by row', async () => {
    const n = data.frame.rowCount;
    const reversed = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
    const target = (data.binary as { values: Float64Array }).values;
    const m = await new LogisticRegression().fit(
      takeRows(data.frame, reversed),
      { type: 'numeric', values: Float64Array.from(reversed, (r) => target[r]!) },
      { task: 'binary' },
    );
    const a = (await binaryFit()).predict(data.frame);
    const b = m.predict(data.frame);
    for (let i = 0; i < n; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6);
    const rows = Int32Array.from([5, 17, 2999]);
    expect([...m.predict(takeRows(data.frame, rows))]).toEqual([...rows].map((r) => b[r]));
  });

  it('handles unseen categories and missing values at prediction time', async () => {
    const model = await binaryFit();
    const serving = makeFrame(
      new Map<string, Column>([
        ['x1', { type: 'numeric', values: new Float64Array([Number.NaN, 0.5]) }],
        [
          'x2',
          { type: 'numeric', values: new Float64Array([Number.NaN, Number.NEGATIVE_INFINITY]) },
        ],
        [
          'region',
          { type: 'categorical', codes: new Int32Array([0, -1]), dictionary: ['atlantis'] },
        ],
      ]),
    );
    const p = model.predict(serving);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
  });

  it('leaves unlabelled rows out, and honours weights like repeated rows', async () => {
    const target = Float64Array.from((data.binary as { values: Float64Array }).values);
    for (let i = 0; i < 3000; i += 7) target[i] = Number.NaN;
    const withGaps = await new LogisticRegression({ tol: 1e-10 }).fit(
      data.frame,
      { type: 'numeric', values: target },
      { task: 'binary' },
    );
    const weights = Float64Array.from(target, (v) => (Number.isNaN(v) ? 0 : 1));
    const weighted = await new LogisticRegression({ tol: 1e-10 }).fit(data.frame, data.binary, {
      task: 'binary',
      weights,
    });
    // Rows of weight 0 are not training rows: same design, same model up to the solver's tolerance.
    expect(weighted.coefficients().map((c) => c.name)).toEqual(
      withGaps.coefficients().map((c) => c.name),
    );
    const a = withGaps.predict(data.frame);
    const b = weighted.predict(data.frame);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-8);
    // A weight of 2 is the row repeated (rare-level counts are in rows: 5 here ≡ 10 there).
    const twice = Int32Array.from({ length: 6000 }, (_, i) => i % 3000);
    const repeated = await new LogisticRegression({ tol: 1e-10 }).fit(
      takeRows(data.frame, twice),
      { type: 'numeric', values: Float64Array.from(twice, (r) => target[r]!) },
      { task: 'binary' },
    );
    const doubled = await new LogisticRegression({ tol: 1e-10, min_frequency: 5 }).fit(
      data.frame,
      { type: 'numeric', values: target },
      { task: 'binary', weights: new Float64Array(3000).fill(2) },
    );
    const c = repeated.predict(data.frame);
    const d = doubled.predict(data.frame);
    for (let i = 0; i < c.length; i++) expect(Math.abs(c[i]! - d[i]!)).toBeLessThan(1e-8);
  });

  it('fits an intercept-only model when there are no features', async () => {
    const empty = makeFrame(new Map());
    const nothing = { ...empty, rowCount: 4 };
    const model = await new LogisticRegression().fit(
      nothing,
      { type: 'numeric', values: new Float64Array([1, 0, 0, 0]) },
      { task: 'binary' },
    );
    // The L2 penalty leaves the intercept alone: P = the training prior.
    expect(model.predict(nothing)[3]).toBeCloseTo(0.25, 6);
    expect(model.coefficients()).toHaveLength(1);
  });

  it('reports cost and progress', async () => {
    const seen: number[] = [];
    const model = await new LogisticRegression().fit(data.frame, data.binary, {
      task: 'binary',
      onProgress: (p) => seen.push(p.iteration),
    });
    expect(seen.length).toBeGreaterThan(0);
    const cost = model.cost();
    expect(cost.parameters).toBe(10);
    expect(cost.bytes).toBe(Buffer.byteLength(JSON.stringify(model.toFile())));
    expect(cost.opsPerRow).toBeGreaterThan(0);
  });
});

describe('logistic regression: multinomial', () => {
  it('predicts row-major class probabilities that sum to 1', async () => {
    const model = await new LogisticRegression().fit(data.frame, data.multi, {
      task: 'multiclass',
    });
    expect(model.classes).toEqual(['low', 'mid', 'high']);
    const p = model.predict(data.frame);
    expect(p.length).toBe(3 * 3000);
    for (let i = 0; i < 3000; i++)
      expect(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]!).toBeCloseTo(1, 12);
    const x1 = model.coefficients().filter((c) => c.name === 'x1');
    expect(x1.map((c) => c.class)).toEqual(['low', 'mid', 'high']);
    expect(x1[0]!.value).toBeLessThan(x1[2]!.value);
    const file = JSON.parse(JSON.stringify(model.toFile()));
    expect([...FittedLogisticRegression.fromFile(file).predict(data.frame)]).toEqual([...p]);
  });

  it('gives probability 0 to a class with no training rows', async () => {
    const codes = (data.multi as { codes: Int32Array }).codes;
    const target: Column = {
      type: 'categorical',
      codes,
      dictionary: ['low', 'mid', 'high', 'never'],
    };
    const model = await new LogisticRegression().fit(data.frame, target, {
      task: 'multiclass',
      classes: ['low', 'mid', 'high', 'never'],
    });
    const p = model.predict(takeRows(data.frame, Int32Array.from([0, 1])));
    expect(p.length).toBe(8);
    expect(p[3]).toBe(0);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
  });
});

describe('logistic regression: validation', () => {
  const expectCode = async (run: () => unknown, code: string, text?: RegExp) => {
    const error = await (async () => {
      try {
        await run();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FlywheelError);
    expect((error as FlywheelError).code).toBe(code);
    if (text) expect((error as FlywheelError).message).toMatch(text);
  };

  it('refuses a single-class, all-missing or non-0/1 binary target', async () => {
    const fitOn = (values: number[]) =>
      new LogisticRegression().fit(
        takeRows(data.frame, Int32Array.from(values.keys())),
        { type: 'numeric', values: Float64Array.from(values) },
        { task: 'binary' },
      );
    await expectCode(() => fitOn([1, 1, 1]), 'TARGET_INVALID', /single class/);
    await expectCode(() => fitOn([Number.NaN, Number.NaN]), 'TARGET_INVALID', /missing in every/);
    await expectCode(() => fitOn([0, 2, 1]), 'TARGET_INVALID', /0 or 1/);
  });

  it('refuses a multiclass target with one class', async () => {
    const target: Column = {
      type: 'categorical',
      codes: new Int32Array(3000).fill(1),
      dictionary: ['a', 'b'],
    };
    await expectCode(
      () => new LogisticRegression().fit(data.frame, target, { task: 'multiclass' }),
      'TARGET_INVALID',
    );
  });

  it('validates parameters, naming them', async () => {
    await expectCode(() => new LogisticRegression({ C: -1 }), 'USAGE', /C:/);
    await expectCode(() => new LogisticRegression({ l2: 1 }), 'USAGE', /l2/);
    await expectCode(() => logisticKind.create({ max_iter: 0.5 }), 'USAGE', /max_iter/);
  });

  it('refuses a regression task and a target of the wrong length', async () => {
    await expectCode(
      () => new LogisticRegression().fit(data.frame, data.binary, { task: 'regression' }),
      'USAGE',
      /ridge/,
    );
    await expectCode(
      () =>
        new LogisticRegression().fit(
          data.frame,
          { type: 'numeric', values: new Float64Array(3) },
          { task: 'binary' },
        ),
      'USAGE',
    );
  });
});

describe('logistic regression: scale', () => {
  it('fits 200k rows × 3 numerics + 2 categoricals of 200 levels quickly', async () => {
    const n = 200_000;
    const random = rng(42);
    const dictionary = Array.from({ length: 200 }, (_, i) => `airport${i}`);
    const effects = Float64Array.from({ length: 200 }, () => random() - 0.5);
    const numerics = [0, 1, 2].map(() => new Float64Array(n));
    const origin = new Int32Array(n);
    const destination = new Int32Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = -0.5;
      for (let j = 0; j < 3; j++) {
        numerics[j]![i] = random() * 2 - 1;
        z += (j - 1) * numerics[j]![i]!;
      }
      origin[i] = Math.floor(random() ** 2 * 200);
      destination[i] = Math.floor(random() * 200);
      z += effects[origin[i]!]! + effects[destination[i]!]!;
      y[i] = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const frame = makeFrame(
      new Map<string, Column>([
        ...numerics.map((values, j) => [`x${j}`, { type: 'numeric' as const, values }] as const),
        ['origin', { type: 'categorical', codes: origin, dictionary }],
        ['destination', { type: 'categorical', codes: destination, dictionary }],
      ]),
    );
    const started = performance.now();
    const model = await new LogisticRegression().fit(
      frame,
      { type: 'numeric', values: y },
      { task: 'binary' },
    );
    const seconds = (performance.now() - started) / 1000;
    const state = model.toFile().state as { solver: { iterations: number; status: string } };
    console.log(
      `logistic 200k × (3 numeric + 2×200 levels): ${seconds.toFixed(2)} s, ${state.solver.iterations} iterations (${state.solver.status}), ${model.coefficients().length} coefficients`,
    );
    expect(state.solver.status).not.toBe('max-iterations');
  });
});
