/**
 * The learning curve as chart series: the measured points, and the fitted
 * power law err(n) = a·n^(−b) + c drawn from the first point through the last
 * and on to twice its rows, back on the metric's own scale.
 */
import type { ReportLearningCurve } from './report-input.js';

type Point = { readonly x: number; readonly y: number };

export interface LearningCurveSeries {
  readonly metric: string;
  readonly measured: readonly Point[];
  /** The fitted curve, log-spaced in rows; empty without a fit. */
  readonly fitted: readonly Point[];
  /** The fitted metric at twice the last point's rows. */
  readonly doubled?: Point;
}

const SAMPLES = 48;

/**
 * The metric at a given error: 1 − err for higher-is-better metrics (bounded
 * by 1, as every learning-curve metric is), err itself for lower-is-better.
 */
function metricAt(curve: ReportLearningCurve, error: number): number {
  return curve.better === 'higher' ? 1 - error : error;
}

/**
 * @example
 * learningCurveSeries({ metric: 'roc_auc', better: 'higher', points, fit, … }).doubled;
 * // { x: 2 × the last point's rows, y: the fitted roc_auc there }
 */
export function learningCurveSeries(curve: ReportLearningCurve): LearningCurveSeries {
  const measured = curve.points
    .filter((p) => p.rows > 0 && Number.isFinite(p.value))
    .map((p) => ({ x: p.rows, y: p.value }));
  const { fit } = curve;
  const usable =
    fit !== undefined && [fit.a, fit.b, fit.c].every(Number.isFinite) && measured.length > 0;
  if (!usable) return { metric: curve.metric, measured, fitted: [] };
  const first = Math.min(...measured.map((p) => p.x));
  const last = Math.max(...measured.map((p) => p.x));
  const at = (n: number): Point => ({ x: n, y: metricAt(curve, fit.a * n ** -fit.b + fit.c) });
  const span = Math.log(2 * last) - Math.log(first);
  const fitted = Array.from({ length: SAMPLES + 1 }, (_, i) =>
    at(Math.exp(Math.log(first) + (span * i) / SAMPLES)),
  );
  // The last point exactly, so the line visibly passes through it.
  fitted.push(at(last));
  fitted.sort((p, q) => p.x - q.x);
  return { metric: curve.metric, measured, fitted, doubled: at(2 * last) };
}
