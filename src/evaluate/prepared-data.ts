/**
 * Predictions and labels checked once and laid out for O(n) metric passes:
 * unlabelled rows dropped, binary rows sorted by descending score with their
 * tie groups marked, decisions resolved, multiclass argmax and true-class
 * terms precomputed. Every metric, curve and bootstrap replicate reads these.
 */
import { FlywheelError } from '../errors.js';
import { argsortDescending } from './argsort.js';
import type { DecisionRule, Labels, MetricContext, Task } from './metric-types.js';
import { topKDecisions } from './top-k-policy.js';

/** Probabilities are clipped to [ε, 1 − ε] inside logarithms (scikit-learn's historical ε). */
export const LOG_EPSILON = 1e-15;

export interface BinaryData {
  readonly task: 'binary';
  /** Labelled rows. */
  readonly n: number;
  readonly positives: number;
  /** Scores in descending order, and the label and original row of each position. */
  readonly scores: Float64Array;
  readonly labels: Uint8Array;
  readonly rows: Int32Array;
  /** 1 at the last position of each run of equal scores. */
  readonly groupEnd: Uint8Array;
  /** Act (1) or not, per position, under `rule`. */
  readonly decisions: Uint8Array;
  readonly rule: DecisionRule;
  /** Whether every score is a probability in [0, 1]. */
  readonly probabilities: boolean;
}

export interface MulticlassData {
  readonly task: 'multiclass';
  readonly n: number;
  readonly classes: number;
  readonly rows: Int32Array;
  readonly truth: Int32Array;
  /** Most probable class (the first one on ties). */
  readonly predicted: Int32Array;
  /** Classes ranked above the true one (ties rank the higher class code first, as scikit-learn). */
  readonly trueRank: Int32Array;
  /** −log of the true class's probability, normalised by the row sum and clipped. */
  readonly logLoss: Float64Array;
}

export interface RegressionData {
  readonly task: 'regression';
  readonly n: number;
  readonly rows: Int32Array;
  readonly predictions: Float64Array;
  readonly labels: Float64Array;
  /** Whether every label is the same value (R² is then 1 for a perfect fit, else 0). */
  readonly constantLabels: boolean;
}

export type PreparedData = BinaryData | MulticlassData | RegressionData;

function checkFinite(predictions: Float64Array): void {
  for (let i = 0; i < predictions.length; i++) {
    if (!Number.isFinite(predictions[i]!)) {
      throw new FlywheelError(
        'USAGE',
        `prediction ${i} is ${predictions[i]}; predictions must be finite numbers`,
        { details: { row: i } },
      );
    }
  }
}

function checkLength(predictions: Float64Array, expected: number, what: string): void {
  if (predictions.length !== expected) {
    throw new FlywheelError(
      'USAGE',
      `predictions have ${predictions.length} values for ${what}; they must have ${expected}`,
      { details: { predictions: predictions.length, expected } },
    );
  }
}

function floatLabels(labels: Labels, task: Task): Float64Array {
  if (!(labels instanceof Float64Array)) {
    throw new FlywheelError(
      'USAGE',
      `${task} labels must be a Float64Array (NaN = unlabelled), got ${labels.constructor.name}`,
    );
  }
  return labels;
}

/** Decisions per original row, and the rule that made them. */
export function resolveDecisions(
  scores: Float64Array,
  context: MetricContext,
): { decisions: Uint8Array; rule: DecisionRule } {
  if (context.decisions !== undefined) {
    if (context.decisions.length !== scores.length) {
      throw new FlywheelError(
        'USAGE',
        `decisions have ${context.decisions.length} values for ${scores.length} predictions`,
      );
    }
    return { decisions: context.decisions, rule: { kind: 'given' } };
  }
  if (context.capacity !== undefined) {
    const decisions = topKDecisions(scores, context.capacity, context.eventTime);
    return {
      decisions,
      rule: { kind: 'top_k', k: context.capacity.maxPositives, per: context.capacity.per },
    };
  }
  const threshold = context.threshold ?? 0.5;
  const decisions = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) decisions[i] = scores[i]! >= threshold ? 1 : 0;
  return { decisions, rule: { kind: 'threshold', threshold } };
}

/**
 * Binary rows sorted by descending score. Labels must be 0, 1 or NaN.
 *
 * @example
 * const data = prepareBinary(Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1), {});
 * data.labels; // Uint8Array [1, 0, 1, 0] (scores 0.8, 0.4, 0.35, 0.1)
 */
export function prepareBinary(
  predictions: Float64Array,
  labels: Labels,
  context: MetricContext = {},
): BinaryData {
  const y = floatLabels(labels, 'binary');
  checkLength(predictions, y.length, `${y.length} labels`);
  checkFinite(predictions);
  const { decisions, rule } = resolveDecisions(predictions, context);
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (Number.isNaN(v)) continue;
    if (v !== 0 && v !== 1) {
      throw new FlywheelError(
        'TARGET_INVALID',
        `binary label ${i} is ${v}; labels must be 0, 1 or NaN`,
      );
    }
    n++;
  }
  const labelled = new Float64Array(n);
  const labelledRows = new Int32Array(n);
  for (let i = 0, j = 0; i < y.length; i++) {
    if (Number.isNaN(y[i]!)) continue;
    labelled[j] = predictions[i]!;
    labelledRows[j++] = i;
  }
  const order = argsortDescending(labelled);
  const scores = new Float64Array(n);
  const sortedLabels = new Uint8Array(n);
  const rows = new Int32Array(n);
  const sortedDecisions = new Uint8Array(n);
  const groupEnd = new Uint8Array(n);
  let positives = 0;
  let probabilities = true;
  for (let j = 0; j < n; j++) {
    const row = labelledRows[order[j]!]!;
    const s = predictions[row]!;
    scores[j] = s;
    rows[j] = row;
    sortedLabels[j] = y[row]!;
    positives += y[row]!;
    sortedDecisions[j] = decisions[row]!;
    if (s < 0 || s > 1) probabilities = false;
    if (j > 0 && scores[j - 1] !== s) groupEnd[j - 1] = 1;
  }
  if (n > 0) groupEnd[n - 1] = 1;
  return {
    task: 'binary',
    n,
    positives,
    scores,
    labels: sortedLabels,
    rows,
    groupEnd,
    decisions: sortedDecisions,
    rule,
    probabilities,
  };
}

