/**
 * Targets and weights of the linear models, validated at `fit`: which rows are
 * labelled (a missing target — NaN, or category code -1 — leaves the row out of
 * training), the labels in solver form, and the refusal of a degenerate target
 * (constant, single-class, no labelled rows) with TARGET_INVALID: the prior
 * baseline is the model for those.
 */
import type { Column, Frame } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';

export interface LabelledRows {
  /** Indices of the labelled rows, or null when every row is labelled. */
  readonly keep: Int32Array | null;
  readonly weights: Float64Array | undefined;
}

/**
 * Binary target: a numeric column of 0/1 (NaN = unlabelled).
 *
 * @example
 * const { keep, labels } = binaryTarget(target, undefined);
 */
export function binaryTarget(
  target: Column,
  weights: Float64Array | undefined,
): LabelledRows & { labels: Float64Array } {
  if (target.type === 'categorical') {
    throw new FlywheelError(
      'TARGET_INVALID',
      'binary target: expected a numeric 0/1 column, got a categorical one',
    );
  }
  const { keep, weights: w } = labelledRows(
    target.values.length,
    (i) => !Number.isNaN(target.values[i]!),
    weights,
  );
  const labels = pick(target.values, keep);
  const mass = [0, 0];
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y !== 0 && y !== 1) {
      throw new FlywheelError('TARGET_INVALID', `binary target: values must be 0 or 1, found ${y}`);
    }
    mass[y]! += w ? w[i]! : 1;
  }
  if (!(mass[0]! > 0 && mass[1]! > 0)) {
    throw new FlywheelError(
      'TARGET_INVALID',
      `binary target has a single class (every labelled row is ${mass[1]! > 0 ? 1 : 0}); a classifier needs both`,
      {
        hint: 'The prior baseline is the model for a constant target.',
      },
    );
  }
  return { keep, weights: w, labels };
}

/**
 * Multiclass target: class codes 0 … k-1 (categorical codes, or integral
 * numbers), -1 / NaN unlabelled. Returns the labels renumbered over the classes
 * present in training (`present`, ascending), which is all the solver sees.
 *
 * @example
 * const { labels, present } = classTarget(target, ['a', 'b', 'c'], undefined);
 */
export function classTarget(
  target: Column,
  classes: readonly string[],
  weights: Float64Array | undefined,
): LabelledRows & { labels: Int32Array; present: number[] } {
  const raw = target.type === 'categorical' ? Float64Array.from(target.codes) : target.values;
  const { keep, weights: w } = labelledRows(raw.length, (i) => raw[i]! >= 0, weights);
  const codes = pick(raw, keep);
  const mass = new Float64Array(classes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (!Number.isInteger(c) || c >= classes.length) {
      throw new FlywheelError(
        'TARGET_INVALID',
        `multiclass target: class code ${c} is not one of the ${classes.length} classes (${classes.join(', ')})`,
      );
    }
    mass[c] = mass[c]! + (w ? w[i]! : 1);
  }
  const present: number[] = [];
  const index = new Int32Array(classes.length).fill(-1);
  for (let c = 0; c < classes.length; c++) if (mass[c]! > 0) index[c] = present.push(c) - 1;
  if (present.length < 2) {
    throw new FlywheelError(
      'TARGET_INVALID',
      `multiclass target has ${present.length === 0 ? 'no' : 'a single'} class with labelled rows; a classifier needs at least two`,
      {
        hint: 'The prior baseline is the model for a constant target.',
      },
    );
  }
  const labels = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) labels[i] = index[codes[i]!]!;
  return { keep, weights: w, labels, present };
}

/**
 * Regression target: a numeric column (NaN = unlabelled; ±Infinity is an error).
 *
 * @example
 * const { values } = regressionTarget(target, undefined);
 */
export function regressionTarget(
  target: Column,
  weights: Float64Array | undefined,
): LabelledRows & { values: Float64Array } {
  if (target.type === 'categorical') {
    throw new FlywheelError(
      'TARGET_INVALID',
      'regression target: expected a numeric column, got a categorical one',
    );
  }
  const { keep, weights: w } = labelledRows(
    target.values.length,
    (i) => !Number.isNaN(target.values[i]!),
    weights,
  );
  const values = pick(target.values, keep);
  let constant = true;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!))
      throw new FlywheelError('TARGET_INVALID', 'regression target: contains ±Infinity');
    if (values[i] !== values[0]) constant = false;
  }
  if (constant) {
    throw new FlywheelError(
      'TARGET_INVALID',
      `regression target is constant (${values[0]}); there is nothing to regress`,
      {
        hint: 'The prior baseline is the model for a constant target.',
      },
    );
  }
  return { keep, weights: w, values };
}

/** The rows of `frame` and `target` must line up. */
export function checkLength(frame: Frame, target: Column): void {
  const n = target.type === 'categorical' ? target.codes.length : target.values.length;
  if (n !== frame.rowCount) {
    throw new FlywheelError(
      'USAGE',
      `the target has ${n} rows but the features have ${frame.rowCount}`,
    );
  }
}

/** The labelled rows and their weights, with the weights validated. */
function labelledRows(
  rows: number,
  labelled: (row: number) => boolean,
  weights: Float64Array | undefined,
): LabelledRows {
  if (weights) {
    if (weights.length !== rows) {
      throw new FlywheelError('USAGE', `weights: ${weights.length} values for ${rows} rows`);
    }
    for (let i = 0; i < rows; i++) {
      if (!(weights[i]! >= 0 && Number.isFinite(weights[i]!))) {
        throw new FlywheelError(
          'USAGE',
          `weights: row ${i} has weight ${weights[i]}; weights must be finite and ≥ 0`,
        );
      }
    }
  }
  let count = 0;
  for (let i = 0; i < rows; i++) if (labelled(i)) count++;
  if (count === 0)
    throw new FlywheelError(
      'TARGET_INVALID',
      `the target is missing in every one of the ${rows} rows`,
    );
  if (count === rows) return { keep: null, weights };
  const keep = new Int32Array(count);
  for (let i = 0, k = 0; i < rows; i++) if (labelled(i)) keep[k++] = i;
  return { keep, weights: weights ? pick(weights, keep) : undefined };
}

function pick(values: Float64Array, keep: Int32Array | null): Float64Array {
  if (!keep) return values;
  const out = new Float64Array(keep.length);
  for (let i = 0; i < keep.length; i++) out[i] = values[keep[i]!]!;
  return out;
}
