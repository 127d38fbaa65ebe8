/**
 * Shared helpers for baselines: reading a target column for a task and
 * summarising it (base rate, mean, median, class frequencies).
 */
import type { Column } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import type { Task } from '../../spec/index.js';

/** Numeric target values (binary 0/1 or regression); NaN marks an unlabelled row. */
export function numericTarget(target: Column, task: Task): Float64Array {
  if (target.type === 'categorical') {
    throw new FlywheelError(
      'TARGET_INVALID',
      `a ${task} task needs a numeric target, got a categorical one`,
    );
  }
  if (task === 'binary') {
    for (const v of target.values) {
      if (!Number.isNaN(v) && v !== 0 && v !== 1) {
        throw new FlywheelError(
          'TARGET_INVALID',
          `a binary target must be 0 or 1 (or missing), found ${v}`,
        );
      }
    }
  }
  return target.values;
}

/** Class codes of a multiclass target; -1 marks an unlabelled row. */
export function classTarget(
  target: Column,
  classes: readonly string[] | undefined,
): { codes: Int32Array; k: number } {
  if (target.type !== 'categorical') {
    throw new FlywheelError('TARGET_INVALID', 'a multiclass task needs a categorical target');
  }
  return { codes: target.codes, k: (classes ?? target.dictionary).length };
}

/** Weighted mean of labelled values (NaN skipped). */
export function weightedMean(
  values: Float64Array,
  weights?: Float64Array,
  rows?: ArrayLike<number>,
): number {
  let sum = 0;
  let total = 0;
  const n = rows ? rows.length : values.length;
  for (let j = 0; j < n; j++) {
    const i = rows ? rows[j]! : j;
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    const w = weights ? weights[i]! : 1;
    sum += w * v;
    total += w;
  }
  return total > 0 ? sum / total : Number.NaN;
}

/** Median of labelled values (NaN skipped; unweighted). */
export function median(values: Float64Array): number {
  const labelled = values.filter((v) => !Number.isNaN(v)).sort();
  if (labelled.length === 0) return Number.NaN;
  const mid = labelled.length >> 1;
  return labelled.length % 2 === 1 ? labelled[mid]! : (labelled[mid - 1]! + labelled[mid]!) / 2;
}

/** Weighted class frequencies with add-one smoothing, summing to 1. */
export function classFrequencies(
  codes: Int32Array,
  k: number,
  weights?: Float64Array,
  rows?: ArrayLike<number>,
): Float64Array {
  const counts = new Float64Array(k).fill(1);
  const n = rows ? rows.length : codes.length;
  for (let j = 0; j < n; j++) {
    const i = rows ? rows[j]! : j;
    const c = codes[i]!;
    if (c >= 0 && c < k) counts[c]! += weights ? weights[i]! : 1;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

/** Repeats a probability vector for n rows (row-major n × k). */
export function repeatRows(probabilities: Float64Array, n: number): Float64Array {
  const k = probabilities.length;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) out.set(probabilities, i * k);
  return out;
}
