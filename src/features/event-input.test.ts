/** Arriving events: normalised when valid, every problem named by row and field, ids by content. */
import { describe, expect, it } from 'vitest';
import { contentId, type OnlineEvent, parseEvents, sameEvent } from './event-input.js';
import type { OnlineEventTable } from './online-definitions.js';

const HOUR = 3_600_000;
const departures: OnlineEventTable = {
  name: 'departures',
  key: 'origin',
  time: 'departed_at',
  columns: ['delay', 'distance'],
  allowedLatenessMs: HOUR,
  horizonMs: 3 * HOUR,
};
const withId: OnlineEventTable = { ...departures, id: 'flight_id' };
const T = Date.parse('2001-03-01T08:05:00Z');
const SECRET = '<script>secret';

describe('parseEvents: valid events', () => {
  it('normalises key, time and values', () => {
    const { events, problems } = parseEvents(departures, [
      { origin: 'SFO', departed_at: '2001-03-01T08:05:00Z', delay: 5, distance: 300 },
      { origin: 7, departed_at: new Date(T), delay: -2.5 },
      { origin: 'LAX', departed_at: T, delay: null, other: 'ignored' },
    ]);
    expect(problems).toEqual([]);
    expect(events.map(({ key, time, values }) => ({ key, time, values }))).toEqual([
      { key: 'SFO', time: T, values: { delay: 5, distance: 300 } },
      { key: '7', time: T, values: { delay: -2.5, distance: null } },
      { key: 'LAX', time: T, values: { delay: null, distance: null } },
    ]);
  });

  it('reads a time with an offset as that instant', () => {
    const { events } = parseEvents(departures, [
      { origin: 'SFO', departed_at: '2001-03-01T10:05:00+02:00' },
    ]);
    expect(events[0]?.time).toBe(T);
  });

  it('treats a numeric key and its text as the same entity and the same event', () => {
    const { events } = parseEvents(departures, [
      { origin: 7, departed_at: T, delay: 1 },
      { origin: '7', departed_at: T, delay: 1 },
    ]);
    expect(events[0]?.key).toBe('7');
    expect(events[1]?.key).toBe('7');
    expect(events[0]?.id).toBe(events[1]?.id);
  });

  it('accepts a bigint key as its text', () => {
    const { events, problems } = parseEvents(departures, [{ origin: 7n, departed_at: T }]);
    expect(problems).toEqual([]);
    expect(events[0]?.key).toBe('7');
  });

  it('takes the id column as text when the table has one', () => {
    const { events, problems } = parseEvents(withId, [
      { origin: 'SFO', departed_at: T, flight_id: 'UA-1' },
      { origin: 'SFO', departed_at: T, flight_id: 42 },
    ]);
    expect(problems).toEqual([]);
    expect(events.map((e) => e.id)).toEqual(['UA-1', '42']);
  });

  it('gives an event of a table without id column its content id', () => {
    const { events } = parseEvents(departures, [{ origin: 'SFO', departed_at: T, delay: 5 }]);
    expect(events[0]?.id).toBe(contentId('SFO', T, { delay: 5, distance: null }));
  });

  it('accepts keys and ids of up to 256 characters', () => {
    const long = 'k'.repeat(256);
    const { events, problems } = parseEvents(withId, [
      { origin: long, departed_at: T, flight_id: long },
    ]);
    expect(problems).toEqual([]);
    expect(events[0]).toMatchObject({ key: long, id: long });
  });
});

