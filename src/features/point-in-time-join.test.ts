/**
 * The point-in-time join against its TypeScript definition: every value
 * equals the oracle, including events exactly at the prediction time, just
 * after it, on both edges of the window, at duplicate times, under other or
 * missing keys; no event at or after a row's time can change its value; and
 * `inclusive: true` does change it, which the audit reports as leakage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession } from '../data/duck.js';
import type { PointInTimeDefinition } from './definition.js';
import {
  createEvents,
  createRows,
  type EventFixture,
  type RowFixture,
  randomData,
  seeded,
} from './fixtures/tables.js';
import { auditPointInTime } from './point-in-time-audit.js';
import { addPointInTimeFeatures } from './point-in-time-join.js';
import { pointInTimeValue } from './point-in-time-value.js';
import type { PointInTimeArgs } from './resolve.js';

const T = Date.UTC(2024, 0, 1, 12); // the prediction time of most hand-made rows
const MIN = 60_000;
const HOUR = 60 * MIN;

const feature = (
  aggregate: PointInTimeDefinition['aggregate'],
  extra: Partial<PointInTimeDefinition> = {},
): PointInTimeDefinition => ({
  events: 'ev',
  key: 'k',
  aggregate,
  ...(aggregate === 'count' ? {} : { column: 'v' }),
  window: '1h',
  ...extra,
});

const DEFINITIONS: Record<string, PointInTimeDefinition> = {
  n: feature('count'),
  n_v: feature('count', { column: 'v' }),
  s: feature('sum'),
  m: feature('mean'),
  lo: feature('min'),
  hi: feature('max'),
  last: feature('last'),
  n_90s: feature('count', { window: '90s' }),
  m_1d: feature('mean', { window: '1d' }),
  last_30m: feature('last', { window: '30m' }),
};

const argsFor = (definitions: Record<string, PointInTimeDefinition>): PointInTimeArgs => ({
  input: 'rows',
  output: 'out',
  predictionTime: 'ts',
  definitions,
  events: { ev: { source: 'events', key: 'k', time: 'known_at' } },
});

/** Rows around T for key a, plus edge cases. */
const HAND_ROWS: RowFixture[] = [
  { id: 10, key: 'a', time: T },
  { id: 11, key: 'a', time: T }, // the same key and time twice
  { id: 3, key: 'a', time: T + 1 }, // 1 ms later: sees the event at T
  { id: 4, key: 'a', time: T - HOUR }, // sees only what precedes T - 1h
  { id: 5, key: 'b', time: T },
  { id: 6, key: 'c', time: T }, // no events at all
  { id: 7, key: null, time: T },
  { id: 8, key: 'a', time: null },
  { id: 9, key: 'a', time: T + 2 * HOUR },
  { id: 1, key: 'a', time: T - 1 }, // 1 ms before T
];

const HAND_EVENTS: EventFixture[] = [
  { key: 'a', time: T, value: 100 }, // exactly at T: never for a row at T
  { key: 'a', time: T + 1, value: 200 }, // just after T
  { key: 'a', time: T - 1, value: 1 }, // just before T
  { key: 'a', time: T - HOUR, value: 2 }, // exactly the window's start: inside
  { key: 'a', time: T - HOUR - 1, value: 1000 }, // 1 ms outside the window
  { key: 'a', time: T - 30 * MIN, value: 3 }, // two events at one time:
  { key: 'a', time: T - 30 * MIN, value: 4 }, // `last` takes the larger on a tie
  { key: 'a', time: T - 10 * MIN, value: null }, // counted by count, skipped by the rest
  { key: 'a', time: T - 5 * MIN, value: Number.NaN }, // NaN is missing too
  { key: 'a', time: T - 20 * MIN, value: -7.25 },
  { key: 'a', time: null, value: 5000 },
  { key: null, time: T - MIN, value: 5000 },
  { key: 'b', time: T - MIN, value: 50 },
  { key: 'b', time: T, value: 60 },
  { key: 'A', time: T - MIN, value: 5000 }, // keys are case-sensitive
];

let session: DuckSession;
beforeAll(async () => {
  session = await DuckSession.open();
});
afterAll(() => session.close());

async function compute(
  rows: readonly RowFixture[],
  events: readonly EventFixture[],
  definitions: Record<string, PointInTimeDefinition> = DEFINITIONS,
): Promise<Record<string, unknown>[]> {
  await createRows(session, 'rows', rows);
  await createEvents(session, 'events', events);
  await addPointInTimeFeatures(session, argsFor(definitions));
  return session.rows('SELECT * FROM out');
}

function expectOracle(
  out: readonly Record<string, unknown>[],
  rows: readonly RowFixture[],
  events: readonly EventFixture[],
  definitions: Record<string, PointInTimeDefinition> = DEFINITIONS,
): void {
  expect(out.map((r) => r['id'])).toEqual(rows.map((r) => r.id));
  for (const [i, row] of rows.entries()) {
    for (const [name, def] of Object.entries(definitions)) {
      const expected = pointInTimeValue(def, events, row.key, row.time);
      const actual = out[i]![name] as number | null;
      const where = `row ${row.id} (${row.key}, ${row.time === null ? null : new Date(row.time).toISOString()}) ${name}`;
      if (expected === null || actual === null) expect(actual, where).toBe(expected);
      else expect(actual, where).toBeCloseTo(expected, 9);
    }
  }
}

