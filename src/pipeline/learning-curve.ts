/**
 * Learning curve: would more data help? `learningCurve` trains one cheap rung
 * on nested, seeded subsets of the training rows and scores each on the
 * validation split, then fits a power law (`fitPowerLaw`) to the error to say
 * what doubling the data would buy.
 */

import { FlywheelError } from '../errors.js';
import { calculateMetric, getMetric, metricContextFromSpec } from '../evaluate/index.js';
import { createEstimator, ladderRungs, type Rung } from '../models/index.js';
import { createRng } from '../random.js';
import type { Spec, Task } from '../spec/index.js';
import { type LabelledPart, labelledRows, labelsOf, shuffle, take } from './labelled-part.js';

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
