/**
 * Fills the point-in-time features a request left out from the online
 * store, as of the request's event time (the bundle's `eventTime` field, or
 * the moment the request arrived when it has none). A value the request
 * gives is used as given (backfills, tests); the note logged with the
 * prediction says which values were looked up, so the feedback join trains
 * on exactly what was served.
 */
import { eventTimeMs, type OnlineFeature, type OnlineFeatures } from '../features/index.js';
import type { ModelBundle } from '../registry/index.js';

/** What the prediction log records about a row's online features. */
export interface OnlineFeatureNote {
  /** Features whose values came from the online store (the others were in the request). */
  readonly looked_up: readonly string[];
  /** The time the values are as of (ISO). */
  readonly as_of: string;
  /** Looked-up features whose entity had no event in the window (count and sum 0, others missing). */
  readonly no_history?: readonly string[];
  /** Looked-up features whose entity key was missing from the request. */
  readonly missing_key?: readonly string[];
}

export interface FilledRows {
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  /** One note per row; undefined where nothing was looked up. */
  readonly notes: readonly (OnlineFeatureNote | undefined)[];
}

/** The online features of the bundles (the champion's first), each name once. */
export function onlineFeaturesOf(bundles: readonly ModelBundle[]): OnlineFeature[] {
  const byName = new Map<string, OnlineFeature>();
  for (const b of bundles) {
    for (const f of b.online?.features ?? []) if (!byName.has(f.name)) byName.set(f.name, f);
  }
  return [...byName.values()];
}

const isRecord = (row: unknown): row is Readonly<Record<string, unknown>> =>
  row !== null && typeof row === 'object' && !Array.isArray(row);

/**
 * The rows with the missing online features filled in; undefined when no
 * bundle has online features (nothing to do).
 *
 * @example
 * const filled = await fillOnlineFeatures(online, [bundle], [{ origin: 'SFO', date: '2001-03-12T08:00:00Z' }], new Date());
 * filled?.rows[0] // { origin: 'SFO', date: '…', origin_delay_2h: 7.5, origin_departures_2h: 12 }
 */
export async function fillOnlineFeatures(
  online: OnlineFeatures,
  bundles: readonly ModelBundle[],
  rows: readonly unknown[],
  at: Date,
): Promise<FilledRows | undefined> {
  const features = onlineFeaturesOf(bundles);
  if (features.length === 0) return undefined;
  const eventTime = bundles[0]?.eventTime;
  const out = await Promise.all(
    rows.map(async (row) => {
      // Not an object: left for the row parser to report.
      if (!isRecord(row)) return { row, note: undefined };
      const wanted = features.filter((f) => row[f.name] === undefined);
      if (wanted.length === 0) return { row, note: undefined };
      const t = (eventTime === undefined ? undefined : eventTimeMs(row[eventTime])) ?? at.getTime();
      const found = await online.lookup(wanted, row, t);
      const note: OnlineFeatureNote = {
        looked_up: wanted.map((f) => f.name),
        as_of: new Date(t).toISOString(),
        ...(found.noHistory.length > 0 ? { no_history: found.noHistory } : {}),
        ...(found.missingKey.length > 0 ? { missing_key: found.missingKey } : {}),
      };
      return { row: { ...row, ...found.values }, note };
    }),
  );
  return {
    rows: out.map((o) => o.row as Readonly<Record<string, unknown>>),
    notes: out.map((o) => o.note),
  };
}
