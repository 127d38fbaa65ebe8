/**
 * Signal checks: is there something to learn, and would more data help?
 *
 * - `learningCurve` trains one cheap rung on nested, seeded subsets of the
 *   training rows and scores each on the validation split, then fits a power
 *   law to the error to say what doubling the data would buy;
 * - `outOfFoldProbabilities` gives every training row a probability from a
 *   model that never saw it (the input of confident learning, see
 *   `findLabelIssues`), and `checkLabelIssues` runs the two as a check;
 * - `signalFindings` turns a ladder's rung records and a learning curve into
 *   findings: `signal.no_lift`, `signal.learning_curve`, `signal.plateau`.
 */

import {
  type Column,
  type Frame,
  findLabelIssues,
  type LabelIssues,
  labelIssueFindings,
  takeRows,
} from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { calculateMetric, getMetric, metricContextFromSpec } from '../evaluate/index.js';
import type { Finding } from '../findings.js';
import { createEstimator, ladderRungs, type Rung, type RungRecord } from '../models/index.js';
import { createRng } from '../random.js';
import type { Spec, Task } from '../spec/index.js';

/** Feature rows and their target. */
export interface LabelledPart {
  readonly frame: Frame;
  readonly target: Column;
}

export interface LearningCurveOptions {
  readonly spec: Spec;
  /**
   * The rung trained at every size: a ladder rung name or a rung. Default
   * `gbdt_small` (50 trees of 15 leaves): the cheapest model of the kind the
   * ladder climbs to. The linear baseline saturates after a few thousand rows
   * and would say "more data won't help" of any problem; the full `gbdt` rung
   * costs six times as much.
   */
  readonly rung?: string | Rung;
  /**
   * Metric read on the validation split. Default: the first of the spec's
   * acceptance metrics that needs no decision threshold (roc_auc, log_loss,
   * rmse, …), else the task's (roc_auc, log_loss, rmse). Threshold metrics
   * move with each model's calibration and make a noisy curve.
   */
  readonly metric?: string;
  /** Shares of the training rows, each subset nested in the next (default 0.1, 0.2, 0.4, 0.8, 1). */
  readonly fractions?: readonly number[];
  readonly seed?: number;
  /** Multiclass: the class labels, in code order. */
  readonly classes?: readonly string[];
  /** Validation rows scored, a seeded sample above this (default 200,000). */
  readonly maxValidationRows?: number;
  /** Doubling the data is a plateau when it cuts the error by less than this share (default 0.01). */
  readonly plateauShare?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface LearningCurvePoint {
  readonly fraction: number;
  readonly rows: number;
  /** The metric on the validation rows. */
  readonly value: number;
  readonly seconds: number;
}

/** err(n) = a·n^(−b) + c, fitted on the error scale of the metric. */
export interface PowerLawFit {
  readonly a: number;
  readonly b: number;
  /** The error left with unlimited rows of the same kind. */
  readonly c: number;
  /** R² of the fit on the error scale. */
  readonly r2: number;
}

export interface LearningCurve {
  readonly metric: string;
  readonly better: 'higher' | 'lower';
  readonly rung: string;
  readonly points: readonly LearningCurvePoint[];
  /** Labelled training rows (the curve's last point at fraction 1). */
  readonly trainRows: number;
  readonly validationRows: number;
  /** Whether the validation split was sampled down to `validationRows`. */
  readonly validationSampled: boolean;
  readonly fit?: PowerLawFit;
  /** The fitted metric at `trainRows` and at twice as many. */
  readonly fitted?: number;
  readonly predictedAtDouble?: number;
  /** What doubling the data would buy, in metric units, positive when better. */
  readonly gainAtDouble?: number;
  readonly plateau: boolean;
  readonly seconds: number;
}

const DEFAULT_FRACTIONS = [0.1, 0.2, 0.4, 0.8, 1] as const;
const CURVE_METRICS: Record<Task, readonly string[]> = {
  binary: ['roc_auc', 'log_loss', 'pr_auc', 'brier'],
  multiclass: ['log_loss'],
  regression: ['rmse', 'mae', 'r2'],
};
/** Subsets smaller than this are not trained (too few rows to mean anything). */
const MIN_CURVE_ROWS = 50;

function shuffle(values: Int32Array, rand: () => number): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
  return values;
}

