/** Event views: read from a source or a query, key and time checked, time as a UTC TIMESTAMP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession } from '../data/duck.js';
import { FlywheelError } from '../errors.js';
import type { EventTableDefinition } from './definition.js';
import { createEventViews } from './event-views.js';

let session: DuckSession;
beforeAll(async () => {
  session = await DuckSession.open();
  await session.run(
    `CREATE TABLE trips AS SELECT * FROM (VALUES
       ('a', TIMESTAMP '2024-01-01 10:00:00', '2024-01-01T10:00:00', TIMESTAMPTZ '2024-01-01 12:00:00+02', 1, 'x'),
       ('b', TIMESTAMP '2024-01-01 11:00:00', '2024-01-01 11:30', TIMESTAMPTZ '2024-01-01 11:00:00+00', 2, ''),
       ('b', NULL, NULL, NULL, 3, 'later')
     ) t(origin, left_at, left_text, left_tz, n, bad_text)`,
  );
});
afterAll(() => session.close());

const one = (def: Partial<EventTableDefinition>) =>
  createEventViews(session, {
    events: { trips: { source: 'trips', key: 'origin', time: 'left_at', ...def } },
  });

async function failure(promise: Promise<unknown>): Promise<FlywheelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlywheelError);
  return err as FlywheelError;
}

describe('createEventViews', () => {
  it('creates fw_events_<name> over a source, with the time as TIMESTAMP', async () => {
    const [view] = await one({});
    expect(view).toMatchObject({ name: 'trips', view: 'fw_events_trips' });
    expect(await session.rows('SELECT count(*) AS n FROM fw_events_trips')).toEqual([{ n: '3' }]);
  });

  it('parses ISO text times and converts time-zoned times to UTC', async () => {
    await one({ time: 'left_text' });
    expect(
      await session.rows('SELECT CAST(left_text AS VARCHAR) AS t FROM fw_events_trips ORDER BY n'),
    ).toEqual([{ t: '2024-01-01 10:00:00' }, { t: '2024-01-01 11:30:00' }, { t: null }]);
    await one({ time: 'left_tz' });
    expect(
      await session.rows('SELECT CAST(left_tz AS VARCHAR) AS t FROM fw_events_trips ORDER BY n'),
    ).toEqual([{ t: '2024-01-01 10:00:00' }, { t: '2024-01-01 11:00:00' }, { t: null }]);
  });

  it('reads a query over the sources', async () => {
    await createEventViews(session, {
      events: {
        late: {
          query: "SELECT origin, left_at + INTERVAL '5 minutes' AS known FROM trips WHERE n > 1",
          key: 'origin',
          time: 'known',
        },
      },
    });
    expect(await session.rows('SELECT count(*) AS n FROM fw_events_late')).toEqual([{ n: '2' }]);
  });

  it('names the missing column with a suggestion', async () => {
    const err = await failure(one({ time: 'left_att' }));
    expect(err.code).toBe('SCHEMA_MISSING_COLUMN');
    expect(err.message).toMatch(
      /^events\.trips\.time: column "left_att" does not exist in "trips"/,
    );
    expect(err.message).toContain('(did you mean "left_at"?)');
    const key = await failure(one({ key: 'orgin' }));
    expect(key.message).toMatch(/^events\.trips\.key: .*did you mean "origin"/);
    const id = await failure(one({ id: 'trip_id' }));
    expect(id.message).toMatch(/^events\.trips\.id: /);
  });

  it('refuses a time that is not a timestamp', async () => {
    const number = await failure(one({ time: 'n' }));
    expect(number.code).toBe('SCHEMA_TYPE_MISMATCH');
    expect(number.message).toBe(
      'events.trips.time: column "n" is INTEGER, not a date or timestamp',
    );
    const text = await failure(one({ time: 'bad_text' }));
    expect(text.code).toBe('SCHEMA_TYPE_MISMATCH');
    expect(text.message).toMatch(/holds 2 value\(s\) that are not timestamps, e\.g\. "x", "later"/);
  });

  it('names an unknown source and a broken query', async () => {
    const source = await failure(one({ source: 'trip' }));
    expect(source.code).toBe('SPEC_INVALID');
    expect(source.message).toMatch(
      /^events\.trips\.source: no data source named "trip" \(did you mean "trips"\?\)/,
    );
    const query = await failure(
      createEventViews(session, {
        events: { q: { query: 'SELECT nope FROM trips', key: 'origin', time: 'left_at' } },
      }),
    );
    expect(query.code).toBe('SPEC_INVALID');
    expect(query.message).toMatch(/^events\.q\.query is not valid SQL over the sources: .*nope/);
  });
});
