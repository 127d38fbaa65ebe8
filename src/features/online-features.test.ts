/** The online feature service over an in-memory store: ingestion, lookups and freshness. */
import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../errors.js';
import { type OnlineEvent, sameEvent } from './event-input.js';
import type { OnlineDefinitions, OnlineEventTable, OnlineFeature } from './online-definitions.js';
import { OnlineFeatures } from './online-features.js';
import type { OnlineStore, StoredEvent, WriteOutcome } from './online-store.js';
import type { Aggregate } from './window-aggregate.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2001-03-01T08:00:00Z');

/** The OnlineStore contract in a Map, counting the calls a test cares about. */
class MemoryStore implements OnlineStore {
  readonly kind = 'memory';
  readonly description = 'in memory (test)';
  readonly events = new Map<string, Map<string, OnlineEvent>>();
  reads: { table: string; key: string; from: number; to: number }[] = [];
  writes = 0;
  newestCalls = 0;

  constructor(seed: Readonly<Record<string, readonly OnlineEvent[]>> = {}) {
    for (const [table, events] of Object.entries(seed)) {
      this.events.set(table, new Map(events.map((e) => [e.id, e])));
    }
  }

  async write(table: OnlineEventTable, events: readonly OnlineEvent[]): Promise<WriteOutcome> {
    this.writes += 1;
    let stored = this.events.get(table.name);
    if (stored === undefined) {
      stored = new Map();
      this.events.set(table.name, stored);
    }
    let added = 0;
    let duplicates = 0;
    const conflicts: string[] = [];
    for (const e of events) {
      const known = stored.get(e.id);
      if (known === undefined) {
        stored.set(e.id, e);
        added += 1;
      } else if (sameEvent(known, e)) duplicates += 1;
      else conflicts.push(e.id);
    }
    return { added, duplicates, conflicts };
  }

  async read(table: string, key: string, from: number, to: number): Promise<StoredEvent[]> {
    this.reads.push({ table, key, from, to });
    return [...(this.events.get(table)?.values() ?? [])]
      .filter((e) => e.key === key && e.time >= from && e.time <= to)
      .sort((a, b) => a.time - b.time)
      .map(({ id, time, values }) => ({ id, time, values }));
  }

  async newest(): Promise<ReadonlyMap<string, number>> {
    this.newestCalls += 1;
    const out = new Map<string, number>();
    for (const [table, events] of this.events) {
      for (const e of events.values())
        out.set(table, Math.max(out.get(table) ?? -Infinity, e.time));
    }
    return out;
  }

  async clear(table: string, range?: { readonly from: number; readonly to: number }) {
    const events = this.events.get(table);
    for (const [id, e] of events ?? []) {
      if (range === undefined || (e.time >= range.from && e.time < range.to)) events?.delete(id);
    }
  }

  async close(): Promise<void> {}

  stored(table: string): number {
    return this.events.get(table)?.size ?? 0;
  }
}

const departures: OnlineEventTable = {
  name: 'departures',
  key: 'origin',
  time: 'departed_at',
  columns: ['delay'],
  allowedLatenessMs: HOUR,
  freshnessMs: 15 * MIN,
  horizonMs: 25 * HOUR,
};
const arrivals: OnlineEventTable = {
  name: 'arrivals',
  key: 'dest',
  time: 'arrived_at',
  id: 'flight_id',
  columns: ['taxi'],
  allowedLatenessMs: 30 * MIN,
  horizonMs: 2 * HOUR,
};

function feature(
  name: string,
  table: OnlineEventTable,
  aggregate: Aggregate,
  windowMs: number,
  extra: { key?: string; column?: string } = {},
): OnlineFeature {
  const column = extra.column ?? (aggregate === 'count' ? undefined : table.columns[0]);
  return {
    name,
    version: `v-${name}`,
    table: table.name,
    key: extra.key ?? table.key,
    ...(column === undefined ? {} : { column }),
    window: { aggregate, hasColumn: column !== undefined, windowMs, inclusive: false },
  };
}

const FEATURES = [
  feature('origin_count_2h', departures, 'count', 2 * HOUR),
  feature('origin_delay_mean_1h', departures, 'mean', HOUR),
  feature('origin_delay_max_1d', departures, 'max', 24 * HOUR),
  feature('dest_departures_2h', departures, 'count', 2 * HOUR, { key: 'dest' }),
  feature('dest_taxi_last_1h', arrivals, 'last', HOUR),
];
const DEFINITIONS: OnlineDefinitions = { tables: [departures, arrivals], features: FEATURES };

