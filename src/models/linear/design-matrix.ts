/**
 * The preprocessing of the linear models, fitted on the training rows and
 * saved with the model, turning aligned Frame columns into a CompactMatrix:
 *
 * - numeric and timestamp features are standardised with the (weighted)
 *   training mean and population std; a feature constant in training (std 0)
 *   gets no column; ±Infinity counts as missing;
 * - a numeric feature that had missing values in training gets a 0/1
 *   missing-indicator column, and its missing values are imputed with the
 *   training mean (0 after standardisation); missing values of a feature that
 *   had none in training are imputed the same way, with no indicator;
 * - a categorical feature is one-hot encoded (0/1, not standardised). Levels
 *   seen in fewer than `minFrequency` training rows share one rare column,
 *   which also receives categories unseen in training. A feature with missing
 *   categories in training gets its own missing column; missing or unseen
 *   values with no column to go to encode as all zeros (the intercept's
 *   "average" level).
 *
 * Columns: the dense block of standardised values first (numeric features in
 * schema order), then the 0/1 columns, per feature in schema order: a
 * numeric's missing indicator; a categorical's frequent levels in dictionary
 * order, then rare, then missing. The 0/1 columns are stored sparsely, one
 * index per feature and row (see compact-matrix.ts), so an indicator that is
 * mostly 0 costs no dense memory or arithmetic.
 */
import { z } from 'zod';
import type { Column } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import { MISSING } from '../align.js';
import type { FeatureSchema } from '../estimator.js';
import type { CompactMatrix } from './compact-matrix.js';

export interface DesignOptions {
  /**
   * A categorical level is rare when it has fewer training rows than this: a
   * row count when ≥ 1, a fraction of the rows when < 1. Default: fewer than
   * 10 rows or fewer than 0.1% of the rows, whichever is larger.
   */
  readonly minFrequency?: number;
  /**
   * Per-row weights: means and stds are weighted, and rows of weight 0 do not
   * count (for rare levels and missing indicators either).
   */
  readonly weights?: Float64Array;
}

const NumericEncoding = z.object({
  name: z.string(),
  type: z.enum(['numeric', 'timestamp']),
  mean: z.number(),
  std: z.number(),
  /** Column of the standardised value, or -1 when the feature was constant. */
  column: z.int(),
  /** Column of the missing indicator, or -1 when training had no missing values. */
  missingColumn: z.int(),
});

const CategoricalEncoding = z.object({
  name: z.string(),
  type: z.literal('categorical'),
  /** Training dictionary code → one-hot column, or -1 for a rare level. */
  levels: z.array(z.int()),
  rareColumn: z.int(),
  missingColumn: z.int(),
});

const DesignSpecSchema = z.object({
  version: z.literal(1),
  features: z.array(z.discriminatedUnion('type', [NumericEncoding, CategoricalEncoding])),
  denseCols: z.int().nonnegative(),
  cols: z.int().nonnegative(),
  names: z.array(z.string()),
});

/** The fitted preprocessing; plain JSON, saved in the model file. */
export type DesignSpec = z.infer<typeof DesignSpecSchema>;
export type FeatureEncoding = DesignSpec['features'][number];

/**
 * Fits the preprocessing on training columns (aligned to `schema`).
 *
 * @example
 * const spec = fitDesign(alignFrame(train, schema), schema, { minFrequency: 20 });
 * const X = buildDesign(spec, alignFrame(test, schema));
 */
export function fitDesign(
  columns: readonly Column[],
  schema: FeatureSchema,
  options: DesignOptions = {},
): DesignSpec {
  const { weights } = options;
  const rows = weights ? weights.filter((w) => w > 0).length : rowCount(columns);
  const threshold = rareThreshold(rows, options.minFrequency);
  const names: string[] = [];
  const features: FeatureEncoding[] = new Array(columns.length);
  // Pass 1: the dense block (standardised values); pass 2: the 0/1 columns.
  const stats: ({ mean: number; std: number; column: number; indicator: boolean } | undefined)[] =
    [];
  for (let f = 0; f < columns.length; f++) {
    const column = columns[f]!;
    if (column.type === 'categorical') continue;
    const { mean, std, missing, observed } = moments(column.values, weights);
    const valueColumn = observed > 0 && std > 0 ? names.push(schema.features[f]!.name) - 1 : -1;
    stats[f] = { mean, std, column: valueColumn, indicator: missing > 0 && observed > 0 };
  }
  const denseCols = names.length;
  for (let f = 0; f < columns.length; f++) {
    const column = columns[f]!;
    const name = schema.features[f]!.name;
    if (column.type !== 'categorical') {
      const { mean, std, column: valueColumn, indicator } = stats[f]!;
      const missingColumn = indicator ? names.push(`${name}[missing]`) - 1 : -1;
      features[f] = { name, type: column.type, mean, std, column: valueColumn, missingColumn };
      continue;
    }
    const dictionary = schema.features[f]!.dictionary ?? column.dictionary;
    const counts = new Float64Array(dictionary.length);
    let rare = 0;
    let missing = 0;
    for (let i = 0; i < column.codes.length; i++) {
      if (weights && !(weights[i]! > 0)) continue;
      const c = column.codes[i]!;
      if (c >= 0 && c < counts.length) counts[c] = counts[c]! + 1;
      else if (c === MISSING) missing++;
    }
    const levels = Array.from(counts, (count, code) => {
      if (count >= threshold) return names.push(`${name}=${dictionary[code]}`) - 1;
      rare += count;
      return -1;
    });
    const rareColumn = rare > 0 ? names.push(`${name}[rare]`) - 1 : -1;
    const missingColumn = missing > 0 ? names.push(`${name}[missing]`) - 1 : -1;
    features[f] = { name, type: 'categorical', levels, rareColumn, missingColumn };
  }
  return { version: 1, features, denseCols, cols: names.length, names };
}

