/**
 * The canary's judgement, as pure functions: one check compares the canary's
 * window with the champion's (success rate, latency p99, divergence of the
 * scores and, once labels arrive, the realised cost per decision), and a run
 * of checks decides promotion or rollback. Defaults follow Flagger: success
 * rate at least 99%, p99 within the latency budget, too little traffic is a
 * hold that never counts towards promotion, and a metric that cannot be read
 * is an error, never a pass.
 */

import { divergenceBins, scorePsi } from './score-divergence.js';
import type { WindowSnapshot } from './version-window.js';

export interface CanaryPolicy {
  /** Time between checks (default 60 s; the spec's `deploy.canary.interval_s`). */
  readonly intervalMs: number;
  /** Canary requests a window needs for a verdict; fewer is a hold (default 100). */
  readonly minRequests: number;
  /** Consecutive passes that promote (default 5). */
  readonly successfulChecks: number;
  /** Failed checks that roll back (default 3; the spec's `deploy.canary.failed_checks`). */
  readonly failedChecks: number;
  /** Consecutive checks whose metrics cannot be read before the canary is aborted (default 4). */
  readonly errorChecks: number;
  /** Lowest share of requests that succeed (default 0.99). */
  readonly minSuccessRate: number;
  /** Without a latency budget, the canary's p99 may be at most this multiple of the champion's (default 1.5). */
  readonly latencyRatio: number;
  /**
   * …and never less than the champion's p99 plus this many milliseconds
   * (default 5): scoring takes microseconds, so a bare ratio would fail an
   * identical model on timer noise.
   */
  readonly latencySlackMs: number;
  /** Highest PSI between the champion's and the canary's scores (default 0.2). */
  readonly maxScorePsi: number;
  /** How much higher (relative) the canary's cost per decision may be than the champion's (default 0.05). */
  readonly costMargin: number;
}

export const DEFAULT_CANARY_POLICY: CanaryPolicy = {
  intervalMs: 60_000,
  minRequests: 100,
  successfulChecks: 5,
  failedChecks: 3,
  errorChecks: 4,
  minSuccessRate: 0.99,
  latencyRatio: 1.5,
  latencySlackMs: 5,
  maxScorePsi: 0.2,
  costMargin: 0.05,
};

export type CheckVerdict = 'pass' | 'fail' | 'hold' | 'error';

/** One measured criterion; `passed: null` when it could not be judged (and was skipped). */
export interface CheckMetric {
  readonly name: 'success_rate' | 'latency_p99_ms' | 'score_psi' | 'cost_per_decision';
  readonly canary: number | null;
  readonly champion: number | null;
  /** The bound the canary's value was held to. */
  readonly threshold: number | null;
  readonly passed: boolean | null;
  readonly note?: string;
}

/** The evidence of one check, as recorded with a promotion or rollback. */
export interface CanaryCheck {
  readonly at: string;
  readonly name: string;
  /** `name@version` of each side. */
  readonly champion: string;
  readonly canary: string;
  readonly verdict: CheckVerdict;
  readonly reason: string;
  readonly metrics: readonly CheckMetric[];
  readonly windows: {
    readonly canary: { readonly requests: number; readonly errors: number };
    readonly champion: { readonly requests: number; readonly errors: number };
  };
}

/** Realised cost per decision of each side over the window (lower is better); absent until labelled. */
export interface CostReading {
  readonly champion?: number;
  readonly canary?: number;
}

