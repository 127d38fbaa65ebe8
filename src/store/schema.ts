/**
 * The metadata tables as Kysely sees them. Column values are what the shared
 * code path reads after the adapters normalise them: JSON columns as JSON text,
 * instants as ISO-8601 UTC strings, 64-bit integers as numbers.
 */
import type { ColumnType, Generated } from 'kysely';

/** JSON document: written and read as JSON text (jsonb on PostgreSQL). */
export type JsonColumn = ColumnType<string, string, string>;
/** Instant: written and read as an ISO-8601 UTC string (timestamptz on PostgreSQL). */
export type TimestampColumn = ColumnType<string, string, string>;

export interface RunsTable {
  id: string;
  kind: string;
  status: string;
  started_at: TimestampColumn;
  ended_at: TimestampColumn | null;
  parent_run_id: string | null;
  spec_hash: string | null;
  snapshot_id: string | null;
  code_version: string | null;
  git_commit: string | null;
  seed: number | null;
  params: JsonColumn;
  tags: JsonColumn;
  error: string | null;
  pid: number | null;
  hostname: string | null;
}

export interface RunMetricsTable {
  run_id: string;
  key: string;
  step: number;
  /** NULL stands for NaN, which SQLite cannot store. */
  value: number | null;
  at: TimestampColumn;
}

export interface RunArtifactsTable {
  run_id: string;
  name: string;
  sha256: string;
  size: number;
  media_type: string | null;
  at: TimestampColumn;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: TimestampColumn;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  details: JsonColumn;
}

export interface PredictionLogTable {
  id: string;
  at: TimestampColumn;
  model_version: string;
  inputs: JsonColumn;
  outputs: JsonColumn | null;
  score: number | null;
  latency_ms: number | null;
  /** The entity key as text (migration 008); NULL when the model or row has none. */
  entity: string | null;
  /** The row's event time (migration 008); NULL when the model or row has none. */
  event_time: TimestampColumn | null;
}

export interface SnapshotsTable {
  id: string;
  project: string;
  created_at: TimestampColumn;
  rows: number;
  size: number;
  manifest_sha256: string;
  spec_hash: string;
  origin: string;
  parent_id: string | null;
}

/** 0 or 1: both engines bind integers, not booleans. */
export type FlagColumn = number;

/** An immutable registered model version (no UPDATE or DELETE). */
export interface ModelVersionsTable {
  name: string;
  version: number;
  bundle_sha256: string;
  run_id: string;
  snapshot_id: string | null;
  spec_hash: string;
  rung: string;
  blessed: FlagColumn;
  created_at: TimestampColumn;
  created_by: string;
}

/** Where each alias of a model points now; `alias_moves` is its history. */
export interface ModelAliasesTable {
  name: string;
  alias: string;
  version: number;
  updated_at: TimestampColumn;
}

/** Append-only history of alias moves; a NULL version means "unset". */
export interface AliasMovesTable {
  id: Generated<number>;
  name: string;
  alias: string;
  action: string;
  from_version: number | null;
  to_version: number | null;
  at: TimestampColumn;
  actor: string;
  reason: string;
  evidence: JsonColumn;
}

/** The running canary of a model, if any; `state_version` counts its changes. */
export interface CanariesTable {
  name: string;
  version: number;
  weight: number;
  shadow: FlagColumn;
  started_at: TimestampColumn;
  state_version: number;
}

/** Bearer tokens; only the sha256 of a token is stored. */
export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  token_sha256: string;
  created_at: TimestampColumn;
  created_by: string;
  revoked_at: TimestampColumn | null;
}

/** Every table of the metadata store, keyed by table name. */
export interface FeatureEventsTable {
  event_table: string;
  event_id: string;
  entity_key: string;
  event_ms: number;
  /** JSON text: the event's aggregated columns by name. */
  event_values: string;
  ingested_at: TimestampColumn;
}

export interface AlertsTable {
  id: string;
  model: string;
  rule: string;
  subject: string;
  state: string;
  severity: string;
  message: string;
  evidence: JsonColumn;
  first_at: TimestampColumn;
  last_at: TimestampColumn;
  resolved_at: TimestampColumn | null;
  deliveries: JsonColumn;
}

export interface ServingMinutesTable {
  model_version: string;
  minute: TimestampColumn;
  replica: string;
  requests: number;
  errors: number;
}

export interface FeedbackLabelsTable {
  prediction_id: string;
  source: string;
  label: number;
  observed_at: TimestampColumn;
  received_at: TimestampColumn;
  /** JSON text: the outcome as it arrived (e.g. a delay in minutes). */
  raw: string | null;
}

export interface StreamMessagesTable {
  consumer: string;
  message_id: string;
  at: TimestampColumn;
  model_version: string;
  /** The answer as published (JSON). */
  answer: string;
}

export interface FeedbackIssuesTable {
  id: Generated<number>;
  received_at: TimestampColumn;
  /** `unknown_prediction`, `invalid_label` or `conflict`. */
  kind: string;
  prediction_id: string;
  source: string;
  raw: string;
  reason: string;
}

export interface StoreSchema {
  runs: RunsTable;
  run_metrics: RunMetricsTable;
  run_artifacts: RunArtifactsTable;
  audit_log: AuditLogTable;
  prediction_log: PredictionLogTable;
  snapshots: SnapshotsTable;
  feature_events: FeatureEventsTable;
  alerts: AlertsTable;
  serving_minutes: ServingMinutesTable;
  feedback_labels: FeedbackLabelsTable;
  feedback_issues: FeedbackIssuesTable;
  stream_messages: StreamMessagesTable;
  model_versions: ModelVersionsTable;
  model_aliases: ModelAliasesTable;
  alias_moves: AliasMovesTable;
  canaries: CanariesTable;
  api_tokens: ApiTokensTable;
}
