/**
 * The labelled training rows: which rows have a usable label, the labels
 * themselves (0/1, class codes or values) and their weights, with a clear
 * TARGET_INVALID error when the target cannot be learned.
 */
import type { Column } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import type { Task } from '../../spec/index.js';

export interface TrainingTarget {
  /** Rows of the frame that have a label. */
  readonly rows: Int32Array;
  /** Label of each of those rows: 0/1, class code, or value. */
  readonly label: Float64Array;
  readonly weight: Float64Array | null;
}

function invalid(message: string): FlywheelError {
  return new FlywheelError('TARGET_INVALID', message);
}

/**
 * Labels of a binary (0/1, NaN skipped), multiclass (codes, -1 skipped) or
 * regression (NaN skipped) target, checked for `classes` classes.
 */
export function trainingTarget(
  target: Column,
  task: Task,
  rowCount: number,
  numClass: number,
  weights?: Float64Array,
  /** Refuse a classification target with a single class (off for validation data). */
  needTwoClasses = true,
): TrainingTarget {
  const length = target.type === 'categorical' ? target.codes.length : target.values.length;
  if (length !== rowCount) throw invalid(`the target has ${length} values for ${rowCount} rows`);
  if (weights && weights.length !== rowCount) {
    throw new FlywheelError('USAGE', `weights has ${weights.length} values for ${rowCount} rows`);
  }
  const rows: number[] = [];
  const labels: number[] = [];
  if (task === 'multiclass') {
    if (target.type !== 'categorical')
      throw invalid('a multiclass task needs a categorical target');
    if (numClass < 2)
      throw invalid(`a multiclass target needs at least 2 classes, got ${numClass}`);
    for (let i = 0; i < rowCount; i++) {
      const c = target.codes[i]!;
      if (c < 0) continue;
      if (c >= numClass)
        throw invalid(`class code ${c} at row ${i} is not one of the ${numClass} classes`);
      rows.push(i);
      labels.push(c);
    }
  } else {
    if (target.type === 'categorical') throw invalid(`a ${task} task needs a numeric target`);
    for (let i = 0; i < rowCount; i++) {
      const v = target.values[i]!;
      if (Number.isNaN(v)) continue;
      if (task === 'binary' && v !== 0 && v !== 1) {
        throw invalid(`a binary target must be 0 or 1 (or missing), found ${v} at row ${i}`);
      }
      if (!Number.isFinite(v)) throw invalid(`the target is ${v} at row ${i}`);
      rows.push(i);
      labels.push(v);
    }
  }
  if (rows.length === 0) throw invalid('the target has no labelled rows');
  if (task !== 'regression' && needTwoClasses) {
    const present = new Set(labels).size;
    if (present < 2) {
      throw invalid(
        `the target has a single class in all ${rows.length} labelled rows; a classifier needs at least two`,
      );
    }
  }
  let weight: Float64Array | null = null;
  if (weights) {
    weight = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      const w = weights[r]!;
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new FlywheelError('USAGE', `weights must be finite and >= 0, found ${w} at row ${r}`);
      }
      weight![i] = w;
    });
  }
  return { rows: Int32Array.from(rows), label: Float64Array.from(labels), weight };
}
