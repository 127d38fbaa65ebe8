/**
 * The GBDT's parameters, declared once: validation messages and defaults come
 * from this schema. Names and defaults follow LightGBM, except the
 * categorical ones (max_cat_threshold, cat_smooth, cat_l2,
 * min_data_per_group), which are closer to scikit-learn's unregularised
 * categorical splits: LightGBM's (32, 10, 10, 100) cost 0.003–0.005 AUC on
 * the flights benchmark (docs/gbdt.md).
 */
import { z } from 'zod';

export const GBDTParams = z.strictObject({
  n_estimators: z.number().int().min(1).default(100).describe('Boosting rounds (trees per class).'),
  learning_rate: z.number().positive().default(0.1).describe('Shrinkage applied to every leaf.'),
  num_leaves: z.number().int().min(2).max(65536).default(31).describe('Leaves per tree.'),
  max_depth: z
    .number()
    .int()
    .min(-1)
    .refine((d) => d !== 0, 'max_depth must be -1 (no limit) or at least 1')
    .default(-1)
    .describe('Depth limit; -1 for none.'),
  min_data_in_leaf: z.number().int().min(1).default(20).describe('Fewest rows in a leaf.'),
  min_sum_hessian_in_leaf: z
    .number()
    .min(0)
    .default(1e-3)
    .describe('Smallest hessian sum in a leaf.'),
  lambda_l2: z.number().min(0).default(0).describe('L2 penalty on leaf values.'),
  min_gain_to_split: z.number().min(0).default(0).describe('Smallest gain worth a split.'),
  max_bins: z
    .number()
    .int()
    .min(2)
    .max(255)
    .default(255)
    .describe('Value bins per feature (missing values get one more).'),
  min_data_in_bin: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('Categories with fewer training rows share the "other" bin.'),
  feature_fraction: z
    .number()
    .gt(0)
    .max(1)
    .default(1)
    .describe('Share of features each tree may split on.'),
  bagging_fraction: z.number().gt(0).max(1).default(1).describe('Share of rows each bag keeps.'),
  bagging_freq: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Draw a new bag every k rounds; 0 off.'),
  early_stopping_rounds: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Stop when the validation metric has not improved for this many rounds; 0 off.'),
  objective: z
    .enum(['auto', 'binary', 'multiclass', 'regression', 'quantile'])
    .default('auto')
    .describe('Loss; auto picks it from the task (quantile needs a regression task).'),
  alpha: z.number().gt(0).lt(1).default(0.5).describe('Quantile objective: the quantile.'),
  max_cat_to_onehot: z
    .number()
    .int()
    .min(1)
    .default(4)
    .describe('Categoricals with at most this many bins split one-vs-rest.'),
  max_cat_threshold: z
    .number()
    .int()
    .min(1)
    .default(128)
    .describe('Most categories on the left side of a categorical split.'),
  cat_smooth: z
    .number()
    .min(0)
    .default(1)
    .describe('Smoothing of the gradient/hessian ratio that orders categories.'),
  cat_l2: z.number().min(0).default(0).describe('Extra L2 penalty in categorical split gains.'),
  min_data_per_group: z
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Fewest rows on the category side of a categorical split.'),
  num_threads: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Threads for training; 0 picks from the machine and the data size.'),
});

export type GBDTParams = z.output<typeof GBDTParams>;
export type GBDTParamsInput = z.input<typeof GBDTParams>;
