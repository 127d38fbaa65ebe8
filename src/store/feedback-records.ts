/**
 * Feedback rows: labels written once per (prediction, source), a different
 * second label recorded as a conflict (the first stays), labels for unknown
 * predictions kept as orphans with their reason.
 */
import { clampLimit, decodeJson, encodeTime } from './codec.js';
import { isShadowEntry } from './prediction-log.js';
import type { StoreContext } from './store-context.js';

export interface LabelWrite {
  readonly predictionId: string;
  readonly source: string;
  /** Binary: 1 positive, 0 negative; regression: the value. */
  readonly label: number;
  /** The outcome as it arrived (JSON-serialisable). */
  readonly raw: unknown;
  readonly observedAt: string | Date;
}

export interface LabelConflict {
  readonly predictionId: string;
  readonly source: string;
  readonly stored: number;
  readonly received: number;
}

export interface LabelWriteOutcome {
  readonly added: number;
  readonly duplicates: number;
  readonly conflicts: LabelConflict[];
}

export interface FeedbackIssue {
  readonly id: number;
  readonly receivedAt: string;
  readonly kind: 'unknown_prediction' | 'invalid_label' | 'conflict';
  readonly predictionId: string;
  readonly source: string;
  readonly raw: unknown;
  readonly reason: string;
}

const CHUNK = 500;

/** The log's time and version of each known prediction id. */
export async function findPredictions(
  { db }: StoreContext,
  ids: readonly string[],
): Promise<Map<string, { at: string; modelVersion: string; inputs: string }>> {
  const found = new Map<string, { at: string; modelVersion: string; inputs: string }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await db
      .selectFrom('prediction_log')
      .select(['id', 'at', 'model_version', 'inputs'])
      .where('id', 'in', unique.slice(i, i + CHUNK))
      .execute();
    for (const r of rows)
      found.set(r.id, { at: r.at, modelVersion: r.model_version, inputs: r.inputs });
  }
  return found;
}

/** What a label may be keyed by instead of a prediction id. */
export interface PredictionKey {
  /** The model name; a prediction of any of its versions matches. */
  readonly model: string;
  /** The entity key as text (as logged: the value of the model's entity column). */
  readonly entity: string;
  /** The event time; matches the same instant, whatever its notation. */
  readonly eventTime: string | Date;
}

/** A logged prediction a key matched. */
export interface KeyedPrediction {
  readonly id: string;
  readonly at: string;
  readonly modelVersion: string;
}

/** (entity, event time) pairs per query: two bind parameters each. */
const KEY_CHUNK = 250;

const modelOf = (modelVersion: string) => modelVersion.slice(0, modelVersion.lastIndexOf('@'));

/**
 * For each key, in order, the logged predictions of its model (any
 * version) for that entity at that instant, newest first. Shadow-route
 * entries (never served) are left out.
 */
export async function findPredictionsByKey(
  { db }: StoreContext,
  keys: readonly PredictionKey[],
): Promise<KeyedPrediction[][]> {
  const pairOf = (entity: string, time: string) => `${entity}\u0000${time}`;
  const wanted = keys.map((k) => ({
    model: k.model,
    entity: k.entity,
    eventTime: encodeTime(k.eventTime, 'eventTime'),
  }));
  const pairs = [...new Map(wanted.map((k) => [pairOf(k.entity, k.eventTime), k])).values()];
  const found = new Map<string, KeyedPrediction[]>();
  for (let i = 0; i < pairs.length; i += KEY_CHUNK) {
    const chunk = pairs.slice(i, i + KEY_CHUNK);
    const rows = await db
      .selectFrom('prediction_log')
      .select(['id', 'at', 'model_version', 'outputs', 'entity', 'event_time'])
      .where((eb) =>
        eb.or(
          chunk.map((k) =>
            eb.and([eb('entity', '=', k.entity), eb('event_time', '=', k.eventTime)]),
          ),
        ),
      )
      .execute();
    for (const r of rows) {
      if (r.entity === null || r.event_time === null || isShadowEntry(decodeJson(r.outputs))) {
        continue;
      }
      const pair = pairOf(r.entity, r.event_time);
      const list = found.get(pair) ?? [];
      list.push({ id: r.id, at: r.at, modelVersion: r.model_version });
      found.set(pair, list);
    }
  }
  const newestFirst = (a: KeyedPrediction, b: KeyedPrediction) =>
    a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1;
  return wanted.map((k) =>
    (found.get(pairOf(k.entity, k.eventTime)) ?? [])
      .filter((p) => modelOf(p.modelVersion) === k.model)
      .sort(newestFirst),
  );
}

