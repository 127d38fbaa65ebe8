/**
 * The append-only audit log: who did what to which object, and when. There is
 * deliberately no update or delete here, and the table itself rejects both
 * (a trigger installed by migration 002).
 */
import { clampLimit, decodeJson, encodeJson, encodeTime } from './codec.js';
import type { AuditEntry, AuditFilter, AuditRecord } from './records.js';
import type { StoreContext } from './store-context.js';

export async function appendAudit(ctx: StoreContext, entry: AuditEntry): Promise<AuditRecord> {
  const row = {
    at: encodeTime(entry.at, 'at'),
    actor: entry.actor,
    action: entry.action,
    object_type: entry.objectType,
    object_id: entry.objectId,
    details: encodeJson(entry.details ?? {}, 'details'),
  };
  const insert = ctx.db.insertInto('audit_log').values(row);
  let id: number;
  if (ctx.dialect.capabilities.supportsReturning) {
    id = (await insert.returning('id').executeTakeFirstOrThrow()).id;
  } else {
    id = Number((await insert.executeTakeFirstOrThrow()).insertId);
  }
  return {
    id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    details: entry.details ?? {},
  };
}

export async function listAudit(
  { db }: StoreContext,
  filter: AuditFilter = {},
): Promise<AuditRecord[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.objectType !== undefined) query = query.where('object_type', '=', filter.objectType);
  if (filter.objectId !== undefined) query = query.where('object_id', '=', filter.objectId);
  if (filter.since !== undefined)
    query = query.where('at', '>=', encodeTime(filter.since, 'since'));
  if (filter.until !== undefined) query = query.where('at', '<', encodeTime(filter.until, 'until'));
  const rows = await query.orderBy('id', 'desc').limit(clampLimit(filter.limit, 1000)).execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    details: decodeJson(r.details),
  }));
}
