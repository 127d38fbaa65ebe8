/**
 * Profiles against DuckDB's own aggregates on the same rows, and binning in
 * SQL (`binWithProfile`) against binning in memory (`binValues`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession } from './duck.js';
import {
  type CategoricalColumnProfile,
  type NumericColumnProfile,
  type Profile,
  type ProfileColumn,
  profileView,
} from './profile.js';
import { binValues, binWithProfile, binWithProfileBy, columnDrift } from './profile-bins.js';

/**
 * 30,000 rows: `few` has 37 values and 10% missing (value-count path), `many`
 * about 29,000 values (quantile_disc path), `tiny` five values (a bin each),
 * `cat` 30 categories with ties, `flag` a 0/1 column, `ts` timestamps.
 */
const TABLE = `
  SELECT CASE WHEN i % 10 = 0 THEN NULL ELSE ((i % 37) * 1.5)::DOUBLE END AS few,
    (hash(i) % 1000003)::DOUBLE / 7 AS many,
    (i % 5)::DOUBLE AS tiny,
    CASE WHEN i % 50 = 0 THEN NULL ELSE 'k' || (i % 30) END AS cat,
    CASE WHEN i % 4 = 0 THEN 1.0 ELSE 0.0 END AS flag,
    TIMESTAMP '2024-01-01' + INTERVAL (i * 7) MINUTE AS ts,
    CASE WHEN i % 3 = 0 THEN 'a' ELSE 'b' END AS part
  FROM range(30000) r(i)`;

/** Part of `t` with every column moved, partly outside the range of `t`. */
const SHIFTED = `
  SELECT few * 3 - 20 AS few, many + 100000 AS many, tiny - 1 AS tiny,
    CASE WHEN cat = 'k1' THEN 'new' ELSE cat END AS cat, flag, ts + INTERVAL 90 DAY AS ts
  FROM t WHERE part = 'b'`;

const COLUMNS: ProfileColumn[] = [
  { name: 'few', type: 'numeric' },
  { name: 'many', type: 'numeric' },
  { name: 'tiny', type: 'numeric' },
  { name: 'cat', type: 'categorical' },
  { name: 'flag', type: 'binary' },
  { name: 'ts', type: 'timestamp' },
];

let session: DuckSession;
let profile: Profile;

const numeric = (p: Profile, name: string) =>
  p.columns.find((c) => c.name === name) as NumericColumnProfile;
const categorical = (p: Profile, name: string) =>
  p.columns.find((c) => c.name === name) as CategoricalColumnProfile;

async function one(sql: string): Promise<Record<string, unknown>> {
  return (await session.rows(sql))[0]!;
}

beforeAll(async () => {
  session = await DuckSession.open();
  await session.run(`CREATE TABLE t AS ${TABLE}`);
  await session.run(`CREATE TABLE shifted AS ${SHIFTED}`);
  profile = await profileView(session, 't', COLUMNS);
});

afterAll(() => session.close());