/**
 * Stores labels (call inside a transaction): new ones added, repeats
 * classified, conflicts recorded; all received at `receivedAt` (default:
 * now; a replay passes its clock).
 */
export async function writeLabels(
  ctx: StoreContext,
  labels: readonly LabelWrite[],
  receivedAt?: string | Date,
): Promise<LabelWriteOutcome> {
  const key = (id: string, source: string) => `${id}\u0000${source}`;
  const fresh = new Map<string, LabelWrite>();
  let duplicates = 0;
  const conflicts: LabelConflict[] = [];
  const conflict = (l: LabelWrite, stored: number) =>
    conflicts.push({ predictionId: l.predictionId, source: l.source, stored, received: l.label });
  for (const l of labels) {
    const first = fresh.get(key(l.predictionId, l.source));
    if (first === undefined) fresh.set(key(l.predictionId, l.source), l);
    else if (first.label === l.label) duplicates++;
    else conflict(l, first.label);
  }
  const ids = [...new Set([...fresh.values()].map((l) => l.predictionId))];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const stored = await ctx.db
      .selectFrom('feedback_labels')
      .select(['prediction_id', 'source', 'label'])
      .where('prediction_id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const s of stored) {
      const k = key(s.prediction_id, s.source);
      const l = fresh.get(k);
      if (l === undefined) continue;
      fresh.delete(k);
      if (Number(s.label) === l.label) duplicates++;
      else conflict(l, Number(s.label));
    }
  }
  const now =
    receivedAt === undefined ? new Date().toISOString() : encodeTime(receivedAt, 'receivedAt');
  for (const l of fresh.values()) {
    await ctx.db
      .insertInto('feedback_labels')
      .values({
        prediction_id: l.predictionId,
        source: l.source,
        label: l.label,
        raw: JSON.stringify(l.raw ?? null),
        observed_at: encodeTime(l.observedAt, 'observedAt'),
        received_at: now,
      })
      .onConflict((oc) => oc.columns(['prediction_id', 'source']).doNothing())
      .execute();
  }
  await insertIssues(
    ctx,
    conflicts.map((c) => ({
      kind: 'conflict' as const,
      predictionId: c.predictionId,
      source: c.source,
      raw: { stored: c.stored, received: c.received },
      reason: `a second label (${c.received}) differs from the stored one (${c.stored}); the stored one is kept`,
    })),
    now,
  );
  return { added: fresh.size, duplicates, conflicts };
}

/** Records feedback that could not be used as it came. */
export async function insertIssues(
  { db }: StoreContext,
  issues: readonly Omit<FeedbackIssue, 'id' | 'receivedAt'>[],
  receivedAt?: string | Date,
): Promise<void> {
  const now =
    receivedAt === undefined ? new Date().toISOString() : encodeTime(receivedAt, 'receivedAt');
  for (const i of issues) {
    await db
      .insertInto('feedback_issues')
      .values({
        received_at: now,
        kind: i.kind,
        prediction_id: i.predictionId.slice(0, 256),
        source: i.source,
        raw: JSON.stringify(i.raw ?? null),
        reason: i.reason,
      })
      .execute();
  }
}

export async function listIssues(
  { db }: StoreContext,
  filter: { kind?: FeedbackIssue['kind']; limit?: number } = {},
): Promise<FeedbackIssue[]> {
  let query = db.selectFrom('feedback_issues').selectAll();
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  const rows = await query.orderBy('id', 'desc').limit(clampLimit(filter.limit, 1000)).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    receivedAt: r.received_at,
    kind: r.kind as FeedbackIssue['kind'],
    predictionId: r.prediction_id,
    source: r.source,
    raw: JSON.parse(r.raw) as unknown,
    reason: r.reason,
  }));
}