function isLabelled(target: Column, row: number): boolean {
  return target.type === 'categorical'
    ? target.codes[row]! >= 0
    : !Number.isNaN(target.values[row]!);
}

function labelledRows(target: Column): Int32Array {
  const n = target.type === 'categorical' ? target.codes.length : target.values.length;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (isLabelled(target, i)) rows.push(i);
  return Int32Array.from(rows);
}

function takeTarget(target: Column, rows: Int32Array): Column {
  if (target.type === 'categorical')
    return { ...target, codes: Int32Array.from(rows, (r) => target.codes[r]!) };
  return { type: target.type, values: Float64Array.from(rows, (r) => target.values[r]!) };
}

function take(part: LabelledPart, rows: Int32Array): LabelledPart {
  return { frame: takeRows(part.frame, rows), target: takeTarget(part.target, rows) };
}

/**
 * The training subsets of a learning curve: the first round(f·n) rows of one
 * seeded permutation of `rows` for each fraction f (ascending), so every
 * subset contains the smaller ones. Each subset is sorted, for locality.
 *
 * @example
 * nestedSubsets(Int32Array.from({ length: 10 }, (_, i) => i), [0.2, 1], 42);
 * // [Int32Array [3, 7], Int32Array [0, 1, …, 9]]: the 2 rows are among the 10
 */
export function nestedSubsets(
  rows: Int32Array,
  fractions: readonly number[],
  seed: number,
): Int32Array[] {
  const order = shuffle(Int32Array.from(rows), createRng(seed));
  return fractions.map((f) => order.slice(0, Math.round(f * order.length)).sort());
}

const labelsOf = (target: Column) => (target.type === 'categorical' ? target.codes : target.values);

/** The rung a learning curve trains: by name through the ladder's own definitions. */
function curveRung(spec: Spec, rung: string | Rung | undefined): Rung {
  if (rung !== undefined && typeof rung !== 'string') return rung;
  const name = rung ?? 'gbdt_small';
  const [found] = ladderRungs({ ...spec, models: { ...spec.models, ladder: [name] } });
  if (!found || found.kind === 'prior' || found.kind === 'rule') {
    throw new FlywheelError(
      'USAGE',
      `learning curve: rung "${name}" learns nothing from more rows; use gbdt_small, gbdt or linear`,
    );
  }
  return found;
}

function curveMetric(spec: Spec, requested: string | undefined): string {
  if (requested !== undefined) return requested;
  const usable = CURVE_METRICS[spec.task];
  const fromSpec = Object.keys(spec.acceptance.metrics).find((m) => usable.includes(m));
  return fromSpec ?? usable[0]!;
}

/**
 * The metric's error scale: the distance to its best possible value (1 − AUC,
 * log loss itself, 1 − R²), so the power law's floor c is at least 0. A metric
 * unbounded on its good side is negated or kept, with no floor.
 */
function errorScale(metric: string, task: Task) {
  const { better, range } = getMetric(metric, task).info;
  const bound = better === 'higher' ? range[1] : range[0];
  const finite = Number.isFinite(bound);
  const sign = better === 'higher' ? -1 : 1;
  const origin = finite ? bound : 0;
  return {
    better,
    floor: finite ? 0 : Number.NEGATIVE_INFINITY,
    toError: (value: number) => sign * (value - origin),
    toValue: (error: number) => origin + sign * error,
  };
}

