/** Online definitions from the spec, and merging those of several sources. */
import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../errors.js';
import {
  type EventTableDefinition,
  featureVersion,
  type PointInTimeDefinition,
} from './definition.js';
import {
  mergeOnlineDefinitions,
  type OnlineDefinitions,
  type OnlineEventTable,
  onlineDefinitions,
} from './online-definitions.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

const EVENTS: Record<string, EventTableDefinition> = {
  departures: { source: 'flights', key: 'origin', time: 'departed_at', freshness: '15m' },
  arrivals: {
    source: 'flights',
    key: 'dest',
    time: 'arrived_at',
    id: 'flight_id',
    allowed_lateness: '30m',
  },
  unused: { source: 'flights', key: 'carrier', time: 'departed_at' },
};
const FEATURES: Record<string, PointInTimeDefinition> = {
  origin_delay_2h: {
    events: 'departures',
    key: 'origin',
    aggregate: 'mean',
    column: 'delay',
    window: '2h',
  },
  origin_delay_max_90m: {
    events: 'departures',
    key: 'origin',
    aggregate: 'max',
    column: 'delay',
    window: '90m',
    inclusive: true,
  },
  origin_count_1d: { events: 'departures', key: 'origin', aggregate: 'count', window: '1d' },
  dest_distance_3h: {
    events: 'arrivals',
    key: 'dest',
    aggregate: 'sum',
    column: 'distance',
    window: '3h',
  },
  dest_taxi_1h: {
    events: 'arrivals',
    key: 'dest',
    aggregate: 'last',
    column: 'taxi',
    window: '1h',
  },
};

function thrown(fn: () => unknown): FlywheelError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FlywheelError);
    return err as FlywheelError;
  }
  throw new Error('expected an error');
}

describe('onlineDefinitions', () => {
  const online = onlineDefinitions(FEATURES, EVENTS);
  const table = (name: string) => online.tables.find((t) => t.name === name);

  it('describes each feature with its version and window in ms', () => {
    expect(online.features).toEqual([
      {
        name: 'origin_delay_2h',
        version: featureVersion(FEATURES['origin_delay_2h']!, EVENTS['departures']!),
        table: 'departures',
        key: 'origin',
        column: 'delay',
        window: { aggregate: 'mean', hasColumn: true, windowMs: 2 * HOUR, inclusive: false },
      },
      {
        name: 'origin_delay_max_90m',
        version: featureVersion(FEATURES['origin_delay_max_90m']!, EVENTS['departures']!),
        table: 'departures',
        key: 'origin',
        column: 'delay',
        window: { aggregate: 'max', hasColumn: true, windowMs: 90 * MIN, inclusive: true },
      },
      {
        name: 'origin_count_1d',
        version: featureVersion(FEATURES['origin_count_1d']!, EVENTS['departures']!),
        table: 'departures',
        key: 'origin',
        window: { aggregate: 'count', hasColumn: false, windowMs: 24 * HOUR, inclusive: false },
      },
      {
        name: 'dest_distance_3h',
        version: featureVersion(FEATURES['dest_distance_3h']!, EVENTS['arrivals']!),
        table: 'arrivals',
        key: 'dest',
        column: 'distance',
        window: { aggregate: 'sum', hasColumn: true, windowMs: 3 * HOUR, inclusive: false },
      },
      {
        name: 'dest_taxi_1h',
        version: featureVersion(FEATURES['dest_taxi_1h']!, EVENTS['arrivals']!),
        table: 'arrivals',
        key: 'dest',
        column: 'taxi',
        window: { aggregate: 'last', hasColumn: true, windowMs: HOUR, inclusive: false },
      },
    ]);
    expect(online.features[2]).not.toHaveProperty('column');
  });

  it('describes each table a feature uses, with horizon and freshness', () => {
    expect(table('departures')).toEqual({
      name: 'departures',
      key: 'origin',
      time: 'departed_at',
      columns: ['delay'],
      allowedLatenessMs: HOUR,
      freshnessMs: 15 * MIN,
      horizonMs: 24 * HOUR + HOUR,
    });
    expect(table('arrivals')).toEqual({
      name: 'arrivals',
      key: 'dest',
      time: 'arrived_at',
      id: 'flight_id',
      columns: ['distance', 'taxi'],
      allowedLatenessMs: 30 * MIN,
      horizonMs: 3 * HOUR + 30 * MIN,
    });
    expect(table('departures')).not.toHaveProperty('id');
    expect(table('arrivals')).not.toHaveProperty('freshnessMs');
  });

  it('leaves out tables no feature uses', () => {
    expect(online.tables.map((t) => t.name)).toEqual(['departures', 'arrivals']);
  });

  it('is empty without point-in-time features', () => {
    expect(onlineDefinitions(undefined, EVENTS)).toEqual({ tables: [], features: [] });
    expect(onlineDefinitions({}, undefined)).toEqual({ tables: [], features: [] });
  });

  it('rejects a feature over an unknown event table, naming the feature', () => {
    const err = thrown(() =>
      onlineDefinitions(
        {
          late_count: { events: 'departure', key: 'origin', aggregate: 'count', window: '1h' },
        },
        EVENTS,
      ),
    );
    expect(err.code).toBe('SPEC_INVALID');
    expect(err.message).toContain('features.point_in_time.late_count.events');
    expect(err.message).toContain('"departure"');
    expect(thrown(() => onlineDefinitions(FEATURES, undefined)).code).toBe('SPEC_INVALID');
  });

  it('rejects a lateness or freshness that is not a duration, naming where', () => {
    const badLateness = thrown(() =>
      onlineDefinitions(FEATURES, {
        ...EVENTS,
        departures: { ...EVENTS['departures']!, allowed_lateness: 'soon' },
      }),
    );
    expect(badLateness.code).toBe('SPEC_INVALID');
    expect(badLateness.message).toContain('events.departures.allowed_lateness');
    const badFreshness = thrown(() =>
      onlineDefinitions(FEATURES, {
        ...EVENTS,
        arrivals: { ...EVENTS['arrivals']!, freshness: '0m' },
      }),
    );
    expect(badFreshness.code).toBe('SPEC_INVALID');
    expect(badFreshness.message).toContain('events.arrivals.freshness');
  });
});

