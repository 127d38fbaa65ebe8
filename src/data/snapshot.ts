/**
 * Versioned dataset snapshots. The prepared table (`fw_dataset`: features,
 * `__target`, `__split`, `__event_time`, `__entity`) is written as Parquet
 * into the artifact store under its sha256, beside a manifest holding its
 * schema, profile and lineage (every source file with its hash, the spec hash,
 * the query, feature versions, what governance removed). Training reads the
 * snapshot back, never the sources, so a run can always be traced to, and
 * repeated on, exactly the rows it saw.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FlywheelError } from '../errors.js';
import type { Finding } from '../findings.js';
import type { LoadedSpec, Spec } from '../spec/index.js';
import type { SnapshotRecord, Stores } from '../store/index.js';
import type { FeatureDef, PreparedDataset, SplitStats, TargetKind } from './dataset.js';
import { type DuckSession, sqlString } from './duck.js';
import type { SourceReport } from './sources.js';

export const SNAPSHOT_FORMAT = 'flywheel.snapshot/v1';
export const SNAPSHOT_MEDIA_TYPE = 'application/vnd.apache.parquet';

export interface SourceLineage {
  readonly name: string;
  readonly path: string;
  readonly format: string;
  /** Every file the source read (a glob may match several), with its sha256. */
  readonly files: readonly { path: string; sha256: string; size: number }[];
  /** Rows the CSV reader skipped (`on_bad_rows: skip`). */
  readonly rejectedRows: number;
}

export interface SnapshotLineage {
  readonly specHash: string;
  readonly query: string | null;
  readonly sources: readonly SourceLineage[];
  /** Point-in-time features and the version (definition hash) each was built with. */
  readonly features: readonly { name: string; version: string }[];
  /** What governance did to the rows and columns on the way in. */
  readonly governance: Readonly<Record<string, unknown>>;
  /**
   * For a snapshot joined from labelled predictions (origin `feedback`): the
   * model, the window, the labels joined, the versions that served them.
   */
  readonly feedback?: Readonly<Record<string, unknown>>;
}