/**
 * Trains one rung on nested subsets of the training rows and scores each on
 * the validation split. Subsets are the first 10%, 20%, … of one seeded
 * permutation of the labelled rows, so each contains the smaller ones and the
 * curve's steps are not subset noise. Then fits err(n) = a·n^(−b) + c (see
 * `fitPowerLaw`) and predicts the metric at twice the training rows.
 *
 * Cost: the sum of the fractions (2.5 by default) times one fit of the rung,
 * plus one prediction of the (sampled) validation rows per point. On the
 * flights example (966k training rows, validation sampled to 200k of 512k)
 * with gbdt_small that is about 6 s on two cores.
 *
 * @example
 * const curve = await learningCurve(project.train, project.validation, { spec, seed: 42 });
 * curve.points.map((p) => [p.rows, p.value]); curve.predictedAtDouble;
 */
export async function learningCurve(
  train: LabelledPart,
  validation: LabelledPart,
  options: LearningCurveOptions,
): Promise<LearningCurve> {
  const started = performance.now();
  const { spec } = options;
  const task = spec.task;
  const rung = curveRung(spec, options.rung);
  const metric = curveMetric(spec, options.metric);
  const scale = errorScale(metric, task);
  const seed = options.seed ?? spec.models?.seed ?? 42;
  const fractions = [...new Set(options.fractions ?? DEFAULT_FRACTIONS)]
    .filter((f) => f > 0 && f <= 1)
    .sort((a, b) => a - b);
  const classes =
    options.classes ?? (train.target.type === 'categorical' ? train.target.dictionary : undefined);

  const labelled = labelledRows(train.target);
  const subsets = nestedSubsets(labelled, fractions, seed);
  const validRows = labelledRows(validation.target);
  const maxValidation = options.maxValidationRows ?? 200_000;
  const validationSampled = validRows.length > maxValidation;
  const scored = take(
    validation,
    validationSampled
      ? shuffle(validRows, createRng(seed ^ 0x5bd1e995))
          .slice(0, maxValidation)
          .sort()
      : validRows,
  );
  const context = metricContextFromSpec(spec);

  const points: LearningCurvePoint[] = [];
  for (const [index, fraction] of fractions.entries()) {
    const rows = subsets[index]!.length;
    if (rows >= MIN_CURVE_ROWS) {
      const t0 = performance.now();
      const subset = take(train, subsets[index]!);
      try {
        const model = await createEstimator(rung.kind, rung.params).fit(
          subset.frame,
          subset.target,
          { task, seed, ...(classes ? { classes } : {}) },
        );
        const predictions = model.predict(scored.frame);
        const value = calculateMetric(
          metric,
          task,
          predictions,
          labelsOf(scored.target),
          context,
        ).value;
        if (Number.isFinite(value))
          points.push({ fraction, rows, value, seconds: (performance.now() - t0) / 1000 });
      } catch (err) {
        // A small subset may hold one class only; that point is left out.
        if (!(err instanceof FlywheelError && err.code === 'TARGET_INVALID')) throw err;
      }
    }
    options.onProgress?.(index + 1, fractions.length);
  }

  const trainRows = labelled.length;
  const base = {
    metric,
    better: scale.better,
    rung: rung.name,
    points,
    trainRows,
    validationRows: scored.frame.rowCount,
    validationSampled,
  };
  const errors = points.map((p) => scale.toError(p.value));
  const fit = fitPowerLaw(
    points.map((p) => p.rows),
    errors,
    scale.floor,
  );
  const seconds = (performance.now() - started) / 1000;
  if (!fit) {
    // No fit: either too few points, or the error already sits at its floor (nothing to gain).
    const atFloor = errors.length > 0 && errors.every((e) => e <= scale.floor + 1e-12);
    return { ...base, plateau: atFloor, seconds };
  }
  const errorAt = (n: number) => fit.a * n ** -fit.b + fit.c;
  const now = errorAt(trainRows);
  const doubled = errorAt(2 * trainRows);
  const fitted = scale.toValue(now);
  const predictedAtDouble = scale.toValue(doubled);
  return {
    ...base,
    fit,
    fitted,
    predictedAtDouble,
    gainAtDouble: now - doubled,
    // The error is a distance to the best value when the metric has one (else its own scale).
    plateau: now - doubled < (options.plateauShare ?? 0.01) * Math.abs(now),
    seconds,
  };
}

