/**
 * Rule baselines (step 2): a condition written in the spec, e.g.
 * `origin in ('ORD', 'EWR') and hour >= 17`, in Flywheel's safe expression
 * language (parsed, never run as code). Fitting learns what the target looks
 * like where the rule holds, where it does not, and where it cannot be
 * evaluated (a missing input): P(positive) per group for a binary task, the
 * mean for regression, class frequencies for multiclass. So a rule gives
 * calibrated scores that the cost-optimal threshold can act on.
 */
import { z } from 'zod';
import type { Column, Frame } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import {
  type Expression,
  evaluate,
  parseExpression,
  referencedColumns,
  type Task,
} from '../../spec/index.js';
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
import { classFrequencies, classTarget, numericTarget, weightedMean } from './target-stats.js';

const RuleParams = z.strictObject({
  expression: z
    .string()
    .min(1)
    .describe('The condition; true means "positive" (or the rule group).'),
  name: z.string().optional(),
});
export type RuleParams = z.output<typeof RuleParams>;

const GROUPS = ['true', 'false', 'missing'] as const;

/** Group of each row: 0 rule true, 1 false, 2 missing. */
function groups(expr: Expression, frame: Frame): Uint8Array {
  const expression = expr.source;
  for (const name of referencedColumns(expr)) {
    if (!frame.columns.has(name)) {
      throw new FlywheelError(
        'SCHEMA_MISSING_COLUMN',
        `rule "${expression}" refers to "${name}", which is not a feature; features are: ${frame.schema.map((f) => f.name).join(', ')}`,
      );
    }
  }
  const values = evaluate(expr, frame.columns, frame.rowCount);
  const out = new Uint8Array(frame.rowCount);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = Number.isNaN(v) ? 2 : v !== 0 ? 0 : 1;
  }
  return out;
}

export class FittedRule implements FittedModel {
  readonly kind = 'rule';
  readonly #expression: Expression;
  constructor(
    readonly task: Task,
    readonly schema: FeatureSchema,
    readonly params: RuleParams,
    /** Per group (true, false, missing): the prediction (k values each for multiclass). */
    readonly groupValues: Float64Array,
    readonly classes?: readonly string[],
  ) {
    this.#expression = parseExpression(params.expression);
  }

  predict(frame: Frame): Float64Array {
    const g = groups(this.#expression, frame);
    const k = this.task === 'multiclass' ? this.groupValues.length / GROUPS.length : 1;
    const out = new Float64Array(frame.rowCount * k);
    for (let i = 0; i < g.length; i++) {
      for (let c = 0; c < k; c++) out[i * k + c] = this.groupValues[g[i]! * k + c]!;
    }
    return out;
  }

  cost(): ModelCost {
    return {
      bytes: JSON.stringify(this.toFile()).length,
      parameters: this.groupValues.length,
      opsPerRow: 10,
    };
  }

  toFile(): ModelFile {
    return modelFile(this, this.params, { groupValues: [...this.groupValues] });
  }
}

/**
 * A rule from the spec, fitted to give per-group target statistics.
 *
 * @example
 * const rule = await new Rule({ expression: 'hour >= 17' }).fit(frame, target, { task: 'binary' });
 */
export class Rule implements Estimator<RuleParams, FittedRule> {
  readonly kind = 'rule';
  readonly tasks = ['binary', 'multiclass', 'regression'] as const;
  readonly params: RuleParams;

  constructor(params: Partial<RuleParams>) {
    this.params = parseParams('rule', RuleParams, params);
    parseExpression(this.params.expression);
  }

  async fit(frame: Frame, target: Column, options: FitOptions): Promise<FittedRule> {
    const g = groups(parseExpression(this.params.expression), frame);
    const schema = schemaOf(frame);
    const rowsOf = (group: number) => {
      const rows: number[] = [];
      for (let i = 0; i < g.length; i++) if (g[i] === group) rows.push(i);
      return rows;
    };
    if (options.task === 'multiclass') {
      const { codes, k } = classTarget(target, options.classes);
      const overall = classFrequencies(codes, k, options.weights);
      const values = new Float64Array(GROUPS.length * k);
      GROUPS.forEach((_, group) => {
        const rows = rowsOf(group);
        values.set(
          rows.length > 0 ? classFrequencies(codes, k, options.weights, rows) : overall,
          group * k,
        );
      });
      const classes = options.classes ?? (target.type === 'categorical' ? target.dictionary : []);
      return new FittedRule('multiclass', schema, this.params, values, classes);
    }
    const y = numericTarget(target, options.task);
    const overall = weightedMean(y, options.weights);
    if (Number.isNaN(overall))
      throw new FlywheelError('TARGET_INVALID', 'the target has no labelled rows');
    const values = Float64Array.from(GROUPS, (_, group) => {
      const m = weightedMean(y, options.weights, rowsOf(group));
      return Number.isNaN(m) ? overall : m;
    });
    return new FittedRule(options.task, schema, this.params, values);
  }
}

export const ruleKind: ModelKind = {
  kind: 'rule',
  description:
    'a condition from the spec, with target statistics where it holds and where it does not',
  create: (params) => new Rule(params as Partial<RuleParams>),
  load: (file) =>
    new FittedRule(
      file.task,
      file.schema,
      parseParams('rule', RuleParams, file.params),
      Float64Array.from(file.state['groupValues'] as number[]),
      file.classes,
    ),
};
