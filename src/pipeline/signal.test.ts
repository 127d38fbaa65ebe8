import { describe, expect, it } from 'vitest';
import { prng, synthetic } from '../../test/fixtures/synthetic.js';
import {
  type Column,
  type Frame,
  findLabelIssues,
  getColumn,
  makeFrame,
  takeRows,
} from '../data/index.js';
import { rocAuc } from '../evaluate/index.js';
import {
  type Estimator,
  type FittedModel,
  type RungRecord,
  registerModelKind,
} from '../models/index.js';
import { type Spec, SpecSchema } from '../spec/index.js';
import { fitPowerLaw, type LearningCurve, learningCurve, nestedSubsets } from './learning-curve.js';
import { checkLabelIssues, outOfFoldProbabilities, outOfFoldSkill } from './out-of-fold.js';
import { learningCurveFindings, noLiftFindings, signalFindings } from './signal.js';

function spec(overrides: Record<string, unknown> = {}): Spec {
  return SpecSchema.parse({
    name: 'signal_test',
    task: 'binary',
    target: { column: 'y' },
    data: { sources: { main: { path: 'data.csv' } } },
    split: { method: 'random' },
    business: { decision: 'act', costs: { tp: 0, fp: 1, fn: 4, tn: 0 } },
    acceptance: { metrics: { roc_auc: { min: 0.6 } } },
    ...overrides,
  });
}

function split(n: number, seed: number) {
  const data = synthetic(n, seed);
  return { frame: data.frame, target: data.binary, data };
}

describe('fitPowerLaw', () => {
  const rows = [1_000, 2_000, 4_000, 8_000, 10_000];

  it.each([
    { a: 2, b: 0.5, c: 0.1 },
    { a: 0.8, b: 0.3, c: 0.25 },
    { a: 30, b: 0.9, c: 0.02 },
    { a: 1.5, b: 0.4, c: 0 },
  ])('recovers a = $a, b = $b, c = $c from exact points', (truth) => {
    const errors = rows.map((n) => truth.a * n ** -truth.b + truth.c);
    const fit = fitPowerLaw(rows, errors)!;
    expect(fit.b).toBeCloseTo(truth.b, 4);
    expect(fit.c).toBeCloseTo(truth.c, 5);
    expect(fit.a / truth.a).toBeCloseTo(1, 3);
    expect(fit.r2).toBeCloseTo(1, 8);
  });

  it('fits a floor below zero when the metric has none', () => {
    const errors = rows.map((n) => 5 * n ** -0.5 - 3);
    const fit = fitPowerLaw(rows, errors, Number.NEGATIVE_INFINITY)!;
    expect(fit.c).toBeCloseTo(-3, 4);
  });

  it('needs three distinct sizes and an error above the floor', () => {
    expect(fitPowerLaw([100, 200], [0.3, 0.2])).toBeUndefined();
    expect(fitPowerLaw([100, 100, 100], [0.3, 0.2, 0.25])).toBeUndefined();
    expect(fitPowerLaw([100, 200, 400], [0, 0, 0])).toBeUndefined();
  });
});

describe('nestedSubsets', () => {
  it('gives seeded subsets, each inside the next', () => {
    const rows = Int32Array.from({ length: 1000 }, (_, i) => 3 * i);
    const subsets = nestedSubsets(rows, [0.1, 0.2, 0.4, 0.8, 1], 7);
    expect(subsets.map((s) => s.length)).toEqual([100, 200, 400, 800, 1000]);
    for (let i = 1; i < subsets.length; i++) {
      const larger = new Set(subsets[i]);
      expect(Array.from(subsets[i - 1]!).every((r) => larger.has(r))).toBe(true);
    }
    expect(nestedSubsets(rows, [0.1], 7)[0]).toEqual(subsets[0]);
    expect(nestedSubsets(rows, [0.1], 8)[0]).not.toEqual(subsets[0]);
  });
});