/**
 * Fits err(n) = a·n^(−b) + c to a learning curve by variable projection: for
 * a given floor c, log(err − c) = log a − b·log n is a straight line (least
 * squares in log-log space); c itself is chosen to minimise the squared error
 * of the curve on the error scale, by a grid over (floor, min err) dense near
 * min err, refined by golden-section search. With five points three
 * parameters are barely determined: c trades against a and b, so the fit is
 * trusted for one doubling, not for extrapolation far beyond the data, and
 * its R² is reported beside it. Undefined with fewer than three points or
 * when every error is at the floor.
 *
 * @example
 * const n = [100, 200, 400, 800];
 * fitPowerLaw(n, n.map((x) => 2 * x ** -0.5 + 0.1)); // { a: 2, b: 0.5, c: 0.1, r2: 1 }
 */
export function fitPowerLaw(
  rows: readonly number[],
  errors: readonly number[],
  floor = 0,
): PowerLawFit | undefined {
  const points = rows
    .map((n, i) => ({ n, e: errors[i]! }))
    .filter((p) => p.n > 0 && Number.isFinite(p.e));
  if (points.length < 3 || new Set(points.map((p) => p.n)).size < 3) return undefined;
  const hi = Math.min(...points.map((p) => p.e));
  const spread = Math.max(...points.map((p) => p.e)) - hi;
  const lo = Number.isFinite(floor) ? floor : hi - 10 * (spread || Math.abs(hi) || 1);
  if (!(hi > lo)) return undefined;

  const x = points.map((p) => Math.log(p.n));
  const xMean = x.reduce((s, v) => s + v, 0) / x.length;
  const sxx = x.reduce((s, v) => s + (v - xMean) ** 2, 0);
  const solve = (c: number) => {
    const z = points.map((p) => Math.log(p.e - c));
    const zMean = z.reduce((s, v) => s + v, 0) / z.length;
    const slope = x.reduce((s, v, i) => s + (v - xMean) * (z[i]! - zMean), 0) / sxx;
    const a = Math.exp(zMean - slope * xMean);
    const b = -slope;
    const sse = points.reduce((s, p) => s + (p.e - (a * p.n ** -b + c)) ** 2, 0);
    return { a, b, c, sse };
  };
  // c(s) runs from lo (s = 0) to within 1e-9 of min err (s = 1), geometrically closer to min err.
  const at = (s: number) => solve(hi - (hi - lo) * 10 ** (-9 * s));
  const GRID = 400;
  let bestS = 0;
  let best = at(0);
  for (let g = 1; g <= GRID; g++) {
    const candidate = at(g / GRID);
    if (candidate.sse < best.sse) {
      best = candidate;
      bestS = g / GRID;
    }
  }
  let left = Math.max(0, bestS - 1 / GRID);
  let right = Math.min(1, bestS + 1 / GRID);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let iteration = 0; iteration < 100 && right - left > 1e-14; iteration++) {
    const m1 = right - phi * (right - left);
    const m2 = left + phi * (right - left);
    if (at(m1).sse <= at(m2).sse) right = m2;
    else left = m1;
  }
  const refined = at((left + right) / 2);
  if (refined.sse < best.sse) best = refined;

  const mean = points.reduce((s, p) => s + p.e, 0) / points.length;
  const sst = points.reduce((s, p) => s + (p.e - mean) ** 2, 0);
  const r2 = sst > 0 ? 1 - best.sse / sst : best.sse === 0 ? 1 : Number.NaN;
  return { a: best.a, b: best.b, c: best.c, r2 };
}

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

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));
const count = (n: number) => n.toLocaleString('en-US');
const signed = (x: number) => (x >= 0 ? `+${fmt(x)}` : fmt(x));

/**
 * `signal.learning_curve` (info): the curve and what doubling the data would
 * buy; `signal.plateau` (info) when that is negligible.
 */
