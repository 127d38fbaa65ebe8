/**
 * The feature_events table: the events behind point-in-time features, written
 * idempotently by (table, id) and read back by entity and time range.
 */
import { CompiledQuery } from 'kysely';
import type { StoreContext } from './store-context.js';

/** An event as the store keeps it (see features' OnlineEvent). */
export interface FeatureEventRecord {
  readonly id: string;
  readonly key: string;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly values: Readonly<Record<string, number | null>>;
}

export interface FeatureEventWrite {
  readonly added: number;
  readonly duplicates: number;
  /** Ids already stored with different content (kept as stored). */
  readonly conflicts: string[];
}

const COLUMNS = [
  'event_table',
  'event_id',
  'entity_key',
  'event_ms',
  'event_values',
  'ingested_at',
] as const;
const ID_CHUNK = 500;

/** Same key, time and values (a missing value and null are the same). */
function sameRecord(a: FeatureEventRecord, b: FeatureEventRecord): boolean {
  if (a.key !== b.key || a.time !== b.time) return false;
  const keys = new Set([...Object.keys(a.values), ...Object.keys(b.values)]);
  for (const k of keys) if ((a.values[k] ?? null) !== (b.values[k] ?? null)) return false;
  return true;
}

function sameContent(
  stored: { event_id: string; entity_key: string; event_ms: number; event_values: string },
  e: FeatureEventRecord,
): boolean {
  return sameRecord(
    {
      id: stored.event_id,
      key: stored.entity_key,
      time: Number(stored.event_ms),
      values: JSON.parse(stored.event_values) as Record<string, number | null>,
    },
    e,
  );
}

/** Stores `events` of `table` (call inside a transaction): new ids are added, known ids classified. */
export async function writeFeatureEvents(
  ctx: StoreContext,
  table: string,
  events: readonly FeatureEventRecord[],
): Promise<FeatureEventWrite> {
  const byId = new Map<string, FeatureEventRecord>();
  let duplicates = 0;
  const conflicts: string[] = [];
  // Within the batch: the first event with an id counts, repeats are compared with it.
  for (const e of events) {
    const first = byId.get(e.id);
    if (first === undefined) byId.set(e.id, e);
    else if (sameRecord(first, e)) duplicates += 1;
    else conflicts.push(e.id);
  }
  const ids = [...byId.keys()];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const stored = await ctx.db
      .selectFrom('feature_events')
      .select(['event_id', 'entity_key', 'event_ms', 'event_values'])
      .where('event_table', '=', table)
      .where('event_id', 'in', ids.slice(i, i + ID_CHUNK))
      .execute();
    for (const row of stored) {
      const e = byId.get(row.event_id)!;
      byId.delete(row.event_id);
      if (sameContent(row, e)) duplicates += 1;
      else conflicts.push(row.event_id);
    }
  }
  const now = new Date().toISOString();
  const rows = [...byId.values()].map((e) => [
    table,
    e.id,
    e.key,
    e.time,
    JSON.stringify(e.values),
    now,
  ]);
  // A concurrent writer (another replica) may have stored one meanwhile: it
  // wins, and this write still counts its copy as added (a race between
  // replicas sending the same event at once; the stored events are right).
  await ctx.batch.insert(ctx.db, 'feature_events', COLUMNS, rows, { ignoreConflicts: true });
  return { added: rows.length, duplicates, conflicts };
}

const readSql = new Map<string, string>();

/** The events of `table` for `key` with `from <= time <= to`, oldest first. */
export async function readFeatureEvents(
  ctx: StoreContext,
  table: string,
  key: string,
  from: number,
  to: number,
): Promise<{ id: string; time: number; values: Record<string, number | null> }[]> {
  // Compiled once per engine: a lookup is on the request path.
  const engine = ctx.dialect.capabilities.jsonType;
  let sql = readSql.get(engine);
  if (sql === undefined) {
    sql = ctx.db
      .selectFrom('feature_events')
      .select(['event_id', 'event_ms', 'event_values'])
      .where('event_table', '=', table)
      .where('entity_key', '=', key)
      .where('event_ms', '>=', from)
      .where('event_ms', '<=', to)
      .orderBy('event_ms')
      .orderBy('event_id')
      .compile().sql;
    readSql.set(engine, sql);
  }
  const result = await ctx.db.executeQuery<{
    event_id: string;
    event_ms: number;
    event_values: string;
  }>(CompiledQuery.raw(sql, [table, key, from, to]));
  return result.rows.map((r) => ({
    id: r.event_id,
    time: Number(r.event_ms),
    values: JSON.parse(r.event_values) as Record<string, number | null>,
  }));
}

/** Events of `table` in `[from, to)`, in (time, id) order, after a cursor: the materialise path. */
export async function listFeatureEvents(
  { db }: StoreContext,
  table: string,
  options: { from: number; to: number; after?: { time: number; id: string }; limit: number },
): Promise<FeatureEventRecord[]> {
  let query = db
    .selectFrom('feature_events')
    .select(['event_id', 'entity_key', 'event_ms', 'event_values'])
    .where('event_table', '=', table)
    .where('event_ms', '>=', options.from)
    .where('event_ms', '<', options.to);
  const after = options.after;
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('event_ms', '>', after.time),
        eb.and([eb('event_ms', '=', after.time), eb('event_id', '>', after.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('event_ms').orderBy('event_id').limit(options.limit).execute();
  return rows.map((r) => ({
    id: r.event_id,
    key: r.entity_key,
    time: Number(r.event_ms),
    values: JSON.parse(r.event_values) as Record<string, number | null>,
  }));
}

/** The newest event time of each table. */
export async function newestFeatureEvents({ db }: StoreContext): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('feature_events')
    .select((eb) => ['event_table', eb.fn.max('event_ms').as('newest')])
    .groupBy('event_table')
    .execute();
  return new Map(rows.map((r) => [r.event_table, Number(r.newest)]));
}

/** Deletes the events of `table` in `[from, to)` (all without a range); returns how many. */
export async function deleteFeatureEvents(
  { db }: StoreContext,
  table: string,
  range?: { from: number; to: number },
): Promise<number> {
  let query = db.deleteFrom('feature_events').where('event_table', '=', table);
  if (range !== undefined) {
    query = query.where('event_ms', '>=', range.from).where('event_ms', '<', range.to);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