describe('parseEvents: problems', () => {
  const problemsOf = (table: OnlineEventTable, raw: readonly unknown[]) => {
    const { events, problems } = parseEvents(table, raw);
    return { events, problems };
  };

  it('reports events that are not objects', () => {
    const { events, problems } = problemsOf(departures, [null, 5, 'SFO', [1, 2]]);
    expect(events).toEqual([]);
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [0, '(event)'],
      [1, '(event)'],
      [2, '(event)'],
      [3, '(event)'],
    ]);
  });

  it('reports a missing key, time and id', () => {
    const { events, problems } = problemsOf(withId, [{ delay: 1 }]);
    expect(events).toEqual([]);
    expect(problems).toEqual([
      { row: 0, field: 'origin', message: 'the entity key is missing' },
      { row: 0, field: 'departed_at', message: 'the event time is missing' },
      { row: 0, field: 'flight_id', message: 'the event id is missing' },
    ]);
    const nulls = problemsOf(withId, [{ origin: null, departed_at: null, flight_id: null }]);
    expect(nulls.problems.map((p) => p.message)).toEqual([
      'the entity key is missing',
      'the event time is missing',
      'the event id is missing',
    ]);
  });

  it('reports every problem of a batch by row and field, keeping the valid events', () => {
    const { events, problems } = problemsOf(departures, [
      { origin: 'SFO', departed_at: T, delay: 1 },
      { origin: '', departed_at: T, delay: 'late' },
      { origin: 'SFO', departed_at: 'yesterday', distance: Number.NaN },
    ]);
    expect(events.map((e) => e.key)).toEqual(['SFO']);
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [1, 'origin'],
      [1, 'delay'],
      [2, 'departed_at'],
      [2, 'distance'],
    ]);
  });

  it('rejects over-long keys and ids', () => {
    const long = 'k'.repeat(257);
    const { problems } = problemsOf(withId, [{ origin: long, departed_at: T, flight_id: long }]);
    expect(problems.map((p) => p.field)).toEqual(['origin', 'flight_id']);
    expect(problems[0]?.message).toContain('256');
    expect(problems[1]?.message).toContain('256');
  });

  it('rejects keys that are neither text nor finite numbers', () => {
    const { problems } = problemsOf(
      departures,
      [Number.NaN, Number.POSITIVE_INFINITY, true, { id: 1 }].map((origin) => ({
        origin,
        departed_at: T,
      })),
    );
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [0, 'origin'],
      [1, 'origin'],
      [2, 'origin'],
      [3, 'origin'],
    ]);
  });

  it('rejects ids that are empty, fractional or unsafe integers', () => {
    const { problems } = problemsOf(
      withId,
      ['', 1.5, 2 ** 53, true].map((flight_id) => ({ origin: 'SFO', departed_at: T, flight_id })),
    );
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [0, 'flight_id'],
      [1, 'flight_id'],
      [2, 'flight_id'],
      [3, 'flight_id'],
    ]);
  });

  it('rejects times that are not ISO text, Dates or finite epoch ms', () => {
    const bad = [
      'yesterday',
      '1000',
      '2001-13-45T00:00:00Z',
      new Date(Number.NaN),
      Number.POSITIVE_INFINITY,
      Number.NaN,
      true,
    ];
    const { events, problems } = problemsOf(
      departures,
      bad.map((departed_at) => ({ origin: 'SFO', departed_at })),
    );
    expect(events).toEqual([]);
    expect(problems.map((p) => [p.row, p.field])).toEqual(bad.map((_, i) => [i, 'departed_at']));
    for (const p of problems) expect(p.message).toContain('ISO-8601');
  });

  it('rejects non-finite numbers, strings and bigints in numeric columns', () => {
    const bad = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '5', 5n, true];
    const { events, problems } = problemsOf(
      departures,
      bad.map((delay) => ({ origin: 'SFO', departed_at: T, delay })),
    );
    expect(events).toEqual([]);
    expect(problems).toEqual(
      bad.map((_, row) => ({ row, field: 'delay', message: 'must be a finite number or null' })),
    );
  });

  it('never echoes the bad value in a message', () => {
    const { problems } = problemsOf(withId, [
      { origin: SECRET.repeat(30), departed_at: SECRET, delay: SECRET, flight_id: { SECRET } },
      { origin: { SECRET }, departed_at: T, distance: SECRET, flight_id: SECRET.repeat(30) },
    ]);
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [0, 'origin'],
      [0, 'departed_at'],
      [0, 'delay'],
      [0, 'flight_id'],
      [1, 'origin'],
      [1, 'distance'],
      [1, 'flight_id'],
    ]);
    for (const p of problems) {
      expect(p.message).not.toContain('secret');
      expect(p.message).not.toContain('<script>');
    }
  });
});

describe('contentId', () => {
  it('is stable for equal content whatever the order of the values', () => {
    const id = contentId('SFO', T, { delay: 5, distance: null });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(contentId('SFO', T, { distance: null, delay: 5 })).toBe(id);
  });

  it('differs when the key, time or a value differs', () => {
    const id = contentId('SFO', T, { delay: 5, distance: null });
    const others = [
      contentId('LAX', T, { delay: 5, distance: null }),
      contentId('SFO', T + 1, { delay: 5, distance: null }),
      contentId('SFO', T, { delay: 6, distance: null }),
      contentId('SFO', T, { delay: 5, distance: 0 }),
      contentId('SFO', T, { delay: null, distance: 5 }),
    ];
    expect(new Set([id, ...others]).size).toBe(others.length + 1);
  });
});

describe('sameEvent', () => {
  const event = (over: Partial<OnlineEvent> = {}): OnlineEvent => ({
    id: 'e1',
    key: 'SFO',
    time: T,
    values: { delay: 5, distance: null },
    ...over,
  });

  it('holds for equal content whatever the order of the values', () => {
    expect(sameEvent(event(), event({ values: { distance: null, delay: 5 } }))).toBe(true);
  });

  it('treats a value left out as null', () => {
    expect(sameEvent(event(), event({ values: { delay: 5 } }))).toBe(true);
    expect(sameEvent(event({ values: { delay: null } }), event({ values: {} }))).toBe(true);
  });

  it('fails when the key, time or a value differs', () => {
    expect(sameEvent(event(), event({ key: 'LAX' }))).toBe(false);
    expect(sameEvent(event(), event({ time: T + 1 }))).toBe(false);
    expect(sameEvent(event(), event({ values: { delay: 6, distance: null } }))).toBe(false);
    expect(sameEvent(event(), event({ values: { delay: 5, distance: 0 } }))).toBe(false);
    expect(sameEvent(event(), event({ values: { delay: 5, distance: null, taxi: 1 } }))).toBe(
      false,
    );
  });
});
