/**
 * `flywheel data snapshot | validate | profile | snapshots` and
 * `flywheel governance scan | purge`: step 3 as commands over a project.
 */
import {
  binWithProfile,
  columnDrift,
  type DriftResult,
  DuckSession,
  isNumericProfile,
  type Profile,
  readManifest,
  registerSources,
  sqlString,
} from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { blocking, type Finding } from '../findings.js';
import {
  type PiiMatch,
  type PurgeResult,
  piiFindings,
  purgeExpired,
  scanPii,
  validateGovernance,
} from '../governance/index.js';
import { loadSpec } from '../spec/index.js';
import type { SnapshotRecord } from '../store/index.js';
import { actorName, type DataStage, type DataStageOptions, snapshotData } from './project-data.js';
import { loadCheckedSpec, openProjectStore } from './train-project.js';

export interface SnapshotOptions extends DataStageOptions {
  readonly store?: string;
}

export interface SnapshotReport {
  readonly project: string;
  readonly snapshot: SnapshotRecord;
  readonly created: boolean;
  readonly rows: number;
  readonly splits: DataStage['manifest']['dataset']['splits'];
  readonly findings: readonly Finding[];
  readonly blocking: number;
  readonly lineage: DataStage['manifest']['lineage'];
  readonly profile: unknown;
}

/**
 * Prepares the data, freezes it as a snapshot, profiles and checks it, and
 * records it (or, with `snapshot`, re-reads a recorded one).
 *
 * @example
 * const report = await snapshotProject('examples/flights');
 * console.log(report.snapshot.id, report.blocking);
 */
export async function snapshotProject(
  target = '.',
  options: SnapshotOptions = {},
): Promise<SnapshotReport> {
  const loaded = loadCheckedSpec(target);
  const stores = await openProjectStore(loaded, options.store);
  const session = await DuckSession.open();
  try {
    const stage = await snapshotData(session, loaded, stores, options);
    return {
      project: loaded.spec.name,
      snapshot: stage.snapshot,
      created: stage.created,
      rows: stage.manifest.rows,
      splits: stage.manifest.dataset.splits,
      findings: stage.findings,
      blocking: blocking(stage.findings).length,
      lineage: stage.manifest.lineage,
      profile: stage.manifest.profile,
    };
  } finally {
    session.close();
    await stores.close();
  }
}

/** Recorded snapshots of a project, newest first. */
export async function listProjectSnapshots(
  target = '.',
  options: { store?: string; limit?: number } = {},
): Promise<SnapshotRecord[]> {
  const loaded = loadSpec(target);
  const stores = await openProjectStore(loaded, options.store);
  try {
    return await stores.metadata.listSnapshots({
      project: loaded.spec.name,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    });
  } finally {
    await stores.close();
  }
}

/**
 * Scans the project's raw input for personal data, by value and by column
 * name, without writing anything.
 */
export async function scanProject(target = '.'): Promise<{
  project: string;
  matches: PiiMatch[];
  findings: Finding[];
}> {
  const loaded = loadCheckedSpec(target);
  const session = await DuckSession.open();
  try {
    await registerSources(session, loaded.spec, loaded.dir);
    const columns = await session.describe('SELECT * FROM fw_input');
    validateGovernance(
      loaded.spec.governance,
      columns.map((c) => c.name),
      loaded.spec.event_time,
    );
    const matches = await scanPii(session, 'fw_input', columns, {
      sampleRows: loaded.spec.governance?.scan_rows ?? 10_000,
    });
    return {
      project: loaded.spec.name,
      matches,
      findings: piiFindings(
        matches,
        loaded.spec.governance,
        columns.map((c) => c.name),
      ),
    };
  } finally {
    session.close();
  }
}

/**
 * Deletes stored prediction-log rows older than the spec's retention period
 * and audits it (`dryRun` only counts).
 */
export async function purgeProject(
  target = '.',
  options: { store?: string; dryRun?: boolean; now?: Date; actor?: string } = {},
): Promise<PurgeResult & { retentionDays: number }> {
  const loaded = loadSpec(target);
  const retentionDays = loaded.spec.governance?.retention_days;
  if (retentionDays === undefined) {
    throw new FlywheelError(
      'SPEC_INVALID',
      'governance.retention_days is not set, so nothing is past retention',
      { hint: 'set governance.retention_days in the spec, e.g. 365' },
    );
  }
  const stores = await openProjectStore(loaded, options.store);
  try {
    const result = await purgeExpired(stores.metadata, {
      retentionDays,
      now: options.now ?? new Date(),
      actor: options.actor ?? actorName(),
      dryRun: options.dryRun ?? false,
    });
    return { ...result, retentionDays };
  } finally {
    await stores.close();
  }
}

