/**
 * Rows of `model_versions`: immutable registered versions, numbered 1, 2, …
 * per model name, one per distinct bundle.
 */
import type { Selectable } from 'kysely';
import { FlywheelError } from '../errors.js';
import { encodeTime } from './codec.js';
import type { ModelSummary, ModelVersionDraft, ModelVersionRecord } from './records.js';
import type { ModelVersionsTable } from './schema.js';
import type { StoreContext } from './store-context.js';

/** How often a registration retries after losing a version-number race. */
const NUMBERING_ATTEMPTS = 20;

function fromRow(row: Selectable<ModelVersionsTable>): ModelVersionRecord {
  return {
    name: row.name,
    version: Number(row.version),
    bundleSha256: row.bundle_sha256,
    runId: row.run_id,
    snapshotId: row.snapshot_id,
    specHash: row.spec_hash,
    rung: row.rung,
    blessed: Number(row.blessed) === 1,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/**
 * Registers `draft` as the next version of its model, or returns the version
 * already holding the same bundle. Call inside a write transaction.
 */
export async function insertModelVersion(
  ctx: StoreContext,
  draft: ModelVersionDraft,
): Promise<{ record: ModelVersionRecord; created: boolean }> {
  const { db } = ctx;
  const createdAt = encodeTime(draft.createdAt, 'createdAt');
  for (let attempt = 0; attempt < NUMBERING_ATTEMPTS; attempt++) {
    const existing = await findModelVersionByBundle(ctx, draft.name, draft.bundleSha256);
    if (existing !== undefined) return { record: existing, created: false };
    const latest = await db
      .selectFrom('model_versions')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('name', '=', draft.name)
      .executeTakeFirst();
    const version = Number(latest?.version ?? 0) + 1;
    // On PostgreSQL two writers may pick the same number; the loser inserts
    // nothing (ON CONFLICT DO NOTHING keeps its transaction usable) and retries.
    const inserted = await db
      .insertInto('model_versions')
      .values({
        name: draft.name,
        version,
        bundle_sha256: draft.bundleSha256,
        run_id: draft.runId,
        snapshot_id: draft.snapshotId,
        spec_hash: draft.specHash,
        rung: draft.rung,
        blessed: draft.blessed ? 1 : 0,
        created_at: createdAt,
        created_by: draft.createdBy,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
      return { record: { ...draft, version, createdAt }, created: true };
    }
  }
  throw new FlywheelError(
    'CONFLICT',
    `register ${draft.name}: too many concurrent registrations of the same model`,
    { hint: 'retry' },
  );
}

export async function findModelVersion(
  { db }: StoreContext,
  name: string,
  version: number,
): Promise<ModelVersionRecord | undefined> {
  const row = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('name', '=', name)
    .where('version', '=', version)
    .executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
}

export async function findModelVersionByBundle(
  { db }: StoreContext,
  name: string,
  bundleSha256: string,
): Promise<ModelVersionRecord | undefined> {
  const row = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('name', '=', name)
    .where('bundle_sha256', '=', bundleSha256)
    .executeTakeFirst();
  return row === undefined ? undefined : fromRow(row);
}

/** Every version of a model, oldest first. */
export async function listModelVersions(
  { db }: StoreContext,
  name: string,
): Promise<ModelVersionRecord[]> {
  const rows = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('name', '=', name)
    .orderBy('version')
    .execute();
  return rows.map(fromRow);
}

/** Every registered model by name, with its version count and current aliases. */
export async function listModelSummaries({ db }: StoreContext): Promise<ModelSummary[]> {
  const counts = await db
    .selectFrom('model_versions')
    .select((eb) => ['name', eb.fn.countAll().as('versions')])
    .groupBy('name')
    .orderBy('name')
    .execute();
  const aliases = await db
    .selectFrom('model_aliases')
    .select(['name', 'alias', 'version'])
    .orderBy('name')
    .orderBy('alias')
    .execute();
  const byName = new Map<string, Record<string, number>>();
  for (const a of aliases) {
    const map = byName.get(a.name) ?? {};
    map[a.alias] = Number(a.version);
    byName.set(a.name, map);
  }
  return counts.map((c) => ({
    name: c.name,
    versions: Number(c.versions),
    aliases: byName.get(c.name) ?? {},
  }));
}
