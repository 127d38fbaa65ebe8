/**
 * What monitoring reports, as the CLI's `--json`, `GET /v1/monitoring/:name`
 * and the dashboard read it: windows over the prediction log, each with
 * per-feature drift, prediction drift, latency, errors, the error budget and
 * the business KPIs, and the alerts.
 */
import type { Spec } from '../spec/index.js';

/** The spec's `monitor` section with every default filled in. */
export type MonitorSettings = NonNullable<Spec['monitor']>;

/** Reference and current shares per bin, for charts. */
export interface BinShares {
  readonly labels: readonly string[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

export interface FeatureWindow {
  readonly name: string;
  readonly type: 'numeric' | 'categorical';
  readonly method: string;
  readonly statistic: number;
  readonly threshold: number;
  readonly pValue?: number;
  readonly drifted: boolean;
  readonly psi: number;
  /** The feature's share of the model's permutation importance (0..1). */
  readonly importance: number;
  readonly missingRate: number;
  readonly referenceMissingRate: number;
  /** Categoricals: share of present values never seen in training. */
  readonly unseenRate: number;
  readonly bins: BinShares;
}

export interface PredictionWindow {
  readonly method: string;
  readonly statistic: number;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly psi: number;
  readonly positiveRate: number | null;
  readonly referencePositiveRate: number | null;
  readonly bins: BinShares;
}

export interface BurnRate {
  readonly long: string;
  readonly short: string;
  readonly factor: number;
  readonly longRate: number;
  readonly shortRate: number;
  readonly firing: boolean;
  readonly severity: string;
}

export interface MonitorWindow {
  readonly from: string;
  readonly to: string;
  readonly rows: number;
  readonly versions: readonly string[];
  /** Empty when the window has too few rows to compare (`monitor.min_rows`). */
  readonly features: readonly FeatureWindow[];
  /** The importance-weighted share of drifted features (0..1). */
  readonly driftScore: number;
  readonly prediction: PredictionWindow | null;
  readonly latency: {
    readonly p50: number | null;
    readonly p95: number | null;
    readonly p99: number | null;
    readonly budgetP99: number | null;
    readonly count: number;
  };
  readonly errors: {
    readonly requests: number;
    readonly errors: number;
    readonly rate: number | null;
  };
  readonly business: {
    readonly currency: string;
    /** Expected cost per decision from the (calibrated) scores: no labels needed. */
    readonly estimatedCostPerDecision: number | null;
    /** Cost per decision on the labelled predictions. */
    readonly realisedCostPerDecision: number | null;
    readonly labelled: number;
    /** Share of positive labels among the labelled predictions. */
    readonly labelRate: number | null;
    readonly referenceLabelRate: number | null;
  };
}

export interface SloStatus {
  readonly objective: number;
  /** Share of the period's error budget left (1: untouched; below 0: overspent). */
  readonly budgetRemaining: number | null;
  readonly burnRates: readonly BurnRate[];
}

export type AlertSeverity = 'page' | 'ticket' | 'info';

/** An alert as reported (stored episodes, firing first). */
export interface Alert {
  readonly id: string;
  readonly rule: string;
  readonly model: string;
  readonly subject: string;
  readonly state: 'firing' | 'resolved';
  readonly severity: string;
  readonly since: string;
  readonly lastSeen: string;
  readonly resolvedAt: string | null;
  readonly message: string;
  readonly evidence: unknown;
}

export interface MonitorReport {
  readonly model: string;
  readonly window: string;
  readonly generatedAt: string;
  /** critical: a page is firing; warning: a ticket is; ok otherwise. */
  readonly health: 'ok' | 'warning' | 'critical';
  /** Oldest first, the last one ending now. */
  readonly windows: readonly MonitorWindow[];
  readonly current: MonitorWindow;
  readonly slo: SloStatus;
  readonly alerts: readonly Alert[];
  /** True when the windows held more predictions than were read (`maxRows`): the oldest were left out. */
  readonly truncated: boolean;
}
