/**
 * The vocabulary shared by every metric: what a calculation reads (predictions,
 * labels and a context), how one is configured, and the typed result it gives.
 * A metric is a config, a calculation and a typed result (as in Evidently), so
 * a gate, a slice table and a report all bind to the same value.
 */
import type { Task } from '../spec/index.js';
import type { OutcomeCosts } from './business-cost.js';

export type { Task };

/**
 * Labels of the evaluated rows: a Float64Array for binary (0/1) and regression
 * tasks, NaN marking an unlabelled row; an Int32Array of class codes for
 * multiclass, -1 marking an unlabelled row.
 */
export type Labels = Float64Array | Int32Array;

/** The period a capacity counts positives over; `batch` means the whole evaluated set. */
export type Period = 'day' | 'week' | 'month' | 'batch';

/** At most `maxPositives` positive decisions per `per` (spec `business.capacity`). */
export interface Capacity {
  readonly maxPositives: number;
  readonly per: Period;
}

/**
 * Everything besides predictions and labels that a calculation may need. Build
 * it from a spec with `metricContextFromSpec`.
 */
export interface MetricContext {
  /** Binary: cost of each outcome (default: one per error). */
  readonly costs?: OutcomeCosts;
  /** Multiclass: cost of a wrong class (default 1). */
  readonly misclassificationCost?: number;
  /** Regression: cost per unit of shortfall and of overshoot (default 1 each). */
  readonly underCostPerUnit?: number;
  readonly overCostPerUnit?: number;
  /** Binary: act when the score is at least this (default 0.5). */
  readonly threshold?: number;
  /** Binary: explicit act (1) / don't act (0) per row; overrides threshold and capacity. */
  readonly decisions?: Uint8Array;
  /** Binary: act on the `maxPositives` highest scores per period instead of a threshold. */
  readonly capacity?: Capacity;
  /** Epoch milliseconds per row; needed when the capacity counts per day, week or month. */
  readonly eventTime?: Float64Array;
  /** k for the @k metrics and top_k_accuracy. */
  readonly k?: number;
  /** Quantile for the pinball loss (default 0.5). */
  readonly alpha?: number;
  /** β of the F-beta score reported as `f1` (default 1). */
  readonly beta?: number;
  /** Equal-mass bins of the expected calibration error (default 10). */
  readonly bins?: number;
}

/** One metric by name, with its own parameters (they override the context's). */
export interface MetricConfig {
  readonly name: string;
  readonly k?: number;
  readonly alpha?: number;
  readonly beta?: number;
  readonly bins?: number;
  readonly threshold?: number;
}

/** A metric as a name or a config. */
export type MetricRequest = string | MetricConfig;

/** Weighted counts of the four outcomes of binary decisions. */
export interface ConfusionCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

/** One equal-mass bin of the reliability curve. */
export interface ReliabilityBin {
  /** Lowest and highest score in the bin. */
  readonly lower: number;
  readonly upper: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
  readonly rows: number;
}

/** How binary decisions were made: a threshold, top-k per period, or given per row. */
export type DecisionRule =
  | { readonly kind: 'threshold'; readonly threshold: number }
  | { readonly kind: 'top_k'; readonly k: number; readonly per: Period }
  | { readonly kind: 'given' };

/** What a metric saw beyond its value, by family. */
export type MetricDetail =
  | {
      readonly kind: 'decisions';
      readonly rule: DecisionRule;
      readonly counts: ConfusionCounts;
    }
  | { readonly kind: 'reliability'; readonly bins: readonly ReliabilityBin[] }
  | { readonly kind: 'top_k'; readonly k: number; readonly positivesInTopK: number };

/** The typed result of one calculation. */
export interface MetricResult {
  readonly name: string;
  readonly task: Task;
  readonly value: number;
  readonly better: 'higher' | 'lower';
  /** Labelled rows the value was computed on. */
  readonly rows: number;
  /** The parameters the calculation used (k, threshold, beta, alpha, bins). */
  readonly parameters: Readonly<Record<string, number>>;
  readonly detail?: MetricDetail;
}
