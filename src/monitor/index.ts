/** Step 7, monitoring: windows over the prediction log, alert rules, their state and delivery. */

export { applyOutcome, type Transition, toAlert } from './alert-state.js';
export { type MonitorOptions, monitorModel } from './monitor-model.js';
export { permutationImportance, scoreProfile, scoreReference } from './reference.js';
export {
  type AlertCandidate,
  evaluateRules,
  type FreshnessInput,
  type RuleInputs,
  type RuleOutcome,
} from './rules.js';
export { projectMonitorSettings } from './settings.js';
export { type MinuteCounts, sloLookbackMs, sloStatus } from './slo.js';
export type {
  Alert,
  AlertSeverity,
  BinShares,
  BurnRate,
  FeatureWindow,
  MonitorReport,
  MonitorSettings,
  MonitorWindow,
  PredictionWindow,
  SloStatus,
} from './types.js';
export { alertPayload, type Delivery, deliverAlert, type Webhook } from './webhooks.js';
export {
  computeWindow,
  estimatedCost,
  realisedCost,
  type WindowContext,
  type WindowInput,
  windowContext,
} from './window.js';
