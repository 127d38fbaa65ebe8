/**
 * Logistic regression, binary (sigmoid) and multinomial (softmax), with an L2
 * penalty in scikit-learn's convention: minimise
 * Σᵢ wᵢ·logloss + ½·(1/C)·‖W‖², the intercept unpenalised; the parameter is
 * `C` (default 1.0), as in sklearn's LogisticRegression. Inputs go through the
 * fitted preprocessing of design-matrix.ts (standardisation, missing
 * indicators, one-hot with a rare bucket), so penalties act on standardised
 * coefficients. Solved by L-BFGS; deterministic (no randomness at all).
 *
 * Multiclass: classes with no labelled training row are not fitted and get
 * probability 0. A single-class or all-missing target is refused with
 * TARGET_INVALID (the prior baseline covers it).
 */
import { z } from 'zod';
import { type Column, type Frame, takeRows } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import type { Task } from '../../spec/index.js';
import { alignFrame, schemaOf } from '../align.js';
import type { Estimator, FeatureSchema, FitOptions, ModelFile } from '../estimator.js';
import { parseParams } from '../model-file.js';
import type { ModelKind } from '../model-registry.js';
import { buildDesign, fitDesign } from './design-matrix.js';
import { FittedLinearModel, type LinearCore, readLinearCore } from './fitted-linear.js';
import { binaryTarget, checkLength, classTarget } from './linear-target.js';
import { sigmoid } from './logistic-objective.js';
import { solveLogistic } from './logistic-solver.js';

export const LogisticParams = z.strictObject({
  C: z
    .number()
    .positive()
    .finite()
    .default(1)
    .describe('Inverse L2 strength, as in scikit-learn (penalty ½·(1/C)·‖w‖²).'),
  max_iter: z.int().positive().default(500).describe('Maximum L-BFGS iterations.'),
  tol: z
    .number()
    .positive()
    .default(1e-6)
    .describe(
      'Stop when max |gradient| of the per-row mean objective (diagonally preconditioned) is below this.',
    ),
  min_frequency: z
    .number()
    .positive()
    .optional()
    .describe(
      'Categorical levels with fewer training rows (≥ 1: a count; < 1: a fraction) share a rare column. Default max(10, 0.1% of rows).',
    ),
});
export type LogisticParams = z.output<typeof LogisticParams>;

const TASKS = ['binary', 'multiclass'] as const satisfies readonly Task[];

/**
 * The logistic-regression estimator: stores validated parameters; `fit` returns a FittedLogisticRegression.
 *
 * @example
 * const model = await new LogisticRegression({ C: 0.5 }).fit(frame, target, { task: 'binary' });
 * const p = model.predict(testFrame); // P(positive) per row
 */
export class LogisticRegression implements Estimator<LogisticParams, FittedLogisticRegression> {
  readonly kind = 'logistic';
  readonly tasks: readonly Task[] = TASKS;
  readonly params: Readonly<LogisticParams>;

  constructor(params: Partial<LogisticParams> | Record<string, unknown> = {}) {
    this.params = parseParams('logistic', LogisticParams, params);
  }

  async fit(frame: Frame, target: Column, options: FitOptions): Promise<FittedLogisticRegression> {
    const { task } = options;
    if (task !== 'binary' && task !== 'multiclass') {
      throw new FlywheelError(
        'USAGE',
        `model "logistic" fits binary and multiclass tasks, not ${task}; use "ridge" for regression`,
      );
    }
    checkLength(frame, target);
    const schema = schemaOf(frame);
    const classes = task === 'multiclass' ? (options.classes ?? classesOf(target)) : undefined;
    const prepared = classes
      ? classTarget(target, classes, options.weights)
      : binaryTarget(target, options.weights);
    const rows = prepared.keep ? takeRows(frame, prepared.keep) : frame;
    const columns = alignFrame(rows, schema);
    const { weights } = prepared;
    const design = fitDesign(columns, schema, { minFrequency: this.params.min_frequency, weights });
    const X = buildDesign(design, columns, 0, rows.rowCount);
    const present = 'present' in prepared ? prepared.present : undefined;
    const { max_iter: maxIter } = this.params;
    const solution = solveLogistic(X, prepared.labels, present ? present.length : 1, {
      C: this.params.C,
      tol: this.params.tol,
      maxIter,
      ...(weights ? { weights } : {}),
      ...(options.onProgress
        ? { onIteration: (iteration: number) => options.onProgress!({ iteration, total: maxIter }) }
        : {}),
    });
    return new FittedLogisticRegression(
      task,
      schema,
      this.params,
      { design, solution },
      classes,
      present,
    );
  }
}