const stored = (key: string, time: number, delay: number | null, id = `${key}@${time}`) =>
  ({ id, key, time, values: { delay } }) satisfies OnlineEvent;
const departure = (origin: string | number, minutes: number, delay: number | null = 1) => ({
  origin,
  departed_at: new Date(T0 + minutes * MIN).toISOString(),
  delay,
});

async function rejection(promise: Promise<unknown>): Promise<FlywheelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlywheelError);
  return err as FlywheelError;
}

describe('OnlineFeatures.ingest', () => {
  it('rejects an unknown table, naming the known ones', async () => {
    const store = new MemoryStore();
    const online = new OnlineFeatures(store, DEFINITIONS);
    const err = await rejection(online.ingest('departure', [departure('SFO', 0)]));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('"departure"');
    expect(err.message).toContain('event tables: departures, arrivals');
    expect(err.message).toContain('did you mean "departures"');
    expect(store.writes).toBe(0);
  });

  it('says there are no event tables when none is defined', async () => {
    const err = await rejection(new OnlineFeatures(new MemoryStore()).ingest('departures', []));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('(none)');
  });

  it('rejects a batch with an invalid event whole, storing nothing', async () => {
    const store = new MemoryStore();
    const online = new OnlineFeatures(store, DEFINITIONS);
    const err = await rejection(
      online.ingest('departures', [
        departure('SFO', 0),
        { origin: 'SFO', departed_at: 'soon', delay: 'late' },
        departure('LAX', 1),
      ]),
    );
    expect(err.code).toBe('EVENTS_INVALID');
    expect(err.message).toContain('2 problem(s)');
    expect(err.message).toContain('event 1, departed_at');
    expect(err.details['table']).toBe('departures');
    expect(err.details['problems']).toEqual([
      expect.objectContaining({ row: 1, field: 'departed_at' }),
      expect.objectContaining({ row: 1, field: 'delay' }),
    ]);
    expect(store.writes).toBe(0);
    expect(store.stored('departures')).toBe(0);
    expect(online.counters().get('departures')).toMatchObject({
      received: 0,
      added: 0,
      invalid: 1, // one event, two problems
    });
  });

  it('stores valid events and reports what the write did', async () => {
    const store = new MemoryStore();
    const online = new OnlineFeatures(store, DEFINITIONS);
    const report = await online.ingest('departures', [
      departure('SFO', 0, 5),
      departure('SFO', 10, 7),
      departure(7, 5, null),
    ]);
    expect(report).toEqual({
      table: 'departures',
      received: 3,
      added: 3,
      duplicates: 0,
      conflicts: 0,
      conflictIds: [],
      late: 0,
      newest: new Date(T0 + 10 * MIN).toISOString(),
    });
    expect(store.stored('departures')).toBe(3);
    const again = await online.ingest('departures', [
      departure('SFO', 0, 5),
      departure('7', 5, null),
    ]);
    expect(again).toMatchObject({ received: 2, added: 0, duplicates: 2 });
  });

  it('counts conflicting ids and does not move the newest time for them', async () => {
    const store = new MemoryStore();
    const online = new OnlineFeatures(store, DEFINITIONS);
    const arrival = (flight_id: string, minutes: number, taxi: number) => ({
      dest: 'JFK',
      arrived_at: T0 + minutes * MIN,
      flight_id,
      taxi,
    });
    await online.ingest('arrivals', [arrival('UA1', 0, 5)]);
    const report = await online.ingest('arrivals', [arrival('UA1', 120, 9), arrival('UA2', 30, 4)]);
    expect(report).toMatchObject({ received: 2, added: 1, conflicts: 1, conflictIds: ['UA1'] });
    expect(report.newest).toBe(new Date(T0 + 30 * MIN).toISOString());
  });

  it('counts an event more than the allowed lateness behind the newest seen before as late', async () => {
    const store = new MemoryStore();
    const online = new OnlineFeatures(store, DEFINITIONS);
    const first = await online.ingest('departures', [departure('SFO', 120), departure('SFO', 0)]);
    expect(first.late).toBe(0);
    const report = await online.ingest('departures', [
      departure('SFO', 60),
      departure('SFO', 59),
      departure('SFO', 30),
      departure('SFO', 300),
      departure('SFO', 61),
    ]);
    expect(report.late).toBe(2);
    expect(report.newest).toBe(new Date(T0 + 300 * MIN).toISOString());
    const next = await online.ingest('departures', [departure('SFO', 239), departure('SFO', 240)]);
    expect(next.late).toBe(1);
    expect(online.counters().get('departures')?.late).toBe(3);
  });

  it("starts the watermark from the store's newest event, read once", async () => {
    const store = new MemoryStore({ departures: [stored('SFO', T0 + 120 * MIN, 1)] });
    const online = new OnlineFeatures(store, DEFINITIONS);
    const report = await online.ingest('departures', [departure('SFO', 59), departure('LAX', 60)]);
    expect(report.late).toBe(1);
    expect(report.newest).toBe(new Date(T0 + 120 * MIN).toISOString());
    await online.ingest('departures', [departure('SFO', 0)]);
    expect(store.newestCalls).toBe(1);
  });

  it('keeps counters per table', async () => {
    const online = new OnlineFeatures(new MemoryStore(), DEFINITIONS);
    await online.ingest('departures', [departure('SFO', 120), departure('SFO', 0)]);
    await online.ingest('departures', [departure('SFO', 120), departure('SFO', 10)]);
    await online.ingest('departures', [{ origin: 'SFO' }]).catch(() => undefined);
    await online.ingest('arrivals', [{ dest: 'JFK', arrived_at: T0, flight_id: 'UA1', taxi: 3 }]);
    expect(online.counters().get('departures')).toEqual({
      received: 4,
      added: 3,
      duplicates: 1,
      conflicts: 0,
      late: 1,
      invalid: 1,
    });
    expect(online.counters().get('arrivals')).toEqual({
      received: 1,
      added: 1,
      duplicates: 0,
      conflicts: 0,
      late: 0,
      invalid: 0,
    });
  });
});

