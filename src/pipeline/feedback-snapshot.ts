/**
 * The join of step 8: labelled predictions become training rows. A row is
 * the exact values that were served (the prediction log's inputs, with the
 * online features as looked up), run through the serving version's own
 * feature code, plus the outcome; so training sees what serving saw. The
 * joined rows, with the original rows of the base snapshot that fall in the
 * retraining window and precede the live traffic, are frozen as a new
 * snapshot version (origin `feedback`) whose lineage names its base, the
 * labels, the prediction ids' range and the versions that served them.
 * Consent and retention apply as they do to the sources.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DuckSession,
  type Frame,
  freezeDataset,
  type Profile,
  profileView,
  readManifest,
  recordSnapshot,
  type SnapshotManifest,
  type SplitStats,
  splitStats,
  sqlIdent,
  sqlString,
} from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { givesConsent } from '../governance/index.js';
import { type ModelBundle, ModelRegistry } from '../registry/index.js';
import { createScorer } from '../serve/index.js';
import type { LoadedSpec } from '../spec/index.js';
import type { LabelledPrediction, SnapshotRecord, Stores } from '../store/index.js';
import { actorName, profileColumns } from './project-data.js';

const DAY_MS = 86_400_000;

export interface FeedbackSnapshotOptions {
  /** The model whose labelled predictions are joined (default: the spec's name). */
  readonly model?: string;
  /** The end of the window (default: now). */
  readonly now?: Date;
  /** How far back the rows reach, in ms. */
  readonly windowMs: number;
  /** The newest labelled period (ms): the `test` split, the rows a challenger is gated on. */
  readonly holdoutMs: number;
  /** The period before the holdout (ms): the `validation` split. */
  readonly validationMs: number;
  readonly actor?: string;
}

export interface FeedbackSnapshot {
  readonly snapshot: SnapshotRecord;
  readonly manifest: SnapshotManifest;
  readonly created: boolean;
  /** Joined rows (labelled predictions) in the snapshot. */
  readonly feedbackRows: number;
  /** Original rows of the base snapshot kept (in the window, before the live traffic). */
  readonly baseRows: number;
  /** The base snapshot (origin `sources`) the original rows came from. */
  readonly baseId: string;
  /** Labelled predictions left out, by reason. */
  readonly excluded: {
    readonly withoutConsent: number;
    readonly pastRetention: number;
    readonly unscorable: number;
  };
  /** The labelled predictions of the holdout period (the gate's rows), oldest first. */
  readonly holdout: readonly LabelledPrediction[];
  readonly splits: readonly SplitStats[];
}

/** The snapshot the sources made, at the root of `id`'s ancestry. */
async function baseSnapshot(stores: Pick<Stores, 'metadata'>, id: string): Promise<SnapshotRecord> {
  let record = await stores.metadata.getSnapshot(id);
  for (let depth = 0; record.origin !== 'sources' && record.parentId !== null; depth++) {
    if (depth > 1000) break;
    record = await stores.metadata.getSnapshot(record.parentId);
  }
  return record;
}

/** The event time of a logged prediction: the bundle's event-time input, else when it was served. */
function eventTimeOf(p: LabelledPrediction, bundle: ModelBundle): number {
  if (p.eventTime !== null) {
    const t = Date.parse(p.eventTime);
    if (Number.isFinite(t)) return t;
  }
  const column = bundle.eventTime;
  const inputs = p.inputs as Record<string, unknown> | null;
  if (column !== undefined && inputs !== null && typeof inputs === 'object') {
    const raw = inputs[column];
    const t = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseTime(raw) : Number.NaN;
    if (Number.isFinite(t)) return t;
  }
  return Date.parse(p.at);
}

/** An ISO time; one without an offset is UTC, as the server reads it. */
function parseTime(text: string): number {
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text.trim());
  return Date.parse(hasZone || !/\d\d:\d\d/.test(text) ? text : `${text.trim()}Z`);
}

/** Whether the served row's consent column gives consent, as the sources' rule reads it. */
function consented(inputs: unknown, column: string): boolean {
  if (inputs === null || typeof inputs !== 'object') return false;
  return givesConsent((inputs as Record<string, unknown>)[column]);
}

/** A UTC instant as DuckDB reads a TIMESTAMP. */
const sqlTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/** One feature frame row as JSON values (numbers, strings, ISO times; null when missing). */
function frameRow(frame: Frame, names: readonly string[], i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const name of names) {
    const column = frame.columns.get(name);
    if (column === undefined) {
      row[name] = null;
    } else if (column.type === 'categorical') {
      const code = column.codes[i]!;
      row[name] = code < 0 ? null : column.dictionary[code];
    } else {
      const v = column.values[i]!;
      row[name] = Number.isNaN(v) ? null : column.type === 'timestamp' ? sqlTime(v) : v;
    }
  }
  return row;
}