describe('learningCurve', () => {
  it('rises with more data on a learnable problem and predicts the doubled rows', async () => {
    const train = split(6000, 1);
    const validation = split(3000, 2);
    const progress: number[] = [];
    const curve = await learningCurve(train, validation, {
      spec: spec(),
      seed: 3,
      fractions: [0.05, 0.1, 0.2, 0.4, 0.8, 1],
      onProgress: (done) => progress.push(done),
    });
    expect(curve.metric).toBe('roc_auc');
    expect(curve.rung).toBe('gbdt_small');
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(curve.points.map((p) => p.rows)).toEqual([300, 600, 1200, 2400, 4800, 6000]);
    const first = curve.points[0]!.value;
    const last = curve.points.at(-1)!.value;
    expect(last).toBeGreaterThan(first + 0.02);
    expect(curve.fit!.b).toBeGreaterThan(0);
    expect(curve.predictedAtDouble!).toBeGreaterThanOrEqual(curve.fitted!);
    expect(curve.predictedAtDouble!).toBeLessThanOrEqual(1);
    expect(curve.gainAtDouble!).toBeGreaterThanOrEqual(0);
    expect(curve.validationSampled).toBe(false);

    const again = await learningCurve(train, validation, {
      spec: spec(),
      seed: 3,
      fractions: [0.05, 0.1, 0.2, 0.4, 0.8, 1],
    });
    expect(again.points.map((p) => p.value)).toEqual(curve.points.map((p) => p.value));
  });

  it('samples the validation split, uses the linear rung on request, reads the metric', async () => {
    const curve = await learningCurve(split(2000, 4), split(3000, 5), {
      spec: spec({
        acceptance: { metrics: { cost_per_decision: { max: 1 }, log_loss: { max: 1 } } },
      }),
      rung: 'linear',
      maxValidationRows: 1000,
    });
    expect(curve.rung).toBe('linear');
    expect(curve.metric).toBe('log_loss');
    expect(curve.better).toBe('lower');
    expect(curve.validationRows).toBe(1000);
    expect(curve.validationSampled).toBe(true);
  });

  it('reports a plateau when the metric is already perfect', async () => {
    // The target is a copy of a 0/1 feature: every subset learns it exactly.
    const part = (n: number, seed: number): { frame: Frame; target: Column } => {
      const rand = prng(seed);
      const flag = Float64Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
      const noise = Float64Array.from({ length: n }, () => rand());
      const frame = makeFrame(
        new Map<string, Column>([
          ['flag', { type: 'numeric', values: flag }],
          ['noise', { type: 'numeric', values: noise }],
        ]),
      );
      return { frame, target: { type: 'numeric', values: flag.slice() } };
    };
    const curve = await learningCurve(part(2000, 6), part(1000, 7), { spec: spec() });
    expect(curve.points.every((p) => p.value === 1)).toBe(true);
    expect(curve.plateau).toBe(true);
    expect(learningCurveFindings(curve).map((f) => f.check)).toEqual([
      'signal.learning_curve',
      'signal.plateau',
    ]);
  });

  it('refuses a rung that cannot learn', async () => {
    await expect(
      learningCurve(split(200, 1), split(200, 2), { spec: spec(), rung: 'prior' }),
    ).rejects.toThrow(/learns nothing from more rows/);
  });
});

/**
 * A model that remembers the `id` values it trained on and predicts 1 for
 * them, 0 for any other: out-of-fold predictions must all be 0.
 */
