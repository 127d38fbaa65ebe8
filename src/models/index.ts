/** Steps 2 and 4: baselines, models, the estimator contract and the model ladder. */
import './kinds.js';

export { alignedFrame, alignFrame, MISSING, schemaOf, UNSEEN } from './align.js';
export { FittedPrior, FittedRule, Prior, priorKind, Rule, ruleKind } from './baselines/index.js';
export type {
  Estimator,
  FeatureSchema,
  FitOptions,
  FitProgress,
  FittedModel,
  ModelCost,
  ModelFile,
} from './estimator.js';
export {
  businessScore,
  climbLadder,
  type LadderInput,
  type LadderResult,
  ladderRungs,
  RUNG_NAMES,
  type Rung,
  type RungRecord,
  singleRowLatency,
} from './ladder.js';
export { decodeArray, encodeArray, parseParams } from './model-file.js';
export {
  createEstimator,
  loadModel,
  type ModelKind,
  modelKinds,
  registerModelKind,
} from './model-registry.js';