/**
 * Joins the labelled predictions of the window to the values they were
 * served with and freezes them, beside the base snapshot's earlier rows, as
 * a new snapshot version.
 *
 * @example
 * const joined = await buildFeedbackSnapshot(loaded, stores, {
 *   windowMs: 90 * DAY, holdoutMs: 7 * DAY, validationMs: 7 * DAY,
 * });
 * await runProject(dir, { snapshot: joined.snapshot.id });
 */
export async function buildFeedbackSnapshot(
  loaded: LoadedSpec,
  stores: Stores,
  options: FeedbackSnapshotOptions,
): Promise<FeedbackSnapshot> {
  const { spec } = loaded;
  const name = options.model ?? spec.name;
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - options.windowMs);
  const testFrom = now.getTime() - options.holdoutMs;
  const validationFrom = testFrom - options.validationMs;
  const registry = new ModelRegistry(stores);
  const versions = await registry.listVersions(name);
  if (versions.length === 0) {
    throw new FlywheelError('NOT_FOUND', `model "${name}" has no versions to join labels for`);
  }
  const deployment = await registry.deployment(name);
  const championVersion = deployment.champion ?? versions.at(-1)!;
  const champion = await registry.loadBundle(championVersion);
  const parentId = champion.lineage.snapshotId;
  if (parentId === null) {
    throw new FlywheelError(
      'USAGE',
      `${name}@${championVersion.version} records no training snapshot, so there is nothing to add the labels to`,
    );
  }
  const base = await baseSnapshot(stores, parentId);
  const baseManifest = await readManifest(stores, base);
  if (base.project !== spec.name) {
    throw new FlywheelError(
      'USAGE',
      `the base snapshot ${base.id.slice(0, 12)} belongs to project "${base.project}", not "${spec.name}"`,
    );
  }
  const featureNames = baseManifest.dataset.features.map((f) => f.name);

  const labelled = await stores.metadata.listLabelled({
    modelVersions: versions.map((v) => `${name}@${v.version}`),
    since,
    until: now,
  });

  // Each version's bundle computes the features of the rows it served.
  const bundles = new Map<string, ModelBundle>();
  for (const v of versions) bundles.set(`${name}@${v.version}`, await registry.loadBundle(v));
  const consent = spec.governance?.consent;
  const retentionFrom =
    spec.governance?.retention_days === undefined
      ? Number.NEGATIVE_INFINITY
      : now.getTime() - spec.governance.retention_days * DAY_MS;
  let withoutConsent = 0;
  let pastRetention = 0;
  let unscorable = 0;
  const byVersion = new Map<string, { p: LabelledPrediction; t: number }[]>();
  for (const p of labelled) {
    const bundle = bundles.get(p.modelVersion);
    if (bundle === undefined) {
      unscorable++;
      continue;
    }
    if (consent !== undefined && !consented(p.inputs, consent)) {
      withoutConsent++;
      continue;
    }
    const t = eventTimeOf(p, bundle);
    if (t < retentionFrom) {
      pastRetention++;
      continue;
    }
    const list = byVersion.get(p.modelVersion) ?? [];
    if (list.length === 0) byVersion.set(p.modelVersion, list);
    list.push({ p, t });
  }

  const lines: string[] = [];
  let firstLive = Number.POSITIVE_INFINITY;
  const holdout: LabelledPrediction[] = [];
  const predictionIds: string[] = [];
  for (const [version, items] of byVersion) {
    const bundle = bundles.get(version)!;
    const missing = featureNames.filter((f) => !bundle.features.includes(f));
    if (missing.length > 0) {
      throw new FlywheelError(
        'USAGE',
        `${version} does not compute feature(s) ${missing.join(', ')} of the base snapshot; labels of its predictions cannot be joined`,
      );
    }
    const scorer = createScorer(bundle);
    const write = (item: { p: LabelledPrediction; t: number }, frame: Frame, i: number) => {
      const split = item.t >= testFrom ? 'test' : item.t >= validationFrom ? 'validation' : 'train';
      lines.push(
        JSON.stringify({
          ...frameRow(frame, featureNames, i),
          __target: item.p.label,
          __split: split,
          __event_time: sqlTime(item.t),
          __entity: item.p.entity,
        }),
      );
      firstLive = Math.min(firstLive, item.t);
      predictionIds.push(item.p.id);
      if (split === 'test') holdout.push(item.p);
    };
    const built = scorer.features(items.map((x) => x.p.inputs));
    if (built.ok) {
      for (let i = 0; i < items.length; i++) write(items[i]!, built.frame, i);
      continue;
    }
    // A batch with a row the features cannot read: join the rows one by one.
    for (const item of items) {
      const one = scorer.features([item.p.inputs]);
      if (one.ok) write(item, one.frame, 0);
      else unscorable++;
    }
  }
  if (lines.length === 0) {
    throw new FlywheelError(
      'DATA_EMPTY',
      `no labelled predictions of "${name}" between ${since.toISOString()} and ${now.toISOString()} could be joined` +
        (labelled.length > 0
          ? ` (${withoutConsent} without consent, ${pastRetention} past retention, ${unscorable} unscorable)`
          : ''),
      { hint: 'send outcomes with POST /v1/feedback or flywheel feedback ingest first' },
    );
  }
  holdout.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  const session = await DuckSession.open();
  const file = path.join(tmpdir(), `flywheel-feedback-${randomUUID()}.jsonl`);
  try {
    writeFileSync(file, `${lines.join('\n')}\n`);
    const types = new Map(baseManifest.columns.map((c) => [c.name, c.type]));
    const order = baseManifest.columns.map((c) => c.name);
    const jsonColumns = order
      .map((c) => {
        const type = types.get(c)!;
        const read = /^(TIMESTAMP|DATE|TIME)/.test(type) ? 'VARCHAR' : type;
        return `${sqlString(c)}: ${sqlString(read)}`;
      })
      .join(', ');
    const baseFile = await stores.artifacts.localPath(base.id);
    const time = (ms: number) => `TIMESTAMP ${sqlString(sqlTime(ms))}`;
    const splitCase = `CASE WHEN __event_time >= ${time(testFrom)} THEN 'test' WHEN __event_time >= ${time(validationFrom)} THEN 'validation' ELSE 'train' END`;
    const castList = order
      .map((c) => `CAST(${sqlIdent(c)} AS ${types.get(c)}) AS ${sqlIdent(c)}`)
      .join(', ');
    const baseWhere = [
      `__event_time >= ${time(since.getTime())}`,
      `__event_time < ${time(firstLive)}`,
      ...(Number.isFinite(retentionFrom) ? [`__event_time >= ${time(retentionFrom)}`] : []),
    ].join(' AND ');
    await session.run(
      `CREATE TEMP TABLE fw_joined AS SELECT * REPLACE (${splitCase} AS __split) FROM (
         SELECT ${castList} FROM read_parquet(${sqlString(baseFile)}) WHERE ${baseWhere}
         UNION ALL
         SELECT ${castList} FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = {${jsonColumns}}))`,
    );
    await session.run(
      'CREATE OR REPLACE TEMP VIEW fw_dataset AS SELECT * FROM fw_joined ORDER BY ALL',
    );
    const [counts] = await session.rows(
      `SELECT count(*) AS n FROM read_parquet(${sqlString(baseFile)}) WHERE ${baseWhere}`,
    );
    const baseRows = Number(counts!['n']);
    const frozen = await freezeDataset(session, stores);
    const { splits } = await splitStats(session, baseManifest.dataset.targetKind);
    const rows = splits.reduce((s, x) => s + x.rows, 0);
    const profile: Profile = await profileView(
      session,
      'fw_dataset',
      profileColumns({
        features: baseManifest.dataset.features,
        targetKind: baseManifest.dataset.targetKind,
      }),
    );
    const sortedIds = [...predictionIds].sort();
    const recorded = await recordSnapshot(stores, {
      id: frozen.id,
      project: spec.name,
      rows,
      size: frozen.size,
      origin: 'feedback',
      parentId: base.id,
      dataset: { ...baseManifest.dataset, splits, unassigned: 0 },
      columns: frozen.columns,
      profile,
      findings: [],
      lineage: {
        specHash: loaded.hash,
        query: null,
        sources: baseManifest.lineage.sources,
        features: baseManifest.lineage.features,
        governance: {
          ...baseManifest.lineage.governance,
          feedback: { withoutConsent, pastRetention, unscorable },
        },
        feedback: {
          model: name,
          window: { from: since.toISOString(), until: now.toISOString() },
          holdoutFrom: new Date(testFrom).toISOString(),
          validationFrom: new Date(validationFrom).toISOString(),
          labelled: labelled.length,
          joined: lines.length,
          baseRows,
          baseSnapshot: base.id,
          versions: [...byVersion.keys()],
          sources: [...new Set(labelled.map((l: LabelledPrediction) => l.source))],
          predictions: {
            count: sortedIds.length,
            first: sortedIds[0] ?? null,
            last: sortedIds.at(-1) ?? null,
          },
        },
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
          origin: 'feedback',
          rows,
          feedbackRows: lines.length,
          baseRows,
          parent: base.id,
        },
      });
    }
    return {
      snapshot: recorded.record,
      manifest: recorded.manifest,
      created: recorded.created,
      feedbackRows: lines.length,
      baseRows,
      baseId: base.id,
      excluded: { withoutConsent, pastRetention, unscorable },
      holdout,
      splits,
    };
  } catch (err) {
    if (err instanceof FlywheelError) throw err;
    throw new FlywheelError(
      'DATA_UNREADABLE',
      `cannot join the labelled predictions: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  } finally {
    session.close();
    await rm(file, { force: true });
  }
}
