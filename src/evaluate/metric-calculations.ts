/**
 * The calculation of every metric of the catalogue, per task: the statistics
 * each needs and the formula that finishes it. Ratios with an empty
 * denominator are NaN, except precision, recall and F-beta, which follow
 * scikit-learn's zero_division=0.
 */
import { FlywheelError } from '../errors.js';
import {
  accuracyOf,
  costOf,
  fBetaOf,
  precisionOf,
  recallOf,
  UNIT_ERROR_COSTS,
} from './binary-decisions.js';
import {
  checkBins,
  DEFAULT_ECE_BINS,
  reliabilityBins,
  requireProbabilities,
} from './binary-probability.js';
import type { BinaryNeeds, BinaryStatistics } from './binary-statistics.js';
import type {
  BinaryCalculation,
  MetricParams,
  MulticlassCalculation,
  RegressionCalculation,
} from './calculation.js';
import type { ConfusionCounts, DecisionRule } from './metric-types.js';
import {
  type MulticlassNeeds,
  type MulticlassStatistics,
  macroF1,
} from './multiclass-statistics.js';
import type { BinaryData } from './prepared-data.js';
import type { RegressionStatistics } from './regression-statistics.js';

/** A metric's calculation for each task it exists for. */
export interface TaskCalculations {
  readonly binary?: BinaryCalculation;
  readonly multiclass?: MulticlassCalculation;
  readonly regression?: RegressionCalculation;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : Number.NaN);

const probability = (name: string, needs: BinaryNeeds, sum: (s: BinaryStatistics) => number) =>
  ({
    needs: (data) => {
      requireProbabilities(data, name);
      return needs;
    },
    finish: (s) => ratio(sum(s), s.rows),
  }) satisfies BinaryCalculation;

/** The decision rule a decision metric applies: its own threshold, or the prepared rule. */
function ruleOf(data: BinaryData, params: MetricParams): DecisionRule {
  return params.thresholdOverride === undefined
    ? data.rule
    : { kind: 'threshold', threshold: params.thresholdOverride };
}

function confusion(s: BinaryStatistics, rule: DecisionRule): ConfusionCounts {
  const acted = rule.kind === 'threshold' ? s.byThreshold.get(rule.threshold)! : s.acted;
  return {
    tp: acted.tp,
    fp: acted.fp,
    fn: s.positives - acted.tp,
    tn: s.rows - s.positives - acted.fp,
  };
}

const decisionMetric = (
  finish: (counts: ConfusionCounts, params: MetricParams) => number,
  parameters: (params: MetricParams) => Record<string, number> = () => ({}),
): BinaryCalculation => ({
  needs: (data, params) => {
    const rule = ruleOf(data, params);
    return rule.kind === 'threshold' ? { thresholds: [rule.threshold] } : { acted: true };
  },
  finish: (s, data, params) => finish(confusion(s, ruleOf(data, params)), params),
  parameters: (data, params) => {
    const rule = ruleOf(data, params);
    return {
      ...(rule.kind === 'threshold' ? { threshold: rule.threshold } : {}),
      ...parameters(params),
    };
  },
  detail: (s, data, params) => {
    const rule = ruleOf(data, params);
    return { kind: 'decisions', rule, counts: confusion(s, rule) };
  },
});

/** Rows taken and positives among them: the k highest scores, or the top-k policy's rows. */
function topK(s: BinaryStatistics, params: MetricParams): { taken: number; hits: number } {
  if (params.k === undefined) return { taken: s.acted.tp + s.acted.fp, hits: s.acted.tp };
  return { taken: Math.min(params.k, s.rows), hits: s.byTopK.get(params.k)! };
}

const topKMetric = (
  name: string,
  finish: (c: { taken: number; hits: number }, s: BinaryStatistics) => number,
): BinaryCalculation => ({
  needs: (data, params) => {
    if (params.k !== undefined) {
      if (!Number.isInteger(params.k) || params.k < 1) {
        throw new FlywheelError(
          'USAGE',
          `${name}: k must be a positive whole number, got ${params.k}`,
        );
      }
      return { topK: [params.k] };
    }
    if (data.rule.kind !== 'top_k') {
      throw new FlywheelError('USAGE', `${name} needs k`, {
        hint: `set k on the metric (acceptance.metrics.${name}.k) or a capacity (business.capacity)`,
      });
    }
    return { acted: true };
  },
  finish: (s, _data, params) => finish(topK(s, params), s),
  parameters: (data, params) => ({
    k: params.k ?? (data.rule.kind === 'top_k' ? data.rule.k : Number.NaN),
  }),
  detail: (s, data, params) => ({
    kind: 'top_k',
    k: params.k ?? (data.rule.kind === 'top_k' ? data.rule.k : Number.NaN),
    positivesInTopK: topK(s, params).hits,
  }),
});

const binaryCosts = (params: MetricParams) => params.costs ?? UNIT_ERROR_COSTS;
const classCost = (params: MetricParams) => params.misclassificationCost ?? 1;
const regressionTotal = (s: RegressionStatistics, params: MetricParams) =>
  (params.underCostPerUnit ?? 1) * s.shortfall + (params.overCostPerUnit ?? 1) * s.overshoot;

function topKAccuracyK(params: MetricParams): number {
  const k = params.k ?? 2;
  if (!Number.isInteger(k) || k < 1) {
    throw new FlywheelError('USAGE', `top_k_accuracy: k must be a positive whole number, got ${k}`);
  }
  return k;
}

