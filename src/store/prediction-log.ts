/**
 * The prediction log: every served prediction, written in batches on the hot
 * path and read back by monitoring and feedback.
 */
import { randomUUID } from 'node:crypto';
import { clampLimit, decodeJson, encodeFloat, encodeJson, encodeTime } from './codec.js';
import type { PredictionFilter, PredictionInput, PredictionRecord } from './records.js';
import type { StoreContext } from './store-context.js';

const COLUMNS = [
  'id',
  'at',
  'model_version',
  'inputs',
  'outputs',
  'score',
  'latency_ms',
  'entity',
  'event_time',
] as const;

/** Whether logged outputs are a shadow-route entry: scored by a shadow canary, never served. */
export function isShadowEntry(outputs: unknown): boolean {
  return (
    outputs !== null &&
    typeof outputs === 'object' &&
    (outputs as { readonly route?: unknown }).route === 'shadow'
  );
}

/** Inserts `rows` (call inside a transaction) and returns their ids in order. */
export async function insertPredictions(
  ctx: StoreContext,
  rows: readonly PredictionInput[],
): Promise<string[]> {
  const ids: string[] = new Array(rows.length);
  const now = new Date().toISOString();
  const values = rows.map((row, i) => {
    const id = row.id ?? randomUUID();
    ids[i] = id;
    return [
      id,
      row.at === undefined ? now : encodeTime(row.at, 'at'),
      row.modelVersion,
      encodeJson(row.inputs, 'inputs'),
      row.outputs === undefined ? null : encodeJson(row.outputs, 'outputs'),
      encodeFloat(row.score),
      encodeFloat(row.latencyMs),
      row.entity ?? null,
      row.eventTime === undefined || row.eventTime === null
        ? null
        : encodeTime(row.eventTime, 'eventTime'),
    ];
  });
  await ctx.batch.insert(ctx.db, 'prediction_log', COLUMNS, values);
  return ids;
}

export async function listPredictions(
  { db }: StoreContext,
  filter: PredictionFilter = {},
): Promise<PredictionRecord[]> {
  let query = db.selectFrom('prediction_log').selectAll();
  if (filter.modelVersion !== undefined) {
    query = query.where('model_version', '=', filter.modelVersion);
  }
  if (filter.modelVersions !== undefined) {
    if (filter.modelVersions.length === 0) return [];
    query = query.where('model_version', 'in', [...filter.modelVersions]);
  }
  if (filter.since !== undefined)
    query = query.where('at', '>=', encodeTime(filter.since, 'since'));
  if (filter.until !== undefined) query = query.where('at', '<', encodeTime(filter.until, 'until'));
  const order = filter.order ?? 'asc';
  const rows = await query
    .orderBy('at', order)
    .orderBy('id', order)
    .limit(clampLimit(filter.limit, 1000, 5_000_000))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    modelVersion: r.model_version,
    inputs: decodeJson(r.inputs),
    outputs: decodeJson(r.outputs),
    score: r.score,
    latencyMs: r.latency_ms,
    entity: r.entity,
    eventTime: r.event_time,
  }));
}

/** How many predictions match `filter` (ignoring its limit). */
export async function countPredictions(
  { db }: StoreContext,
  filter: PredictionFilter = {},
): Promise<number> {
  let query = db.selectFrom('prediction_log').select((eb) => eb.fn.countAll<number>().as('n'));
  if (filter.modelVersion !== undefined) {
    query = query.where('model_version', '=', filter.modelVersion);
  }
  if (filter.modelVersions !== undefined) {
    if (filter.modelVersions.length === 0) return 0;
    query = query.where('model_version', 'in', [...filter.modelVersions]);
  }
  if (filter.since !== undefined)
    query = query.where('at', '>=', encodeTime(filter.since, 'since'));
  if (filter.until !== undefined) query = query.where('at', '<', encodeTime(filter.until, 'until'));
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}
