/**
 * Bootstrap confidence intervals, seeded and stratified. A replicate is a
 * vector of multinomial counts (how often each row was drawn, with
 * replacement, within its stratum: the label for binary tasks, the class for
 * multiclass, all rows for regression; resampler.ts), and the metrics of a set
 * are one fused, weighted O(n) pass over rows sorted once, so a replicate
 * costs O(n) for all metrics rather than the O(n log n) of resampling rows and
 * sorting again. Counts are exactly the classical resampling of rows, only
 * never materialised. The interval is the percentile interval (two-sided,
 * linear interpolation between order statistics, as numpy's default
 * quantile). 200 resamples by default: enough for 95% percentile intervals,
 * and about one to two seconds for every binary metric on 500k rows.
 */
import { FlywheelError } from '../errors.js';
import type { MetricSet } from './calculate.js';
import type { PreparedData } from './prepared-data.js';
import { Resampler } from './resampler.js';

/** How intervals are computed. */
export interface BootstrapOptions {
  /** Resamples (default 200: enough for 95% percentile intervals, seconds on 500k rows). */
  readonly resamples?: number;
  /** Seed of the resampling (default 42). */
  readonly seed?: number;
  /** Two-sided confidence level (default 0.95). */
  readonly confidence?: number;
  /** Resample within each label or class (default true; regression is never stratified). */
  readonly stratify?: boolean;
}

/** Resamples when none are asked for. */
export const DEFAULT_RESAMPLES = 200;
/** Seed when none is given (the spec's default model seed). */
export const DEFAULT_SEED = 42;
/** Two-sided confidence level when none is given. */
export const DEFAULT_CONFIDENCE = 0.95;

/** A point estimate and its bootstrap interval. */
export interface Interval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  /** Replicates that gave a value (a replicate can lack a class only without stratification). */
  readonly resamples: number;
  readonly standardError: number;
}

/** Options with their defaults, checked. */
export function resolveBootstrap(options: BootstrapOptions = {}): Required<BootstrapOptions> {
  const resolved = {
    resamples: options.resamples ?? DEFAULT_RESAMPLES,
    seed: options.seed ?? DEFAULT_SEED,
    confidence: options.confidence ?? DEFAULT_CONFIDENCE,
    stratify: options.stratify ?? true,
  };
  if (!Number.isInteger(resolved.resamples) || resolved.resamples < 10) {
    throw new FlywheelError(
      'USAGE',
      `bootstrap resamples must be a whole number of at least 10, got ${resolved.resamples}`,
    );
  }
  if (!(resolved.confidence > 0 && resolved.confidence < 1)) {
    throw new FlywheelError(
      'USAGE',
      `confidence must lie strictly between 0 and 1, got ${resolved.confidence}`,
    );
  }
  return resolved;
}

/** The stratum of each prepared position. */
export function strataOf(data: PreparedData, stratify: boolean): Int32Array {
  const strata = new Int32Array(data.n);
  if (!stratify || data.task === 'regression') return strata;
  if (data.task === 'binary') for (let j = 0; j < data.n; j++) strata[j] = data.labels[j]!;
  else strata.set(data.truth);
  return strata;
}

/** The `q`-quantile of ascending `sorted` values, interpolating linearly. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (at - below) * (sorted[above]! - sorted[below]!);
}

/** Percentile interval of replicate values (NaN replicates dropped) around `estimate`. */
export function percentileInterval(
  estimate: number,
  replicates: Float64Array,
  confidence: number,
): Interval {
  const valid = replicates.filter((v) => !Number.isNaN(v)).sort();
  let mean = 0;
  for (const v of valid) mean += v;
  mean /= valid.length;
  let squares = 0;
  for (const v of valid) squares += (v - mean) * (v - mean);
  const tail = (1 - confidence) / 2;
  return {
    estimate,
    lower: quantileOfSorted(valid, tail),
    upper: quantileOfSorted(valid, 1 - tail),
    confidence,
    resamples: valid.length,
    standardError: valid.length > 1 ? Math.sqrt(squares / (valid.length - 1)) : Number.NaN,
  };
}

/**
 * Replicate values of every metric of the set, one array of `resamples`
 * values per metric. All metrics see the same replicates.
 *
 * @example
 * const data = prepareData('binary', Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1));
 * const [auc] = bootstrapReplicates(bindMetrics(['roc_auc'], data), { resamples: 50 });
 * auc.length; // 50 values, e.g. for a histogram in the report
 */
export function bootstrapReplicates(
  metrics: MetricSet,
  options: BootstrapOptions = {},
): Float64Array[] {
  const { resamples, seed, stratify } = resolveBootstrap(options);
  const resampler = new Resampler(strataOf(metrics.data, stratify), seed);
  const counts = new Float64Array(metrics.data.n);
  const replicates = metrics.configs.map(() => new Float64Array(resamples));
  for (let r = 0; r < resamples; r++) {
    resampler.draw(counts);
    const values = metrics.values(counts);
    for (let m = 0; m < values.length; m++) replicates[m]![r] = values[m]!;
  }
  return replicates;
}

/**
 * A bootstrap interval for each metric of the set.
 *
 * @example
 * const data = prepareData('binary', scores, labels);
 * const [auc] = bootstrapIntervals(bindMetrics(['roc_auc'], data), { seed: 7 });
 * // auc.estimate, auc.lower, auc.upper at 95%
 */
export function bootstrapIntervals(metrics: MetricSet, options: BootstrapOptions = {}): Interval[] {
  const { confidence } = resolveBootstrap(options);
  const replicates = bootstrapReplicates(metrics, options);
  const estimates = metrics.values();
  return replicates.map((r, i) => percentileInterval(estimates[i]!, r, confidence));
}