function quantileAlpha(params: MetricParams): number {
  const alpha = params.alpha ?? 0.5;
  if (!(alpha > 0 && alpha < 1)) {
    throw new FlywheelError('USAGE', `quantile_loss: alpha must lie in (0, 1), got ${alpha}`);
  }
  return alpha;
}

const eceBins = (params: MetricParams) => checkBins(params.bins ?? DEFAULT_ECE_BINS);

const regression = (finish: (s: RegressionStatistics, params: MetricParams) => number) =>
  ({
    needs: () => ({}),
    finish: (s, _data, params) => finish(s, params),
  }) satisfies RegressionCalculation;

const multiclass = (
  finish: (s: MulticlassStatistics, params: MetricParams) => number,
  needs: MulticlassNeeds = {},
) =>
  ({
    needs: () => needs,
    finish: (s, _data, params) => finish(s, params),
  }) satisfies MulticlassCalculation;

/** Calculations by catalogue name. */
export const CALCULATIONS: Readonly<Record<string, TaskCalculations>> = {
  roc_auc: {
    binary: {
      needs: () => ({ ranking: true }),
      finish: (s) => ratio(s.aucPairs, s.positives * (s.rows - s.positives)),
    },
  },
  pr_auc: {
    binary: { needs: () => ({ ranking: true }), finish: (s) => ratio(s.precisionSum, s.positives) },
  },
  log_loss: {
    binary: probability('log_loss', { logLoss: true }, (s) => s.logLossSum),
    multiclass: multiclass((s) => ratio(s.logLossSum, s.rows)),
  },
  brier: { binary: probability('brier', { brier: true }, (s) => s.brierSum) },
  ece: {
    binary: {
      needs: (data, params) => {
        requireProbabilities(data, 'ece');
        return { eceBins: [eceBins(params)] };
      },
      finish: (s, _data, params) => ratio(s.eceGap.get(eceBins(params))!, s.rows),
      parameters: (_data, params) => ({ bins: eceBins(params) }),
      detail: (_s, data, params) => ({
        kind: 'reliability',
        bins: reliabilityBins(data, eceBins(params)),
      }),
    },
  },
  precision: { binary: decisionMetric(precisionOf) },
  recall: { binary: decisionMetric(recallOf) },
  f1: {
    binary: decisionMetric(
      (c, params) => fBetaOf(c, params.beta ?? 1),
      (params) => ({ beta: params.beta ?? 1 }),
    ),
  },
  accuracy: {
    binary: decisionMetric(accuracyOf),
    multiclass: multiclass((s) => ratio(s.correct, s.rows)),
  },
  precision_at_k: {
    binary: topKMetric('precision_at_k', (c) => (c.taken > 0 ? c.hits / c.taken : 0)),
  },
  recall_at_k: {
    binary: topKMetric('recall_at_k', (c, s) => (s.positives > 0 ? c.hits / s.positives : 0)),
  },
  lift_at_k: {
    binary: topKMetric('lift_at_k', (c, s) =>
      c.taken > 0 && s.positives > 0 ? c.hits / c.taken / (s.positives / s.rows) : Number.NaN,
    ),
  },
  expected_cost: {
    binary: decisionMetric((c, params) => costOf(c, binaryCosts(params))),
    multiclass: multiclass((s, params) => (s.rows - s.correct) * classCost(params)),
    regression: regression(regressionTotal),
  },
  cost_per_decision: {
    binary: decisionMetric((c, params) =>
      ratio(costOf(c, binaryCosts(params)), c.tp + c.fp + c.fn + c.tn),
    ),
    multiclass: multiclass((s, params) => ratio((s.rows - s.correct) * classCost(params), s.rows)),
    regression: regression((s, params) => ratio(regressionTotal(s, params), s.rows)),
  },
  macro_f1: { multiclass: multiclass(macroF1, { perClass: true }) },
  micro_f1: { multiclass: multiclass((s) => ratio(s.correct, s.rows)) },
  top_k_accuracy: {
    multiclass: {
      needs: (_data, params) => ({ topK: [topKAccuracyK(params)] }),
      finish: (s, _data, params) => ratio(s.byTopK.get(topKAccuracyK(params))!, s.rows),
      parameters: (_data, params) => ({ k: topKAccuracyK(params) }),
    },
  },
  mae: { regression: regression((s) => ratio(s.shortfall + s.overshoot, s.rows)) },
  rmse: { regression: regression((s) => Math.sqrt(ratio(s.squaredError, s.rows))) },
  r2: {
    // For constant labels, 1 for a perfect fit and 0 otherwise (scikit-learn's force_finite).
    regression: regression((s) =>
      s.rows === 0
        ? Number.NaN
        : s.spread > 0
          ? 1 - s.squaredError / s.spread
          : s.squaredError === 0
            ? 1
            : 0,
    ),
  },
  quantile_loss: {
    regression: {
      needs: (_data, params) => {
        quantileAlpha(params);
        return {};
      },
      finish: (s, _data, params) => {
        const alpha = quantileAlpha(params);
        return ratio(alpha * s.shortfall + (1 - alpha) * s.overshoot, s.rows);
      },
      parameters: (_data, params) => ({ alpha: quantileAlpha(params) }),
    },
  },
};
