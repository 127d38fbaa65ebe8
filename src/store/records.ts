/**
 * The records the metadata store reads and writes, in camelCase; the tables
 * behind them are in schema.ts. Absent values are `null`, so records print
 * the same as JSON.
 */

/** Lifecycle states of a run; all but RUNNING are terminal. */
export const RUN_STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type TerminalRunStatus = Exclude<RunStatus, 'RUNNING'>;

/** One execution of a pipeline step (baseline, train, evaluate, …). */
export interface Run {
  id: string;
  kind: string;
  status: RunStatus;
  /** ISO-8601 UTC. */
  startedAt: string;
  endedAt: string | null;
  parentRunId: string | null;
  specHash: string | null;
  snapshotId: string | null;
  /** Flywheel's package version when the run started. */
  codeVersion: string | null;
  gitCommit: string | null;
  seed: number | null;
  params: Record<string, unknown>;
  tags: Record<string, string>;
  error: string | null;
  /** Process that owns the run while it is RUNNING, so orphans can be reaped. */
  pid: number | null;
  hostname: string | null;
}

/** Which runs `listRuns` returns (newest first). */
export interface RunFilter {
  limit?: number;
  kind?: string;
  status?: RunStatus;
  parentRunId?: string;
}

/** Fields a run may change after it starts. */
export interface RunPatch {
  status?: RunStatus;
  endedAt?: string | null;
  error?: string | null;
}

/** One value of a metric series; NaN is kept (stored as NULL). */
export interface MetricPoint {
  runId: string;
  key: string;
  step: number;
  value: number;
  at: string;
}

/** A content-addressed artifact attached to a run under a name. */
export interface RunArtifact {
  runId: string;
  name: string;
  sha256: string;
  size: number;
  mediaType: string | null;
  at: string;
}

/** What a caller records in the audit log. */
export interface AuditEntry {
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  details?: Record<string, unknown>;
  /** Defaults to now. */
  at?: string | Date;
}

/** An audit log row as stored; ids increase in append order. */
export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  details: Record<string, unknown>;
}

/** Which audit records `listAudit` returns (newest first). */
export interface AuditFilter {
  actor?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  /** Inclusive lower bound on `at`. */
  since?: string | Date;
  /** Exclusive upper bound on `at`. */
  until?: string | Date;
  limit?: number;
}

/** One served prediction, as handed to `logPredictions`. */
export interface PredictionInput {
  /** Defaults to a random UUID; feedback labels join on it. */
  id?: string;
  /** Defaults to now. */
  at?: string | Date;
  modelVersion: string;
  inputs: unknown;
  outputs?: unknown;
  score?: number | null;
  latencyMs?: number | null;
  /** The entity the row is about (the value of the model's entity column), as text. */
  entity?: string | null;
  /** The row's event time (the model's event-time column); labels keyed by entity and event time join on it. */
  eventTime?: string | Date | null;
}

/** A prediction log row as stored. */
export interface PredictionRecord {
  id: string;
  at: string;
  modelVersion: string;
  inputs: unknown;
  outputs: unknown;
  score: number | null;
  latencyMs: number | null;
  entity: string | null;
  /** ISO-8601 UTC. */
  eventTime: string | null;
}

/** Which predictions `listPredictions` returns (oldest first). */
export interface PredictionFilter {
  modelVersion?: string;
  /** Any of these `name@version`s. */
  modelVersions?: readonly string[];
  /** `desc`: newest first, so a limit keeps the newest (default `asc`). */
  order?: 'asc' | 'desc';
  since?: string | Date;
  until?: string | Date;
  limit?: number;
}

/** A dataset snapshot as recorded; its id is the sha256 of its Parquet file. */
export interface SnapshotRecord {
  id: string;
  project: string;
  createdAt: string;
  rows: number;
  /** Size of the Parquet file in bytes. */
  size: number;
  /** The manifest (schema, profile, lineage) in the artifact store. */
  manifestSha256: string;
  specHash: string;
  /** What the rows came from: `sources` (the spec's data) or `feedback` (joined labels). */
  origin: string;
  /** The snapshot this one was derived from, if any. */
  parentId: string | null;
}

/** Which snapshots `listSnapshots` returns (newest first). */
export interface SnapshotFilter {
  project?: string;
  limit?: number;
}

/**
 * A registered model version. Immutable: its bundle is an artifact stored
 * under `bundleSha256`, and its number is the next integer for its name.
 */
export interface ModelVersionRecord {
  name: string;
  version: number;
  bundleSha256: string;
  /** The run that produced the bundle. */
  runId: string;
  snapshotId: string | null;
  specHash: string;
  /** The ladder rung of the model, e.g. `gbdt`. */
  rung: string;
  /** Whether the gate of step 5 passed; promotion to champion or canary requires it. */
  blessed: boolean;
  createdAt: string;
  createdBy: string;
}

/** A version to register: the store assigns `version`. */
export type ModelVersionDraft = Omit<ModelVersionRecord, 'version'>;

/** One registered model: how many versions it has and where its aliases point. */
export interface ModelSummary {
  name: string;
  versions: number;
  aliases: Record<string, number>;
}

/** One move of an alias, as kept in its append-only history. */
export interface AliasMoveRecord {
  id: number;
  name: string;
  alias: string;
  /** What moved it: `promote`, `remove`, `rollback`, `canary.start`, `canary.promote`, … */
  action: string;
  /** The version the alias held before (`null`: unset). */
  fromVersion: number | null;
  /** The version it holds after (`null`: removed). */
  toVersion: number | null;
  at: string;
  actor: string;
  reason: string;
  evidence: unknown;
}

/** What `moveAlias` applies: set (or, with `toVersion: null`, remove) an alias. */
export interface AliasMoveInput {
  name: string;
  alias: string;
  action: string;
  toVersion: number | null;
  /**
   * The version the caller saw the alias at (`null`: unset). When the alias
   * has moved since, nothing is written and the move fails with CONFLICT.
   */
  expectedFrom?: number | null;
  /** Defaults to now. */
  at?: string | Date;
  actor: string;
  reason: string;
  evidence?: unknown;
}

/** Which alias moves `listAliasMoves` returns (oldest first). */
export interface AliasMoveFilter {
  name: string;
  alias?: string;
  /** Inclusive upper bound on `at`. */
  until?: string | Date;
  limit?: number;
}

/** The canary of a model while one runs. */
export interface CanaryRecord {
  name: string;
  version: number;
  /** Share of traffic in percent, 0–100. */
  weight: number;
  /** Scored alongside the champion but never served. */
  shadow: boolean;
  startedAt: string;
  /** Counts changes of this canary (start = 1). */
  stateVersion: number;
}

/** A bearer token as stored: the token itself never is, only its sha256. */
export interface ApiTokenRecord {
  id: string;
  name: string;
  role: string;
  tokenSha256: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}