export function learningCurveFindings(curve: LearningCurve): Finding[] {
  const first = curve.points[0];
  const last = curve.points.at(-1);
  if (!first || !last) return [];
  const evidence = {
    metric: curve.metric,
    rung: curve.rung,
    points: curve.points.map((p) => ({ fraction: p.fraction, rows: p.rows, value: p.value })),
    trainRows: curve.trainRows,
    validationRows: curve.validationRows,
    validationSampled: curve.validationSampled,
    ...(curve.fit
      ? {
          fit: curve.fit,
          doubledRows: 2 * curve.trainRows,
          fitted: curve.fitted,
          predictedAtDouble: curve.predictedAtDouble,
          gainAtDouble: curve.gainAtDouble,
        }
      : {}),
  };
  const trend = `${curve.rung}'s validation ${curve.metric} goes from ${fmt(first.value)} at ${count(first.rows)} training rows to ${fmt(last.value)} at ${count(last.rows)}`;
  const prediction =
    curve.fit && curve.predictedAtDouble !== undefined
      ? `; a power-law fit (R² ${curve.fit.r2.toFixed(2)}) predicts ${fmt(curve.predictedAtDouble)} at ${count(2 * curve.trainRows)} rows (${signed(curve.predictedAtDouble - (curve.fitted ?? last.value))})`
      : '; too few points to fit a power law';
  const findings: Finding[] = [
    {
      check: 'signal.learning_curve',
      severity: 'info',
      message: trend + prediction,
      evidence,
    },
  ];
  if (curve.plateau) {
    findings.push({
      check: 'signal.plateau',
      severity: 'info',
      message:
        curve.gainAtDouble === undefined
          ? `${curve.metric} is already at its best possible value: more rows cannot help`
          : `doubling the training rows would change ${curve.metric} by only ${fmt(curve.gainAtDouble * (curve.better === 'higher' ? 1 : -1))}: more rows of the same kind will not help much; better features or labels might`,
      evidence,
    });
  }
  return findings;
}

/**
 * `signal.no_lift` (warn): no trained model (a rung above the baselines) has
 * a lower validation cost per decision than the best baseline, so the
 * features carry no usable signal beyond the prior, the rules and the linear
 * model.
 */
export function noLiftFindings(rungs: readonly RungRecord[]): Finding[] {
  const trained = rungs.filter((r) => Number.isFinite(r.score));
  const baselines = trained.filter((r) => r.decision === 'baseline');
  const models = trained.filter((r) => r.decision !== 'baseline');
  if (baselines.length === 0 || models.length === 0) return [];
  const best = (list: RungRecord[]) => list.reduce((b, r) => (r.score < b.score ? r : b));
  const baseline = best(baselines);
  const model = best(models);
  if (model.score < baseline.score) return [];
  const describe = (r: RungRecord) => ({
    name: r.name,
    score: r.score,
    ...(r.auc === undefined ? {} : { auc: r.auc }),
  });
  return [
    {
      check: 'signal.no_lift',
      severity: 'warn',
      message: `no model beats the best baseline: ${model.name} costs ${fmt(model.score)} per decision on validation, ${baseline.name} ${fmt(baseline.score)}; the features may not carry the signal the framing assumes`,
      evidence: {
        metric: 'validation cost per decision',
        bestBaseline: describe(baseline),
        bestModel: describe(model),
        rungs: trained.map(describe),
      },
    },
  ];
}

/**
 * The signal findings of a training run: `signal.no_lift` from the ladder's
 * rung records, `signal.learning_curve` and `signal.plateau` from a curve.
 *
 * @example
 * const findings = signalFindings({ rungs: ladder.rungs, curve });
 */
export function signalFindings(input: {
  readonly rungs?: readonly RungRecord[];
  readonly curve?: LearningCurve;
}): Finding[] {
  return [
    ...(input.rungs ? noLiftFindings(input.rungs) : []),
    ...(input.curve ? learningCurveFindings(input.curve) : []),
  ];
}