/**
 * Multiclass rows from row-major n × k probabilities and class codes (−1 = unlabelled).
 *
 * @example
 * prepareMulticlass(Float64Array.of(0.7, 0.3, 0.2, 0.8), Int32Array.of(0, 0)).predicted; // [0, 1]
 */
export function prepareMulticlass(predictions: Float64Array, labels: Labels): MulticlassData {
  if (!(labels instanceof Int32Array)) {
    throw new FlywheelError(
      'USAGE',
      `multiclass labels must be an Int32Array of class codes (-1 = unlabelled), got ${labels.constructor.name}`,
    );
  }
  const total = labels.length;
  const k = total > 0 ? predictions.length / total : 0;
  if (total > 0 && (!Number.isInteger(k) || k < 2)) {
    throw new FlywheelError(
      'USAGE',
      `multiclass predictions must hold rows × classes probabilities (row-major); got ${predictions.length} values for ${total} rows`,
      { details: { predictions: predictions.length, rows: total } },
    );
  }
  checkFinite(predictions);
  let n = 0;
  for (let i = 0; i < total; i++) {
    const c = labels[i]!;
    if (c >= k || c < -1) {
      throw new FlywheelError(
        'TARGET_INVALID',
        `class code ${c} of row ${i} is outside 0..${k - 1} (−1 = unlabelled)`,
      );
    }
    if (c >= 0) n++;
  }
  const rows = new Int32Array(n);
  const truth = new Int32Array(n);
  const predicted = new Int32Array(n);
  const trueRank = new Int32Array(n);
  const logLoss = new Float64Array(n);
  for (let i = 0, j = 0; i < total; i++) {
    const c = labels[i]!;
    if (c < 0) continue;
    const base = i * k;
    const pTrue = predictions[base + c]!;
    let best = 0;
    let rank = 0;
    let sum = 0;
    for (let m = 0; m < k; m++) {
      const p = predictions[base + m]!;
      if (p < 0 || p > 1) {
        throw new FlywheelError(
          'USAGE',
          `multiclass prediction (row ${i}, class ${m}) is ${p}; probabilities must lie in [0, 1]`,
        );
      }
      sum += p;
      if (p > predictions[base + best]!) best = m;
      if (p > pTrue || (p === pTrue && m > c)) rank++;
    }
    const p = Math.min(Math.max(sum > 0 ? pTrue / sum : 0, LOG_EPSILON), 1 - LOG_EPSILON);
    rows[j] = i;
    truth[j] = c;
    predicted[j] = best;
    trueRank[j] = rank;
    logLoss[j++] = -Math.log(p);
  }
  return { task: 'multiclass', n, classes: k, rows, truth, predicted, trueRank, logLoss };
}

/**
 * Regression rows with a label (NaN = unlabelled).
 *
 * @example
 * prepareRegression(Float64Array.of(2, 5), Float64Array.of(3, 4)).constantLabels; // false
 */
export function prepareRegression(predictions: Float64Array, labels: Labels): RegressionData {
  const y = floatLabels(labels, 'regression');
  checkLength(predictions, y.length, `${y.length} labels`);
  checkFinite(predictions);
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isNaN(v) && !Number.isFinite(v)) {
      throw new FlywheelError('TARGET_INVALID', `regression label ${i} is ${v}`);
    }
    if (!Number.isNaN(v)) n++;
  }
  const rows = new Int32Array(n);
  const p = new Float64Array(n);
  const t = new Float64Array(n);
  for (let i = 0, j = 0; i < y.length; i++) {
    if (Number.isNaN(y[i]!)) continue;
    rows[j] = i;
    p[j] = predictions[i]!;
    t[j++] = y[i]!;
  }
  let constantLabels = true;
  for (let j = 1; j < n; j++) if (t[j] !== t[0]) constantLabels = false;
  return { task: 'regression', n, rows, predictions: p, labels: t, constantLabels };
}

/**
 * Prepares rows for `task`: checks them, drops unlabelled ones, and lays them
 * out for one-pass metrics (binary: sorted by descending score, decisions
 * resolved from the context).
 *
 * @example
 * prepareData('regression', Float64Array.of(2, 5), Float64Array.of(3, Number.NaN)).n; // 1
 */
export function prepareData(
  task: Task,
  predictions: Float64Array,
  labels: Labels,
  context: MetricContext = {},
): PreparedData {
  if (task === 'binary') return prepareBinary(predictions, labels, context);
  if (task === 'multiclass') return prepareMulticlass(predictions, labels);
  return prepareRegression(predictions, labels);
}
