/**
 * The HTTP API the dashboard reads, as it arrives: every field may be absent
 * or null in early data, so each is optional and the pages show "–".
 */

export type Maybe<T> = T | null | undefined;

export interface Me {
  principal?: Maybe<{ id?: Maybe<string>; name?: Maybe<string>; role?: Maybe<string> }>;
  auth?: Maybe<'on' | 'off'>;
}

export interface Run {
  id: string;
  kind?: Maybe<string>;
  status?: Maybe<string>;
  project?: Maybe<string>;
  startedAt?: Maybe<string>;
  endedAt?: Maybe<string>;
  snapshotId?: Maybe<string>;
  parentRunId?: Maybe<string>;
  metrics?: Maybe<Record<string, Maybe<number>>>;
  hasReport?: Maybe<boolean>;
}

export interface ModelSummary {
  name: string;
  latestVersion?: Maybe<number>;
  aliases?: Maybe<Record<string, Maybe<number>>>;
}

export interface ModelVersion {
  version: number;
  rung?: Maybe<string>;
  blessed?: Maybe<boolean>;
  createdAt?: Maybe<string>;
  createdBy?: Maybe<string>;
  runId?: Maybe<string>;
  snapshotId?: Maybe<string>;
  specHash?: Maybe<string>;
  bundleSha256?: Maybe<string>;
}

export interface Canary {
  version?: Maybe<number>;
  weight?: Maybe<number>;
  shadow?: Maybe<boolean>;
  startedAt?: Maybe<string>;
}

export interface ModelDetail {
  name: string;
  aliases?: Maybe<Record<string, Maybe<number>>>;
  versions?: Maybe<ModelVersion[]>;
  deployment?: Maybe<{ champion?: Maybe<number>; canary?: Maybe<Canary> }>;
}

export interface AliasMove {
  at?: Maybe<string>;
  alias?: Maybe<string>;
  action?: Maybe<string>;
  fromVersion?: Maybe<number>;
  toVersion?: Maybe<number>;
  actor?: Maybe<string>;
  reason?: Maybe<string>;
}

export interface Bins {
  labels?: Maybe<string[]>;
  reference?: Maybe<Maybe<number>[]>;
  current?: Maybe<Maybe<number>[]>;
}

export interface FeatureDrift {
  name: string;
  type?: Maybe<'numeric' | 'categorical'>;
  method?: Maybe<string>;
  statistic?: Maybe<number>;
  threshold?: Maybe<number>;
  drifted?: Maybe<boolean>;
  psi?: Maybe<number>;
  importance?: Maybe<number>;
  missingRate?: Maybe<number>;
  referenceMissingRate?: Maybe<number>;
  unseenRate?: Maybe<number>;
  bins?: Maybe<Bins>;
}

export interface PredictionDrift {
  method?: Maybe<string>;
  statistic?: Maybe<number>;
  threshold?: Maybe<number>;
  drifted?: Maybe<boolean>;
  psi?: Maybe<number>;
  positiveRate?: Maybe<number>;
  referencePositiveRate?: Maybe<number>;
  bins?: Maybe<Bins>;
}

export interface BurnRate {
  severity?: Maybe<string>;
  long?: Maybe<string>;
  short?: Maybe<string>;
  factor?: Maybe<number>;
  longRate?: Maybe<number>;
  shortRate?: Maybe<number>;
  firing?: Maybe<boolean>;
}

export interface MonitorWindow {
  from?: Maybe<string>;
  to?: Maybe<string>;
  rows?: Maybe<number>;
  versions?: Maybe<string[]>;
  features?: Maybe<FeatureDrift[]>;
  driftScore?: Maybe<number>;
  prediction?: Maybe<PredictionDrift>;
  latency?: Maybe<{
    p50?: Maybe<number>;
    p95?: Maybe<number>;
    p99?: Maybe<number>;
    budgetP99?: Maybe<number>;
    count?: Maybe<number>;
  }>;
  errors?: Maybe<{ requests?: Maybe<number>; errors?: Maybe<number>; rate?: Maybe<number> }>;
  /** Older drafts carried the error budget per window; it is now on the report. */
  slo?: Maybe<Slo>;
  business?: Maybe<{
    currency?: Maybe<string>;
    estimatedCostPerDecision?: Maybe<number>;
    realisedCostPerDecision?: Maybe<number>;
    labelled?: Maybe<number>;
    labelRate?: Maybe<number>;
    referenceLabelRate?: Maybe<number>;
  }>;
}

export interface Slo {
  objective?: Maybe<number>;
  budgetRemaining?: Maybe<number>;
  burnRates?: Maybe<BurnRate[]>;
}

export type Health = 'ok' | 'warning' | 'critical';

export interface Alert {
  id: string;
  rule?: Maybe<string>;
  model?: Maybe<string>;
  subject?: Maybe<string>;
  state?: Maybe<'firing' | 'resolved'>;
  severity?: Maybe<'page' | 'ticket' | 'info'>;
  since?: Maybe<string>;
  lastSeen?: Maybe<string>;
  resolvedAt?: Maybe<string>;
  message?: Maybe<string>;
  evidence?: Maybe<Record<string, unknown>>;
}

export interface MonitorReport {
  model?: Maybe<string>;
  window?: Maybe<string>;
  generatedAt?: Maybe<string>;
  health?: Maybe<Health>;
  windows?: Maybe<MonitorWindow[]>;
  current?: Maybe<MonitorWindow>;
  slo?: Maybe<Slo>;
  alerts?: Maybe<Alert[]>;
}

export interface AuditEntry {
  id: string;
  at?: Maybe<string>;
  actor?: Maybe<string>;
  action?: Maybe<string>;
  objectType?: Maybe<string>;
  objectId?: Maybe<string>;
  details?: Maybe<Record<string, unknown>>;
}

export interface FreshnessTable {
  table?: Maybe<string>;
  features?: Maybe<string[]>;
  newest?: Maybe<string>;
  age_seconds?: Maybe<number>;
  bound_seconds?: Maybe<number>;
  stale?: Maybe<boolean>;
}