/** Everything needed to read a snapshot back as a prepared dataset. */
export interface SnapshotManifest {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly id: string;
  readonly project: string;
  readonly createdAt: string;
  readonly rows: number;
  readonly size: number;
  readonly origin: string;
  readonly parentId: string | null;
  readonly dataset: {
    readonly features: readonly FeatureDef[];
    readonly targetKind: TargetKind;
    readonly classes?: readonly string[];
    readonly splits: readonly SplitStats[];
    readonly unassigned: number;
    readonly inputColumns: PreparedDataset['inputColumns'];
  };
  /** Parquet column names and DuckDB types. */
  readonly columns: readonly { name: string; type: string }[];
  /** The profile of the snapshot (`profileView`), the reference for monitoring. */
  readonly profile: unknown;
  /** Findings of the data checks run on this snapshot. */
  readonly findings: readonly Finding[];
  readonly lineage: SnapshotLineage;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The lineage of the spec's sources: each file matched, with its sha256.
 *
 * @example
 * const lineage = await sourceLineage(session, loaded, prepared.sources);
 */
export async function sourceLineage(
  session: DuckSession,
  loaded: LoadedSpec,
  reports: readonly SourceReport[],
): Promise<SourceLineage[]> {
  const out: SourceLineage[] = [];
  for (const report of reports) {
    const declared = loaded.spec.data.sources[report.name];
    const absolute = path.resolve(loaded.dir, declared?.path ?? report.path);
    const matched = await session.rows(`SELECT file FROM glob(${sqlString(absolute)}) ORDER BY 1`);
    const files = [];
    for (const row of matched) {
      const file = String(row['file']);
      const info = await stat(file);
      files.push({
        path: path.relative(loaded.dir, file) || file,
        sha256: await sha256File(file),
        size: info.size,
      });
    }
    out.push({
      name: report.name,
      path: report.path,
      format: report.format,
      files,
      rejectedRows: report.rejected.length,
    });
  }
  return out;
}

/**
 * Writes `fw_dataset` as Parquet into the artifact store and points
 * `fw_dataset` at the stored file, so everything after this reads the
 * snapshot. Returns the snapshot id (the Parquet sha256) and its size.
 * The same rows always give the same bytes, hence the same id.
 */
export async function freezeDataset(
  session: DuckSession,
  stores: Pick<Stores, 'artifacts'>,
): Promise<{ id: string; size: number; columns: { name: string; type: string }[] }> {
  const temp = path.join(tmpdir(), `flywheel-snapshot-${randomUUID()}.parquet`);
  try {
    await session.run(
      `COPY (SELECT * FROM fw_dataset) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    const ref = await stores.artifacts.put(createReadStream(temp));
    await useSnapshotFile(session, await stores.artifacts.localPath(ref.sha256));
    const columns = await session.describe('SELECT * FROM fw_dataset');
    return { id: ref.sha256, size: ref.size, columns };
  } catch (err) {
    if (err instanceof FlywheelError) throw err;
    throw new FlywheelError(
      'DATA_UNREADABLE',
      `cannot write the dataset snapshot: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  } finally {
    await rm(temp, { force: true });
  }
}

async function useSnapshotFile(session: DuckSession, file: string): Promise<void> {
  await session.run(
    `CREATE OR REPLACE TEMP VIEW fw_dataset AS SELECT * FROM read_parquet(${sqlString(file)})`,
  );
}

/**
 * Records a frozen dataset: stores its manifest and adds it to the metadata
 * store (a snapshot of identical rows is reused, not duplicated).
 */
export async function recordSnapshot(
  stores: Pick<Stores, 'artifacts' | 'metadata'>,
  manifest: Omit<SnapshotManifest, 'format' | 'createdAt'> & { createdAt?: string },
): Promise<{ record: SnapshotRecord; manifest: SnapshotManifest; created: boolean }> {
  const full: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    ...manifest,
    createdAt: manifest.createdAt ?? new Date().toISOString(),
  };
  const same = await stores.metadata.getSnapshot(full.id).catch((err: unknown) => {
    if (err instanceof FlywheelError && err.code === 'NOT_FOUND') return undefined;
    throw err;
  });
  if (same) {
    return {
      record: same,
      manifest: await readManifest(stores, same),
      created: false,
    };
  }
  const ref = await stores.artifacts.put(Buffer.from(JSON.stringify(full)));
  const { record, created } = await stores.metadata.insertSnapshot({
    id: full.id,
    project: full.project,
    createdAt: full.createdAt,
    rows: full.rows,
    size: full.size,
    manifestSha256: ref.sha256,
    specHash: full.lineage.specHash,
    origin: full.origin,
    parentId: full.parentId,
  });
  return { record, manifest: created ? full : await readManifest(stores, record), created };
}

/** The manifest of a recorded snapshot. */
export async function readManifest(
  stores: Pick<Stores, 'artifacts'>,
  record: SnapshotRecord,
): Promise<SnapshotManifest> {
  const manifest = JSON.parse(
    (await stores.artifacts.get(record.manifestSha256)).toString('utf8'),
  ) as SnapshotManifest;
  if (manifest.format !== SNAPSHOT_FORMAT) {
    throw new FlywheelError(
      'ARTIFACT_CORRUPT',
      `snapshot ${record.id.slice(0, 12)} has manifest format ${String(manifest.format)}, not ${SNAPSHOT_FORMAT}`,
    );
  }
  return manifest;
}

/**
 * Opens a recorded snapshot as `fw_dataset` and returns it as a prepared
 * dataset (for the given spec), ready for `loadDataset`.
 *
 * @example
 * const { prepared } = await openSnapshot(session, stores, spec, '3fa2c1');
 * const data = await loadDataset(session, prepared);
 */
export async function openSnapshot(
  session: DuckSession,
  stores: Pick<Stores, 'artifacts' | 'metadata'>,
  spec: Spec,
  idOrPrefix: string,
): Promise<{ record: SnapshotRecord; manifest: SnapshotManifest; prepared: PreparedDataset }> {
  const record = await stores.metadata.getSnapshot(idOrPrefix);
  const manifest = await readManifest(stores, record);
  await useSnapshotFile(session, await stores.artifacts.localPath(record.id));
  const d = manifest.dataset;
  const prepared: PreparedDataset = {
    spec,
    inputColumns: d.inputColumns,
    features: d.features,
    targetKind: d.targetKind,
    sources: manifest.lineage.sources.map((s) => ({
      name: s.name,
      path: s.path,
      format: s.format as SourceReport['format'],
      rejected: [],
    })),
    rows: manifest.rows,
    unassigned: d.unassigned,
    splits: d.splits,
    ...(d.classes ? { classes: d.classes } : {}),
  };
  return { record, manifest, prepared };
}
