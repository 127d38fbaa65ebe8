/** Rows of the `snapshots` table: one per distinct dataset snapshot. */

import type { Selectable } from 'kysely';
import { clampLimit, encodeTime } from './codec.js';
import type { SnapshotFilter, SnapshotRecord } from './records.js';
import type { SnapshotsTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function fromRow(row: Selectable<SnapshotsTable>): SnapshotRecord {
  return {
    id: row.id,
    project: row.project,
    createdAt: row.created_at,
    rows: Number(row.rows),
    size: Number(row.size),
    manifestSha256: row.manifest_sha256,
    specHash: row.spec_hash,
    origin: row.origin,
    parentId: row.parent_id,
  };
}

/**
 * Records a snapshot unless one with the same id exists; returns the stored
 * record (the existing one when the same data was snapshotted before).
 */
export async function insertSnapshot(
  { db }: StoreContext,
  snapshot: SnapshotRecord,
): Promise<{ record: SnapshotRecord; created: boolean }> {
  // ON CONFLICT DO NOTHING: two writers recording the same rows at once both
  // succeed, and exactly one of them creates the record.
  const inserted = await db
    .insertInto('snapshots')
    .values({
      id: snapshot.id,
      project: snapshot.project,
      created_at: encodeTime(snapshot.createdAt, 'createdAt'),
      rows: snapshot.rows,
      size: snapshot.size,
      manifest_sha256: snapshot.manifestSha256,
      spec_hash: snapshot.specHash,
      origin: snapshot.origin,
      parent_id: snapshot.parentId,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  const stored = await db
    .selectFrom('snapshots')
    .selectAll()
    .where('id', '=', snapshot.id)
    .executeTakeFirstOrThrow();
  return { record: fromRow(stored), created: Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 };
}

/** Snapshots whose id starts with `prefix`, a validated lowercase hex string (at most 2, enough to tell ambiguity). */
export async function findSnapshots(
  { db }: StoreContext,
  prefix: string,
): Promise<SnapshotRecord[]> {
  const rows = await db
    .selectFrom('snapshots')
    .selectAll()
    .where('id', 'like', `${prefix}%`)
    .orderBy('id')
    .limit(2)
    .execute();
  return rows.map(fromRow);
}

export async function listSnapshots(
  { db }: StoreContext,
  filter: SnapshotFilter = {},
): Promise<SnapshotRecord[]> {
  let query = db.selectFrom('snapshots').selectAll();
  if (filter.project !== undefined) query = query.where('project', '=', filter.project);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(clampLimit(filter.limit, 100))
    .execute();
  return rows.map(fromRow);
}
