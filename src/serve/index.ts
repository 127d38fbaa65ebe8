/**
 * Step 6, serving: the scorer of one model version, the group-committed
 * prediction log, sticky canary routing, the canary analysis and its
 * controller, and the ModelHost the HTTP server runs over the registry.
 */
export {
  advanceCanary,
  analyseCanary,
  type CanaryAction,
  type CanaryCheck,
  type CanaryPolicy,
  type CanaryProgress,
  type CheckInput,
  type CheckMetric,
  type CheckVerdict,
  type CostReading,
  DEFAULT_CANARY_POLICY,
  NO_PROGRESS,
} from './canary-analysis.js';
export {
  CanaryController,
  type CanaryControllerOptions,
  type CanaryTarget,
  type CheckOutcome,
  type CostSource,
  type EndCanaryRequest,
} from './canary-controller.js';
export { binaryThreshold, DEFAULT_BINARY_THRESHOLD, decide, type RowScore } from './decision.js';
export {
  type DeploymentSource,
  type DeploymentState,
  type ServedVersion,
  versionKey,
} from './deployment-source.js';
export type {
  FieldError,
  ModelHost,
  ModelMetadata,
  PredictOutcome,
  PredictRequest,
  ScoredRow,
} from './host.js';
export { InferenceTimeoutError } from './inference-timeout.js';
export { parseIsoTimestamp } from './iso-timestamp.js';
export {
  type LeaderElection,
  LeaderElector,
  type LeaderElectorOptions,
  type LeadershipChange,
} from './leader-election.js';
export { modelMetadata } from './model-metadata.js';
export { type FilledRows, fillOnlineFeatures } from './online-fill.js';
export { loggedEntity, loggedEventTime } from './prediction-key.js';
export {
  type PredictionLogEntry,
  PredictionLogger,
  type PredictionLoggerOptions,
  type PredictionLoggerStats,
  type Route,
} from './prediction-logger.js';
export {
  type ControllerSettings,
  RegistryModelHost,
  type RegistryModelHostOptions,
} from './registry-model-host.js';
export { routingBucket, routingKeyOf } from './routing.js';
export { type InputField, MAX_FIELD_ERRORS, RowParser } from './row-parser.js';
export { scorePsi } from './score-divergence.js';
export { createScorer, type FeaturesResult, type ScoreResult, type Scorer } from './scorer.js';
export { ServingMinutes, type ServingMinutesSink } from './serving-minutes.js';
export { type PredictionObservation, ServingStats, type VersionStats } from './serving-stats.js';
export { type SmokeCheckOptions, smokeCheck } from './smoke-check.js';
export { storeWindow } from './store-window.js';
export { LATENCY_BOUNDS_MS, VersionWindow, type WindowSnapshot } from './version-window.js';