describe('OnlineFeatures.lookup', () => {
  const t = T0 + 3 * HOUR;
  const seeded = () =>
    new MemoryStore({
      departures: [
        stored('SFO', t - 30 * HOUR, 1000),
        stored('SFO', t - 20 * HOUR, 50),
        stored('SFO', t - 90 * MIN, 30),
        stored('SFO', t - 30 * MIN, 10),
        stored('SFO', t - 10 * MIN, null),
        stored('SFO', t, 99),
        stored('LAX', t - 5 * MIN, 7),
      ],
      arrivals: [
        { id: 'UA1', key: 'JFK', time: t - 20 * MIN, values: { taxi: 4 } },
        { id: 'UA2', key: 'JFK', time: t - 40 * MIN, values: { taxi: 9 } },
      ],
    });

  it('aggregates each feature over its window ending at t', async () => {
    const online = new OnlineFeatures(seeded(), DEFINITIONS);
    const result = await online.lookup(FEATURES, { origin: 'SFO', dest: 'JFK' }, t);
    expect(result.values).toEqual({
      origin_count_2h: 3,
      origin_delay_mean_1h: 10,
      origin_delay_max_1d: 50,
      dest_departures_2h: 0,
      dest_taxi_last_1h: 4,
    });
    expect(result.missingKey).toEqual([]);
    expect(result.noHistory).toEqual(['dest_departures_2h']);
  });

  it('reads once per event table and key column, over the longest window', async () => {
    const store = seeded();
    const online = new OnlineFeatures(store, DEFINITIONS);
    await online.lookup(FEATURES, { origin: 'SFO', dest: 'JFK' }, t);
    expect(store.reads).toHaveLength(3);
    expect(store.reads).toEqual(
      expect.arrayContaining([
        { table: 'departures', key: 'SFO', from: t - 24 * HOUR, to: t },
        { table: 'departures', key: 'JFK', from: t - 2 * HOUR, to: t },
        { table: 'arrivals', key: 'JFK', from: t - HOUR, to: t },
      ]),
    );
  });

  it('reads a numeric key as its text', async () => {
    const store = new MemoryStore({ departures: [stored('7', t - MIN, 3)] });
    const online = new OnlineFeatures(store, DEFINITIONS);
    const result = await online.lookup(FEATURES.slice(0, 2), { origin: 7 }, t);
    expect(result.values).toEqual({ origin_count_2h: 1, origin_delay_mean_1h: 3 });
  });

  it('serves a missing key as no history, without reading', async () => {
    const store = seeded();
    const online = new OnlineFeatures(store, DEFINITIONS);
    for (const row of [{}, { origin: null }, { origin: '' }, { origin: { x: 1 } }]) {
      const result = await online.lookup(FEATURES.slice(0, 3), row, t);
      expect(result.values).toEqual({
        origin_count_2h: 0,
        origin_delay_mean_1h: null,
        origin_delay_max_1d: null,
      });
      expect(result.missingKey).toEqual([
        'origin_count_2h',
        'origin_delay_mean_1h',
        'origin_delay_max_1d',
      ]);
      expect(result.noHistory).toEqual([]);
    }
    expect(store.reads).toEqual([]);
  });

  it('reports features of an entity without events as no history', async () => {
    const online = new OnlineFeatures(seeded(), DEFINITIONS);
    const result = await online.lookup(FEATURES, { origin: 'OAK', dest: 'BOS' }, t);
    expect(result.values).toEqual({
      origin_count_2h: 0,
      origin_delay_mean_1h: null,
      origin_delay_max_1d: null,
      dest_departures_2h: 0,
      dest_taxi_last_1h: null,
    });
    expect([...result.noHistory].sort()).toEqual(FEATURES.map((f) => f.name).sort());
    expect(result.missingKey).toEqual([]);
  });

  it('reports no history per feature window, not per read', async () => {
    const store = new MemoryStore({ departures: [stored('SFO', t - 20 * HOUR, 50)] });
    const online = new OnlineFeatures(store, DEFINITIONS);
    const result = await online.lookup(FEATURES.slice(0, 3), { origin: 'SFO' }, t);
    expect(result.values).toEqual({
      origin_count_2h: 0,
      origin_delay_mean_1h: null,
      origin_delay_max_1d: 50,
    });
    expect(result.noHistory).toEqual(['origin_count_2h', 'origin_delay_mean_1h']);
    expect(store.reads).toHaveLength(1);
  });

  it('serves the values the stored events give at each request time', async () => {
    const online = new OnlineFeatures(new MemoryStore(), DEFINITIONS);
    await online.ingest('departures', [
      departure('SFO', 0, 4),
      departure('SFO', 30, 8),
      departure('SFO', 90, 1),
    ]);
    const at = async (minutes: number) =>
      (await online.lookup(FEATURES.slice(0, 2), { origin: 'SFO' }, T0 + minutes * MIN)).values;
    expect(await at(0)).toEqual({ origin_count_2h: 0, origin_delay_mean_1h: null });
    expect(await at(31)).toEqual({ origin_count_2h: 2, origin_delay_mean_1h: 6 });
    expect(await at(61)).toEqual({ origin_count_2h: 2, origin_delay_mean_1h: 8 });
    expect(await at(91)).toEqual({ origin_count_2h: 3, origin_delay_mean_1h: 1 });
    expect(await at(150)).toEqual({ origin_count_2h: 2, origin_delay_mean_1h: 1 });
    expect(await at(151)).toEqual({ origin_count_2h: 1, origin_delay_mean_1h: null });
  });
});

