/**
 * Feedback rows: labels written once per (prediction, source), a different
 * second label recorded as a conflict (the first stays), labels for unknown
 * predictions kept as orphans with their reason.
 */
import { clampLimit, encodeTime } from './codec.js';
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

/** Stores labels (call inside a transaction): new ones added, repeats classified, conflicts recorded. */
export async function writeLabels(
  ctx: StoreContext,
  labels: readonly LabelWrite[],
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
  const now = new Date().toISOString();
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
  );
  return { added: fresh.size, duplicates, conflicts };
}

/** Records feedback that could not be used as it came. */
export async function insertIssues(
  { db }: StoreContext,
  issues: readonly Omit<FeedbackIssue, 'id' | 'receivedAt'>[],
): Promise<void> {
  const now = new Date().toISOString();
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
