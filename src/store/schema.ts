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

/** Every table of the metadata store, keyed by table name. */
export interface StoreSchema {
  runs: RunsTable;
  run_metrics: RunMetricsTable;
  run_artifacts: RunArtifactsTable;
  audit_log: AuditLogTable;
  prediction_log: PredictionLogTable;
  snapshots: SnapshotsTable;
}
