import { describe, expect, it } from 'vitest';
import { loggedEntity, loggedEventTime } from './prediction-key.js';

describe('loggedEntity', () => {
  it('reads the entity column as text: strings as given, numbers as their digits', () => {
    expect(loggedEntity({ customer: 'c42' }, 'customer')).toBe('c42');
    expect(loggedEntity({ customer: 42 }, 'customer')).toBe('42');
  });

  it('is undefined without an entity column or a usable value', () => {
    expect(loggedEntity({ customer: 'c42' }, undefined)).toBeUndefined();
    for (const value of [undefined, null, '', 'x'.repeat(257), Number.NaN, true, { id: 1 }]) {
      expect(loggedEntity({ customer: value }, 'customer')).toBeUndefined();
    }
    expect(loggedEntity('not a row', 'customer')).toBeUndefined();
    expect(loggedEntity(null, 'customer')).toBeUndefined();
  });
});

describe('loggedEventTime', () => {
  it('normalises the event time to ISO-8601 UTC; no offset means UTC', () => {
    expect(loggedEventTime({ t: '2025-01-31 12:00' }, 't')).toBe('2025-01-31T12:00:00.000Z');
    expect(loggedEventTime({ t: '2025-01-31T13:00:00+01:00' }, 't')).toBe(
      '2025-01-31T12:00:00.000Z',
    );
    expect(loggedEventTime({ t: '2025-01-31' }, 't')).toBe('2025-01-31T00:00:00.000Z');
    expect(loggedEventTime({ t: Date.UTC(2025, 0, 31, 12) }, 't')).toBe('2025-01-31T12:00:00.000Z');
  });

  it('is undefined without an event-time column or a readable time', () => {
    expect(loggedEventTime({ t: '2025-01-31' }, undefined)).toBeUndefined();
    for (const value of [undefined, null, 'yesterday', '', 1e20, Number.NaN, true]) {
      expect(loggedEventTime({ t: value }, 't')).toBeUndefined();
    }
  });
});
