/**
 * Step 6, the registry: immutable model versions (one bundle each, under its
 * sha256), aliases with their full history, canary state, and the API tokens
 * that decide who may read, predict, register or deploy.
 */
export {
  BUNDLE_FORMAT,
  BUNDLE_MEDIA_TYPE,
  type BundleDecision,
  type BundleDerived,
  type BundleInput,
  type ModelBundle,
  type ScoreReference,
} from './bundle.js';
export { checkBundle } from './bundle-check.js';
export { canonicalJson } from './canonical-json.js';
export { ModelRegistry, type ModelRegistryOptions } from './model-registry.js';
export {
  assertAliasName,
  assertModelName,
  CANARY,
  CHAMPION,
  formatVersionRef,
  type ModelRef,
  parseModelRef,
} from './refs.js';
export { ACTIONS, type Action, isRole, ROLES, type Role, roleAllows } from './roles.js';
export { loadAndScore, type SmokeCheck } from './smoke-check.js';
export {
  type TokenIdentity,
  type TokenInfo,
  TokenStore,
  type TokenStoreOptions,
} from './token-store.js';
export {
  type AliasMove,
  CANARY_OUTCOMES,
  type CanaryOutcome,
  type ChangeOptions,
  type Deployment,
  type EndCanaryOptions,
  type ModelVersion,
  type MoveAliasOptions,
  type RemoveAliasOptions,
  type RollbackOptions,
  type SetCanaryWeightOptions,
  type StartCanaryOptions,
} from './types.js';
