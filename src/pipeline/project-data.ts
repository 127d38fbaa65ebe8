/**
 * Step 3 in one place: prepare the project's data (governance and
 * point-in-time features applied), freeze it as a snapshot, profile it, run
 * the data checks (PII, quality, leakage), record the snapshot with its
 * findings, and load it for training. Training always reads the snapshot,
 * never the sources; `snapshot` reuses one recorded earlier.
 */
import {
  type DataDescription,
  DuckSession,
  describeDataset,
  freezeDataset,
  type LoadedDataset,
  loadDataset,
  openSnapshot,
  type PreparedDataset,
  type Profile,
  prepareDataset,
  profileView,
  recordSnapshot,
  runLeakageChecks,
  runQualityChecks,
  type SnapshotManifest,
  sourceLineage,
} from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { auditPointInTime } from '../features/index.js';
import { acknowledge, blocking, type Finding } from '../findings.js';
import { piiFindings, recordGovernance, scanPii } from '../governance/index.js';
import { type LoadedSpec, parseExpression, referencedColumns, type Spec } from '../spec/index.js';
import type { SnapshotRecord, Stores } from '../store/index.js';

export interface DataStageOptions {
  /** Read this recorded snapshot (id or prefix) instead of the sources. */
  readonly snapshot?: string;
  /** Called as each stage starts, for progress output. */
  readonly onStage?: (stage: string) => void;
  /** "Now", for retention (default: the current time). */
  readonly now?: Date;
  /** Who is acting, for the audit log. */
  readonly actor?: string;
}

export interface DataStage {
  readonly prepared: PreparedDataset;
  readonly snapshot: SnapshotRecord;
  readonly manifest: SnapshotManifest;
  /** Whether this call recorded a new snapshot (false: the same rows were snapshotted before). */
  readonly created: boolean;
  /** Findings after the spec's acknowledgements. */
  readonly findings: readonly Finding[];
}

export function actorName(): string {
  return process.env['FLYWHEEL_ACTOR'] ?? process.env['USER'] ?? 'flywheel';
}

/**
 * Prepares, freezes, profiles and checks the data in `session`; afterwards
 * `fw_dataset` reads the stored snapshot. Blocking findings are returned,
 * not thrown: callers decide (`flywheel run` stops, `data validate` reports).
 */
export async function snapshotData(
  session: DuckSession,
  loaded: LoadedSpec,
  stores: Stores,
  options: DataStageOptions = {},
): Promise<DataStage> {
  const { spec } = loaded;
  const stage = options.onStage ?? (() => {});
  if (options.snapshot !== undefined) {
    stage('opening snapshot');
    const opened = await openSnapshot(session, stores, spec, options.snapshot);
    if (opened.record.project !== spec.name) {
      throw new FlywheelError(
        'USAGE',
        `snapshot ${opened.record.id.slice(0, 12)} belongs to project "${opened.record.project}", not "${spec.name}"`,
      );
    }
    // The rows are frozen, the spec is not: quality and leakage are checked
    // again under today's spec (its ranges, thresholds, acknowledgements).
    // What needs the raw sources (the PII scan, the point-in-time audit) is
    // kept from when the snapshot was made.
    stage('checking quality and leakage');
    const profile = opened.manifest.profile as Profile;
    const fromSources = opened.manifest.findings.filter(
      (f) =>
        f.check === 'leakage.future_event' ||
        !(f.check.startsWith('quality.') || f.check.startsWith('leakage.')),
    );
    const input = checkInput(spec, opened.prepared, profile);
    const findings = acknowledge(
      [
        ...fromSources.map(unacknowledged),
        ...explainTimeDrift(spec, await runQualityChecks(session, input)),
        ...(await runLeakageChecks(session, input)),
      ],
      spec.checks?.acknowledge,
    );
    return {
      prepared: opened.prepared,
      snapshot: opened.record,
      manifest: opened.manifest,
      created: false,
      findings,
    };
  }
  const now = options.now ?? new Date();
  stage('preparing data');
  const prepared = await prepareDataset(session, loaded, { now });
  stage('scanning for personal data');
  const rawColumns = await session.describe('SELECT * FROM fw_input');
  const matches = await scanPii(session, 'fw_input', rawColumns, {
    sampleRows: spec.governance?.scan_rows ?? 10_000,
  });
  const pii = piiFindings(
    matches,
    spec.governance,
    rawColumns.map((c) => c.name),
  );
  // Unhandled personal data stops here, before anything is written: a
  // snapshot must never hold a raw PII column nobody decided about.
  if (blocking(pii).length > 0) throw blockingError(pii, undefined);
  stage('hashing sources');
  const sources = await sourceLineage(session, loaded, prepared.sources);
  stage('writing snapshot');
  const frozen = await freezeDataset(session, stores);
  stage('profiling');
  const profile: Profile = await profileView(session, 'fw_dataset', profileColumns(prepared));
  stage('checking quality and leakage');
  const input = checkInput(spec, prepared, profile);
  const findings = acknowledge(
    [
      ...pii,
      ...explainTimeDrift(spec, await runQualityChecks(session, input)),
      ...(await runLeakageChecks(session, input)),
      ...(prepared.pointInTimeArgs
        ? await auditPointInTime(session, prepared.pointInTimeArgs)
        : []),
    ],
    spec.checks?.acknowledge,
  );
  const recorded = await recordSnapshot(stores, {
    id: frozen.id,
    project: spec.name,
    rows: prepared.rows,
    size: frozen.size,
    origin: 'sources',
    parentId: null,
    dataset: {
      features: prepared.features,
      targetKind: prepared.targetKind,
      ...(prepared.classes ? { classes: prepared.classes } : {}),
      splits: prepared.splits,
      unassigned: prepared.unassigned,
      inputColumns: prepared.inputColumns,
    },
    columns: frozen.columns,
    profile,
    // As found, before this spec's acknowledgements: a later spec judges them afresh.
    findings: findings.map(unacknowledged),
    lineage: {
      specHash: loaded.hash,
      query: spec.data.query ?? null,
      sources,
      features: prepared.pointInTime ?? [],
      governance: { ...prepared.governance },
    },
  });
  if (recorded.created) {
    await stores.metadata.audit({
      actor: options.actor ?? actorName(),
      action: 'snapshot.create',
      objectType: 'snapshot',
      objectId: frozen.id,
      details: {
        project: spec.name,
        rows: prepared.rows,
        specHash: loaded.hash,
        blocking: blocking(findings).length,
      },
    });
    await recordGovernance(stores.metadata, {
      actor: options.actor ?? actorName(),
      snapshotId: frozen.id,
      governance: spec.governance,
      ...(prepared.governance ? { applied: prepared.governance } : {}),
      matches,
    });
  }
  return {
    prepared,
    snapshot: recorded.record,
    manifest: recorded.manifest,
    created: recorded.created,
    findings,
  };
}