export interface ColumnDiff {
  readonly name: string;
  readonly status: 'added' | 'removed' | 'type changed' | 'same';
  readonly typeA?: string;
  readonly typeB?: string;
  readonly missingRateA?: number;
  readonly missingRateB?: number;
  readonly meanA?: number | null;
  readonly meanB?: number | null;
  /** B's rows binned with A's bins and compared with A (the reference). */
  readonly drift?: DriftResult;
}

export interface SnapshotDiff {
  readonly a: SnapshotRecord;
  readonly b: SnapshotRecord;
  readonly rows: { readonly a: number; readonly b: number };
  readonly splits: readonly { split: string; a: number; b: number }[];
  readonly specChanged: boolean;
  readonly sourcesChanged: readonly string[];
  readonly columns: readonly ColumnDiff[];
}

/**
 * What changed between two snapshots: schema (columns added, removed or
 * retyped), rows per split, lineage, and each shared column's distribution
 * (B binned with A's profile edges, compared as monitoring does).
 *
 * @example
 * const diff = await diffSnapshots('examples/flights', '3fa2c1', '9b07de');
 * diff.columns.filter((c) => c.drift?.drifted);
 */
export async function diffSnapshots(
  target: string,
  idA: string,
  idB: string,
  options: { store?: string } = {},
): Promise<SnapshotDiff> {
  const loaded = loadSpec(target);
  const stores = await openProjectStore(loaded, options.store);
  const session = await DuckSession.open();
  try {
    const a = await stores.metadata.getSnapshot(idA);
    const b = await stores.metadata.getSnapshot(idB);
    const ma = await readManifest(stores, a);
    const mb = await readManifest(stores, b);
    const profileA = ma.profile as Profile;
    const profileB = mb.profile as Profile;
    const typesA = new Map(ma.columns.map((c) => [c.name, c.type]));
    const typesB = new Map(mb.columns.map((c) => [c.name, c.type]));
    const shared = profileA.columns.filter((c) => {
      const other = profileB.columns.find((x) => x.name === c.name);
      return other !== undefined && other.type === c.type;
    });
    const path = await stores.artifacts.localPath(b.id);
    await session.run(
      `CREATE OR REPLACE TEMP VIEW fw_b AS SELECT * FROM read_parquet(${sqlString(path)})`,
    );
    const binned = await binWithProfile(session, 'fw_b', { ...profileA, columns: shared });
    const thresholds = loaded.spec.checks?.drift;
    const columns: ColumnDiff[] = [];
    for (const name of new Set([...typesA.keys(), ...typesB.keys()])) {
      const ta = typesA.get(name);
      const tb = typesB.get(name);
      if (ta === undefined || tb === undefined) {
        columns.push({
          name,
          status: ta === undefined ? 'added' : 'removed',
          ...(ta ? { typeA: ta } : {}),
          ...(tb ? { typeB: tb } : {}),
        });
        continue;
      }
      const pa = profileA.columns.find((c) => c.name === name);
      const pb = profileB.columns.find((c) => c.name === name);
      const counts = binned[name];
      columns.push({
        name,
        status: ta === tb ? 'same' : 'type changed',
        typeA: ta,
        typeB: tb,
        ...(pa ? { missingRateA: pa.missingRate } : {}),
        ...(pb ? { missingRateB: pb.missingRate } : {}),
        ...(pa && isNumericProfile(pa) ? { meanA: pa.mean } : {}),
        ...(pb && isNumericProfile(pb) ? { meanB: pb.mean } : {}),
        ...(pa && counts && shared.includes(pa)
          ? { drift: columnDrift(pa, counts, thresholds ? { thresholds } : {}) }
          : {}),
      });
    }
    const files = (m: typeof ma) =>
      new Map(m.lineage.sources.flatMap((s) => s.files.map((f) => [f.path, f.sha256] as const)));
    const fa = files(ma);
    const fb = files(mb);
    const sourcesChanged = [...new Set([...fa.keys(), ...fb.keys()])].filter(
      (p) => fa.get(p) !== fb.get(p),
    );
    return {
      a,
      b,
      rows: { a: a.rows, b: b.rows },
      splits: ma.dataset.splits.map((s) => ({
        split: s.split,
        a: s.rows,
        b: mb.dataset.splits.find((x) => x.split === s.split)?.rows ?? 0,
      })),
      specChanged: a.specHash !== b.specHash,
      sourcesChanged,
      columns,
    };
  } finally {
    session.close();
    await stores.close();
  }
}
