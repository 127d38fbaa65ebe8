/**
 * Monitoring rows: alerts (stateful episodes with their deliveries), serving
 * counts per minute (requests and failures, for the error budget) and
 * feedback labels (outcomes joined to predictions).
 */
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { clampLimit, decodeJson, encodeJson, encodeTime } from './codec.js';
import type { AlertsTable } from './schema.js';
import type { StoreContext } from './store-context.js';

export type AlertState = 'firing' | 'resolved';

export interface AlertRecord {
  readonly id: string;
  readonly model: string;
  readonly rule: string;
  /** What the alert is about within the rule: a feature, an event table, a burn window; '' for the model. */
  readonly subject: string;
  readonly state: AlertState;
  readonly severity: string;
  readonly message: string;
  readonly evidence: unknown;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly resolvedAt: string | null;
  /** Delivery attempts per webhook and transition. */
  readonly deliveries: unknown;
}

export interface AlertFilter {
  readonly model?: string;
  readonly state?: AlertState;
  readonly limit?: number;
}

export interface AlertPatch {
  readonly state?: AlertState;
  readonly message?: string;
  readonly evidence?: unknown;
  readonly lastAt?: string;
  readonly resolvedAt?: string | null;
  readonly deliveries?: unknown;
}

export interface ServingMinute {
  readonly modelVersion: string;
  /** The minute's start (ISO). */
  readonly minute: string;
  readonly replica: string;
  readonly requests: number;
  readonly errors: number;
}

export interface LabelInput {
  readonly predictionId: string;
  readonly source: string;
  /** Binary: 1 for the positive class, 0 otherwise; regression: the value. */
  readonly label: number;
  readonly observedAt: string | Date;
}

function fromRow(row: Selectable<AlertsTable>): AlertRecord {
  return {
    id: row.id,
    model: row.model,
    rule: row.rule,
    subject: row.subject,
    state: row.state as AlertState,
    severity: row.severity,
    message: row.message,
    evidence: decodeJson(row.evidence),
    firstAt: row.first_at,
    lastAt: row.last_at,
    resolvedAt: row.resolved_at,
    deliveries: decodeJson(row.deliveries),
  };
}

/** Alerts, firing first, then newest first. */
export async function listAlerts(
  { db }: StoreContext,
  filter: AlertFilter = {},
): Promise<AlertRecord[]> {
  let query = db.selectFrom('alerts').selectAll();
  if (filter.model !== undefined) query = query.where('model', '=', filter.model);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  const rows = await query
    .orderBy(sql`case when state = 'firing' then 0 else 1 end`)
    .orderBy('first_at', 'desc')
    .orderBy('id')
    .limit(clampLimit(filter.limit, 500, 10_000))
    .execute();
  return rows.map(fromRow);
}

export async function insertAlert({ db }: StoreContext, alert: AlertRecord): Promise<void> {
  await db
    .insertInto('alerts')
    .values({
      id: alert.id,
      model: alert.model,
      rule: alert.rule,
      subject: alert.subject,
      state: alert.state,
      severity: alert.severity,
      message: alert.message,
      evidence: encodeJson(alert.evidence, 'evidence'),
      first_at: encodeTime(alert.firstAt, 'firstAt'),
      last_at: encodeTime(alert.lastAt, 'lastAt'),
      resolved_at: alert.resolvedAt === null ? null : encodeTime(alert.resolvedAt, 'resolvedAt'),
      deliveries: encodeJson(alert.deliveries, 'deliveries'),
    })
    .execute();
}

export async function updateAlert(
  { db }: StoreContext,
  id: string,
  patch: AlertPatch,
): Promise<void> {
  const values: Record<string, unknown> = {};
  if (patch.state !== undefined) values['state'] = patch.state;
  if (patch.message !== undefined) values['message'] = patch.message;
  if (patch.evidence !== undefined) values['evidence'] = encodeJson(patch.evidence, 'evidence');
  if (patch.lastAt !== undefined) values['last_at'] = encodeTime(patch.lastAt, 'lastAt');
  if (patch.resolvedAt !== undefined) {
    values['resolved_at'] =
      patch.resolvedAt === null ? null : encodeTime(patch.resolvedAt, 'resolvedAt');
  }
  if (patch.deliveries !== undefined) {
    values['deliveries'] = encodeJson(patch.deliveries, 'deliveries');
  }
  if (Object.keys(values).length === 0) return;
  await db.updateTable('alerts').set(values).where('id', '=', id).execute();
}

/** Adds request and failure counts to their minutes (summed with what other writes put there). */
export async function addServingMinutes(
  { db }: StoreContext,
  rows: readonly ServingMinute[],
): Promise<void> {
  for (const r of rows) {
    await db
      .insertInto('serving_minutes')
      .values({
        model_version: r.modelVersion,
        minute: encodeTime(r.minute, 'minute'),
        replica: r.replica,
        requests: r.requests,
        errors: r.errors,
      })
      .onConflict((oc) =>
        oc.columns(['model_version', 'minute', 'replica']).doUpdateSet({
          requests: sql`serving_minutes.requests + excluded.requests`,
          errors: sql`serving_minutes.errors + excluded.errors`,
        }),
      )
      .execute();
  }
}

/** Requests and failures per minute of `versions` in `[from, to)`, all replicas summed, oldest first. */
export async function servingMinutes(
  { db }: StoreContext,
  versions: readonly string[],
  from: string,
  to: string,
): Promise<{ minute: string; requests: number; errors: number }[]> {
  if (versions.length === 0) return [];
  const rows = await db
    .selectFrom('serving_minutes')
    .select((eb) => [
      'minute',
      eb.fn.sum<number>('requests').as('requests'),
      eb.fn.sum<number>('errors').as('errors'),
    ])
    .where('model_version', 'in', [...versions])
    .where('minute', '>=', encodeTime(from, 'from'))
    .where('minute', '<', encodeTime(to, 'to'))
    .groupBy('minute')
    .orderBy('minute')
    .execute();
  return rows.map((r) => ({
    minute: r.minute,
    requests: Number(r.requests),
    errors: Number(r.errors),
  }));
}

/** Stores labels; a (prediction, source) pair already labelled is left as it is. Returns how many were new. */
export async function insertLabels(
  ctx: StoreContext,
  labels: readonly LabelInput[],
): Promise<number> {
  if (labels.length === 0) return 0;
  const now = new Date().toISOString();
  let added = 0;
  for (const l of labels) {
    const result = await ctx.db
      .insertInto('feedback_labels')
      .values({
        prediction_id: l.predictionId,
        source: l.source,
        label: l.label,
        observed_at: encodeTime(l.observedAt, 'observedAt'),
        received_at: now,
      })
      .onConflict((oc) => oc.columns(['prediction_id', 'source']).doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

/** The labels of the predictions of `versions` made in `[from, to)` (one per prediction: the first source). */
export async function labelsInWindow(
  { db }: StoreContext,
  versions: readonly string[],
  from: string,
  to: string,
): Promise<Map<string, number>> {
  if (versions.length === 0) return new Map();
  const rows = await db
    .selectFrom('feedback_labels as l')
    .innerJoin('prediction_log as p', 'p.id', 'l.prediction_id')
    .select(['l.prediction_id as id', 'l.label as label', 'l.source as source'])
    .where('p.model_version', 'in', [...versions])
    .where('p.at', '>=', encodeTime(from, 'from'))
    .where('p.at', '<', encodeTime(to, 'to'))
    .orderBy('l.source')
    .execute();
  const labels = new Map<string, number>();
  for (const r of rows) if (!labels.has(r.id)) labels.set(r.id, Number(r.label));
  return labels;
}