class Memoriser implements Estimator<object> {
  readonly kind = 'test_memoriser';
  readonly params = {};
  readonly tasks = ['binary', 'multiclass'] as const;
  async fit(frame: Frame): Promise<FittedModel> {
    const seen = new Set((getColumn(frame, 'id') as { values: Float64Array }).values);
    return {
      kind: this.kind,
      task: 'binary',
      schema: { features: [] },
      predict: (f: Frame) =>
        (getColumn(f, 'id') as { values: Float64Array }).values.map((v) => (seen.has(v) ? 1 : 0)),
      cost: () => ({ bytes: 0, parameters: 0, opsPerRow: 0 }),
      toFile: () => {
        throw new Error('not saved');
      },
    };
  }
}
registerModelKind({
  kind: 'test_memoriser',
  description: 'test only: remembers training ids',
  create: () => new Memoriser(),
  load: () => {
    throw new Error('not loadable');
  },
});

describe('outOfFoldProbabilities', () => {
  it('predicts no row with a model that saw it, in stratified folds', async () => {
    const n = 503;
    const labels = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
    labels[7] = Number.NaN;
    const frame = makeFrame(
      new Map<string, Column>([
        ['id', { type: 'numeric', values: Float64Array.from({ length: n }, (_, i) => i) }],
      ]),
    );
    const oof = await outOfFoldProbabilities(
      { frame, target: { type: 'numeric', values: labels } },
      { kind: 'test_memoriser', k: 5, seed: 9 },
    );
    expect(Array.from(oof.probabilities).every((p) => p === 0)).toBe(true);
    for (let fold = 0; fold < 5; fold++) {
      const positives = Array.from(labels).filter((y, i) => y === 1 && oof.folds[i] === fold);
      expect(positives.length).toBeGreaterThanOrEqual(20);
      expect(positives.length).toBeLessThanOrEqual(21);
    }
  });

  it('feeds confident learning: planted label flips are found', async () => {
    // Separable: y = 1 exactly when 1.2·x1 − 0.8·x2 > 0 (x1 missing rows dropped).
    const base = synthetic(3000, 11);
    const x1 = (getColumn(base.frame, 'x1') as { values: Float64Array }).values;
    const keep = Int32Array.from(
      Array.from({ length: 3000 }, (_, i) => i).filter((i) => !Number.isNaN(x1[i]!)),
    );
    const frame = takeRows(base.frame, keep);
    const a = (getColumn(frame, 'x1') as { values: Float64Array }).values;
    const b = (getColumn(frame, 'x2') as { values: Float64Array }).values;
    const rand = prng(5);
    const flipped = new Set<number>();
    const y = Float64Array.from(a, (v, i) => {
      const clean = 1.2 * v - 0.8 * b[i]! > 0 ? 1 : 0;
      if (rand() < 0.05) {
        flipped.add(i);
        return 1 - clean;
      }
      return clean;
    });
    const oof = await outOfFoldProbabilities(
      { frame, target: { type: 'numeric', values: y } },
      { params: { C: 100 } },
    );
    expect(rocAuc(oof.probabilities, y)).toBeGreaterThan(0.9);
    const issues = findLabelIssues(y, oof.probabilities);
    const found = Array.from(issues.rows).filter((r) => flipped.has(r)).length;
    expect(found / flipped.size).toBeGreaterThan(0.8);
    expect((issues.rows.length - found) / (y.length - flipped.size)).toBeLessThan(0.02);

    const rows = Int32Array.from(y, (_, i) => 100 + i);
    const check = await checkLabelIssues(
      { frame, target: { type: 'numeric', values: y } },
      { params: { C: 100 }, rows, threshold: 0.02 },
    );
    expect(check.skill).toBeGreaterThan(0.5);
    expect(check.findings.map((f) => [f.check, f.severity])).toEqual([
      ['quality.label_issues', 'warn'],
    ]);
    const examples = check.findings[0]!.evidence['examples'] as { row: number }[];
    expect(examples[0]!.row).toBe(100 + check.issues.rows[0]!);
  });

  it('does not judge labels the features cannot explain', async () => {
    const data = synthetic(2000, 12);
    const rand = prng(3);
    const coinFlips = Float64Array.from({ length: 2000 }, () => (rand() < 0.3 ? 1 : 0));
    const check = await checkLabelIssues({
      frame: data.frame,
      target: { type: 'numeric', values: coinFlips },
    });
    expect(check.skill).toBeLessThan(0.05);
    expect(check.findings.map((f) => [f.check, f.severity])).toEqual([
      ['quality.label_issues', 'info'],
    ]);
    expect(check.findings[0]!.message).toMatch(/labels not judged/);
  });

  it('scores out-of-fold skill against the class prior', () => {
    const target: Column = { type: 'numeric', values: Float64Array.of(0, 0, 0, 1) };
    expect(outOfFoldSkill(target, Float64Array.of(0.25, 0.25, 0.25, 0.25))).toBeCloseTo(0, 12);
    expect(outOfFoldSkill(target, Float64Array.of(0, 0, 0, 1))).toBeCloseTo(1, 12);
    const classes: Column = {
      type: 'categorical',
      codes: Int32Array.of(0, 1),
      dictionary: ['a', 'b'],
    };
    expect(outOfFoldSkill(classes, Float64Array.of(0.5, 0.5, 0.5, 0.5))).toBeCloseTo(0, 12);
  });

  it('gives n × k class probabilities for a multiclass target', async () => {
    const data = synthetic(600, 3);
    const oof = await outOfFoldProbabilities({ frame: data.frame, target: data.multiclass });
    expect(oof.probabilities).toHaveLength(600 * 3);
    for (let i = 0; i < 600; i++) {
      const row = oof.probabilities.subarray(3 * i, 3 * i + 3);
      expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 9);
    }
  });
});

