/**
 * Online features: events in, point-in-time values out, over any online
 * store. Ingestion checks events against their table, stores them once by
 * id, and counts the late ones; a lookup aggregates the stored events of an
 * entity over each feature's window ending at the request time, with the
 * same window semantics (`aggregateWindow`) the offline join is tested
 * against; freshness is the age of each table's newest event.
 */
import { FlywheelError } from '../errors.js';
import { didYouMean } from '../spec/index.js';
import { entityKeyText, type OnlineEvent, parseEvents } from './event-input.js';
import {
  mergeOnlineDefinitions,
  NO_ONLINE_FEATURES,
  type OnlineDefinitions,
  type OnlineEventTable,
  type OnlineFeature,
} from './online-definitions.js';
import type { OnlineStore, StoredEvent } from './online-store.js';
import { aggregateWindow, inWindow, type WindowEvent } from './window-aggregate.js';

/** What one ingestion did. */
export interface IngestReport {
  readonly table: string;
  readonly received: number;
  readonly added: number;
  readonly duplicates: number;
  readonly conflicts: number;
  /** The first conflicting ids (at most 20). */
  readonly conflictIds: readonly string[];
  /** Events more than the allowed lateness behind the newest event seen before them (stored all the same). */
  readonly late: number;
  /** The table's newest event time after the write (ISO), if it has events. */
  readonly newest: string | undefined;
}

/** The values a lookup served, and what was special about them. */
export interface FeatureLookup {
  readonly values: Record<string, number | null>;
  /** Features with no event of the entity in their window: count and sum are 0, the others missing. */
  readonly noHistory: string[];
  /** Features whose entity key was missing from the row: served as for no history. */
  readonly missingKey: string[];
}

export interface FreshnessEntry {
  readonly table: string;
  readonly features: readonly string[];
  /** The newest event's time (ISO), or undefined when the table has no event. */
  readonly newest: string | undefined;
  /** Milliseconds from the newest event to now (Infinity without events). */
  readonly ageMs: number;
  /** The spec's bound (`events.<table>.freshness`), if any. */
  readonly boundMs: number | undefined;
  /** Whether the age passes the bound. */
  readonly stale: boolean;
}

export interface TableCounters {
  received: number;
  added: number;
  duplicates: number;
  conflicts: number;
  late: number;
  invalid: number;
}

export interface OnlineFeaturesOptions {
  /** Now, in ms (default Date.now): freshness ages are measured from it. */
  readonly clock?: () => number;
}

const MAX_PROBLEMS = 100;

/**
 * The events of a batch the store kept: the first of each id, unless the
 * store refused it (an id conflicting with one stored before).
 */
function storedEvents(events: readonly OnlineEvent[], conflicts: readonly string[]): OnlineEvent[] {
  const seen = new Map<string, number>();
  for (const e of events) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
  const refused = new Set(conflicts.filter((id) => seen.get(id) === 1));
  const first = new Set<string>();
  return events.filter((e) => {
    if (first.has(e.id) || refused.has(e.id)) return false;
    first.add(e.id);
    return true;
  });
}

/**
 * @example
 * const online = new OnlineFeatures(new EmbeddedOnlineStore(stores.metadata),
 *   onlineDefinitions(spec.features?.point_in_time, spec.events));
 * await online.ingest('departures', [{ origin: 'SFO', departed_at: '2001-03-01T08:05:00Z', delay: 12 }]);
 * const { values } = await online.lookup(online.definitions.features, { origin: 'SFO' }, Date.parse('2001-03-01T09:00:00Z'));
 */
export class OnlineFeatures {
  readonly store: OnlineStore;
  #definitions: OnlineDefinitions;
  readonly #clock: () => number;
  #watermarks: Promise<Map<string, number>> | undefined;
  readonly #counters = new Map<string, TableCounters>();

  constructor(
    store: OnlineStore,
    definitions: OnlineDefinitions = NO_ONLINE_FEATURES,
    options: OnlineFeaturesOptions = {},
  ) {
    this.store = store;
    this.#definitions = definitions;
    this.#clock = options.clock ?? Date.now;
  }

  get definitions(): OnlineDefinitions {
    return this.#definitions;
  }

  /** Adds definitions (a newly served bundle's); throws CONFLICT when a table is read differently. */
  addDefinitions(more: OnlineDefinitions): void {
    this.#definitions = mergeOnlineDefinitions(this.#definitions, more);
  }

  /** The event table called `name`, or a NOT_FOUND naming the known ones. */
  table(name: string): OnlineEventTable {
    const table = this.#definitions.tables.find((t) => t.name === name);
    if (table === undefined) {
      const known = this.#definitions.tables.map((t) => t.name);
      throw new FlywheelError(
        'NOT_FOUND',
        `no event table "${name.slice(0, 64)}" feeds an online feature here${didYouMean(name, known)}; event tables: ${known.length > 0 ? known.join(', ') : '(none)'}`,
      );
    }
    return table;
  }

  /** Counters per table since this object was made. */
  counters(): ReadonlyMap<string, Readonly<TableCounters>> {
    return this.#counters;
  }

