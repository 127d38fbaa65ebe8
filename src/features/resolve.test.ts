/**
 * How addPointInTimeFeatures reads its arguments: definitions checked against
 * the data and the event tables with errors that name the spec field, keys
 * of different types, the prediction time as a column or an expression, and
 * what it returns and creates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession } from '../data/duck.js';
import { FlywheelError } from '../errors.js';
import type { PointInTimeDefinition } from './definition.js';
import { featureVersion } from './definition.js';
import { addPointInTimeFeatures } from './point-in-time-join.js';
import type { PointInTimeArgs } from './resolve.js';

const COUNT: PointInTimeDefinition = { events: 'ev', key: 'k', aggregate: 'count', window: '1h' };
const EVENTS = { ev: { source: 'events', key: 'k', time: 'known_at' } } as const;

const args = (
  definitions: Record<string, PointInTimeDefinition>,
  extra: Partial<PointInTimeArgs> = {},
): PointInTimeArgs => ({
  input: 'rows',
  output: 'out',
  predictionTime: 'ts',
  definitions,
  events: EVENTS,
  ...extra,
});

let session: DuckSession;
beforeAll(async () => {
  session = await DuckSession.open();
  await session.run(
    `CREATE TABLE rows AS SELECT * FROM (VALUES
       (3, 10, TIMESTAMP '2024-01-01 10:00:00', 'late'),
       (1, 20, TIMESTAMP '2024-01-01 09:00:00', 'early'),
       (2, 10, TIMESTAMP '2024-01-01 10:30:00', 'later')
     ) t(id, k, ts, note)`,
  );
  await session.run(
    `CREATE TABLE events AS SELECT * FROM (VALUES
       ('10', TIMESTAMP '2024-01-01 09:30:00', 1.5, 'x'),
       ('10', TIMESTAMP '2024-01-01 10:15:00', 2.5, 'y'),
       ('20', TIMESTAMP '2024-01-01 08:59:00', 4.0, 'z')
     ) t(k, known_at, v, label)`,
  );
});
afterAll(() => session.close());

async function failure(promise: Promise<unknown>): Promise<FlywheelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlywheelError);
  return err as FlywheelError;
}

describe('addPointInTimeFeatures arguments', () => {
  it('matches an INTEGER key to a VARCHAR event key, keeps the rows in order, returns versions', async () => {
    const definitions = { n: COUNT, v_sum: { ...COUNT, aggregate: 'sum', column: 'v' } } as const;
    const columns = await addPointInTimeFeatures(session, args(definitions));
    expect(await session.rows('SELECT id, note, n, v_sum FROM out')).toEqual([
      { id: 3, note: 'late', n: 1, v_sum: 1.5 },
      { id: 1, note: 'early', n: 1, v_sum: 4 },
      { id: 2, note: 'later', n: 2, v_sum: 4 },
    ]);
    expect(columns.map((c) => [c.name, c.version])).toEqual([
      ['n', featureVersion(COUNT, EVENTS.ev)],
      ['v_sum', featureVersion(definitions.v_sum, EVENTS.ev)],
    ]);
    expect(columns[0]!.sql).toContain('RANGE BETWEEN');
    const types = await session.rows(
      "SELECT data_type FROM duckdb_columns() WHERE table_name = 'out' AND column_name IN ('n', 'v_sum')",
    );
    expect(types).toEqual([{ data_type: 'DOUBLE' }, { data_type: 'DOUBLE' }]);
  });

  it('takes the prediction time as SQL over the input, and can create a view', async () => {
    await addPointInTimeFeatures(
      session,
      args({ n: COUNT }, { predictionTime: "ts - INTERVAL '30 minutes'" }),
      { materialize: false },
    );
    expect(await session.rows('SELECT id, n FROM out')).toEqual([
      { id: 3, n: 0 }, // 09:30: the event at 09:30 is not strictly before
      { id: 1, n: 0 },
      { id: 2, n: 1 },
    ]);
    expect(
      await session.rows("SELECT count(*) AS n FROM duckdb_views() WHERE view_name = 'out'"),
    ).toEqual([{ n: '1' }]);
    await addPointInTimeFeatures(session, args({ n: COUNT })); // replaces the view by a table
  });

  it('adds the columns in the order of the definitions, over several keys and windows', async () => {
    const definitions = {
      n: COUNT,
      by_note: { ...COUNT, key: 'note' },
      n_2h: { ...COUNT, window: '2h' },
      last_v: { ...COUNT, aggregate: 'last', column: 'v', window: '2h' },
    } as const;
    await addPointInTimeFeatures(session, args(definitions));
    const out = await session.rows('SELECT * EXCLUDE (k, ts) FROM out');
    expect(Object.keys(out[0]!)).toEqual(['id', 'note', 'n', 'by_note', 'n_2h', 'last_v']);
    expect(out).toEqual([
      { id: 3, note: 'late', n: 1, by_note: 0, n_2h: 1, last_v: 1.5 },
      { id: 1, note: 'early', n: 1, by_note: 0, n_2h: 1, last_v: 4 },
      { id: 2, note: 'later', n: 2, by_note: 0, n_2h: 2, last_v: 2.5 },
    ]);
  });

  it('copies the input when there are no definitions', async () => {
    expect(await addPointInTimeFeatures(session, args({}))).toEqual([]);
    expect(await session.rows('SELECT id FROM out')).toEqual([{ id: 3 }, { id: 1 }, { id: 2 }]);
  });

  it('names the spec field of each mistake', async () => {
    const cases: [
      Record<string, PointInTimeDefinition>,
      Partial<PointInTimeArgs>,
      string,
      RegExp,
    ][] = [
      [
        { n: { ...COUNT, events: 'evs' } },
        {},
        'SPEC_INVALID',
        /^features\.point_in_time\.n\.events: there is no event table "evs" \(did you mean "ev"\?\)/,
      ],
      [
        { n: { ...COUNT, key: 'kk' } },
        {},
        'SCHEMA_MISSING_COLUMN',
        /^features\.point_in_time\.n\.key: column "kk" does not exist in the data \(rows\) \(did you mean "k"\?\)/,
      ],
      [
        { n: { ...COUNT, aggregate: 'mean', column: 'vv' } },
        {},
        'SCHEMA_MISSING_COLUMN',
        /^features\.point_in_time\.n\.column: column "vv" does not exist in events\.ev \(did you mean "v"\?\)/,
      ],
      [
        { n: { ...COUNT, aggregate: 'max', column: 'label' } },
        {},
        'SCHEMA_TYPE_MISMATCH',
        /^features\.point_in_time\.n\.column: column "label" of events\.ev is VARCHAR, not a number/,
      ],
      [
        { n: { ...COUNT, aggregate: 'sum' } },
        {},
        'SPEC_INVALID',
        /^features\.point_in_time\.n\.column: sum needs a column/,
      ],
      [
        { n: { ...COUNT, window: '2 weeks' } },
        {},
        'SPEC_INVALID',
        /^features\.point_in_time\.n\.window: "2 weeks" is not a duration/,
      ],
      [
        { note: COUNT },
        {},
        'SPEC_INVALID',
        /^features\.point_in_time\.note: the data already has a column called "note"/,
      ],
      [
        { n: COUNT },
        { predictionTime: 'tss' },
        'SCHEMA_MISSING_COLUMN',
        /^prediction time: "tss" is neither a column of rows nor SQL over it \(did you mean "ts"\?\)/,
      ],
      [
        { n: COUNT },
        { predictionTime: 'id' },
        'SCHEMA_TYPE_MISMATCH',
        /^prediction time: "id" is INTEGER, not a date or timestamp/,
      ],
      [
        { n: COUNT },
        { predictionTime: 'note' },
        'SCHEMA_TYPE_MISMATCH',
        /^prediction time: "note" holds 3 value\(s\) that are not timestamps, e\.g\. "late"/,
      ],
    ];
    for (const [definitions, extra, code, message] of cases) {
      const err = await failure(addPointInTimeFeatures(session, args(definitions, extra)));
      expect([err.code, err.message]).toEqual([code, expect.stringMatching(message)]);
    }
  });
});
