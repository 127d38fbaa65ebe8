/**
 * Ridge regression in scikit-learn's convention: minimise
 * Σᵢ wᵢ (yᵢ − xᵢw − b)² + α‖w‖², the intercept unpenalised, `alpha` default
 * 1.0 as in sklearn's Ridge. Inputs go through the fitted preprocessing of
 * design-matrix.ts, so α acts on standardised coefficients. Closed form by
 * Cholesky (L-BFGS past CHOLESKY_MAX_COLUMNS columns); deterministic.
 * A constant or all-missing target is refused with TARGET_INVALID.
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
import { checkLength, regressionTarget } from './linear-target.js';
import { solveRidge } from './ridge-solver.js';

export const RidgeParams = z.strictObject({
  alpha: z
    .number()
    .nonnegative()
    .finite()
    .default(1)
    .describe('L2 strength, as in scikit-learn Ridge (penalty α‖w‖²).'),
  min_frequency: z
    .number()
    .positive()
    .optional()
    .describe(
      'Categorical levels with fewer training rows (≥ 1: a count; < 1: a fraction) share a rare column. Default max(10, 0.1% of rows).',
    ),
});
export type RidgeParams = z.output<typeof RidgeParams>;

/**
 * The ridge-regression estimator: stores validated parameters; `fit` returns a FittedRidgeRegression.
 *
 * @example
 * const model = await new RidgeRegression({ alpha: 10 }).fit(frame, target, { task: 'regression' });
 * const yhat = model.predict(testFrame);
 */
export class RidgeRegression implements Estimator<RidgeParams, FittedRidgeRegression> {
  readonly kind = 'ridge';
  readonly tasks: readonly Task[] = ['regression'];
  readonly params: Readonly<RidgeParams>;

  constructor(params: Partial<RidgeParams> | Record<string, unknown> = {}) {
    this.params = parseParams('ridge', RidgeParams, params);
  }

  async fit(frame: Frame, target: Column, options: FitOptions): Promise<FittedRidgeRegression> {
    if (options.task !== 'regression') {
      throw new FlywheelError(
        'USAGE',
        `model "ridge" fits regression tasks, not ${options.task}; use "logistic" for classification`,
      );
    }
    checkLength(frame, target);
    const schema = schemaOf(frame);
    const prepared = regressionTarget(target, options.weights);
    const rows = prepared.keep ? takeRows(frame, prepared.keep) : frame;
    const columns = alignFrame(rows, schema);
    const { weights } = prepared;
    const design = fitDesign(columns, schema, { minFrequency: this.params.min_frequency, weights });
    const X = buildDesign(design, columns, 0, rows.rowCount);
    const solution = solveRidge(X, prepared.values, {
      alpha: this.params.alpha,
      ...(weights ? { weights } : {}),
    });
    options.onProgress?.({ iteration: 1, total: 1 });
    return new FittedRidgeRegression(schema, this.params, { design, solution });
  }
}

/**
 * A fitted ridge regression; `predict` gives the value per row.
 *
 * @example
 * const same = FittedRidgeRegression.fromFile(model.toFile());
 */
export class FittedRidgeRegression extends FittedLinearModel {
  readonly kind = 'ridge';

  constructor(schema: FeatureSchema, params: Readonly<RidgeParams>, core: LinearCore) {
    super('regression', schema, params, core);
  }

  static fromFile(file: ModelFile): FittedRidgeRegression {
    if (file.task !== 'regression') {
      throw new FlywheelError(
        'ARTIFACT_CORRUPT',
        `model file: a ridge model cannot have task ${file.task}`,
      );
    }
    const core = readLinearCore(file);
    if (core.solution.outputs !== 1)
      throw new FlywheelError('ARTIFACT_CORRUPT', 'model file: a ridge model has one output');
    return new FittedRidgeRegression(
      file.schema,
      parseParams('ridge', RidgeParams, file.params),
      core,
    );
  }

  protected get width(): number {
    return 1;
  }

  protected outputClass(): undefined {
    return undefined;
  }

  protected link(scores: Float64Array, rows: number, out: Float64Array, offset: number): void {
    out.set(scores.subarray(0, rows), offset);
  }

  protected extraState(): Record<string, unknown> {
    return {};
  }
}

/**
 * The 'ridge' model kind for the registry.
 *
 * @example
 * registerModelKind(ridgeKind);
 * const est = createEstimator('ridge', { alpha: 1 });
 */
export const ridgeKind: ModelKind = {
  kind: 'ridge',
  description:
    'Ridge regression with L2 penalty alpha as in scikit-learn; standardised numerics, missing indicators, one-hot with a rare bucket',
  create: (params) => new RidgeRegression(params ?? {}),
  load: (file) => FittedRidgeRegression.fromFile(file),
};