/**
 * The design matrix of rows [start, end) of aligned columns.
 *
 * @example
 * const X = buildDesign(spec, alignFrame(frame, schema)); // X.cols === spec.cols
 */
export function buildDesign(
  spec: DesignSpec,
  columns: readonly Column[],
  start = 0,
  end = rowCount(columns),
): CompactMatrix {
  const rows = end - start;
  const d = spec.denseCols;
  const slots = spec.features.filter(hasSlot).length;
  const dense = new Float64Array(rows * d);
  const active = new Int32Array(rows * slots);
  let slot = 0;
  for (let f = 0; f < spec.features.length; f++) {
    const feature = spec.features[f]!;
    const column = columns[f]!;
    if (feature.type === 'categorical') {
      if (column.type !== 'categorical') throw mismatch(feature.name);
      const { levels, rareColumn, missingColumn } = feature;
      const codes = column.codes;
      for (let i = 0; i < rows; i++) {
        const c = codes[start + i]!;
        let a: number;
        if (c >= 0 && c < levels.length) {
          a = levels[c]!;
          if (a < 0) a = rareColumn;
        } else a = c === MISSING ? missingColumn : rareColumn; // UNSEEN (or out of range)
        active[i * slots + slot] = a;
      }
      slot++;
      continue;
    }
    if (column.type === 'categorical') throw mismatch(feature.name);
    const { mean, std, column: vc, missingColumn: mc } = feature;
    const values = column.values;
    const inv = std > 0 ? 1 / std : 0;
    for (let i = 0; i < rows; i++) {
      const x = values[start + i]!;
      const present = Number.isFinite(x);
      if (vc >= 0) dense[i * d + vc] = present ? (x - mean) * inv : 0;
      if (mc >= 0) active[i * slots + slot] = present ? -1 : mc;
    }
    if (mc >= 0) slot++;
  }
  return { rows, cols: spec.cols, dense, denseCols: d, active, activeCols: slots };
}

/** A design spec read back from a model file, validated. */
export function parseDesignSpec(json: unknown): DesignSpec {
  const parsed = DesignSpecSchema.safeParse(json);
  if (!parsed.success) {
    throw new FlywheelError(
      'ARTIFACT_CORRUPT',
      `model file: invalid linear design (${parsed.error.issues[0]?.message})`,
    );
  }
  return parsed.data;
}

/** Rows of the smallest count that is not rare (see DesignOptions.minFrequency). */
export function rareThreshold(rows: number, minFrequency: number | undefined): number {
  if (minFrequency === undefined) return Math.max(10, 0.001 * rows);
  return minFrequency >= 1 ? minFrequency : minFrequency * rows;
}

/** Features stored as an index in the sparse block: categoricals, and numerics with an indicator. */
function hasSlot(feature: FeatureEncoding): boolean {
  return feature.type === 'categorical' || feature.missingColumn >= 0;
}

function rowCount(columns: readonly Column[]): number {
  const first = columns[0];
  if (!first) return 0;
  return first.type === 'categorical' ? first.codes.length : first.values.length;
}

/** Weighted mean and population std of the finite values (two passes, for accuracy). */
function moments(values: Float64Array, weights: Float64Array | undefined) {
  let mass = 0;
  let sum = 0;
  let missing = 0;
  let observed = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? weights[i]! : 1;
    if (!(w > 0)) continue;
    const x = values[i]!;
    if (!Number.isFinite(x)) {
      missing++;
      continue;
    }
    observed++;
    mass += w;
    sum += w * x;
  }
  const mean = mass > 0 ? sum / mass : 0;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x)) ss += (weights ? weights[i]! : 1) * (x - mean) ** 2;
  }
  let std = mass > 0 ? Math.sqrt(ss / mass) : 0;
  // A spread at rounding level is a constant column.
  if (std <= 1e-12 * Math.max(1, Math.abs(mean))) std = 0;
  return { mean, std, missing, observed };
}

function mismatch(name: string): FlywheelError {
  return new FlywheelError('SCHEMA_TYPE_MISMATCH', `feature "${name}" changed type since training`);
}
