/**
 * Decisions (step 5): which rows the model acts on. Without a capacity, the
 * threshold with the lowest business cost on validation data, reported on
 * test (with the test cost curve, the threshold that would have been best in
 * hindsight, and the two trivial policies for scale). With a capacity, the
 * top-k policy: act on the k highest scores of each period.
 */
import { FlywheelError } from '../errors.js';
import { breakEvenThreshold } from '../spec/index.js';
import { UNIT_ERROR_COSTS } from './binary-decisions.js';
import { costOptimalThreshold, type OutcomeCosts } from './business-cost.js';
import { type CostPoint, costCurveOf, sweepCosts, sweepThresholds } from './curves.js';
import type { Capacity, ConfusionCounts, MetricContext, Period } from './metric-types.js';
import { type BinaryData, prepareBinary } from './prepared-data.js';

/** How the rows to act on are chosen. */
export type DecisionPolicy =
  | {
      readonly kind: 'threshold';
      /** Act when the score is at least this; Infinity (null in JSON) acts on no row. */
      readonly threshold: number;
      /**
       * Where it came from: the validation sweep, the break-even probability
       * of the costs, or given by the caller.
       */
      readonly chosenOn: 'validation' | 'break_even' | 'given';
      /** Cost per decision at this threshold on validation, when chosen there. */
      readonly validationPerDecision?: number;
    }
  | { readonly kind: 'top_k'; readonly k: number; readonly per: Period };

export interface DecisionPolicyInput {
  readonly costs?: OutcomeCosts;
  readonly capacity?: Capacity;
  /** Labelled validation rows the threshold is chosen on. */
  readonly validation?: { readonly predictions: Float64Array; readonly labels: Float64Array };
}

/**
 * The decision policy: top-k under a capacity; otherwise the cost-optimal
 * threshold on validation; without validation rows, the break-even
 * probability of the costs (optimal for calibrated probabilities), or 0.5.
 *
 * @example
 * chooseDecisionPolicy({ costs: { tp: 20, fp: 20, fn: 80, tn: 0 }, validation: { predictions, labels } });
 * // { kind: 'threshold', threshold: 0.23, chosenOn: 'validation', validationPerDecision: 11.2 }
 */
export function chooseDecisionPolicy(input: DecisionPolicyInput): DecisionPolicy {
  if (input.capacity !== undefined) {
    return { kind: 'top_k', k: input.capacity.maxPositives, per: input.capacity.per };
  }
  const costs = input.costs ?? UNIT_ERROR_COSTS;
  if (input.validation !== undefined) {
    const best = costOptimalThreshold(input.validation.predictions, input.validation.labels, costs);
    if (best.decisions === 0) {
      throw new FlywheelError('DATA_EMPTY', 'no labelled validation rows to choose a threshold on');
    }
    return {
      kind: 'threshold',
      threshold: best.threshold,
      chosenOn: 'validation',
      validationPerDecision: best.perDecision,
    };
  }
  return { kind: 'threshold', threshold: breakEvenThreshold(costs) ?? 0.5, chosenOn: 'break_even' };
}

/**
 * The metric context that applies `policy` (with the event times a capacity per period needs).
 *
 * @example
 * policyContext({ kind: 'threshold', threshold: 0.23, chosenOn: 'validation' }); // { threshold: 0.23 }
 * policyContext({ kind: 'top_k', k: 50, per: 'day' }, eventTime);
 * // { capacity: { maxPositives: 50, per: 'day' }, eventTime }
 */
export function policyContext(policy: DecisionPolicy, eventTime?: Float64Array): MetricContext {
  if (policy.kind === 'threshold') return { threshold: policy.threshold };
  return {
    capacity: { maxPositives: policy.k, per: policy.per },
    ...(eventTime === undefined ? {} : { eventTime }),
  };
}

/** What a policy costs on evaluated rows. */
export interface DecisionOutcome {
  readonly rows: number;
  /** Rows acted on. */
  readonly acted: number;
  readonly counts: ConfusionCounts;
  readonly total: number;
  readonly perDecision: number;
}

/** The decisions on test, against what was possible. */
export interface DecisionReport {
  readonly policy: DecisionPolicy;
  readonly test: DecisionOutcome;
  /** Threshold policies: the threshold that would have been cheapest on test, in hindsight. */
  readonly bestInHindsight?: { readonly threshold: number; readonly perDecision: number };
  /** Cost per decision of acting on no row, and on every row. */
  readonly actOnNone: number;
  readonly actOnAll: number;
  /** Cost against threshold on test (the policy's threshold always among the points). */
  readonly costCurve: readonly CostPoint[];
}

function outcome(data: BinaryData, costs: OutcomeCosts): DecisionOutcome {
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < data.n; j++) {
    if (data.decisions[j] === 0) continue;
    if (data.labels[j] === 1) tp++;
    else fp++;
  }
  const counts = { tp, fp, fn: data.positives - tp, tn: data.n - data.positives - fp };
  const total = tp * costs.tp + fp * costs.fp + counts.fn * costs.fn + counts.tn * costs.tn;
  return {
    rows: data.n,
    acted: tp + fp,
    counts,
    total,
    perDecision: data.n > 0 ? total / data.n : Number.NaN,
  };
}

/**
 * How `policy` does on test rows, with the cost curve for the report.
 *
 * @example
 * const policy = chooseDecisionPolicy({ costs, validation });
 * evaluateDecision(policy, test.predictions, test.labels, costs).test.perDecision;
 */
export function evaluateDecision(
  policy: DecisionPolicy,
  predictions: Float64Array,
  labels: Float64Array,
  costs: OutcomeCosts = UNIT_ERROR_COSTS,
  eventTime?: Float64Array,
  maxPoints?: number,
): DecisionReport {
  const data = prepareBinary(predictions, labels, policyContext(policy, eventTime));
  return decisionReportOf(policy, data, costs, maxPoints);
}

/** The decision report on rows prepared under `policy`. */
export function decisionReportOf(
  policy: DecisionPolicy,
  data: BinaryData,
  costs: OutcomeCosts = UNIT_ERROR_COSTS,
  maxPoints?: number,
): DecisionReport {
  const sweep = sweepThresholds(data);
  const totals = sweepCosts(sweep, costs);
  let best = 0;
  for (let i = 1; i < totals.length; i++) if (totals[i]! < totals[best]!) best = i;
  const rows = data.n;
  const per = (total: number) => (rows > 0 ? total / rows : Number.NaN);
  return {
    policy,
    test: outcome(data, costs),
    ...(policy.kind === 'threshold'
      ? {
          bestInHindsight: {
            threshold: sweep.thresholds[best]!,
            perDecision: per(totals[best]!),
          },
        }
      : {}),
    actOnNone: per(totals[0]!),
    actOnAll: per(totals[totals.length - 1]!),
    costCurve: costCurveOf(data, costs, {
      ...(maxPoints === undefined ? {} : { maxPoints }),
      ...(policy.kind === 'threshold' ? { mark: [policy.threshold] } : {}),
    }),
  };
}
