/** Events staged from DuckDB in time order and paged out as the objects ingestion checks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession } from '../data/duck.js';
import { FlywheelError } from '../errors.js';
import { parseEvents } from './event-input.js';
import { eventPages, stageEvents } from './event-rows.js';
import type { OnlineEventTable } from './online-definitions.js';

const HOUR = 3_600_000;
const at = (hhmm: string) => Date.parse(`2001-03-01T${hhmm}:00Z`);

let session: DuckSession;
beforeAll(async () => {
  session = await DuckSession.open({ threads: 1 });
  await session.run(
    `CREATE TABLE departures AS SELECT * FROM (VALUES
       (3, TIMESTAMP '2001-03-01 10:00:00', '2001-03-01 10:00:00', 'e3', 2.5::DOUBLE, 10::INTEGER, 'x'),
       (1, TIMESTAMP '2001-03-01 08:00:00', '2001-03-01 08:00:00', 'e1', 1.0::DOUBLE, 20::INTEGER, 'y'),
       (2, TIMESTAMP '2001-03-01 09:00:00', '2001-03-01 09:00:00', 'e2', NULL, 30::INTEGER, 'z'),
       (NULL, TIMESTAMP '2001-03-01 11:00:00', '2001-03-01 11:00:00', 'e4', 4.0::DOUBLE, 40::INTEGER, 'w'),
       (5, NULL, NULL, 'e5', 5.0::DOUBLE, 50::INTEGER, 'v')
     ) t(origin, departed_at, departed_text, event_id, delay, distance, label)`,
  );
  await session.run(
    `CREATE TABLE many AS SELECT 'k' || (i % 3) AS origin,
       TIMESTAMP '2001-03-01 00:00:00' + to_minutes(CAST(10 - i AS BIGINT)) AS departed_at,
       CAST(i AS DOUBLE) AS delay
     FROM range(10) r(i)`,
  );
});
afterAll(() => session.close());

const table = (over: Partial<OnlineEventTable> = {}): OnlineEventTable => ({
  name: 'flights',
  key: 'origin',
  time: 'departed_at',
  columns: ['delay', 'distance'],
  allowedLatenessMs: HOUR,
  horizonMs: 3 * HOUR,
  ...over,
});

async function staged(
  t: OnlineEventTable,
  options: Parameters<typeof stageEvents>[5] = {},
  relation = 'departures',
  pageSize = 100,
): Promise<{ n: number; pages: { offset: number; events: readonly Record<string, unknown>[] }[] }> {
  const n = await stageEvents(session, relation, t, 'fw_stage_test', 'departures.csv', options);
  const pages = [];
  for await (const page of eventPages(session, 'fw_stage_test', pageSize)) pages.push(page);
  return { n, pages };
}

async function rejection(promise: Promise<unknown>): Promise<FlywheelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlywheelError);
  return err as FlywheelError;
}

describe('stageEvents and eventPages', () => {
  it('numbers the events in time order, with keys and ids as text and numbers as numbers', async () => {
    const { n, pages } = await staged(table({ id: 'event_id' }));
    expect(n).toBe(5);
    expect(pages).toEqual([
      {
        offset: 0,
        events: [
          { origin: '1', departed_at: at('08:00'), event_id: 'e1', delay: 1, distance: 20 },
          { origin: '2', departed_at: at('09:00'), event_id: 'e2', delay: null, distance: 30 },
          { origin: '3', departed_at: at('10:00'), event_id: 'e3', delay: 2.5, distance: 10 },
          { origin: null, departed_at: at('11:00'), event_id: 'e4', delay: 4, distance: 40 },
          { origin: '5', departed_at: null, event_id: 'e5', delay: 5, distance: 50 },
        ],
      },
    ]);
  });

  it('passes text times through as text, still in time order', async () => {
    const { pages } = await staged(table({ time: 'departed_text', columns: [] }));
    expect(pages[0]?.events).toEqual([
      { origin: '1', departed_text: '2001-03-01 08:00:00' },
      { origin: '2', departed_text: '2001-03-01 09:00:00' },
      { origin: '3', departed_text: '2001-03-01 10:00:00' },
      { origin: null, departed_text: '2001-03-01 11:00:00' },
      { origin: '5', departed_text: null },
    ]);
  });

  it('flags a text value of an aggregated column that is not a number, for the event check to name', async () => {
    const { pages } = await staged(table({ columns: ['label'] }), { skipIncomplete: true });
    const events = pages[0]?.events ?? [];
    // The value itself is never passed on, so no message can echo it.
    expect(events.map((e) => e['label'])).toEqual(['not a number', 'not a number', 'not a number']);
    const { problems } = parseEvents(table({ columns: ['label'] }), events);
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [0, 'label'],
      [1, 'label'],
      [2, 'label'],
    ]);
  });

  it('gives rows that pass the event check when complete', async () => {
    const { pages } = await staged(table({ id: 'event_id' }), { skipIncomplete: true });
    const { events, problems } = parseEvents(table({ id: 'event_id' }), pages[0]?.events ?? []);
    expect(problems).toEqual([]);
    expect(events).toEqual([
      { id: 'e1', key: '1', time: at('08:00'), values: { delay: 1, distance: 20 } },
      { id: 'e2', key: '2', time: at('09:00'), values: { delay: null, distance: 30 } },
      { id: 'e3', key: '3', time: at('10:00'), values: { delay: 2.5, distance: 10 } },
    ]);
  });

  it('leaves out events without key or time when asked', async () => {
    const { n, pages } = await staged(table(), { skipIncomplete: true });
    expect(n).toBe(3);
    expect(pages[0]?.events.map((e) => e['origin'])).toEqual(['1', '2', '3']);
    const text = await staged(table({ time: 'departed_text', columns: [] }), {
      skipIncomplete: true,
    });
    expect(text.pages[0]?.events.map((e) => e['origin'])).toEqual(['1', '2', '3']);
  });

  it('filters on the time as a timestamp', async () => {
    const where = (time: string) =>
      `${time} >= TIMESTAMP '2001-03-01 09:00:00' AND ${time} < TIMESTAMP '2001-03-01 11:00:00'`;
    const { n, pages } = await staged(table(), { where });
    expect(n).toBe(2);
    expect(pages[0]?.events.map((e) => e['origin'])).toEqual(['2', '3']);
    const text = await staged(table({ time: 'departed_text', columns: [] }), { where });
    expect(text.pages[0]?.events.map((e) => e['origin'])).toEqual(['2', '3']);
  });

  it('pages the staged events in order, in pages of the requested size', async () => {
    const t = table({ columns: ['delay'] });
    const { n, pages } = await staged(t, {}, 'many', 4);
    expect(n).toBe(10);
    expect(pages.map((p) => [p.offset, p.events.length])).toEqual([
      [0, 4],
      [4, 4],
      [8, 2],
    ]);
    const all = pages.flatMap((p) => p.events);
    expect(all.map((e) => e['delay'])).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const times = all.map((e) => e['departed_at'] as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const exact = await staged(t, {}, 'many', 5);
    expect(exact.pages.map((p) => p.events.length)).toEqual([5, 5]);
  });

  it('yields no page when nothing is staged', async () => {
    const { n, pages } = await staged(table(), {
      where: (time) => `${time} > TIMESTAMP '2100-01-01'`,
    });
    expect(n).toBe(0);
    expect(pages).toEqual([]);
  });

  it('names a missing column, its role and the event table', async () => {
    for (const [over, column, role] of [
      [{ time: 'left_at' }, 'left_at', 'time'],
      [{ id: 'flight_id' }, 'flight_id', 'id'],
      [{ columns: ['delay', 'taxi'] }, 'taxi', 'aggregated column'],
    ] as const) {
      const err = await rejection(
        stageEvents(session, 'departures', table(over), 'fw_stage_test', 'departures.csv'),
      );
      expect(err.code).toBe('SCHEMA_MISSING_COLUMN');
      expect(err.message).toContain(`no column "${column}"`);
      expect(err.message).toContain(`the ${role} of event table "flights"`);
      expect(err.message).toContain('departures.csv');
    }
  });

  it('reports a relation it cannot read as DATA_UNREADABLE', async () => {
    const err = await rejection(
      stageEvents(session, 'no_such_table', table(), 'fw_stage_test', 'missing.parquet'),
    );
    expect(err.code).toBe('DATA_UNREADABLE');
    expect(err.message).toContain('missing.parquet');
  });
});