describe('addPointInTimeFeatures', () => {
  it('equals the TypeScript definition on every edge case', async () => {
    const out = await compute(HAND_ROWS, HAND_EVENTS);
    expectOracle(out, HAND_ROWS, HAND_EVENTS);
    const byId = new Map(out.map((r) => [r['id'], r]));
    // Row at T sees 1 (T-1ms), 2 (window start), 3 and 4 (tie), -7.25, a missing and a NaN value.
    expect(byId.get(10)).toMatchObject({ n: 7, n_v: 5, s: 2.75, lo: -7.25, hi: 4, last: 1 });
    expect(byId.get(5)).toMatchObject({ n: 1, s: 50, m: 50, last: 50 });
    for (const id of [6, 7, 8]) {
      expect(byId.get(id)).toMatchObject({ n: 0, n_v: 0, s: 0, m: null, lo: null, last: null });
    }
  });

  it('equals the TypeScript definition on random data with many ties', async () => {
    for (const seed of [1, 2, 3]) {
      const { rows, events } = randomData(seed, 300, 600, T);
      expectOracle(await compute(rows, events), rows, events);
    }
  });

  it('never changes a value when events at or after its prediction time change', async () => {
    const { rows, events } = randomData(7, 200, 400, T);
    const before = await compute(rows, events);
    const random = seeded(11);
    const times = rows.flatMap((r) => (r.time === null ? [] : [r.time])).sort((a, b) => a - b);
    for (const cutoff of [times[0]!, times[50]!, times[100]!, times[150]!]) {
      // Rewrite the future: new values, later times, deletions, and new events at exactly the cutoff.
      const future = events
        .filter((e) => e.time === null || e.time < cutoff || random() < 0.8)
        .map((e) =>
          e.time !== null && e.time >= cutoff
            ? { ...e, time: e.time + Math.floor(random() * 3) * MIN, value: random() * 1e6 }
            : e,
        );
      for (const key of ['a', 'b', 'c', 'd']) future.push({ key, time: cutoff, value: -1e9 });
      const after = await compute(rows, future);
      const changed = rows.filter(
        (r, i) =>
          r.time !== null &&
          r.time <= cutoff &&
          JSON.stringify(after[i]) !== JSON.stringify(before[i]),
      );
      expect(changed.map((r) => r.id)).toEqual([]);
      const affected = after.filter((r, i) => JSON.stringify(r) !== JSON.stringify(before[i]));
      expect(affected.length).toBeGreaterThan(0); // the mutation did reach later rows
    }
  });

  it('with inclusive: true counts events at exactly the prediction time, and the audit reports it', async () => {
    const leaky = {
      m: feature('mean'),
      m_leaky: feature('mean', { inclusive: true }),
      n_leaky: feature('count', { inclusive: true }),
    };
    const out = await compute(HAND_ROWS, HAND_EVENTS, leaky);
    expectOracle(out, HAND_ROWS, HAND_EVENTS, leaky);
    const row10 = out.find((r) => r['id'] === 10)!;
    expect(row10['m_leaky']).not.toBe(row10['m']); // the event at T (100) is in
    expect(row10['n_leaky']).toBe(8);

    const findings = await auditPointInTime(session, argsFor(leaky));
    expect(findings.map((f) => [f.check, f.column, f.severity])).toEqual([
      ['leakage.future_event', 'm_leaky', 'block'],
      ['leakage.future_event', 'n_leaky', 'block'],
    ]);
    // Rows 10, 11 and 5 (at T), 1 (T - 1ms), 3 (T + 1ms) and 4 (T - 1h) each have an event at exactly their time.
    expect(findings[0]!.evidence).toMatchObject({
      rows_affected: 6,
      rows_value_changed: 6,
      rows_sampled: HAND_ROWS.length,
      inclusive: true,
      example: {
        key: 'a',
        prediction_time: '2024-01-01 12:00:00',
        event_time: '2024-01-01 12:00:00',
      },
    });
    expect(findings[0]!.message).toMatch(/used events at or after the prediction time in 6 of 10/);
  });

  it('passes the audit when strict, and the audit catches a value that differs from the definition', async () => {
    const { rows, events } = randomData(5, 300, 600, T);
    await compute(rows, events);
    expect(await auditPointInTime(session, argsFor(DEFINITIONS))).toEqual([]);

    await session.run('UPDATE out SET m = m + 1e-6 WHERE id = 42');
    await session.run('UPDATE out SET n = n + 1 WHERE id IN (12, 13)');
    const findings = await auditPointInTime(session, argsFor(DEFINITIONS));
    expect(findings.map((f) => [f.check, f.column, f.evidence['rows_affected']])).toEqual([
      ['features.mismatch', 'n', 2],
      ['features.mismatch', 'm', 1],
    ]);
  });

  it('reports a fast path that reads the future as leakage as well as a mismatch', async () => {
    const { rows, events } = randomData(6, 300, 600, T);
    await createRows(session, 'rows', rows);
    await createEvents(session, 'events', events);
    // What a naive `time <= t` join would produce, written over a correct output.
    await addPointInTimeFeatures(session, {
      ...argsFor({ n: feature('count', { inclusive: true }) }),
    });
    const findings = await auditPointInTime(session, argsFor({ n: feature('count') }));
    expect(findings.map((f) => f.check)).toEqual(['leakage.future_event', 'features.mismatch']);
  });

  it('samples at most sampleSize rows, evenly spread', async () => {
    const { rows, events } = randomData(8, 500, 300, T);
    await compute(rows, events, { n: feature('count', { inclusive: true }) });
    const findings = await auditPointInTime(
      session,
      argsFor({ n: feature('count', { inclusive: true }) }),
      { sampleSize: 40 },
    );
    expect(findings[0]!.evidence['rows_sampled']).toBe(40);
  });
});
