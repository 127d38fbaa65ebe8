/**
 * The shape of a metric's calculation: which sufficient statistics it needs
 * from the rows, and how its value follows from them, per task.
 */
import type { BinaryNeeds, BinaryStatistics } from './binary-statistics.js';
import type { MetricContext, MetricDetail } from './metric-types.js';
import type { MulticlassNeeds, MulticlassStatistics } from './multiclass-statistics.js';
import type { BinaryData, MulticlassData, RegressionData } from './prepared-data.js';
import type { RegressionStatistics } from './regression-statistics.js';

/**
 * Parameters of one calculation: the context with the metric's own config laid
 * over it. `thresholdOverride` is a threshold set on the metric itself, which
 * replaces the prepared decisions (a threshold, a top-k policy or given ones).
 */
export interface MetricParams extends MetricContext {
  readonly thresholdOverride?: number;
}

/** One metric's calculation for one task. */
export interface Calculation<D, N, S> {
  /** The statistics the value follows from (checks parameters; throws FlywheelError). */
  needs(data: D, params: MetricParams): N;
  finish(stats: S, data: D, params: MetricParams): number;
  /** The parameters the value depends on, for the result. */
  parameters?(data: D, params: MetricParams): Record<string, number>;
  detail?(stats: S, data: D, params: MetricParams): MetricDetail;
}

export type BinaryCalculation = Calculation<BinaryData, BinaryNeeds, BinaryStatistics>;
export type MulticlassCalculation = Calculation<
  MulticlassData,
  MulticlassNeeds,
  MulticlassStatistics
>;
export type RegressionCalculation = Calculation<RegressionData, object, RegressionStatistics>;
