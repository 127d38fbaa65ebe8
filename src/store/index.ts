/**
 * The store layer: ports and adapters at the bottom of Flywheel. Metadata
 * (runs, metrics, artifacts, audit and prediction logs, snapshots, the model
 * registry's tables and API tokens) on SQLite or PostgreSQL through one SQL
 * code path, and content-addressed artifacts.
 */
export type {
  ArtifactRef,
  ArtifactSource,
  ArtifactStore,
} from './artifacts/artifact-store.js';
export { assertSha256, isSha256 } from './artifacts/artifact-store.js';
export { commitTemp, writeTemp } from './artifacts/atomic-write.js';
export { LocalArtifactStore } from './artifacts/local-artifact-store.js';
export { type CodeVersion, detectCodeVersion } from './code-version.js';
export { displayId } from './codec.js';
export {
  STORE_ENGINES,
  type StoreCapabilities,
  type StoreEngine,
} from './dialect/capabilities.js';
export type { PostgresDialectOptions } from './dialect/postgres.js';
export type { RegistryWatch } from './dialect/postgres-listen.js';
export type { SqliteDialectOptions } from './dialect/sqlite.js';
export type { FeatureEventRecord, FeatureEventWrite } from './feature-event-records.js';
export type {
  FeedbackIssue,
  KeyedPrediction,
  LabelConflict,
  LabelWrite,
  LabelWriteOutcome,
  PredictionKey,
} from './feedback-records.js';
export type {
  FeedbackCounts,
  LabelledFilter,
  LabelledPrediction,
} from './labelled-predictions.js';
export {
  describeStoreLocation,
  resolveStoreLocation,
  STORE_ENV_VAR,
  type StoreLocation,
  type StoreLocationInput,
} from './location.js';
export { MetadataStore, type OpenMetadataOptions } from './metadata-store.js';
export { MIGRATION_NAMES, type MigrationName } from './migrations/index.js';
export type {
  AlertFilter,
  AlertPatch,
  AlertRecord,
  AlertState,
  LabelInput,
  ServingMinute,
} from './monitoring-records.js';
export { type OpenStoreOptions, openStore, type Stores } from './open-store.js';
export {
  type AliasMoveFilter,
  type AliasMoveInput,
  type AliasMoveRecord,
  type ApiTokenRecord,
  type AuditEntry,
  type AuditFilter,
  type AuditRecord,
  type CanaryRecord,
  type MetricPoint,
  type ModelSummary,
  type ModelVersionDraft,
  type ModelVersionRecord,
  type PredictionFilter,
  type PredictionInput,
  type PredictionRecord,
  RUN_STATUSES,
  type Run,
  type RunArtifact,
  type RunFilter,
  type RunPatch,
  type RunStatus,
  type SnapshotFilter,
  type SnapshotRecord,
  type TerminalRunStatus,
} from './records.js';
export { redactUrl } from './redact-url.js';
export { RunTracker, type RunTrackerOptions, type StartRunOptions } from './run-tracker.js';
export {
  lockKey,
  openSessionLock,
  type SessionLock,
  type SessionLockOptions,
  watchRegistry,
} from './session-lock.js';
export type { StreamAnswer } from './stream-records.js';
