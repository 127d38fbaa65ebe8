/**
 * The point-in-time join on the shape of the real flights data: the events
 * are the flights themselves, known once a flight has left (date plus its
 * delay), and each flight is predicted at its scheduled time from the
 * delays at the same origin in the two hours before.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession } from '../data/duck.js';
import { sqlString } from '../sql.js';
import type { PointInTimeDefinition } from './definition.js';
import { auditPointInTime } from './point-in-time-audit.js';
import { addPointInTimeFeatures } from './point-in-time-join.js';
import { type PointInTimeEvent, pointInTimeValue } from './point-in-time-value.js';
import type { PointInTimeArgs } from './resolve.js';

const FLIGHTS = fileURLToPath(
  new URL('../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url),
);

const departures = (aggregate: PointInTimeDefinition['aggregate'], inclusive = false) =>
  ({
    events: 'departures',
    key: 'origin',
    aggregate,
    ...(aggregate === 'count' ? {} : { column: 'delay' }),
    window: '2h',
    inclusive,
  }) satisfies PointInTimeDefinition;

const args = (definitions: Record<string, PointInTimeDefinition>): PointInTimeArgs => ({
  input: 'flights',
  output: 'flights_features',
  predictionTime: 'date',
  definitions,
  events: {
    departures: {
      query: 'SELECT origin, delay, date + to_minutes(greatest(delay, 0)) AS departed FROM flights',
      key: 'origin',
      time: 'departed',
    },
  },
});

let session: DuckSession;
beforeAll(async () => {
  session = await DuckSession.open();
  // The first half day: about 5,000 flights from about 200 airports.
  await session.run(
    `CREATE TABLE flights AS SELECT * FROM read_parquet(${sqlString(FLIGHTS)}) WHERE date < TIMESTAMP '2001-01-01 12:00'`,
  );
});
afterAll(() => session.close());

describe('point-in-time features on flights', () => {
  it('gives each flight the mean delay at its origin in the 2 hours before, as the definition says', async () => {
    const definitions = {
      origin_delay_2h: departures('mean'),
      origin_flights_2h: departures('count'),
      origin_last_delay_2h: departures('last'),
    };
    await addPointInTimeFeatures(session, args(definitions));
    const rows = await session.rows(
      'SELECT origin, epoch_ms(date) AS t, origin_delay_2h, origin_flights_2h, origin_last_delay_2h FROM flights_features',
    );
    const inputRows = await session.rows('SELECT origin FROM flights');
    expect(rows.map((r) => r['origin'])).toEqual(inputRows.map((r) => r['origin']));
    expect(rows.length).toBeGreaterThan(5000);

    const byOrigin = new Map<string, PointInTimeEvent[]>();
    for (const e of await session.rows(
      'SELECT origin, epoch_ms(departed) AS t, delay FROM fw_events_departures',
    )) {
      const key = String(e['origin']);
      byOrigin.set(key, [
        ...(byOrigin.get(key) ?? []),
        { key, time: Number(e['t']), value: Number(e['delay']) },
      ]);
    }
    let seen = 0;
    for (const r of rows) {
      const key = String(r['origin']);
      const events = byOrigin.get(key) ?? [];
      for (const [name, def] of Object.entries(definitions)) {
        const expected = pointInTimeValue(def, events, key, Number(r['t']));
        if (expected === null) expect(r[name]).toBeNull();
        else expect(r[name] as number).toBeCloseTo(expected, 9);
      }
      if (r['origin_flights_2h'] !== 0) seen += 1;
    }
    expect(seen).toBeGreaterThan(rows.length / 2); // most flights have history to aggregate
    expect(await auditPointInTime(session, args(definitions))).toEqual([]);
  });

  it('reports the naive inclusive version, in which a flight that left on time sees itself', async () => {
    const definitions = { origin_delay_2h: departures('mean', true) };
    await addPointInTimeFeatures(session, args(definitions));
    const findings = await auditPointInTime(session, args(definitions));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      check: 'leakage.future_event',
      column: 'origin_delay_2h',
      severity: 'block',
    });
    const evidence = findings[0]!.evidence as { rows_affected: number; rows_sampled: number };
    expect(evidence.rows_sampled).toBe(2000);
    expect(evidence.rows_affected).toBeGreaterThan(500);
  });
});
