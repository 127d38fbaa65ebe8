/**
 * What the online store needs from the spec, as plain JSON: the event tables
 * (how an arriving event is read and how long it matters) and the features
 * (which table, which window, which aggregate). Built from the same spec
 * entries the offline join reads, carried in every model bundle, and
 * versioned by the same hash (`featureVersion`).
 */
import { FlywheelError } from '../errors.js';
import {
  type EventTableDefinition,
  featureVersion,
  type PointInTimeDefinition,
} from './definition.js';
import { parseDuration } from './duration.js';
import type { WindowSpec } from './window-aggregate.js';

/** An event table as the online store reads arriving events. */
export interface OnlineEventTable {
  readonly name: string;
  /** The events' entity key column. */
  readonly key: string;
  /** When each event became known. */
  readonly time: string;
  /** The event id column; without one an event is identified by its content. */
  readonly id?: string;
  /** Numeric columns some feature aggregates. */
  readonly columns: readonly string[];
  /** An event more than this behind the newest is late (still stored; counted and reported). */
  readonly allowedLatenessMs: number;
  /** Alert when the newest event is older than this. */
  readonly freshnessMs?: number;
  /** How long after the newest event an event can still feed a lookup: the longest window plus the lateness. */
  readonly horizonMs: number;
}

/** A point-in-time feature as the online store answers it. */
export interface OnlineFeature {
  readonly name: string;
  /** The definition's version (featureVersion): equal versions compute equal values. */
  readonly version: string;
  readonly table: string;
  /** The request (row) column holding the entity key. */
  readonly key: string;
  /** The aggregated event column (absent for a plain count). */
  readonly column?: string;
  readonly window: WindowSpec;
}

export interface OnlineDefinitions {
  readonly tables: readonly OnlineEventTable[];
  readonly features: readonly OnlineFeature[];
}

export const NO_ONLINE_FEATURES: OnlineDefinitions = { tables: [], features: [] };

/**
 * The online definitions of a spec's point-in-time features and the event
 * tables they use (tables no feature uses are left out).
 *
 * @example
 * const online = onlineDefinitions(spec.features?.point_in_time, spec.events);
 * online.features[0] // { name: 'origin_delay_2h', table: 'departures', key: 'origin', column: 'delay', … }
 */
export function onlineDefinitions(
  pointInTime: Readonly<Record<string, PointInTimeDefinition>> | undefined,
  events: Readonly<Record<string, EventTableDefinition>> | undefined,
): OnlineDefinitions {
  const features: OnlineFeature[] = [];
  for (const [name, def] of Object.entries(pointInTime ?? {})) {
    const table = events?.[def.events];
    if (table === undefined) {
      throw new FlywheelError(
        'SPEC_INVALID',
        `features.point_in_time.${name}.events: there is no event table "${def.events}"`,
      );
    }
    const windowMs = parseDuration(def.window, `features.point_in_time.${name}.window`);
    features.push({
      name,
      version: featureVersion(def, table),
      table: def.events,
      key: def.key,
      ...(def.column === undefined ? {} : { column: def.column }),
      window: {
        aggregate: def.aggregate,
        hasColumn: def.column !== undefined,
        windowMs,
        inclusive: def.inclusive === true,
      },
    });
  }
  const tables: OnlineEventTable[] = [];
  for (const [name, table] of Object.entries(events ?? {})) {
    const uses = features.filter((f) => f.table === name);
    if (uses.length === 0) continue;
    const lateness = parseDuration(
      table.allowed_lateness ?? '1h',
      `events.${name}.allowed_lateness`,
    );
    tables.push({
      name,
      key: table.key,
      time: table.time,
      ...(table.id === undefined ? {} : { id: table.id }),
      columns: [...new Set(uses.flatMap((f) => (f.column === undefined ? [] : [f.column])))],
      allowedLatenessMs: lateness,
      ...(table.freshness === undefined
        ? {}
        : { freshnessMs: parseDuration(table.freshness, `events.${name}.freshness`) }),
      horizonMs: Math.max(...uses.map((f) => f.window.windowMs)) + lateness,
    });
  }
  return { tables, features };
}

/**
 * Merges definitions from several sources (the spec, each served bundle).
 * A table defined twice keeps the first key, time and id, takes the union of
 * columns and the longest horizon; a table read differently is an error.
 */
export function mergeOnlineDefinitions(...all: readonly OnlineDefinitions[]): OnlineDefinitions {
  const tables = new Map<string, OnlineEventTable>();
  const features = new Map<string, OnlineFeature>();
  for (const defs of all) {
    for (const t of defs.tables) {
      const known = tables.get(t.name);
      if (known === undefined) {
        tables.set(t.name, t);
        continue;
      }
      if (known.key !== t.key || known.time !== t.time || known.id !== t.id) {
        throw new FlywheelError(
          'CONFLICT',
          `event table "${t.name}" is defined twice with different key, time or id (${known.key}/${known.time}/${known.id ?? '-'} and ${t.key}/${t.time}/${t.id ?? '-'}); give one of them another name`,
        );
      }
      tables.set(t.name, {
        ...known,
        columns: [...new Set([...known.columns, ...t.columns])],
        allowedLatenessMs: Math.max(known.allowedLatenessMs, t.allowedLatenessMs),
        horizonMs: Math.max(known.horizonMs, t.horizonMs),
      });
    }
    for (const f of defs.features) features.set(`${f.name}\u0000${f.version}`, f);
  }
  return { tables: [...tables.values()], features: [...features.values()] };
}
