/**
 * What the business costs of a binary framing imply for decisions: the
 * break-even probability and the cost of the two trivial policies.
 *
 * Predicting positive at probability p costs p·C_TP + (1−p)·C_FP; predicting
 * negative costs p·C_FN + (1−p)·C_TN. They are equal at
 *   p* = (C_FP − C_TN) / ((C_FP − C_TN) + (C_FN − C_TP)),
 * which reduces to C_FP / (C_FP + C_FN) when correct decisions cost nothing.
 */

export interface OutcomeCosts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

/**
 * The probability above which acting (predicting positive) is cheaper, or
 * undefined when the costs leave no trade-off (one policy always wins).
 *
 * @example
 * breakEvenThreshold({ tp: 0, fp: 20, fn: 80, tn: 0 }) // 0.2
 */
export function breakEvenThreshold(costs: OutcomeCosts): number | undefined {
  const wrongAlarm = costs.fp - costs.tn;
  const miss = costs.fn - costs.tp;
  if (!(wrongAlarm > 0) || !(miss > 0)) return undefined;
  return wrongAlarm / (wrongAlarm + miss);
}

export interface PolicyCosts {
  readonly rows: number;
  readonly positives: number;
  readonly baseRate: number;
  readonly alwaysNegative: { readonly total: number; readonly perDecision: number };
  readonly alwaysPositive: { readonly total: number; readonly perDecision: number };
}

/** Cost of predicting every row negative, and every row positive. */
export function trivialPolicyCosts(
  rows: number,
  positives: number,
  costs: OutcomeCosts,
): PolicyCosts {
  const negatives = rows - positives;
  const neg = positives * costs.fn + negatives * costs.tn;
  const pos = positives * costs.tp + negatives * costs.fp;
  const per = (total: number) => (rows === 0 ? Number.NaN : total / rows);
  return {
    rows,
    positives,
    baseRate: rows === 0 ? Number.NaN : positives / rows,
    alwaysNegative: { total: neg, perDecision: per(neg) },
    alwaysPositive: { total: pos, perDecision: per(pos) },
  };
}