describe('mergeOnlineDefinitions', () => {
  const table = (over: Partial<OnlineEventTable> = {}): OnlineEventTable => ({
    name: 'departures',
    key: 'origin',
    time: 'departed_at',
    columns: ['delay'],
    allowedLatenessMs: HOUR,
    horizonMs: 3 * HOUR,
    ...over,
  });
  const feature = (name: string, version: string) => ({
    name,
    version,
    table: 'departures',
    key: 'origin',
    column: 'delay',
    window: { aggregate: 'sum' as const, hasColumn: true, windowMs: 2 * HOUR, inclusive: false },
  });

  it('takes the union of columns and the longest horizon and lateness of a shared table', () => {
    const a: OnlineDefinitions = {
      tables: [table({ columns: ['delay', 'distance'], freshnessMs: 15 * MIN })],
      features: [],
    };
    const b: OnlineDefinitions = {
      tables: [
        table({ columns: ['taxi', 'delay'], horizonMs: 25 * HOUR, allowedLatenessMs: 2 * HOUR }),
      ],
      features: [],
    };
    const c: OnlineDefinitions = {
      tables: [table({ name: 'arrivals', key: 'dest' })],
      features: [],
    };
    const merged = mergeOnlineDefinitions(a, b, c);
    expect(merged.tables).toEqual([
      table({
        columns: ['delay', 'distance', 'taxi'],
        horizonMs: 25 * HOUR,
        allowedLatenessMs: 2 * HOUR,
        freshnessMs: 15 * MIN,
      }),
      table({ name: 'arrivals', key: 'dest' }),
    ]);
    expect(mergeOnlineDefinitions(b, a).tables[0]?.horizonMs).toBe(25 * HOUR);
  });

  it('keeps a feature with the same name and version once, and each version', () => {
    const merged = mergeOnlineDefinitions(
      { tables: [table()], features: [feature('f', 'v1'), feature('g', 'v1')] },
      { tables: [table()], features: [feature('f', 'v1'), feature('f', 'v2')] },
    );
    expect(merged.features.map((f) => [f.name, f.version])).toEqual([
      ['f', 'v1'],
      ['g', 'v1'],
      ['f', 'v2'],
    ]);
  });

  it('merges nothing into nothing', () => {
    expect(mergeOnlineDefinitions()).toEqual({ tables: [], features: [] });
  });

  it('rejects a table read with a different key, time or id', () => {
    for (const other of [
      table({ key: 'dest' }),
      table({ time: 'arrived_at' }),
      table({ id: 'flight_id' }),
    ]) {
      const err = thrown(() =>
        mergeOnlineDefinitions(
          { tables: [table()], features: [] },
          { tables: [other], features: [] },
        ),
      );
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toContain('"departures"');
    }
  });

  it('builds the same definitions from the same spec, so merging them changes nothing', () => {
    const online = onlineDefinitions(FEATURES, EVENTS);
    expect(mergeOnlineDefinitions(online, onlineDefinitions(FEATURES, EVENTS))).toEqual(online);
  });
});