/**
 * A fitted logistic regression. `predict` gives P(positive) (binary) or
 * row-major n × k class probabilities (multiclass, in `classes` order).
 *
 * @example
 * const same = FittedLogisticRegression.fromFile(model.toFile());
 * model.coefficients(); // [{ name: '(intercept)', value: -1.2 }, { name: 'age', value: 0.4 }, …]
 */
export class FittedLogisticRegression extends FittedLinearModel {
  readonly kind = 'logistic';

  constructor(
    task: 'binary' | 'multiclass',
    schema: FeatureSchema,
    params: Readonly<LogisticParams>,
    core: LinearCore,
    readonly classes?: readonly string[],
    /** Multiclass: indices into `classes` of the fitted outputs (classes present in training). */
    readonly present?: readonly number[],
  ) {
    super(task, schema, params, core);
  }

  static fromFile(file: ModelFile): FittedLogisticRegression {
    if (file.task !== 'binary' && file.task !== 'multiclass') {
      throw new FlywheelError(
        'ARTIFACT_CORRUPT',
        `model file: a logistic model cannot have task ${file.task}`,
      );
    }
    const params = parseParams('logistic', LogisticParams, file.params);
    const core = readLinearCore(file);
    if (file.task === 'binary')
      return new FittedLogisticRegression('binary', file.schema, params, core);
    const classes = file.classes ?? [];
    const present = z
      .array(
        z
          .int()
          .min(0)
          .max(classes.length - 1),
      )
      .safeParse(file.state['present']);
    if (!present.success || present.data.length !== core.solution.outputs) {
      throw new FlywheelError('ARTIFACT_CORRUPT', 'model file: invalid list of fitted classes');
    }
    return new FittedLogisticRegression(
      'multiclass',
      file.schema,
      params,
      core,
      classes,
      present.data,
    );
  }

  protected get width(): number {
    return this.classes ? this.classes.length : 1;
  }

  protected outputClass(output: number): string | undefined {
    return this.classes && this.present ? this.classes[this.present[output]!] : undefined;
  }

  protected link(scores: Float64Array, rows: number, out: Float64Array, offset: number): void {
    if (!this.classes || !this.present) {
      for (let i = 0; i < rows; i++) out[offset + i] = sigmoid(scores[i]!);
      return;
    }
    const k = this.present.length;
    const width = this.classes.length;
    for (let i = 0; i < rows; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) max = Math.max(max, scores[i * k + c]!);
      let total = 0;
      for (let c = 0; c < k; c++) total += Math.exp(scores[i * k + c]! - max);
      for (let c = 0; c < k; c++) {
        out[offset + i * width + this.present[c]!] = Math.exp(scores[i * k + c]! - max) / total;
      }
    }
  }

  protected extraState(): Record<string, unknown> {
    return this.present ? { present: [...this.present] } : {};
  }

  protected override classesField(): { classes?: readonly string[] } {
    return this.classes ? { classes: [...this.classes] } : {};
  }
}

/**
 * The 'logistic' model kind for the registry.
 *
 * @example
 * registerModelKind(logisticKind);
 * const est = createEstimator('logistic', { C: 1 });
 */
export const logisticKind: ModelKind = {
  kind: 'logistic',
  description:
    'Logistic regression (binary, multinomial) with L2 penalty C as in scikit-learn; standardised numerics, missing indicators, one-hot with a rare bucket',
  create: (params) => new LogisticRegression(params ?? {}),
  load: (file) => FittedLogisticRegression.fromFile(file),
};

function classesOf(target: Column): readonly string[] {
  if (target.type === 'categorical') return target.dictionary;
  throw new FlywheelError(
    'USAGE',
    'multiclass fit: pass options.classes, or a categorical target whose dictionary names the classes',
  );
}
