/**
 * A point-in-time feature's definition and its version: a hash of what the
 * feature computes, so a stored value can say which definition produced it.
 */
import { createHash } from 'node:crypto';
import type { Spec } from '../spec/index.js';
import { durationMicros } from './duration.js';

/** One entry of `features.point_in_time` (`inclusive` may be left out: false). */
export type PointInTimeDefinition = Omit<PointInTimeSpec, 'inclusive'> & {
  readonly inclusive?: boolean;
};
type PointInTimeSpec = NonNullable<NonNullable<Spec['features']>['point_in_time']>[string];

/** One entry of the spec's top-level `events` (`allowed_lateness` may be left out: 1h). */
export type EventTableDefinition = Omit<EventTableSpec, 'allowed_lateness'> & {
  readonly allowed_lateness?: string;
};
type EventTableSpec = NonNullable<Spec['events']>[string];

/** Bumped when the computation behind the same definition changes. */
const SEMANTICS = 1;

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A short, stable hash of what a feature computes: its key, aggregate,
 * column, window (as a length, so `120m` and `2h` agree) and inclusiveness,
 * and how its event table is read (source or query, key, time). Names are
 * left out: renaming a feature or an event table changes no value.
 *
 * @example
 * featureVersion(
 *   { events: 'departures', key: 'origin', aggregate: 'mean', column: 'delay', window: '2h' },
 *   { source: 'flights', key: 'origin', time: 'departed' },
 * ) // e.g. '3f9c0e1a7b2d4c55'
 */
export function featureVersion(
  def: PointInTimeDefinition,
  eventTable: EventTableDefinition,
): string {
  const canonical = canonicalJson({
    semantics: SEMANTICS,
    feature: {
      key: def.key,
      aggregate: def.aggregate,
      column: def.column ?? null,
      window_us: durationMicros(def.window),
      inclusive: def.inclusive === true,
    },
    events: {
      source: eventTable.source ?? null,
      query: eventTable.query ?? null,
      key: eventTable.key,
      time: eventTable.time,
    },
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
