/**
 * What the feedback join and the label-quality checks read: the prediction
 * log joined to its labels, one row per prediction (its earliest-received
 * label), shadow-route entries left out; and counts of the labels and
 * feedback issues received in a window.
 */
import { clampLimit, decodeJson, encodeTime } from './codec.js';
import { isShadowEntry } from './prediction-log.js';
import type { StoreContext } from './store-context.js';

/** Which labelled predictions `listLabelled` returns (oldest first). */
export interface LabelledFilter {
  /** `name@version` strings. */
  readonly modelVersions: readonly string[];
  /** Inclusive lower bound on the prediction's `at`. */
  readonly since?: string | Date;
  /** Exclusive upper bound on the prediction's `at`. */
  readonly until?: string | Date;
  /** Default 1,000,000, at most 5,000,000. */
  readonly limit?: number;
}

/** A served prediction with its label. */
export interface LabelledPrediction {
  readonly id: string;
  readonly at: string;
  readonly modelVersion: string;
  /** Decoded JSON, as logged. */
  readonly inputs: unknown;
  readonly score: number | null;
  /** Decoded JSON, as logged (with the route and any online-feature note). */
  readonly outputs: unknown;
  readonly entity: string | null;
  readonly eventTime: string | null;
  /** Binary: 1 positive, 0 negative; regression: the value. */
  readonly label: number;
  readonly source: string;
  readonly observedAt: string;
}

/** Labels and feedback issues received in a window. */
export interface FeedbackCounts {
  readonly labels: number;
  /** Labels above 0: the positive ones of a binary model. */
  readonly positives: number;
  readonly conflicts: number;
  /** Labels for predictions the log did not know (orphans). */
  readonly unknown: number;
  /** Labels whose outcome the target could not read. */
  readonly invalid: number;
}

/**
 * Labelled predictions of `filter.modelVersions`, oldest first (by `at`,
 * then id). One joined query asks for `limit` rows; only when shadow
 * entries (rare: their ids never reach a client) took some of them does a
 * next query, after the last row seen, top the list up.
 *
 * @example
 * const rows = await listLabelled(ctx, { modelVersions: ['churn@3', 'churn@4'], since: '2025-01-01' });
 */
export async function listLabelled(
  { db }: StoreContext,
  filter: LabelledFilter,
): Promise<LabelledPrediction[]> {
  const limit = clampLimit(filter.limit, 1_000_000, 5_000_000);
  if (filter.modelVersions.length === 0) return [];
  const versions = [...new Set(filter.modelVersions)];
  const since = filter.since === undefined ? undefined : encodeTime(filter.since, 'since');
  const until = filter.until === undefined ? undefined : encodeTime(filter.until, 'until');
  const out: LabelledPrediction[] = [];
  let after: { readonly at: string; readonly id: string } | undefined;
  while (out.length < limit) {
    const page = limit - out.length;
    let query = db
      .selectFrom('prediction_log as p')
      .innerJoin('feedback_labels as l', 'l.prediction_id', 'p.id')
      .select([
        'p.id',
        'p.at',
        'p.model_version',
        'p.inputs',
        'p.outputs',
        'p.score',
        'p.entity',
        'p.event_time',
        'l.label',
        'l.source',
        'l.observed_at',
      ])
      .where('p.model_version', 'in', versions)
      // The earliest-received label of the prediction (ties: the first source by name).
      .where(({ eb, exists, not, selectFrom }) =>
        not(
          exists(
            selectFrom('feedback_labels as e')
              .select('e.source')
              .whereRef('e.prediction_id', '=', 'l.prediction_id')
              .where((inner) =>
                inner.or([
                  inner('e.received_at', '<', eb.ref('l.received_at')),
                  inner.and([
                    inner('e.received_at', '=', eb.ref('l.received_at')),
                    inner('e.source', '<', eb.ref('l.source')),
                  ]),
                ]),
              ),
          ),
        ),
      );
    if (since !== undefined) query = query.where('p.at', '>=', since);
    if (until !== undefined) query = query.where('p.at', '<', until);
    if (after !== undefined) {
      const last = after;
      query = query.where((eb) =>
        eb.or([
          eb('p.at', '>', last.at),
          eb.and([eb('p.at', '=', last.at), eb('p.id', '>', last.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('p.at').orderBy('p.id').limit(page).execute();
    for (const r of rows) {
      const outputs = decodeJson(r.outputs);
      if (isShadowEntry(outputs)) continue;
      out.push({
        id: r.id,
        at: r.at,
        modelVersion: r.model_version,
        inputs: decodeJson(r.inputs),
        score: r.score,
        outputs,
        entity: r.entity,
        eventTime: r.event_time,
        label: Number(r.label),
        source: r.source,
        observedAt: r.observed_at,
      });
    }
    if (rows.length < page) break;
    const last = rows[rows.length - 1]!;
    after = { at: last.at, id: last.id };
  }
  return out;
}

/**
 * Labels and feedback issues received in `[since, until)` (all time when
 * unbounded).
 *
 * @example
 * const { labels, conflicts } = await feedbackCounts(ctx, { since: '2025-01-01T00:00:00Z' });
 */
export async function feedbackCounts(
  { db }: StoreContext,
  filter: {
    readonly since?: string | Date;
    readonly until?: string | Date;
    /** Only labels (and issues) of these versions' predictions; unknown-prediction issues have none. */
    readonly modelVersions?: readonly string[];
  } = {},
): Promise<FeedbackCounts> {
  const since = filter.since === undefined ? undefined : encodeTime(filter.since, 'since');
  const until = filter.until === undefined ? undefined : encodeTime(filter.until, 'until');
  const versions =
    filter.modelVersions === undefined ? undefined : [...new Set(filter.modelVersions)];
  if (versions !== undefined && versions.length === 0) {
    return { labels: 0, positives: 0, conflicts: 0, unknown: 0, invalid: 0 };
  }
  const ofVersions = db
    .selectFrom('prediction_log')
    .select('id')
    .where('model_version', 'in', versions ?? ['']);
  let labels = db
    .selectFrom('feedback_labels')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('n'),
      eb.fn
        .sum<number | string | null>(eb.case().when('label', '>', 0).then(1).else(0).end())
        .as('positives'),
    ]);
  let issues = db
    .selectFrom('feedback_issues')
    .select((eb) => ['kind', eb.fn.countAll<number | string>().as('n')])
    .groupBy('kind');
  if (versions !== undefined) {
    labels = labels.where('prediction_id', 'in', ofVersions);
    issues = issues.where('prediction_id', 'in', ofVersions);
  }
  if (since !== undefined) {
    labels = labels.where('received_at', '>=', since);
    issues = issues.where('received_at', '>=', since);
  }
  if (until !== undefined) {
    labels = labels.where('received_at', '<', until);
    issues = issues.where('received_at', '<', until);
  }
  const totals = await labels.executeTakeFirstOrThrow();
  const kinds = await issues.execute();
  const issuesOf = (kind: string) => Number(kinds.find((k) => k.kind === kind)?.n ?? 0);
  return {
    labels: Number(totals.n),
    positives: Number(totals.positives ?? 0),
    conflicts: issuesOf('conflict'),
    unknown: issuesOf('unknown_prediction'),
    invalid: issuesOf('invalid_label'),
  };
}
