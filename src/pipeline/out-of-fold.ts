/**
 * Out-of-fold probabilities and the label-issue check:
 * `outOfFoldProbabilities` gives every training row a probability from a
 * model that never saw it (the input of confident learning, see
 * `findLabelIssues`), and `checkLabelIssues` runs the two as a check.
 */

import {
  type Column,
  findLabelIssues,
  type LabelIssues,
  labelIssueFindings,
  takeRows,
} from '../data/index.js';
import { FlywheelError } from '../errors.js';
import type { Finding } from '../findings.js';
import { createEstimator } from '../models/index.js';
import { createRng } from '../random.js';
import type { Task } from '../spec/index.js';
import { isLabelled, type LabelledPart, labelsOf, shuffle, take } from './labelled-part.js';

export interface OutOfFoldOptions {
  /** Folds (default 5). */
  readonly k?: number;
  readonly seed?: number;
  /** Model kind (default `logistic`: cheap, deterministic, calibrated enough to rank). */
  readonly kind?: string;
  readonly params?: Record<string, unknown>;
  readonly onProgress?: (fold: number, folds: number) => void;
}

export interface OutOfFold {
  /** Binary: P(positive) per row; multiclass: n × k row-major class probabilities. */
  readonly probabilities: Float64Array;
  /** Per row, its fold: the row was predicted by the model trained on every other fold. */
  readonly folds: Uint8Array;
}

/**
 * Out-of-fold predicted probabilities: the labelled rows are dealt into k
 * folds, stratified by class from one seeded permutation; each fold is
 * predicted by a model trained on the labelled rows of the other folds, so
 * no row's probability comes from a model that saw it. A binary target is a
 * numeric 0/1 column, a multiclass one a categorical column. Unlabelled rows
 * get a fold and a prediction too, and never train.
 *
 * @example
 * const oof = await outOfFoldProbabilities(project.train, { seed: 42 });
 * const issues = findLabelIssues(labelsOf(project.train.target), oof.probabilities);
 */
export async function outOfFoldProbabilities(
  train: LabelledPart,
  options: OutOfFoldOptions = {},
): Promise<OutOfFold> {
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 2 || k > 255) {
    throw new FlywheelError('USAGE', `out-of-fold: k must be an integer from 2 to 255, got ${k}`);
  }
  const { target } = train;
  const task: Task = target.type === 'categorical' ? 'multiclass' : 'binary';
  const classes = target.type === 'categorical' ? target.dictionary : undefined;
  const width = classes ? classes.length : 1;
  const n = train.frame.rowCount;
  const seed = options.seed ?? 42;

  // Stratify: walk one permutation, dealing each class's rows round-robin into the folds.
  const folds = new Uint8Array(n);
  const dealt = new Map<number, number>();
  for (const row of shuffle(
    Int32Array.from({ length: n }, (_, i) => i),
    createRng(seed),
  )) {
    const label = isLabelled(target, row) ? labelsOf(target)[row]! : -1;
    const seen = dealt.get(label) ?? 0;
    folds[row] = seen % k;
    dealt.set(label, seen + 1);
  }

  const probabilities = new Float64Array(n * width);
  for (let fold = 0; fold < k; fold++) {
    const fit: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < n; i++) {
      if (folds[i] === fold) held.push(i);
      else if (isLabelled(target, i)) fit.push(i);
    }
    if (held.length > 0) {
      const part = take(train, Int32Array.from(fit));
      const model = await createEstimator(options.kind ?? 'logistic', options.params ?? {}).fit(
        part.frame,
        part.target,
        { task, seed, ...(classes ? { classes } : {}) },
      );
      const predicted = model.predict(takeRows(train.frame, Int32Array.from(held)));
      held.forEach((row, h) => {
        for (let c = 0; c < width; c++) probabilities[row * width + c] = predicted[h * width + c]!;
      });
    }
    options.onProgress?.(fold + 1, k);
  }
  return { probabilities, folds };
}

