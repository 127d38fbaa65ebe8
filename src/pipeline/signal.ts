/**
 * Signal findings: is there something to learn, and would more data help?
 * `signalFindings` turns a ladder's rung records and a learning curve
 * (learning-curve.ts) into findings: `signal.no_lift`,
 * `signal.learning_curve`, `signal.plateau`. The label-issue check is in
 * out-of-fold.ts.
 */

import type { Finding } from '../findings.js';
import type { RungRecord } from '../models/index.js';
import type { LearningCurve } from './learning-curve.js';

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
