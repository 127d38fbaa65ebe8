import { describe, expect, test } from 'vitest';
import { type CalendarField, calendarField, calendarValue } from './calendar.js';

const FIELDS: readonly CalendarField[] = [
  'minute',
  'hour',
  'day_of_week',
  'day_of_month',
  'month',
  'year',
];

/** The same fields through Date, the slow reference. */
function reference(ms: number, field: CalendarField): number {
  const d = new Date(ms);
  switch (field) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day_of_week':
      return (d.getUTCDay() + 6) % 7;
    case 'day_of_month':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
  }
}

describe('calendar fields (UTC)', () => {
  test('known dates', () => {
    const ms = Date.UTC(2024, 1, 29, 17, 45, 30, 500); // Thursday 29 February 2024
    expect(FIELDS.map((f) => calendarValue(ms, f))).toEqual([45, 17, 3, 29, 2, 2024]);
    expect(calendarValue(Date.UTC(2024, 0, 1), 'day_of_week')).toBe(0); // Monday
    expect(calendarValue(Date.UTC(2024, 0, 7), 'day_of_week')).toBe(6); // Sunday
    expect(calendarValue(-1, 'hour')).toBe(23); // 1969-12-31 23:59:59.999
    expect(calendarValue(-1, 'year')).toBe(1969);
  });

  test('missing stays missing', () => {
    for (const field of FIELDS) expect(calendarValue(Number.NaN, field)).toBeNaN();
  });

  test('matches Date across centuries, leap years and negative epochs', () => {
    // A fixed pseudo-random walk (no Math.random, so failures reproduce).
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const samples: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      samples.push(Math.floor((next() - 0.5) * 2 * 8_000_000_000_000)); // about ±250 years
    }
    samples.push(
      Date.UTC(2000, 1, 29),
      Date.UTC(1900, 1, 28),
      Date.UTC(2100, 2, 1),
      Date.UTC(1600, 0, 1),
    );
    const ms = Float64Array.from(samples);
    for (const field of FIELDS) {
      const actual = calendarField(ms, field);
      for (let i = 0; i < ms.length; i++) {
        if (actual[i] !== reference(ms[i]!, field)) {
          throw new Error(`${field} of ${new Date(ms[i]!).toISOString()}: got ${actual[i]}`);
        }
      }
    }
  });

  test('fractional milliseconds floor like whole ones', () => {
    expect(calendarValue(Date.UTC(2024, 0, 1, 0, 0) - 0.5, 'year')).toBe(2023);
  });
});