export interface LabelIssueCheckOptions extends OutOfFoldOptions {
  /** Maps a training row index to its dataset row, for the examples (e.g. `rowsOf(data, 'train')`). */
  readonly rows?: ArrayLike<number>;
  /** `checks.label_issues_max` (default 0.05). */
  readonly threshold?: number;
  /** Class names for the examples (multiclass: default the target's dictionary; binary: 0, 1). */
  readonly classes?: readonly string[];
  /** Least out-of-fold skill at which labels are judged (default 0.2; see `checkLabelIssues`). */
  readonly minSkill?: number;
}

/**
 * Out-of-fold skill: McFadden's pseudo-R², 1 − LL(model) / LL(class prior),
 * of out-of-fold probabilities on the labelled rows. 0 for a model that knows
 * no more than the class frequencies, 1 for a certain and right one.
 */
export function outOfFoldSkill(target: Column, probabilities: Float64Array): number {
  const width = target.type === 'categorical' ? target.dictionary.length : 1;
  const labels = labelsOf(target);
  const counts = new Float64Array(Math.max(width, 2));
  let model = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!isLabelled(target, i)) continue;
    const y = labels[i]!;
    const p =
      width === 1
        ? y === 1
          ? probabilities[i]!
          : 1 - probabilities[i]!
        : probabilities[i * width + y]!;
    model -= Math.log(Math.min(Math.max(p, 1e-15), 1));
    counts[y]!++;
    n++;
  }
  let prior = 0;
  for (const c of counts) if (c > 0) prior -= c * Math.log(c / n);
  return prior > 0 ? 1 - model / prior : Number.NaN;
}

/**
 * The `quality.label_issues` check end to end: out-of-fold probabilities
 * (logistic by default), confident learning (`findLabelIssues`) and its
 * finding. Confident learning needs probabilities that mean something: where
 * the features explain little of the label (out-of-fold skill below
 * `minSkill`, e.g. 0.05 on the flights example) a label the model disagrees
 * with is more likely noise the features cannot explain than a wrong label,
 * so the finding is an `info` saying the labels were not judged, with the
 * share confident learning would have flagged.
 *
 * @example
 * const { findings } = await checkLabelIssues(project.train, {
 *   rows: rowsOf(project.data, 'train'),
 *   threshold: spec.checks?.label_issues_max ?? 0.05,
 * });
 */
export async function checkLabelIssues(
  train: LabelledPart,
  options: LabelIssueCheckOptions = {},
): Promise<{ findings: Finding[]; issues: LabelIssues; skill: number }> {
  const oof = await outOfFoldProbabilities(train, options);
  const issues = findLabelIssues(labelsOf(train.target), oof.probabilities);
  const skill = outOfFoldSkill(train.target, oof.probabilities);
  const minSkill = options.minSkill ?? 0.2;
  const threshold = options.threshold ?? 0.05;
  const classes =
    options.classes ?? (train.target.type === 'categorical' ? train.target.dictionary : undefined);
  if (skill >= minSkill) {
    return {
      findings: labelIssueFindings(issues, options.rows, threshold, classes),
      issues,
      skill,
    };
  }
  const share = issues.labelled > 0 ? issues.rows.length / issues.labelled : 0;
  const finding: Finding = {
    check: 'quality.label_issues',
    severity: 'info',
    message: `labels not judged: the out-of-fold ${options.kind ?? 'logistic'} model explains only ${(100 * Math.max(skill, 0)).toFixed(1)}% of the label uncertainty (below ${(100 * minSkill).toFixed(0)}%), so its disagreements with the labels (${(100 * share).toFixed(1)}% of rows) are more likely noise than label errors`,
    evidence: {
      skill: Math.round(skill * 1e4) / 1e4,
      minSkill,
      share: Math.round(share * 1e4) / 1e4,
      count: issues.rows.length,
      labelled: issues.labelled,
      threshold,
    },
  };
  return { findings: [finding], issues, skill };
}