describe('OnlineFeatures.freshness', () => {
  it('measures the age of each table against its bound', async () => {
    const store = new MemoryStore({ departures: [stored('SFO', T0, 1)] });
    let now = T0 + 10 * MIN;
    const online = new OnlineFeatures(store, DEFINITIONS, { clock: () => now });
    const [dep, arr] = await online.freshness();
    expect(dep).toEqual({
      table: 'departures',
      features: [
        'origin_count_2h',
        'origin_delay_mean_1h',
        'origin_delay_max_1d',
        'dest_departures_2h',
      ],
      newest: new Date(T0).toISOString(),
      ageMs: 10 * MIN,
      boundMs: 15 * MIN,
      stale: false,
    });
    expect(arr).toEqual({
      table: 'arrivals',
      features: ['dest_taxi_last_1h'],
      newest: undefined,
      ageMs: Number.POSITIVE_INFINITY,
      boundMs: undefined,
      stale: false,
    });
    now = T0 + 15 * MIN;
    expect((await online.freshness())[0]).toMatchObject({ ageMs: 15 * MIN, stale: false });
    now = T0 + 15 * MIN + 1;
    expect((await online.freshness())[0]).toMatchObject({ ageMs: 15 * MIN + 1, stale: true });
    expect((await online.freshness(T0 - MIN))[0]).toMatchObject({ ageMs: 0, stale: false });
  });

  it('calls a bounded table without events stale', async () => {
    const online = new OnlineFeatures(new MemoryStore(), DEFINITIONS, { clock: () => T0 });
    expect((await online.freshness())[0]).toMatchObject({
      table: 'departures',
      newest: undefined,
      ageMs: Number.POSITIVE_INFINITY,
      boundMs: 15 * MIN,
      stale: true,
    });
  });
});
