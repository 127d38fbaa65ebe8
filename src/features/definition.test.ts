import { describe, expect, it } from 'vitest';
import {
  type EventTableDefinition,
  featureVersion,
  type PointInTimeDefinition,
} from './definition.js';

const DEF: PointInTimeDefinition = {
  events: 'departures',
  key: 'origin',
  aggregate: 'mean',
  column: 'delay',
  window: '2h',
};
const EVENTS: EventTableDefinition = { source: 'flights', key: 'origin', time: 'departed' };

describe('featureVersion', () => {
  it('is a short hex hash, stable across key order and equivalent spellings', () => {
    const version = featureVersion(DEF, EVENTS);
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    const reordered = {
      window: '120m',
      column: 'delay',
      aggregate: 'mean',
      key: 'origin',
      events: 'departures',
    } as const;
    expect(featureVersion(reordered, { time: 'departed', key: 'origin', source: 'flights' })).toBe(
      version,
    );
    expect(featureVersion({ ...DEF, inclusive: false }, EVENTS)).toBe(version);
  });

  it('ignores names, which change no value', () => {
    expect(featureVersion({ ...DEF, events: 'renamed' }, EVENTS)).toBe(featureVersion(DEF, EVENTS));
    expect(featureVersion(DEF, { ...EVENTS, id: 'flight_id' })).toBe(featureVersion(DEF, EVENTS));
  });

  it('changes with anything that changes a value', () => {
    const changed: [PointInTimeDefinition, EventTableDefinition][] = [
      [{ ...DEF, window: '3h' }, EVENTS],
      [{ ...DEF, aggregate: 'max' }, EVENTS],
      [{ ...DEF, column: 'distance' }, EVENTS],
      [{ ...DEF, key: 'destination' }, EVENTS],
      [{ ...DEF, inclusive: true }, EVENTS],
      [DEF, { ...EVENTS, time: 'date' }],
      [DEF, { ...EVENTS, key: 'destination' }],
      [DEF, { ...EVENTS, source: 'other' }],
      [DEF, { query: 'SELECT * FROM flights', key: 'origin', time: 'departed' }],
    ];
    const versions = new Set(changed.map(([d, e]) => featureVersion(d, e)));
    versions.add(featureVersion(DEF, EVENTS));
    expect(versions.size).toBe(changed.length + 1);
  });
});