export interface CheckInput {
  readonly at: Date;
  readonly name: string;
  readonly champion: string;
  readonly canary: string;
  readonly championWindow: WindowSnapshot;
  readonly canaryWindow: WindowSnapshot;
  /** The bundle's p99 budget (ms), when the spec has one. */
  readonly latencyBudgetP99Ms?: number;
  /** The cost reading, or the error that prevented it. */
  readonly cost?: CostReading | { readonly error: string };
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

function successRate(w: WindowSnapshot): number {
  return w.requests === 0 ? Number.NaN : (w.requests - w.errors) / w.requests;
}

/**
 * Judges one interval.
 *
 * @example
 * const check = analyseCanary({ at: new Date(), name: 'churn', champion: 'churn@3', canary: 'churn@4',
 *   championWindow, canaryWindow, latencyBudgetP99Ms: 20 }, DEFAULT_CANARY_POLICY);
 * check.verdict; // 'pass' | 'fail' | 'hold' | 'error'
 */
export function analyseCanary(input: CheckInput, policy: CanaryPolicy): CanaryCheck {
  const { canaryWindow: cw, championWindow: hw } = input;
  const metrics: CheckMetric[] = [];
  const championKnown = hw.requests >= policy.minRequests;

  const rate = successRate(cw);
  metrics.push({
    name: 'success_rate',
    canary: finiteOrNull(rate),
    champion: finiteOrNull(successRate(hw)),
    threshold: policy.minSuccessRate,
    passed: Number.isFinite(rate) ? rate >= policy.minSuccessRate : null,
  });

  const budget = input.latencyBudgetP99Ms;
  const latencyBound =
    budget !== undefined
      ? budget
      : championKnown
        ? Math.max(policy.latencyRatio * hw.p99Ms, hw.p99Ms + policy.latencySlackMs)
        : Number.NaN;
  metrics.push({
    name: 'latency_p99_ms',
    canary: finiteOrNull(cw.p99Ms),
    champion: finiteOrNull(hw.p99Ms),
    threshold: finiteOrNull(latencyBound),
    passed:
      Number.isFinite(latencyBound) && Number.isFinite(cw.p99Ms) ? cw.p99Ms <= latencyBound : null,
    ...(Number.isFinite(latencyBound)
      ? budget === undefined
        ? {
            note: `no latency budget: held to ${policy.latencyRatio}× the champion's p99 (at least ${policy.latencySlackMs} ms above it)`,
          }
        : {}
      : { note: 'no latency budget and too little champion traffic to compare with' }),
  });

  const bins = divergenceBins(hw.scores.length, cw.scores.length);
  const divergence = championKnown ? scorePsi(hw.scores, cw.scores, bins) : Number.NaN;
  metrics.push({
    name: 'score_psi',
    canary: finiteOrNull(divergence),
    champion: null,
    threshold: policy.maxScorePsi,
    passed: Number.isFinite(divergence) ? divergence <= policy.maxScorePsi : null,
    note: championKnown
      ? `${bins} bins at the champion's quantiles`
      : 'too little champion traffic to compare scores with',
  });

  let costError: string | undefined;
  const cost = input.cost;
  if (cost !== undefined && 'error' in cost) {
    costError = cost.error;
  } else if (cost?.champion !== undefined && cost.canary !== undefined) {
    const bound = cost.champion + policy.costMargin * Math.abs(cost.champion);
    if (!Number.isFinite(cost.champion) || !Number.isFinite(cost.canary)) {
      costError = 'the cost source returned a value that is not a finite number';
    } else {
      metrics.push({
        name: 'cost_per_decision',
        canary: cost.canary,
        champion: cost.champion,
        threshold: bound,
        passed: cost.canary <= bound + 1e-12,
      });
    }
  }
  if (costError === undefined && !metrics.some((m) => m.name === 'cost_per_decision')) {
    metrics.push({
      name: 'cost_per_decision',
      canary: null,
      champion: null,
      threshold: null,
      passed: null,
      note: 'no labelled outcomes yet',
    });
  }

  const base = {
    at: input.at.toISOString(),
    name: input.name,
    champion: input.champion,
    canary: input.canary,
    metrics,
    windows: {
      canary: { requests: cw.requests, errors: cw.errors },
      champion: { requests: hw.requests, errors: hw.errors },
    },
  };
  if (costError !== undefined) {
    return { ...base, verdict: 'error', reason: `cost could not be read: ${costError}` };
  }
  if (cw.requests < policy.minRequests) {
    return {
      ...base,
      verdict: 'hold',
      reason: `too little canary traffic: ${cw.requests} of ${policy.minRequests} requests needed`,
    };
  }
  const failed = metrics.filter((m) => m.passed === false);
  if (failed.length > 0) {
    return { ...base, verdict: 'fail', reason: `failed: ${failed.map(describe).join('; ')}` };
  }
  return { ...base, verdict: 'pass', reason: 'every criterion within bounds' };
}

function describe(m: CheckMetric): string {
  const fmt = (x: number | null) => (x === null ? 'n/a' : Number(x.toPrecision(4)).toString());
  const op = m.name === 'success_rate' ? '<' : '>';
  return `${m.name} ${fmt(m.canary)} ${op} ${fmt(m.threshold)}`;
}

/** Where a canary stands after its checks so far. */
export interface CanaryProgress {
  /** Consecutive passes. */
  readonly passes: number;
  /** Failed checks since the canary started. */
  readonly failures: number;
  /** Consecutive checks that could not be judged. */
  readonly errors: number;
  readonly checks: number;
}

export const NO_PROGRESS: CanaryProgress = { passes: 0, failures: 0, errors: 0, checks: 0 };

export type CanaryAction = 'continue' | 'promote' | 'rollback' | 'abort';

/**
 * The canary's state after one more check, and what to do: promote after
 * `successfulChecks` consecutive passes, roll back after `failedChecks`
 * failures, abort after `errorChecks` consecutive errors. A hold resets the
 * run of passes (it never counts towards promotion).
 *
 * @example
 * advanceCanary(NO_PROGRESS, check, DEFAULT_CANARY_POLICY); // { progress, action: 'continue' }
 */
export function advanceCanary(
  progress: CanaryProgress,
  verdict: CheckVerdict,
  policy: CanaryPolicy,
): { readonly progress: CanaryProgress; readonly action: CanaryAction } {
  const checks = progress.checks + 1;
  switch (verdict) {
    case 'pass': {
      const next = { ...progress, passes: progress.passes + 1, errors: 0, checks };
      return {
        progress: next,
        action: next.passes >= policy.successfulChecks ? 'promote' : 'continue',
      };
    }
    case 'fail': {
      const next = { ...progress, passes: 0, failures: progress.failures + 1, errors: 0, checks };
      return {
        progress: next,
        action: next.failures >= policy.failedChecks ? 'rollback' : 'continue',
      };
    }
    case 'hold':
      return { progress: { ...progress, passes: 0, errors: 0, checks }, action: 'continue' };
    case 'error': {
      const next = { ...progress, passes: 0, errors: progress.errors + 1, checks };
      return { progress: next, action: next.errors >= policy.errorChecks ? 'abort' : 'continue' };
    }
  }
}