function checkInput(spec: Spec, prepared: PreparedDataset, profile: Profile) {
  return {
    view: 'fw_dataset',
    targetName: spec.target.column,
    features: prepared.features.map((f) => ({ name: f.name, type: f.type })),
    targetKind: prepared.targetKind,
    ...(prepared.classes ? { classes: prepared.classes } : {}),
    splitMethod: spec.split.method,
    hasEntity: spec.entity !== undefined,
    hasEventTime: spec.event_time !== undefined,
    checks: spec.checks,
    profile,
  };
}

/** A finding as the check reported it, without an acknowledgement applied. */
function unacknowledged(f: Finding): Finding {
  if (f.acknowledged === undefined) return f;
  const { acknowledged: _, ...rest } = f;
  return { ...rest, severity: 'block' };
}

/**
 * A feature computed from the event time alone (month, hour…) shifts between
 * the periods of a time split by construction; its split drift is a note,
 * not a warning.
 */
function explainTimeDrift(spec: Spec, findings: readonly Finding[]): Finding[] {
  if (spec.split.method !== 'time' || spec.event_time === undefined) return [...findings];
  const fromTime = new Set(
    Object.entries(spec.features?.derive ?? {})
      .filter(([, text]) => {
        const used = referencedColumns(parseExpression(text));
        return used.length > 0 && used.every((c) => c === spec.event_time);
      })
      .map(([name]) => name),
  );
  return findings.map((f) =>
    f.check === 'quality.split_drift' && f.column !== undefined && fromTime.has(f.column)
      ? {
          ...f,
          severity: 'info',
          message: `${f.message}; expected: "${f.column}" is computed from the event time alone, and a time split puts different periods in each split`,
        }
      : f,
  );
}

export function profileColumns(prepared: Pick<PreparedDataset, 'features' | 'targetKind'>) {
  return [
    ...prepared.features.map((f) => ({ name: f.name, type: f.type })),
    {
      name: '__target',
      type:
        prepared.targetKind === 'binary'
          ? ('binary' as const)
          : prepared.targetKind === 'numeric'
            ? ('numeric' as const)
            : ('categorical' as const),
    },
  ];
}

/** The error `flywheel run` stops with when blocking findings remain (exit 3). */
export function blockingError(
  findings: readonly Finding[],
  snapshotId: string | undefined,
): FlywheelError {
  const blocked = blocking(findings);
  const pii = blocked.filter((f) => f.check.startsWith('governance.'));
  const lines = blocked.map(
    (f) => `  - ${f.check}${f.column ? ` (${f.column})` : ''}: ${f.message}`,
  );
  return new FlywheelError(
    pii.length === blocked.length ? 'GOVERNANCE_BLOCKED' : 'DATA_CHECK_FAILED',
    `${blocked.length} blocking data finding(s)${snapshotId ? ` in snapshot ${snapshotId.slice(0, 12)}` : ' (no snapshot was written)'}:\n${lines.join('\n')}`,
    {
      details: { ...(snapshotId ? { snapshot: snapshotId } : {}), findings: blocked },
      hint: 'fix the data or spec, or acknowledge a finding with a reason under checks.acknowledge (key `check:column`); PII columns need a policy under governance.pii',
    },
  );
}

export interface LoadedProject {
  readonly stage: DataStage;
  readonly data: LoadedDataset;
  readonly description: DataDescription;
}

/**
 * Snapshots (or opens a snapshot) and loads it into the Frame. Throws on
 * blocking findings unless `allowBlocking`.
 */
export async function loadSnapshotData(
  loaded: LoadedSpec,
  stores: Stores,
  options: DataStageOptions & {
    allowBlocking?: boolean;
    onLoadProgress?: (rows: number, total: number) => void;
  } = {},
): Promise<LoadedProject> {
  const session = await DuckSession.open();
  try {
    const stage = await snapshotData(session, loaded, stores, options);
    if (!options.allowBlocking && blocking(stage.findings).length > 0) {
      throw blockingError(stage.findings, stage.snapshot.id);
    }
    options.onStage?.('loading');
    const description = await describeDataset(session, stage.prepared);
    const data = await loadDataset(
      session,
      stage.prepared,
      options.onLoadProgress ? { onProgress: options.onLoadProgress } : {},
    );
    return { stage, data, description };
  } finally {
    session.close();
  }
}
