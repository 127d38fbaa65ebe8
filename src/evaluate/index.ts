/**
 * Step 5, evaluation that matches the business: metrics by name (a config, a
 * calculation and a typed result), decisions (cost-optimal threshold or top-k
 * under a capacity), bootstrap intervals and paired comparisons, slices,
 * curves, and gates that judge the spec's acceptance criteria.
 */
export {
  type BootstrapOptions,
  bootstrapIntervals,
  bootstrapReplicates,
  DEFAULT_CONFIDENCE,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  type Interval,
} from './bootstrap.js';
export {
  type BinaryCost,
  binaryCost,
  costOptimalThreshold,
  multiclassCost,
  type OutcomeCosts,
  regressionCost,
} from './business-cost.js';
export {
  bindMetrics,
  calculateMetric,
  calculateMetrics,
  type MetricSet,
  metricLabel,
} from './calculate.js';
export {
  type CostCurveOptions,
  type CostPoint,
  costCurve,
  type PrPoint,
  prCurve,
  type RocPoint,
  rocCurve,
} from './curves.js';
export {
  chooseDecisionPolicy,
  type DecisionOutcome,
  type DecisionPolicy,
  type DecisionPolicyInput,
  type DecisionReport,
  evaluateDecision,
  policyContext,
} from './decision-policy.js';
export {
  defaultMetrics,
  type EvaluateModelInput,
  evaluateModel,
  type MetricEstimate,
  type ModelEvaluation,
} from './evaluate-model.js';
export {
  type Acceptance,
  type AcceptanceInput,
  type GateCriterion,
  type GateVerdict,
  judgeAcceptance,
} from './gates.js';
export {
  getMetric,
  METRIC_REGISTRY,
  type MetricDefinition,
  metricNames,
} from './metric-registry.js';
export type {
  Capacity,
  ConfusionCounts,
  DecisionRule,
  Labels,
  MetricConfig,
  MetricContext,
  MetricDetail,
  MetricRequest,
  MetricResult,
  Period,
  ReliabilityBin,
} from './metric-types.js';
export { type PairedComparison, pairedBootstrap, type ScoredModel } from './paired-bootstrap.js';
export { type PreparedData, prepareData } from './prepared-data.js';
export { logLoss, rocAuc } from './ranking.js';
export {
  type SkippedSlice,
  type Slice,
  type SliceColumn,
  type SliceInput,
  type SliceMetric,
  type SliceReport,
  sliceMetrics,
} from './slices.js';
export { metricContextFromSpec } from './spec-context.js';
export { topKDecisions } from './top-k-policy.js';