  /**
   * Checks raw events (JSON objects with the table's columns) and stores
   * them. Any invalid event rejects the whole batch with EVENTS_INVALID,
   * naming each event and field, and nothing is stored.
   */
  async ingest(tableName: string, raw: readonly unknown[]): Promise<IngestReport> {
    const table = this.table(tableName);
    const { events, problems } = parseEvents(table, raw);
    if (problems.length > 0) {
      this.#count(table.name).invalid += new Set(problems.map((p) => p.row)).size;
      const first = problems[0]!;
      throw new FlywheelError(
        'EVENTS_INVALID',
        `${problems.length} problem(s) with the events of "${table.name}"; nothing was stored. First: event ${first.row}, ${first.field}: ${first.message}`,
        {
          details: {
            table: table.name,
            invalidEvents: new Set(problems.map((p) => p.row)).size,
            problems: problems.slice(0, MAX_PROBLEMS),
          },
        },
      );
    }
    return this.write(table, events);
  }

  /** Stores checked events of `table`, counting duplicates, conflicts and late arrivals. */
  async write(table: OnlineEventTable, events: readonly OnlineEvent[]): Promise<IngestReport> {
    const watermarks = await this.#loadWatermarks();
    const before = watermarks.get(table.name);
    let late = 0;
    if (before !== undefined) {
      const onTime = before - table.allowedLatenessMs;
      for (const e of events) if (e.time < onTime) late += 1;
    }
    const outcome = await this.store.write(table, events);
    let newest = before ?? Number.NEGATIVE_INFINITY;
    for (const e of storedEvents(events, outcome.conflicts)) if (e.time > newest) newest = e.time;
    if (Number.isFinite(newest)) watermarks.set(table.name, newest);
    const counters = this.#count(table.name);
    counters.received += events.length;
    counters.added += outcome.added;
    counters.duplicates += outcome.duplicates;
    counters.conflicts += outcome.conflicts.length;
    counters.late += late;
    return {
      table: table.name,
      received: events.length,
      added: outcome.added,
      duplicates: outcome.duplicates,
      conflicts: outcome.conflicts.length,
      conflictIds: outcome.conflicts.slice(0, 20),
      late,
      newest: Number.isFinite(newest) ? new Date(newest).toISOString() : undefined,
    };
  }

  /**
   * The values of `features` for the entity in `row` as of `t` (ms): each
   * aggregates the entity's events with `t - window <= time < t`. Features
   * over the same table and key share one read.
   */
  async lookup(
    features: readonly OnlineFeature[],
    row: Readonly<Record<string, unknown>>,
    t: number,
  ): Promise<FeatureLookup> {
    const result: FeatureLookup = { values: {}, noHistory: [], missingKey: [] };
    const groups = new Map<string, OnlineFeature[]>();
    for (const f of features) {
      const group = `${f.table}\u0000${f.key}`;
      const list = groups.get(group);
      if (list === undefined) groups.set(group, [f]);
      else list.push(f);
    }
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const { table, key: keyColumn } = group[0]!;
        const key = entityKeyText(row[keyColumn]);
        let events: StoredEvent[] = [];
        if (key !== undefined) {
          const longest = Math.max(...group.map((f) => f.window.windowMs));
          events = await this.store.read(table, key, t - longest, t);
        }
        for (const f of group) {
          const window: WindowEvent[] = events.map((e) => ({
            time: e.time,
            value: f.column === undefined ? null : (e.values[f.column] ?? null),
          }));
          result.values[f.name] = aggregateWindow(f.window, window, t);
          if (key === undefined) result.missingKey.push(f.name);
          else if (!window.some((e) => inWindow(f.window, e.time, t))) {
            result.noHistory.push(f.name);
          }
        }
      }),
    );
    return result;
  }

  /** Each table's newest event and its age now, against the spec's bound. */
  async freshness(now = this.#clock()): Promise<FreshnessEntry[]> {
    const newest = await this.store.newest();
    return this.#definitions.tables.map((table) => {
      const at = newest.get(table.name);
      const ageMs = at === undefined ? Number.POSITIVE_INFINITY : Math.max(0, now - at);
      return {
        table: table.name,
        features: this.#definitions.features
          .filter((f) => f.table === table.name)
          .map((f) => f.name),
        newest: at === undefined ? undefined : new Date(at).toISOString(),
        ageMs,
        boundMs: table.freshnessMs,
        stale: table.freshnessMs !== undefined && ageMs > table.freshnessMs,
      };
    });
  }

  #count(table: string): TableCounters {
    let c = this.#counters.get(table);
    if (c === undefined) {
      c = { received: 0, added: 0, duplicates: 0, conflicts: 0, late: 0, invalid: 0 };
      this.#counters.set(table, c);
    }
    return c;
  }

  #loadWatermarks(): Promise<Map<string, number>> {
    this.#watermarks ??= this.store.newest().then(
      (m) => new Map(m),
      (err) => {
        this.#watermarks = undefined;
        throw err;
      },
    );
    return this.#watermarks;
  }
}
