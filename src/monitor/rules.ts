/**
 * The alert rules: each looks at the current window (and the error budget
 * and feature freshness) and says whether it fires, about what, how bad, and
 * with what evidence. A rule that could not judge (too few rows, no labels
 * yet) stays silent and leaves its open alerts as they are.
 */
import type { MonitorSettings, MonitorWindow, SloStatus } from './types.js';

/** One firing condition. */
export interface AlertCandidate {
  readonly rule: string;
  readonly subject: string;
  readonly severity: string;
  readonly message: string;
  readonly evidence: Record<string, unknown>;
}

export interface RuleOutcome {
  readonly firing: AlertCandidate[];
  /** Rules that judged this time: their open alerts that are not firing resolve. */
  readonly judged: Set<string>;
}

/** What the freshness rule reads (see OnlineFeatures.freshness). */
export interface FreshnessInput {
  readonly table: string;
  readonly features: readonly string[];
  readonly ageMs: number;
  readonly boundMs: number | undefined;
  readonly stale: boolean;
}

export interface RuleInputs {
  readonly settings: MonitorSettings;
  readonly window: MonitorWindow;
  readonly slo: SloStatus;
  readonly freshness?: readonly FreshnessInput[];
  /** The cost per decision the estimated-cost rule holds to when the settings give none. */
  readonly costMax?: number;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const num = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/**
 * Evaluates every enabled rule.
 *
 * @example
 * const { firing } = evaluateRules({ settings, window, slo });
 * firing.map((a) => `${a.rule}:${a.subject}`) // ['feature_drift:distance']
 */
export function evaluateRules(inputs: RuleInputs): RuleOutcome {
  const { settings, window: w, slo } = inputs;
  const rules = settings.rules;
  const firing: AlertCandidate[] = [];
  const judged = new Set<string>();
  const enough = w.rows >= settings.min_rows;
  const fire = (c: AlertCandidate) => firing.push(c);

  if (enough && w.features.length > 0) {
    if (rules.feature_drift.enabled) {
      judged.add('feature_drift');
      for (const f of w.features) {
        if (!f.drifted || f.importance < rules.feature_drift.min_importance) continue;
        fire({
          rule: 'feature_drift',
          subject: f.name,
          severity: rules.feature_drift.severity,
          message: `feature "${f.name}" drifted: ${f.method} ${num(f.statistic)} (threshold ${num(f.threshold)}, PSI ${num(f.psi)}) over ${w.rows} predictions; it carries ${pct(f.importance)} of the model's importance`,
          evidence: {
            method: f.method,
            statistic: f.statistic,
            threshold: f.threshold,
            psi: f.psi,
            importance: f.importance,
            rows: w.rows,
            bins: f.bins,
          },
        });
      }
    }
    judged.add('drift_score');
    if (w.driftScore > rules.drift_score.max) {
      const drifted = w.features.filter((f) => f.drifted).map((f) => f.name);
      fire({
        rule: 'drift_score',
        subject: '',
        severity: rules.drift_score.severity,
        message: `${pct(w.driftScore)} of the model's importance sits on drifted features (${drifted.join(', ')}); the bound is ${pct(rules.drift_score.max)}`,
        evidence: { driftScore: w.driftScore, max: rules.drift_score.max, drifted },
      });
    }
    judged.add('missing_rate');
    judged.add('unseen_categories');
    for (const f of w.features) {
      const rise = f.missingRate - f.referenceMissingRate;
      if (rise > rules.missing_rate.max_change) {
        fire({
          rule: 'missing_rate',
          subject: f.name,
          severity: rules.missing_rate.severity,
          message: `feature "${f.name}" is missing in ${pct(f.missingRate)} of predictions, ${pct(f.referenceMissingRate)} in training`,
          evidence: {
            missingRate: f.missingRate,
            referenceMissingRate: f.referenceMissingRate,
            maxChange: rules.missing_rate.max_change,
          },
        });
      }
      if (f.type === 'categorical' && f.unseenRate > rules.unseen_categories.max_rate) {
        fire({
          rule: 'unseen_categories',
          subject: f.name,
          severity: rules.unseen_categories.severity,
          message: `${pct(f.unseenRate)} of "${f.name}" values were never seen in training (bound ${pct(rules.unseen_categories.max_rate)})`,
          evidence: { unseenRate: f.unseenRate, maxRate: rules.unseen_categories.max_rate },
        });
      }
    }
  }

  const p = w.prediction;
  if (enough && p !== null) {
    if (rules.prediction_drift.enabled) {
      judged.add('prediction_drift');
      if (p.drifted) {
        fire({
          rule: 'prediction_drift',
          subject: '',
          severity: rules.prediction_drift.severity,
          message: `the score distribution drifted from the test scores: ${p.method} ${num(p.statistic)} (threshold ${num(p.threshold)}, PSI ${num(p.psi)})`,
          evidence: {
            method: p.method,
            statistic: p.statistic,
            threshold: p.threshold,
            psi: p.psi,
            bins: p.bins,
          },
        });
      }
    }
    if (p.positiveRate !== null && p.referencePositiveRate !== null) {
      judged.add('positive_rate');
      const change = p.positiveRate - p.referencePositiveRate;
      if (Math.abs(change) > rules.positive_rate.max_change) {
        fire({
          rule: 'positive_rate',
          subject: '',
          severity: rules.positive_rate.severity,
          message: `the model acts on ${pct(p.positiveRate)} of predictions, ${pct(p.referencePositiveRate)} on test`,
          evidence: {
            positiveRate: p.positiveRate,
            referencePositiveRate: p.referencePositiveRate,
            maxChange: rules.positive_rate.max_change,
          },
        });
      }
    }
  }

  const l = w.latency;
  if (
    rules.latency_p99.enabled &&
    l.budgetP99 !== null &&
    l.p99 !== null &&
    l.count >= Math.min(settings.min_rows, 20)
  ) {
    judged.add('latency_p99');
    if (l.p99 > l.budgetP99) {
      fire({
        rule: 'latency_p99',
        subject: '',
        severity: rules.latency_p99.severity,
        message: `p99 model latency is ${num(l.p99)} ms over ${l.count} predictions; the budget is ${l.budgetP99} ms`,
        evidence: { p50: l.p50, p95: l.p95, p99: l.p99, budgetP99: l.budgetP99, count: l.count },
      });
    }
  }

  judged.add('error_budget');
  for (const b of slo.burnRates) {
    if (!b.firing) continue;
    fire({
      rule: 'error_budget',
      subject: `${b.long}/${b.short}`,
      severity: b.severity,
      message: `the error budget burns at ${num(b.longRate)}× over ${b.long} and ${num(b.shortRate)}× over ${b.short} (alert above ${b.factor}×; objective ${slo.objective})`,
      evidence: { ...b, objective: slo.objective, budgetRemaining: slo.budgetRemaining },
    });
  }

  const biz = w.business;
  const costMax = rules.estimated_cost.max ?? inputs.costMax;
  if (enough && biz.estimatedCostPerDecision !== null && costMax !== undefined) {
    judged.add('estimated_cost');
    if (biz.estimatedCostPerDecision > costMax) {
      fire({
        rule: 'estimated_cost',
        subject: '',
        severity: rules.estimated_cost.severity,
        message: `the expected cost per decision, from the scores, is ${biz.currency} ${num(biz.estimatedCostPerDecision)}; the bound is ${num(costMax)}`,
        evidence: { estimated: biz.estimatedCostPerDecision, max: costMax, rows: w.rows },
      });
    }
  }
  const realisedMax = rules.realised_cost.max ?? costMax;
  if (
    biz.labelled >= rules.realised_cost.min_labels &&
    biz.realisedCostPerDecision !== null &&
    realisedMax !== undefined
  ) {
    judged.add('realised_cost');
    if (biz.realisedCostPerDecision > realisedMax) {
      fire({
        rule: 'realised_cost',
        subject: '',
        severity: rules.realised_cost.severity,
        message: `the realised cost per decision on ${biz.labelled} labelled predictions is ${biz.currency} ${num(biz.realisedCostPerDecision)}; the bound is ${num(realisedMax)}`,
        evidence: {
          realised: biz.realisedCostPerDecision,
          max: realisedMax,
          labelled: biz.labelled,
        },
      });
    }
  }
  if (
    biz.labelled >= rules.label_rate.min_labels &&
    biz.labelRate !== null &&
    biz.referenceLabelRate !== null
  ) {
    judged.add('label_rate');
    const change = biz.labelRate - biz.referenceLabelRate;
    if (Math.abs(change) > rules.label_rate.max_change) {
      fire({
        rule: 'label_rate',
        subject: '',
        severity: rules.label_rate.severity,
        message: `${pct(biz.labelRate)} of the ${biz.labelled} labelled predictions are positive, ${pct(biz.referenceLabelRate)} on test`,
        evidence: {
          labelRate: biz.labelRate,
          referenceLabelRate: biz.referenceLabelRate,
          labelled: biz.labelled,
        },
      });
    }
  }

  if (rules.feature_freshness.enabled && inputs.freshness !== undefined) {
    judged.add('feature_freshness');
    for (const f of inputs.freshness) {
      if (!f.stale) continue;
      fire({
        rule: 'feature_freshness',
        subject: f.table,
        severity: rules.feature_freshness.severity,
        message: Number.isFinite(f.ageMs)
          ? `the newest "${f.table}" event is ${Math.round(f.ageMs / 1000)} s old; the bound is ${Math.round((f.boundMs ?? 0) / 1000)} s (features ${f.features.join(', ')})`
          : `event table "${f.table}" has no events (features ${f.features.join(', ')})`,
        evidence: {
          ageMs: Number.isFinite(f.ageMs) ? f.ageMs : null,
          boundMs: f.boundMs,
          features: f.features,
        },
      });
    }
  }
  return { firing, judged };
}
