/** The reference semantics on small cases a reader can check by hand. */
import { describe, expect, it } from 'vitest';
import type { PointInTimeDefinition } from './definition.js';
import { type PointInTimeEvent, pointInTimeValue } from './point-in-time-value.js';

const MIN = 60_000;
const def = (
  aggregate: PointInTimeDefinition['aggregate'],
  extra: Partial<PointInTimeDefinition> = {},
): PointInTimeDefinition => ({
  events: 'e',
  key: 'k',
  aggregate,
  ...(aggregate === 'count' ? {} : { column: 'v' }),
  window: '10m',
  ...extra,
});
const at = (minute: number, value: number | null, key = 'a'): PointInTimeEvent => ({
  key,
  time: minute * MIN,
  value,
});
// A row at minute 20 with a 10 minute window sees minutes 10 (inclusive) to 20 (exclusive).
const EVENTS = [
  at(9, 100),
  at(10, 1),
  at(15, 5),
  at(15, 3),
  at(18, null),
  at(20, 50),
  at(15, 7, 'b'),
];

describe('pointInTimeValue', () => {
  it('aggregates the events in [t - window, t) of the same key', () => {
    const value = (d: PointInTimeDefinition) => pointInTimeValue(d, EVENTS, 'a', 20 * MIN);
    expect(value(def('count'))).toBe(4);
    expect(value(def('count', { column: 'v' }))).toBe(3);
    expect(value(def('sum'))).toBe(9);
    expect(value(def('mean'))).toBe(3);
    expect(value(def('min'))).toBe(1);
    expect(value(def('max'))).toBe(5);
    expect(value(def('last'))).toBe(5); // the tie at minute 15 goes to the larger value
  });

  it('counts the event at exactly t only when inclusive', () => {
    expect(pointInTimeValue(def('sum', { inclusive: true }), EVENTS, 'a', 20 * MIN)).toBe(59);
    expect(pointInTimeValue(def('last', { inclusive: true }), EVENTS, 'a', 20 * MIN)).toBe(50);
  });

  it('gives 0 for count and sum and null for the rest when nothing is in the window', () => {
    for (const [key, t] of [
      ['c', 20 * MIN],
      [null, 20 * MIN],
      ['a', null],
      ['a', 5 * MIN],
    ] as const) {
      expect(pointInTimeValue(def('count'), EVENTS, key, t)).toBe(0);
      expect(pointInTimeValue(def('sum'), EVENTS, key, t)).toBe(0);
      for (const a of ['mean', 'min', 'max', 'last'] as const) {
        expect(pointInTimeValue(def(a), EVENTS, key, t)).toBeNull();
      }
    }
  });

  it('matches keys exactly: a number is not its text', () => {
    const events = [{ key: 1, time: 0, value: 1 }];
    expect(pointInTimeValue(def('count'), events, 1, MIN)).toBe(1);
    expect(pointInTimeValue(def('count'), events, '1', MIN)).toBe(0);
  });
});
