/**
 * The prior baseline (step 2): ignores the features and predicts what the
 * training target says on average — the base rate (binary), the class
 * frequencies (multiclass), or the mean or median (regression). Every
 * candidate model must beat it.
 */
import { z } from 'zod';
import type { Column, Frame } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import type { Task } from '../../spec/index.js';
import { schemaOf } from '../align.js';
import type {
  Estimator,
  FeatureSchema,
  FitOptions,
  FittedModel,
  ModelCost,
  ModelFile,
} from '../estimator.js';
import { modelFile, parseParams } from '../model-file.js';
import type { ModelKind } from '../model-registry.js';
import {
  classFrequencies,
  classTarget,
  median,
  numericTarget,
  repeatRows,
  weightedMean,
} from './target-stats.js';

const PriorParams = z.strictObject({
  statistic: z
    .enum(['mean', 'median'])
    .default('mean')
    .describe('Regression: predict the mean or the median.'),
});
export type PriorParams = z.output<typeof PriorParams>;

export class FittedPrior implements FittedModel {
  readonly kind = 'prior';
  constructor(
    readonly task: Task,
    readonly schema: FeatureSchema,
    readonly params: PriorParams,
    /** Binary: [P(positive)]; regression: [value]; multiclass: class probabilities. */
    readonly value: Float64Array,
    readonly classes?: readonly string[],
  ) {}

  predict(frame: Frame): Float64Array {
    if (this.task === 'multiclass') return repeatRows(this.value, frame.rowCount);
    return new Float64Array(frame.rowCount).fill(this.value[0]!);
  }

  cost(): ModelCost {
    return {
      bytes: JSON.stringify(this.toFile()).length,
      parameters: this.value.length,
      opsPerRow: 1,
    };
  }

  toFile(): ModelFile {
    return modelFile(this, this.params, { value: [...this.value] });
  }
}

/**
 * Predicts the training prior.
 *
 * @example
 * const model = await new Prior().fit(frame, target, { task: 'binary' });
 * model.predict(frame); // the base rate on every row
 */
export class Prior implements Estimator<PriorParams, FittedPrior> {
  readonly kind = 'prior';
  readonly tasks = ['binary', 'multiclass', 'regression'] as const;
  readonly params: PriorParams;

  constructor(params: Partial<PriorParams> = {}) {
    this.params = parseParams('prior', PriorParams, params);
  }

  async fit(frame: Frame, target: Column, options: FitOptions): Promise<FittedPrior> {
    const schema = schemaOf(frame);
    if (options.task === 'multiclass') {
      const { codes, k } = classTarget(target, options.classes);
      const classes = options.classes ?? (target.type === 'categorical' ? target.dictionary : []);
      return new FittedPrior(
        'multiclass',
        schema,
        this.params,
        classFrequencies(codes, k, options.weights),
        classes,
      );
    }
    const values = numericTarget(target, options.task);
    const v =
      options.task === 'regression' && this.params.statistic === 'median'
        ? median(values)
        : weightedMean(values, options.weights);
    if (Number.isNaN(v))
      throw new FlywheelError('TARGET_INVALID', 'the target has no labelled rows');
    return new FittedPrior(options.task, schema, this.params, Float64Array.of(v));
  }
}

export const priorKind: ModelKind = {
  kind: 'prior',
  description: 'base rate, class frequencies, or mean/median of the training target',
  create: (params) => new Prior(params as Partial<PriorParams>),
  load: (file) =>
    new FittedPrior(
      file.task,
      file.schema,
      parseParams('prior', PriorParams, file.params),
      Float64Array.from(file.state['value'] as number[]),
      file.classes,
    ),
};