function rung(name: string, score: number, decision: RungRecord['decision']): RungRecord {
  return {
    name,
    kind: name,
    params: {},
    score,
    trainSeconds: 0,
    bytes: 0,
    latencyP50Us: 1,
    latencyP99Us: 1,
    decision,
    reason: '',
  };
}

describe('signalFindings', () => {
  it('warns when no model beats the best baseline', () => {
    const rungs = [
      rung('prior', 10, 'baseline'),
      rung('linear', 8, 'baseline'),
      rung('gbdt_small', 8.2, 'stopped'),
      rung('gbdt', Number.NaN, 'not tried'),
    ];
    const [finding] = noLiftFindings(rungs);
    expect(finding!.check).toBe('signal.no_lift');
    expect(finding!.severity).toBe('warn');
    expect(finding!.evidence['bestBaseline']).toEqual({ name: 'linear', score: 8 });
    expect(finding!.evidence['bestModel']).toEqual({ name: 'gbdt_small', score: 8.2 });
  });

  it('is quiet when a model beats the baselines, or when only baselines ran', () => {
    expect(noLiftFindings([rung('prior', 10, 'baseline'), rung('gbdt', 7, 'moved up')])).toEqual(
      [],
    );
    expect(noLiftFindings([rung('prior', 10, 'baseline')])).toEqual([]);
  });

  it('describes a learning curve and what doubling would buy', () => {
    const curve: LearningCurve = {
      metric: 'roc_auc',
      better: 'higher',
      rung: 'gbdt_small',
      points: [
        { fraction: 0.5, rows: 500, value: 0.7, seconds: 0 },
        { fraction: 1, rows: 1000, value: 0.75, seconds: 0 },
      ],
      trainRows: 1000,
      validationRows: 400,
      validationSampled: false,
      fit: { a: 1, b: 0.3, c: 0.1, r2: 0.97 },
      fitted: 0.75,
      predictedAtDouble: 0.78,
      gainAtDouble: 0.03,
      plateau: false,
      seconds: 1,
    };
    const findings = signalFindings({ curve, rungs: [] });
    expect(findings.map((f) => [f.check, f.severity])).toEqual([['signal.learning_curve', 'info']]);
    expect(findings[0]!.message).toContain('predicts 0.7800 at 2,000 rows');
    expect(findings[0]!.evidence['gainAtDouble']).toBe(0.03);
  });
});