describe('profileView: numerics', () => {
  for (const name of ['few', 'many']) {
    it(`matches DuckDB's exact aggregates (${name})`, async () => {
      const c = numeric(profile, name);
      const q = (p: number) => `quantile_disc(${name}, ${p})`;
      const r = await one(`
        SELECT count(*) AS n, count(${name}) AS present, count(DISTINCT ${name}) AS d,
          min(${name}) AS lo, max(${name}) AS hi, avg(${name}) AS mean, stddev_pop(${name}) AS sd,
          ${q(0.01)} AS p01, ${q(0.05)} AS p05, ${q(0.25)} AS p25, ${q(0.5)} AS p50,
          ${q(0.75)} AS p75, ${q(0.95)} AS p95, ${q(0.99)} AS p99 FROM t`);
      expect(c).toMatchObject({
        count: 30000,
        missing: 30000 - Number(r['present']),
        distinct: Number(r['d']),
        min: r['lo'],
        max: r['hi'],
        quantiles: {
          p01: r['p01'],
          p05: r['p05'],
          p25: r['p25'],
          p50: r['p50'],
          p75: r['p75'],
          p95: r['p95'],
          p99: r['p99'],
        },
      });
      expect(c.mean).toBeCloseTo(Number(r['mean']), 9);
      expect(c.std).toBeCloseTo(Number(r['sd']), 9);
      expect(c.missingRate).toBeCloseTo(c.missing / 30000, 15);
    });

    it(`cuts ${name} at its distinct 5%…95% quantiles into right-closed bins`, async () => {
      const c = numeric(profile, name);
      const probs = Array.from({ length: 19 }, (_, j) => (j + 1) / 20);
      const r = await one(`SELECT quantile_disc(${name}, [${probs.join(', ')}]) AS q FROM t`);
      const expected = [...new Set((r['q'] as number[]).filter((x) => x < c.max!))];
      expect(c.histogram.edges).toEqual(expected);
      const edges = [Number.NEGATIVE_INFINITY, ...c.histogram.edges, Number.POSITIVE_INFINITY];
      const counts = await Promise.all(
        edges.slice(1).map(async (hi, j) => {
          const lo = edges[j]!;
          const where = `${name} > ${lo === -Infinity ? "'-inf'::DOUBLE" : lo} AND ${name} <= ${hi === Infinity ? "'inf'::DOUBLE" : hi}`;
          return Number((await one(`SELECT count(*) AS n FROM t WHERE ${where}`))['n']);
        }),
      );
      expect(c.histogram.counts).toEqual(counts);
      expect(c.histogram.missing).toBe(c.missing);
    });
  }

  it('gives a column with at most `bins` values one bin per value', () => {
    const c = numeric(profile, 'tiny');
    expect(c.histogram).toEqual({
      edges: [0, 1, 2, 3],
      counts: [6000, 6000, 6000, 6000, 6000],
      missing: 0,
    });
  });

  it('profiles timestamps as epoch milliseconds', async () => {
    const c = numeric(profile, 'ts');
    const r = await one('SELECT epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi FROM t');
    expect(c).toMatchObject({ type: 'timestamp', min: Number(r['lo']), max: Number(r['hi']) });
    expect(new Date(c.min!).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(c.histogram.counts).toEqual(new Array(20).fill(1500));
  });

  it('reports nulls, not numbers, when every value is missing', async () => {
    const empty = await profileView(session, 't', COLUMNS, { where: 'few IS NULL AND few > 0' });
    expect(empty.rows).toBe(0);
    expect(numeric(empty, 'many')).toMatchObject({
      count: 0,
      distinct: 0,
      min: null,
      quantiles: null,
      histogram: { edges: [], counts: [0], missing: 0 },
    });
    expect(categorical(empty, 'flag').histogram).toEqual({
      categories: ['0', '1'],
      counts: [0, 0, 0],
      missing: 0,
    });
  });
  it('bins infinite values in the outer bins and keeps them out of the JSON', async () => {
    await session.run(
      "CREATE OR REPLACE TABLE inf AS SELECT CASE WHEN i = 0 THEN 'inf'::DOUBLE WHEN i = 1 THEN 'NaN'::DOUBLE ELSE i END AS v FROM range(100) r(i)",
    );
    const p = await profileView(session, 'inf', [{ name: 'v', type: 'numeric' }]);
    const c = numeric(p, 'v');
    expect(c).toMatchObject({ missing: 1, distinct: 99, max: null, mean: null });
    expect(c.histogram.counts.at(-1)).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(binValues(c, Float64Array.of(Number.POSITIVE_INFINITY, Number.NaN)).counts.at(-1)).toBe(
      1,
    );
  });
});

describe('profileView: categoricals', () => {
  it('keeps the top values, most frequent first and ties by value, and counts the rest', () => {
    const c = categorical(profile, 'cat');
    // i % 30 for i not divisible by 50: 'k0' and 'k10', 'k20' lose the multiples of 50.
    expect(c.top).toHaveLength(20);
    expect(c.top[0]).toEqual({ value: 'k1', count: 1000 });
    expect(c.top.map((t) => t.value).slice(0, 3)).toEqual(['k1', 'k11', 'k12']);
    expect(c.top.every((t, j) => j === 0 || c.top[j - 1]!.count >= t.count)).toBe(true);
    expect(c).toMatchObject({ distinct: 30, missing: 600, count: 30000 });
    expect(c.other).toBe(30000 - 600 - c.top.reduce((s, t) => s + t.count, 0));
    expect(c.histogram.categories).toEqual(c.top.map((t) => t.value));
    expect(c.histogram.counts).toEqual([...c.top.map((t) => t.count), c.other]);
  });

  it('bins a binary column on "0" and "1"', () => {
    expect(categorical(profile, 'flag')).toMatchObject({
      distinct: 2,
      top: [
        { value: '0', count: 22500 },
        { value: '1', count: 7500 },
      ],
      histogram: { categories: ['0', '1'], counts: [22500, 7500, 0], missing: 0 },
    });
  });

  it('honours the `top` and `bins` options and rejects bad ones', async () => {
    const small = await profileView(session, 't', COLUMNS, { top: 3, bins: 4 });
    expect(categorical(small, 'cat').histogram.categories).toEqual(['k1', 'k11', 'k12']);
    expect(numeric(small, 'many').histogram.edges).toHaveLength(3);
    await expect(profileView(session, 't', COLUMNS, { bins: 1 })).rejects.toThrow(/bins must be/);
    await expect(profileView(session, 't', COLUMNS, { top: 0 })).rejects.toThrow(/top must be/);
  });
});

describe('profiles are plain JSON', () => {
  it('survives a JSON round trip unchanged', () => {
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });

  it('records the filter of a per-split profile', async () => {
    const part = await profileView(session, 't', COLUMNS, { where: "part = 'a'" });
    expect(part).toMatchObject({ rows: 10000, where: "part = 'a'" });
  });
});

describe('binning with a profile', () => {
  it('reproduces the profile histograms in SQL', async () => {
    const bins = await binWithProfile(session, 't', profile);
    for (const c of profile.columns) {
      expect(bins[c.name]!.counts, c.name).toEqual(c.histogram.counts);
      expect(bins[c.name]!.missing, c.name).toBe(c.histogram.missing);
    }
  });

  it('bins in memory exactly as in SQL, outside the reference range too', async () => {
    const inSql = await binWithProfile(session, 'shifted', profile);
    const rows = await session.rows(
      'SELECT few, many, tiny, cat, flag, epoch_ms(ts)::DOUBLE AS ts FROM shifted',
    );
    const numbers = (name: string) =>
      Float64Array.from(rows, (r) => (r[name] === null ? Number.NaN : Number(r[name])));
    for (const c of profile.columns) {
      const values =
        c.type === 'categorical' ? rows.map((r) => r[c.name] as string | null) : numbers(c.name);
      expect(binValues(c, values).counts, c.name).toEqual(inSql[c.name]!.counts);
      expect(binValues(c, values).missing, c.name).toBe(inSql[c.name]!.missing);
    }
    expect(inSql['many']!.counts.at(-1)).toBeGreaterThan(0);
    expect(inSql['tiny']!.counts[0]).toBe(8000);
    expect(binValues(categorical(profile, 'flag'), ['1', '0', null, '2']).counts).toEqual([
      1, 1, 1,
    ]);
  });

  it('rejects values of the wrong kind', () => {
    expect(() => binValues(numeric(profile, 'few'), ['1'])).toThrow(/bin a Float64Array/);
    expect(() => binValues(categorical(profile, 'cat'), Float64Array.of(1))).toThrow(/strings/);
  });

  it('bins per group in one pass', async () => {
    const groups = await binWithProfileBy(session, 't', profile, 'part');
    expect(groups.map((g) => [g.group, g.rows])).toEqual([
      ['a', 10000],
      ['b', 20000],
    ]);
    const sum = groups[0]!.columns['many']!.counts.map(
      (n, j) => n + groups[1]!.columns['many']!.counts[j]!,
    );
    expect(sum).toEqual(numeric(profile, 'many').histogram.counts);
    expect(groups[0]!.columns['many']!.std).toBeGreaterThan(0);
  });

  it('returns zero counts when no row matches', async () => {
    const none = await binWithProfile(session, 't', profile, 'false');
    expect(none['cat']).toEqual({ counts: new Array(21).fill(0), missing: 0 });
  });
});

describe('columnDrift', () => {
  it('finds no drift in the reference itself and drift in a shifted sample', async () => {
    const many = numeric(profile, 'many');
    expect(columnDrift(many, many.histogram)).toMatchObject({
      method: 'wasserstein',
      drifted: false,
    });
    const shifted = await binWithProfile(session, 'shifted', profile);
    expect(columnDrift(many, shifted['many']!)).toMatchObject({
      method: 'wasserstein',
      drifted: true,
    });
    expect(columnDrift(categorical(profile, 'cat'), shifted['cat']!)).toMatchObject({
      method: 'jensen_shannon',
      drifted: true,
    });
  });

  it('compares a numeric with at most five values as categorical, as Evidently does', () => {
    const tiny = numeric(profile, 'tiny');
    const r = columnDrift(tiny, { counts: [0, 6000, 6000, 6000, 12000], missing: 0 });
    expect(r).toMatchObject({ method: 'jensen_shannon', drifted: true });
  });

  it('takes another reference, such as the training rows, and the spec thresholds', () => {
    const many = numeric(profile, 'many');
    const reference = { counts: many.histogram.counts, missing: 0, std: 1e9 };
    const r = columnDrift(
      many,
      { counts: [...many.histogram.counts].reverse(), missing: 0 },
      {
        reference,
        thresholds: { wasserstein: 0.5 },
      },
    );
    expect(r).toMatchObject({ method: 'wasserstein', threshold: 0.5, drifted: false });
    expect(r.statistic).toBeLessThan(0.01);
  });
});
